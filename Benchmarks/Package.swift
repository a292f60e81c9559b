// swift-tools-version: 6.1
import Foundation
import PackageDescription

// A path dependency's identity is its directory's name, which depends on where the repository was
// cloned; derive it instead of spelling it.
let rootIdentity = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .lastPathComponent.lowercased()

// Micro-benchmarks of ModelBundle's hot paths (ordo-one/benchmark), kept in a nested package so
// that users and the main test suite never build the benchmark dependencies.
// Run: cd Benchmarks && swift package benchmark
let package = Package(
    name: "ModelBundleBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "BundleBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ModelBundle", package: rootIdentity),
                .product(name: "ModelCodecs", package: rootIdentity),
                .product(name: "ModelBundleArchive", package: rootIdentity),
                .product(name: "ModelRuntime", package: rootIdentity),
                .product(name: "ModelFlavors", package: rootIdentity),
            ],
            path: "Benchmarks/BundleBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The in-memory workload of compare.py: the kernel timed inside one process, outputs written for checking.
        .executableTarget(
            name: "KernelTiming",
            dependencies: [.product(name: "ModelFlavors", package: rootIdentity)],
            path: "Tools/KernelTiming"
        ),
        // The in-process columnar workload of columnar_bench.py: an in-memory Arrow stream predicted
        // through the runtime's request path, against the kernel alone.
        .executableTarget(
            name: "ColumnarTiming",
            dependencies: [
                .product(name: "ModelFlavors", package: rootIdentity),
                .product(name: "ModelRuntime", package: rootIdentity),
            ],
            path: "Tools/ColumnarTiming"
        ),
        // The tree rows of trees_bench.py: a tree bundle's whole in-process prediction path, timed.
        .executableTarget(
            name: "TreeTiming",
            dependencies: [
                .product(name: "ModelBundle", package: rootIdentity),
                .product(name: "ModelRuntime", package: rootIdentity),
                .product(name: "ModelFlavors", package: rootIdentity),
            ],
            path: "Tools/TreeTiming"
        ),
    ]
)
