// swift-tools-version:6.0
// Benchmarks live beside the main package, as swift-nio and swift-collections keep theirs:
// they measure; the tests assert. Build and run with
//   cd Benchmarks && swift build -c release && .build/release/clv-bench 1000000 2
import Foundation
import PackageDescription

/// A path dependency is known by its folder's name, which is whatever the clone is called.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "tierwise-benchmarks",
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(name: "clv-bench", dependencies: [.product(name: "LifetimeValue", package: root)]),
    ],
    swiftLanguageModes: [.v5]
)
