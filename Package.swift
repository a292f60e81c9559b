// swift-tools-version: 6.1
import PackageDescription

// Targets are declared by kind; products are derived from the exported ones so that a
// helper target can never leak into the public surface by accident (swift-collections).
let package = Package(
    name: "ModelBundle",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ModelBundle", targets: ["ModelBundle"]),
        .library(name: "ModelBundleArchive", targets: ["ModelBundleArchive"]),
        .library(name: "ModelRuntime", targets: ["ModelRuntime"]),
        .library(name: "ModelFlavors", targets: ["ModelFlavors"]),
        .executable(name: "mbundle", targets: ["mbundle"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // The registry bridge (ModelRegistryClient): MLflow's REST API and artifact proxy over HTTPS.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // C boundary: the system libarchive, imported by ModelBundleArchive only.
        .systemLibrary(
            name: "CArchive",
            pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"]), .brew(["libarchive"])]
        ),

        // Small C helpers for system calls Swift's Glibc module does not expose (renameat2).
        .target(name: "CSystemSupport"),

        // The bundle format: manifest, signatures, environment files, examples, writer, reader.
        .target(
            name: "ModelBundle",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                "CSystemSupport",
            ]
        ),
        // Single-file bundles: deterministic pack, safe unpack.
        .target(name: "ModelBundleArchive", dependencies: ["ModelBundle", "CArchive"]),
        // Flavor protocol, registry, loader, schema enforcement.
        .target(name: "ModelRuntime", dependencies: ["ModelBundle"]),
        // Hand-written AVX2/FMA predict kernels, chosen at run time when the processor has them.
        .target(name: "CLinearKernels"),
        // Built-in flavors, one folder each. ModelBundleArchive: skops files are zip archives, read
        // through the same hardened reader as bundle archives.
        .target(name: "ModelFlavors", dependencies: ["ModelRuntime", "ModelBundleArchive", "CLinearKernels"]),
        // models:/ and runs:/ resolved against an MLflow tracking server, the content-addressed
        // download cache, and `mbundle log`.
        .target(
            name: "ModelRegistryClient",
            dependencies: [
                "ModelBundle",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // The command-line tool: thin commands over the libraries.
        .executableTarget(
            name: "mbundle",
            dependencies: [
                "ModelBundle", "ModelBundleArchive", "ModelRuntime", "ModelFlavors", "ModelRegistryClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "ModelBundleTests", dependencies: ["ModelBundle"]),
        .testTarget(name: "ModelBundleArchiveTests", dependencies: ["ModelBundleArchive"]),
        .testTarget(name: "ModelRuntimeTests", dependencies: ["ModelRuntime"]),
        .testTarget(name: "ModelFlavorsTests", dependencies: ["ModelFlavors", "CLinearKernels"]),
        .testTarget(name: "MBundleEndToEndTests", dependencies: ["ModelBundle"]),
        .testTarget(name: "ModelRegistryClientTests", dependencies: ["ModelRegistryClient"]),
        .testTarget(name: "ThirdPartyFlavorTests", dependencies: ["ModelBundle", "ModelRuntime", "ModelFlavors"]),
    ]
)

// Standard settings for every Swift target (swift-nio's cross-repo loop, Hummingbird's features).
for target in package.targets
where target.type != .system && !["CSystemSupport", "CLinearKernels"].contains(target.name) {
    var settings = target.swiftSettings ?? []
    settings.append(contentsOf: [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("MemberImportVisibility"),
        .enableUpcomingFeature("InternalImportsByDefault"),
    ])
    target.swiftSettings = settings
}
