// swift-tools-version:6.2
// PosLab: a research harness for positional encodings in tiny transformers.
//
// Architecture (one module per layer; each C bridge is imported by exactly one Swift module):
//   CGSL, COpenBLAS      system-library bridges (GSL without gslcblas; OpenBLAS serves cblas_*)
//   CBLASKernel          picks OpenBLAS's best kernel for the CPU when a program asks
//                        (ProgramSetup.prepare(): the poslab launcher, poslab-bench, the test runner)
//   CAttentionKernel     AVX2 and FMA kernels, run when the CPU has them: one block of queries of
//                        blocked attention (evaluation at long lengths, head widths a multiple of 8)
//                        and training attention's per-head products (HeadProducts)
//   CRunGuard            names the run and plugin when a plugin crashes or exits during a run
//   PosLabBuildInfo      the commit the sources were at, written at build time by the BuildInfo
//                        plugin (Plugins/); no module depends on it: CBuildInfo reaches it through a
//                        weak symbol resolved in libPosLab.so, so that a new commit compiles it alone
//   PosLabSupport        seeded random numbers (GSL's MT19937: imports CGSL) and SHA-256: what the
//                        engine, the tasks and a run's identity need, without the statistics
//   PosLabStatistics     the statistics of a study over GSL: descriptive, tests, intervals, effect
//                        sizes, ranks (imports CGSL)
//   PosLabCore           what tasks and the model share: Spec, SpecArguments, ConfigurationError,
//                        AttentionMode, nearest-name suggestions (no dependencies)
//   PosLabEngine         tensors, reverse-mode autodiff, ops, optimizers (imports COpenBLAS)
//   PosLabModel          the transformer, PositionalEncoding, the built-in encodings and the plugin
//                        loader; re-exports PosLabCore, PosLabEngine and PosLabSupport for plugins
//   PosLabText           tokenizers (bytes, GPT-2 BPE) and the sliding-window text dataset
//   PosLabTasks          order-sensitive sequence tasks, the controls, and language modelling on text
//                        (PosLabCore, PosLabSupport and PosLabText; not the model)
//   A study's data path, four modules (a suite file → PosLabStudy → PosLabRunner → PosLabResults → PosLabReport):
//   PosLabStudy          what a study is: suite files (read, then validated; a suite's plugins are
//                        listed, not loaded), grids, tune blocks, run plans and their resolved
//                        configurations (a run's identity), metrics, the memory budget
//   PosLabResults        what a study wrote and what it shows: the results folder (one JSON record per
//                        run, run claims, the suite lock, runs.csv and curves.csv derived from the
//                        records, manifest.json), typed CSV rows, the selection of a tuned study, and
//                        the statistics (summary, rankings, comparisons, claims)
//   PosLabRunner         what runs a study: the trainer, the suite runner and its threads, plugin
//                        worker processes, the crash guard (imports CRunGuard), the conformance checks
//   PosLabReport         the HTML report and its SVG figures, read from a results folder
//   PosLabCLI            the command-line tool's commands; loads plugins (--plugin, a suite's
//                        plugins:) before a suite is validated
//   libPosLab.so         all of the above as one dynamic library (the `PosLab` product): the tool
//                        and every plugin link it, so a process holds one copy of every type
//   poslab               a C launcher that loads libPosLab.so and calls its `poslab_main`
//   poslab-bench         training-speed benchmark against PyTorch (not a test)
//   poslab-abi-hash      the plugin ABI version: a hash of the plugin-facing sources, computed at
//                        every build by the PluginABIHash build-tool plugin (Plugins/)
import PackageDescription

