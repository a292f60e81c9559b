import ModelBundle
import Synchronization
import Testing

@testable import ModelRegistryClient

/// The fetcher without a server: cached immutable URIs need no network, an alias falls back to its
/// last resolution with a warning (or fails with `noFallback`), `offline` never connects.
@Suite struct RegistryFetcherTests {
    /// Port 9 (discard) on the loopback address: nothing listens, connections are refused at once.
    static let deadServer = "http://127.0.0.1:9"

    final class Warnings: Sendable {
        let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    /// A cache holding one entry, referenced as `models:/six/3` and as the last resolution of `@champion`.
    static func seededCache() throws -> (root: String, hash: String) {
        let root = ModelCacheTests.scratch()
        let cache = ModelCache(root: root)
        let staging = try cache.makeStaging()
        try staging.write(try BundlePath("MLmodel"), bytes: Array("flavors: {}\n".utf8))
        let hash = try cache.publish(staging)
        try cache.setReference(
            ModelCache.key(server: deadServer, uri: "models:/six/3"),
            .init(object: hash, version: nil)
        )
        try cache.setReference(
            ModelCache.key(server: deadServer, uri: "alias models:/six@champion"),
            .init(object: hash, version: "3")
        )
        return (root, hash)
    }

    static func fetcher(_ root: String, offline: Bool = false, noFallback: Bool = false, warnings: Warnings)
        -> RegistryFetcher
    {
        var settings = RegistrySettings(
            environment: ["MLFLOW_TRACKING_URI": deadServer, "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0"],
            cacheDirectory: root
        )
        settings.offline = offline
        settings.noFallback = noFallback
        return RegistryFetcher(settings: settings, warn: { warnings.append($0) })
    }

    @Test func immutableURIsAreServedFromTheCacheWithoutTheServer() throws {
        let (root, hash) = try Self.seededCache()
        defer { StagingDirectory.removeTree(root) }
        let warnings = Warnings()
        let directory = try Self.fetcher(root, warnings: warnings).localDirectory(for: "models:/six/3")
        #expect(directory == root + "/objects/" + hash)
        #expect(warnings.all.isEmpty)
    }

    @Test func anAliasFallsBackToItsLastResolutionWithAWarning() throws {
        let (root, hash) = try Self.seededCache()
        defer { StagingDirectory.removeTree(root) }
        let warnings = Warnings()
        let directory = try Self.fetcher(root, warnings: warnings).localDirectory(for: "models:/six@champion")
        #expect(directory == root + "/objects/" + hash)
        #expect(warnings.all.count == 1)
        #expect(warnings.all.first?.contains("using the last resolution of models:/six@champion (version 3)") == true)

        let strict = Warnings()
        let error = #expect(throws: ModelBundleError.self) {
            try Self.fetcher(root, noFallback: true, warnings: strict).localDirectory(for: "models:/six@champion")
        }
        #expect(error?.code == .serviceUnavailable)
        #expect(
            error?.message.hasPrefix("models:/six@champion: cannot reach the tracking server http://127.0.0.1:9")
                == true
        )
        #expect(strict.all.isEmpty)
    }

    @Test func offlineUsesOnlyTheCache() throws {
        let (root, _) = try Self.seededCache()
        defer { StagingDirectory.removeTree(root) }
        let warnings = Warnings()
        _ = try Self.fetcher(root, offline: true, warnings: warnings).localDirectory(for: "models:/six@champion")
        #expect(warnings.all.first?.contains("--offline") == true)
        let error = #expect(throws: ModelBundleError.self) {
            try Self.fetcher(root, offline: true, warnings: warnings).localDirectory(for: "models:/six/4")
        }
        #expect(error?.code == .serviceUnavailable)
        #expect(error?.message.contains("cannot be used --offline") == true)
    }

    @Test func anUncachedURIWithTheServerDownIsUnavailable() throws {
        let root = ModelCacheTests.scratch()
        defer { StagingDirectory.removeTree(root) }
        let error = #expect(throws: ModelBundleError.self) {
            try Self.fetcher(root, warnings: Warnings()).localDirectory(for: "runs:/abc/model")
        }
        #expect(error?.code == .serviceUnavailable)
        #expect(error?.item == "runs:/abc/model")
    }
}
