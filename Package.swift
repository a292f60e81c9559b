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
        .library(name: "ModelCodecs", targets: ["ModelCodecs"]),
        .library(name: "ModelRuntime", targets: ["ModelRuntime"]),
        .library(name: "ModelFlavors", targets: ["ModelFlavors"]),
        .library(name: "ModelColumnar", targets: ["ModelColumnar"]),
        .library(name: "ModelServer", targets: ["ModelServer"]),
        .executable(name: "mbundle", targets: ["mbundle"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // The registry bridge (ModelRegistryClient): MLflow's REST API and artifact proxy over HTTPS.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // The server (ModelServer). Hummingbird without its default traits: no full Foundation, no
        // swift-configuration in the binary (DESIGN.md §6, start-up time).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // C boundary: libarchive's headers (libarchive-dev) and a loader that opens libarchive.so with
        // dlopen on the first archive operation, imported by ModelBundleArchive only. Not linked: its
        // dependency chain (libxml2, ICU, libstdc++…) would be mapped and relocated at every start.
        .target(name: "CArchive", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),

        // C boundary of the columnar readers: the Debian compression libraries Parquet and Arrow IPC use.
        // Their module maps link the static archives the -dev packages ship (`link ":libX.a"`), not
        // the shared objects: each shared library costs the dynamic loader a mapping and relocations
        // at every start, ~0.45 ms for these five. No pkgConfig, which would add `-lX` (the headers
        // are in the default include path).
        .systemLibrary(name: "CSnappy", providers: [.apt(["libsnappy-dev"]), .brew(["snappy"])]),
        .systemLibrary(name: "CZstd", providers: [.apt(["libzstd-dev"]), .brew(["zstd"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLZ4", providers: [.apt(["liblz4-dev"]), .brew(["lz4"])]),

        // The one platform-import block (Glibc, Musl or Darwin), re-exported to the targets that call
        // the C library.
        .target(name: "SystemPlatform"),

        // C boundary: the system libyaml (the parser under PyYAML's CLoader), imported by ModelBundle's
        // YAML composer only. Reading YAML through it instead of a Foundation-based wrapper keeps
        // Foundation and ICU out of the process.
        // Linked from its static archive, as the compression libraries above.
        .systemLibrary(name: "CYAML", providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]),

        // Small C helpers for system calls Swift's Glibc module does not expose (renameat2).
        .target(name: "CSystemSupport"),

        // The bundle format: manifest, signatures, environment files, examples, writer, reader.
        .target(
            name: "ModelBundle",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                "CYAML",
                "CSystemSupport",
                "SystemPlatform",
            ]
        ),
        // Request and prediction codecs: JSON and CSV bodies into frames and tensors, number parsing,
        // MLflow's {"predictions": …} writer. Above the data types, below the runtime.
        .target(name: "ModelCodecs", dependencies: ["ModelBundle", "SystemPlatform"]),
        // Single-file bundles: deterministic pack, safe unpack.
        .target(name: "ModelBundleArchive", dependencies: ["ModelBundle", "CArchive", "CZlib", "SystemPlatform"]),
        // Flavor protocol, registry, loader, schema enforcement, and the prediction use case every
        // front end shares (request in, predictions out; streams). ModelBundleArchive: MODEL may be
        // a .tar.gz/.zip of a bundle.
        .target(
            name: "ModelRuntime",
            dependencies: ["ModelBundle", "ModelCodecs", "ModelBundleArchive", "ModelColumnar", "SystemPlatform"]
        ),
        // Hand-written AVX2/FMA predict kernels, chosen at run time when the processor has them.
        .target(name: "CLinearKernels"),
        // Hand-written AVX-512 tree walk, chosen at run time when the processor has it.
        .target(name: "CTreeKernels"),
        // Built-in flavors, one folder each. ModelBundleArchive: skops files are zip archives, read
        // through the same hardened reader as bundle archives.
        .target(
            name: "ModelFlavors",
            dependencies: [
                "ModelRuntime", "ModelCodecs", "ModelBundleArchive", "CLinearKernels", "CTreeKernels", "SystemPlatform",
            ]
        ),
        // models:/ and runs:/ resolved against an MLflow tracking server, the content-addressed
        // download cache, and `mbundle log`.
        .target(
            name: "ModelRegistryClient",
            dependencies: [
                "SystemPlatform",
                "ModelBundle",
                "ModelBundleArchive",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // Parquet and Arrow IPC: bounded readers and writers of our own (Thrift compact, flatbuffers).
        .target(
            name: "ModelColumnar",
            dependencies: ["ModelBundle", "ModelCodecs", "SystemPlatform", "CSnappy", "CZstd", "CZlib", "CLZ4"]
        ),
        // The Open Inference Protocol (KServe V2) codec: infer requests (JSON and binary tensor data)
        // in, responses and metadata out. No HTTP, so the fuzz harness reads requests without SwiftNIO.
        .target(name: "ModelOpenInference", dependencies: ["ModelBundle", "ModelRuntime"]),
        // HTTP: MLflow's scoring protocol and the Open Inference Protocol (KServe V2), metrics, lifecycle.
        .target(
            name: "ModelServer",
            dependencies: [
                "SystemPlatform",
                "ModelRuntime",
                "ModelOpenInference",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The command-line tool: thin commands over the libraries.
        .executableTarget(
            name: "mbundle",
            dependencies: [
                "ModelBundle", "ModelBundleArchive", "ModelRuntime", "ModelFlavors", "ModelRegistryClient",
                "ModelColumnar", "ModelServer", "SystemPlatform",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Shared test plumbing (not a product): the CLI runner and self-removing scratch directories.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "ModelBundleTests",
            dependencies: ["ModelBundle", "ModelCodecs", "TestSupport", "SystemPlatform"]
        ),
        .testTarget(
            name: "ModelBundleArchiveTests",
            dependencies: ["ModelBundleArchive", "TestSupport", "SystemPlatform"]
        ),
        .testTarget(name: "ModelRuntimeTests", dependencies: ["ModelRuntime", "ModelCodecs", "TestSupport"]),
        .testTarget(
            name: "ModelFlavorsTests",
            dependencies: ["ModelFlavors", "ModelCodecs", "CLinearKernels", "TestSupport"]
        ),
        .testTarget(name: "MBundleEndToEndTests", dependencies: ["ModelBundle", "TestSupport"]),
        // The command line's own code (the start-up fast path of `predict` against ArgumentParser).
        .testTarget(
            name: "MBundleCommandTests",
            dependencies: [
                "mbundle", "TestSupport", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "ModelServerTests",
            dependencies: [
                "ModelServer", "ModelBundle", "ModelFlavors", "ModelBundleArchive", "ModelRuntime", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ThirdPartyFlavorTests",
            dependencies: ["ModelBundle", "ModelBundleArchive", "ModelRuntime", "ModelFlavors", "TestSupport"]
        ),
        .testTarget(name: "ModelRegistryClientTests", dependencies: ["ModelRegistryClient", "TestSupport"]),
        .testTarget(
            name: "ModelColumnarTests",
            dependencies: ["ModelColumnar", "ModelCodecs", "ModelRuntime", "ModelFlavors", "TestSupport"]
        ),
    ]
)

// Standard settings for every Swift target (swift-nio's cross-repo loop, Hummingbird's features).
let cTargets: Set = ["CArchive", "CSystemSupport", "CLinearKernels", "CTreeKernels"]
for target in package.targets where target.type != .system && !cTargets.contains(target.name) {
    var settings = target.swiftSettings ?? []
    settings.append(contentsOf: [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("MemberImportVisibility"),
        .enableUpcomingFeature("InternalImportsByDefault"),
    ])
    target.swiftSettings = settings
}

// The sanitizer runs build the core libraries and their tests only, to stay in CI's time budget
// (.ci/run): MBUNDLE_SANITIZER=address (`make test-asan`) leaves out the command line, the registry
// client (AsyncHTTPClient, a second BoringSSL), the tests that run the `mbundle` binary and the server
// (Hummingbird and SwiftNIO: safe Swift over the core libraries, whose C boundary and unsafe buffers
// the core suites exercise under ASan); MBUNDLE_SANITIZER=thread (`make test-tsan`, over the core code
// that runs on both cores: parallel CSV and JSON parsing and writing, the kernel drivers, streams)
// leaves out the server as well unless MBUNDLE_TSAN_SERVER=1 (its event loops and prediction threads),
// and the archive and third-party-flavor tests, which run on one thread.
if let sanitizer = Context.environment["MBUNDLE_SANITIZER"] {
    var outsideTheCore: Set<String> = [
        "mbundle", "ModelRegistryClient", "MBundleEndToEndTests", "MBundleCommandTests", "ModelRegistryClientTests",
    ]
    if sanitizer == "address" || Context.environment["MBUNDLE_TSAN_SERVER"] != "1" {
        outsideTheCore.formUnion(["ModelServer", "ModelServerTests"])
    }
    if sanitizer == "thread" { outsideTheCore.formUnion(["ModelBundleArchiveTests", "ThirdPartyFlavorTests"]) }
    package.targets.removeAll { outsideTheCore.contains($0.name) }
    package.products.removeAll { outsideTheCore.contains($0.name) }
}

// The fuzz harness (`make fuzz`): one libFuzzer binary over every reader of untrusted bytes. Declared
// only when asked for, because it has no `main` of its own (libFuzzer provides it) and must be built
// with `--sanitize=fuzzer`.
if Context.environment["MBUNDLE_FUZZ"] == "1" {
    package.targets.append(
        .executableTarget(
            name: "mbundle-fuzz",
            dependencies: [
                "ModelBundle", "ModelCodecs", "ModelColumnar", "ModelBundleArchive", "ModelFlavors",
                "ModelOpenInference", "ModelRuntime",
            ],
            path: "Fuzz/mbundle-fuzz",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        )
    )
}
