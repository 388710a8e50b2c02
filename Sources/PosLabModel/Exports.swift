// A plugin or a user of the model writes `import PosLabModel` and gets the core types (specs,
// their arguments, configuration errors, attention modes), the engine's ops and the seeded random
// generator and SHA-256 with it (PosLabSupport; the statistics are not a plugin's concern).
@_exported import PosLabCore
@_exported import PosLabEngine
@_exported import PosLabSupport
