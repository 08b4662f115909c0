// swift-tools-version:6.0
// Benchmarks live beside the main package, as swift-nio and swift-collections keep theirs:
// they measure; the tests assert. Build and run with
//   cd Benchmarks && swift build -c release && .build/release/clv-bench 1000000 2
import PackageDescription

let package = Package(
    name: "tierwise-benchmarks",
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(name: "clv-bench", dependencies: [.product(name: "LifetimeValue", package: "tierwise")]),
    ],
    swiftLanguageModes: [.v5]
)
