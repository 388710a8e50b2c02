/// A planned run with its fully resolved configuration, and so its identity.
public struct ResolvedRun: Sendable {
    public var plan: RunPlan
    public var configuration: RunConfiguration
    /// The resolved names and arguments, as the task and the encoding report them.
    public var taskName: String, taskArguments: String, encodingName: String, encodingArguments: String
    /// The plugin libraries whose encodings the run uses (empty for built-ins).
    public var pluginPaths: [String] = []

    package init(plan: RunPlan, configuration: RunConfiguration, taskName: String, taskArguments: String,
                 encodingName: String, encodingArguments: String, pluginPaths: [String] = []) {
        self.plan = plan
        self.configuration = configuration
        self.taskName = taskName
        self.taskArguments = taskArguments
        self.encodingName = encodingName
        self.encodingArguments = encodingArguments
        self.pluginPaths = pluginPaths
    }

    /// The run's identity (the hash of its configuration); its record is `runs/<id>.json`.
    public var id: String { configuration.id }
}
