import Foundation
import ModelBundle
import TestSupport
import Testing

@testable import ModelRegistryClient

/// The content-addressed cache: publish, verified reuse, refusal of a changed entry, refs.
@Suite struct ModelCacheTests {
    static func scratch() -> String {
        let path = TestScratch.path("mbundle-cache-test")
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }

    static func stage(_ cache: ModelCache, _ files: [(String, String)]) throws -> StagingDirectory {
        let staging = try cache.makeStaging()
        for (name, text) in files { try staging.write(try BundlePath(name), bytes: Array(text.utf8)) }
        return staging
    }

    @Test func publishedEntriesAreReusedAndChangesAreRefused() throws {
        let root = Self.scratch()
        defer { StagingDirectory.removeTree(root) }
        let cache = ModelCache(root: root + "/cache")
        let hash = try cache.publish(try Self.stage(cache, [("MLmodel", "flavors: {}\n"), ("sub/w.bin", "abc")]))
        #expect(hash.utf8.count == 64)
        var reports: [String] = []
        #expect(cache.verifiedObject(hash, report: { reports.append($0) }) == root + "/cache/objects/" + hash)
        #expect(reports.isEmpty)
        // The same content published again lands on the same entry.
        #expect(try cache.publish(try Self.stage(cache, [("MLmodel", "flavors: {}\n"), ("sub/w.bin", "abc")])) == hash)

        // One byte changed: reported, removed, gone.
        let file = fopen(root + "/cache/objects/\(hash)/sub/w.bin", "a")!
        fputs("x", file)
        fclose(file)
        #expect(cache.verifiedObject(hash, report: { reports.append($0) }) == nil)
        #expect(reports == ["sub/w.bin was changed"])
        #expect(!BundleDirectory(path: root + "/cache/objects/" + hash).isDirectory)
    }

    @Test func anAddedFileIsRefused() throws {
        let root = Self.scratch()
        defer { StagingDirectory.removeTree(root) }
        let cache = ModelCache(root: root)
        let hash = try cache.publish(try Self.stage(cache, [("MLmodel", "flavors: {}\n")]))
        let file = fopen(root + "/objects/\(hash)/extra.py", "w")!
        fclose(file)
        var reports: [String] = []
        #expect(cache.verifiedObject(hash, report: { reports.append($0) }) == nil)
        #expect(reports == ["extra.py was added"])
    }

    @Test func referencesRoundTrip() throws {
        let root = Self.scratch()
        defer { StagingDirectory.removeTree(root) }
        let cache = ModelCache(root: root)
        let key = ModelCache.key(server: "http://h", uri: "models:/a/1")
        #expect(key != ModelCache.key(server: "http://other", uri: "models:/a/1"))
        #expect(cache.reference(key) == nil)
        let reference = ModelCache.Reference(object: String(repeating: "ab", count: 32), version: "3")
        try cache.setReference(key, reference)
        #expect(cache.reference(key) == reference)
        try cache.setReference(key, .init(object: String(repeating: "cd", count: 32), version: nil))
        #expect(cache.reference(key)?.version == nil)
    }
}
