// swift-tools-version:6.0
// Broken plugins that `poslab check-plugin` must report (built by the plugin tests).
import PackageDescription

let fixtures = ["NoEntryPoint", "BadGradient", "DuplicateName", "WrongShape", "NaNBias", "ThrowingMake", "Crash", "Exit", "BadArgument", "InertV1", "CrashThirdCall"]

let package = Package(
    name: "PluginFixtures",
    products: fixtures.map { .library(name: $0, type: .dynamic, targets: [$0]) },
    dependencies: [.package(name: "PosLab", path: "../..")],
    targets: fixtures.map { .target(name: $0, dependencies: [.product(name: "PosLab", package: "PosLab")]) }
)
