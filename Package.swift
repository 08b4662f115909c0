// swift-tools-version:6.0
import PackageDescription

/// Release builds skip Swift's run-time exclusivity checks: the profile showed them at 6 %
/// of ingest (begin/end access on every class property in the hot loops). Debug builds,
/// which the tests use, keep them.
let fast: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "tierwise",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tierwise", targets: ["tierwise"]),
        // For the benchmark and fuzzing packages beside this one (Benchmarks/, Fuzz/).
        .library(name: "LifetimeValue", targets: ["LifetimeValue"]),
        .library(name: "TierwiseIO", targets: ["TierwiseIO"]),
        .library(name: "TierwiseAnalytics", targets: ["TierwiseAnalytics"]),
        .library(name: "TierwisePipeline", targets: ["TierwisePipeline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", exact: "0.6.0"),
    ],
    targets: [
        // C libraries from Debian, wrapped as module maps only. Nothing outside TierwiseIO imports them.
        .systemLibrary(name: "CCSV", providers: [.apt(["libcsv-dev"])]),
        .systemLibrary(name: "CZstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        // renameat2(RENAME_EXCHANGE), which Swift cannot call directly, for swapping a run's folder into place,
        // and SHA-256 with the x86 SHA instructions (inputs and outputs are hashed for the manifest).
        .systemLibrary(name: "CSysShims"),

        // The only code that calls libcsv, libzstd and zlib: byte sources, decompressors,
        // the record splitter, CSV and JSON writers, atomic output folders, hashing.
        .target(name: "TierwiseIO", dependencies: ["CCSV", "CZstd", "CZlib", "CSysShims"], swiftSettings: fast),
        // Pure value types and functions: dates, money, features, RFM, CLV, profit, churn, tiers.
        .target(name: "TierwiseAnalytics", dependencies: ["LifetimeValue"], swiftSettings: fast),
        // BG/NBD and Gamma-Gamma fitted by maximum likelihood, and the CLV sums; pure computation.
        .target(name: "LifetimeValue", swiftSettings: fast),
        // Inline SVG charts and the self-contained HTML page shell; no dependencies, no I/O.
        .target(name: "Charts", linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]),
        // The seeded synthetic bank behind `tierwise generate`; writes through a byte sink, no I/O of its own.
        .target(name: "SyntheticBank"),
        // Pipeline file, ingest, stages, fingerprints, work folder, manifest, lock, logging.
        .target(name: "TierwisePipeline", dependencies: [
            "TierwiseIO", "TierwiseAnalytics", "TierwiseReports",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "TOMLKit", package: "TOMLKit"),
        ], swiftSettings: fast),
        // HTML with inline SVG charts, Markdown, summary JSON.
        .target(name: "TierwiseReports", dependencies: ["TierwiseAnalytics", "Charts"]),
        .executableTarget(name: "tierwise", dependencies: [
            "TierwisePipeline", "TierwiseIO", "TierwiseAnalytics", "SyntheticBank",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .target(name: "TierwiseTestSupport", dependencies: ["TierwiseIO", "SyntheticBank"], path: "Tests/TierwiseTestSupport"),
        .testTarget(name: "TierwiseIOTests", dependencies: ["TierwiseIO", "TierwiseTestSupport"]),
        .testTarget(name: "TierwiseAnalyticsTests", dependencies: ["TierwiseAnalytics", "TierwiseTestSupport"]),
        .testTarget(name: "TierwisePipelineTests", dependencies: ["TierwisePipeline", "TierwiseTestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TierwiseTestSupport"], exclude: ["Snapshots"]),
        .testTarget(name: "LifetimeValueTests", dependencies: ["LifetimeValue"]),
        .testTarget(name: "ChartsTests", dependencies: ["Charts"]),
        .testTarget(name: "SyntheticBankTests", dependencies: ["SyntheticBank"]),
    ],
    swiftLanguageModes: [.v5]
)
