// swift-tools-version:6.0
// Broken plugins that `poslab check-plugin` must report (built by the plugin tests).
import PackageDescription

let package = Package(
    name: "PluginFixtures",
    products: [
        .library(name: "NoEntryPoint", type: .dynamic, targets: ["NoEntryPoint"]),
        .library(name: "BadGradient", type: .dynamic, targets: ["BadGradient"]),
    ],
    dependencies: [.package(name: "PosLab", path: "../..")],
    targets: [
        .target(name: "NoEntryPoint", dependencies: [.product(name: "PosLab", package: "PosLab")]),
        .target(name: "BadGradient", dependencies: [.product(name: "PosLab", package: "PosLab")]),
    ]
)
