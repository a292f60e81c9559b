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
        .library(name: "ModelColumnar", targets: ["ModelColumnar"]),
        .executable(name: "mbundle", targets: ["mbundle"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // C boundary: the system libarchive, imported by ModelBundleArchive only.
        .systemLibrary(
            name: "CArchive",
            pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"]), .brew(["libarchive"])]
        ),

        // C boundary of the columnar readers: the Debian compression libraries Parquet and Arrow IPC use.
        .systemLibrary(name: "CSnappy", pkgConfig: "snappy", providers: [.apt(["libsnappy-dev"]), .brew(["snappy"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"]), .brew(["zstd"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"]), .brew(["lz4"])]),

        // The one platform-import block (Glibc, Musl or Darwin), re-exported to the targets that call
        // the C library.
        .target(name: "SystemPlatform"),
        // Small C helpers for system calls Swift's Glibc module does not expose (renameat2).
        .target(name: "CSystemSupport"),

        // The bundle format: manifest, signatures, environment files, examples, writer, reader.
        .target(
            name: "ModelBundle",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                "CSystemSupport",
                "SystemPlatform",
            ]
        ),
        // Single-file bundles: deterministic pack, safe unpack.
        .target(name: "ModelBundleArchive", dependencies: ["ModelBundle", "CArchive", "SystemPlatform"]),
        // Flavor protocol, registry, loader, schema enforcement, and the prediction use case every
        // front end shares (request in, predictions out; streams). ModelBundleArchive: MODEL may be
        // a .tar.gz/.zip of a bundle.
        .target(name: "ModelRuntime", dependencies: ["ModelBundle", "ModelBundleArchive", "ModelColumnar"]),
        // Hand-written AVX2/FMA predict kernels, chosen at run time when the processor has them.
        .target(name: "CLinearKernels"),
        // Built-in flavors, one folder each. ModelBundleArchive: skops files are zip archives, read
        // through the same hardened reader as bundle archives.
        .target(
            name: "ModelFlavors",
            dependencies: ["ModelRuntime", "ModelBundleArchive", "CLinearKernels", "SystemPlatform"]
        ),
        // Parquet and Arrow IPC: bounded readers and writers of our own (Thrift compact, flatbuffers).
        .target(name: "ModelColumnar", dependencies: ["ModelBundle", "CSnappy", "CZstd", "CZlib", "CLZ4"]),
        // The command-line tool: thin commands over the libraries.
        .executableTarget(
            name: "mbundle",
            dependencies: [
                "ModelBundle", "ModelBundleArchive", "ModelRuntime", "ModelFlavors", "ModelColumnar",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Shared test plumbing (not a product): the CLI runner and self-removing scratch directories.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "ModelBundleTests", dependencies: ["ModelBundle", "TestSupport", "SystemPlatform"]),
        .testTarget(
            name: "ModelBundleArchiveTests",
            dependencies: ["ModelBundleArchive", "TestSupport", "SystemPlatform"]
        ),
        .testTarget(name: "ModelRuntimeTests", dependencies: ["ModelRuntime", "TestSupport"]),
        .testTarget(name: "ModelFlavorsTests", dependencies: ["ModelFlavors", "CLinearKernels", "TestSupport"]),
        .testTarget(name: "MBundleEndToEndTests", dependencies: ["ModelBundle", "TestSupport"]),
        .testTarget(
            name: "ThirdPartyFlavorTests",
            dependencies: ["ModelBundle", "ModelRuntime", "ModelFlavors", "TestSupport"]
        ),
        .testTarget(
            name: "ModelColumnarTests",
            dependencies: ["ModelColumnar", "ModelRuntime", "ModelFlavors", "TestSupport"]
        ),
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
