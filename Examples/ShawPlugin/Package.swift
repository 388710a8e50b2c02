// swift-tools-version:6.0
// An out-of-tree PosLab encoding that uses the score hook: Shaw et al.'s relative keys, as a plugin.
//
//   swift build -c release                      # → .build/release/libShawPlugin.so
//   poslab check-plugin .build/release/libShawPlugin.so
//   poslab run suite.yaml --plugin .build/release/libShawPlugin.so
import PackageDescription

let package = Package(
    name: "ShawPlugin",
    products: [
        .library(name: "ShawPlugin", type: .dynamic, targets: ["ShawPlugin"]),
    ],
    dependencies: [
        .package(name: "PosLab", path: "../.."),  // in your own package: .package(url: "<PosLab's git URL>", from: "0.1.0")
    ],
    targets: [
        .target(name: "ShawPlugin", dependencies: [.product(name: "PosLab", package: "PosLab")]),
    ]
)
