// swift-tools-version:5.4
// The libFuzzer target for tierwise's input readers. It is a separate package so that the
// main package's build and tests never need the sanitizers. Build and run it with scripts/fuzz.
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder, which is "main" here but may differ in
// another clone, so the name is taken from the folder above this file.
let mainPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "TierwiseFuzz",
    dependencies: [
        .package(path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "TierwiseFuzz",
            dependencies: [
                .product(name: "TierwiseIO", package: mainPackage),
                .product(name: "TierwiseAnalytics", package: mainPackage),
            ]
        ),
    ]
)