let package = Package(
    name: "PosLab",
    products: [
        // The one PosLab library: plugins depend on this product, and the `poslab` launcher loads it.
        .library(name: "PosLab", type: .dynamic,
                 targets: ["PosLabSupport", "PosLabEngine", "PosLabStatistics", "PosLabModel", "PosLabText", "PosLabTasks",
                           "PosLabStudy", "PosLabResults", "PosLabRunner", "PosLabReport", "PosLabCLI",
                           "PosLabBuildInfo"]),
        .executable(name: "poslab", targets: ["poslab"]),
        .executable(name: "poslab-bench", targets: ["poslab-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        // `swift package generate-documentation --target PosLabModel`: the DocC catalogs (a plugin, not linked).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CGSL", path: "Sources/CGSL"),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
        .target(name: "PosLabSupport", dependencies: ["CGSL"]),
        .target(name: "PosLabStatistics", dependencies: ["CGSL", "PosLabSupport"]),
        .target(name: "PosLabCore"),
        .target(name: "CBLASKernel", linkerSettings: [.linkedLibrary("openblas")]),
        .target(name: "CAttentionKernel"),
        .target(name: "CRunGuard"),
        .target(name: "CBuildInfo"),
        .target(name: "PosLabBuildInfo", plugins: ["BuildInfo"]),
        .plugin(name: "BuildInfo", capability: .buildTool()),
        .target(name: "PosLabEngine", dependencies: ["COpenBLAS", "CBLASKernel", "CAttentionKernel", "PosLabSupport"]),
        .target(name: "PosLabModel", dependencies: ["PosLabCore", "PosLabEngine", "PosLabSupport"], plugins: ["PluginABIHash"]),
        .executableTarget(name: "poslab-abi-hash"),
        .plugin(name: "PluginABIHash", capability: .buildTool(), dependencies: ["poslab-abi-hash"]),
        .target(name: "PosLabTasks", dependencies: ["PosLabCore", "PosLabSupport", "PosLabText"]),
        .target(
            name: "PosLabText",
            dependencies: ["PosLabSupport", .product(name: "HeapModule", package: "swift-collections")],
            resources: [.copy("Resources")]),
        .target(name: "PosLabStudy", dependencies: ["PosLabCore", "PosLabModel", "PosLabSupport", "PosLabTasks", "Yams"]),
        .target(
            name: "PosLabResults",
            dependencies: ["PosLabStudy", "PosLabCore", "PosLabModel", "PosLabStatistics", "PosLabSupport", "PosLabTasks", "CBuildInfo", "Yams",
                           .product(name: "CSV", package: "CSV.swift")]),
        .target(name: "PosLabRunner", dependencies: ["PosLabStudy", "PosLabResults", "PosLabModel", "PosLabTasks", "CRunGuard"]),
        .target(
            name: "PosLabReport",
            dependencies: ["PosLabResults", "PosLabCore", "PosLabModel", "PosLabStatistics", "PosLabTasks",
                           .product(name: "CSV", package: "CSV.swift")]),
        .target(
            name: "PosLabCLI",
            dependencies: ["PosLabStudy", "PosLabResults", "PosLabRunner", "PosLabReport", "PosLabModel", "PosLabTasks", "PosLabText",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        // No Swift dependency on purpose: a dependency would link PosLab into the executable statically.
        .executableTarget(name: "poslab"),
        .executableTarget(
            name: "poslab-bench",
            dependencies: ["PosLabModel", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .testTarget(name: "PosLabStatisticsTests", dependencies: ["PosLabStatistics", "PosLabSupport"], resources: [.copy("Fixtures")]),
        // Links into the test runner a constructor that prepares its process as poslab's launcher does.
        .target(name: "CTestProgram", path: "Tests/CTestProgram"),
        .testTarget(name: "PosLabEngineTests", dependencies: ["PosLabEngine", "CTestProgram"]),
        .target(name: "PosLabTestSupport", path: "Tests/PosLabTestSupport"),
        .testTarget(name: "PosLabModelTests", dependencies: ["PosLabModel", "PosLabTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PosLabTasksTests", dependencies: ["PosLabTasks"]),
        .testTarget(
            name: "PosLabTextTests",
            dependencies: ["PosLabText", "PosLabModel", "PosLabTestSupport", .product(name: "PropertyBased", package: "swift-property-based")],
            resources: [.copy("Fixtures")]),
        // The tests of the study, the runner, the results, the report and the command line together.
        .testTarget(
            name: "PosLabExperimentsTests",
            dependencies: ["PosLabStudy", "PosLabResults", "PosLabRunner", "PosLabReport", "PosLabTestSupport"],
            resources: [.copy("Fixtures")]),
    ]
)
