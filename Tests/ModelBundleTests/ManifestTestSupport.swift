import Foundation
import ModelBundle
import TestSupport

/// Paths and scratch directories for the manifest, reader and writer tests.
enum ManifestTestSupport {
    /// `Tests/Fixtures`.
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// The bytes of a fixture file.
    static func fixture(_ relativePath: String) throws -> [UInt8] {
        Array(try Data(contentsOf: fixtures.appendingPathComponent(relativePath)))
    }

    /// A new empty scratch directory, removed by the caller with `removeScratch`.
    static func makeScratch() throws -> URL {
        let url = TestScratch.url("test")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func removeScratch(_ url: URL) {
        try? FileManager.default.removeItem(at: url)
    }

    /// The names in a directory, sorted.
    static func listing(_ url: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted()
    }

    /// Writes a small bundle directory by hand (no writer involved) with the given MLmodel text.
    static func handMadeBundle(in scratch: URL, manifest: String, files: [String: String] = [:]) throws -> URL {
        let bundle = scratch.appendingPathComponent("bundle")
        try FileManager.default.createDirectory(at: bundle, withIntermediateDirectories: true)
        try Data(manifest.utf8).write(to: bundle.appendingPathComponent("MLmodel"))
        for (path, text) in files {
            let url = bundle.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(),
                withIntermediateDirectories: true
            )
            try Data(text.utf8).write(to: url)
        }
        return bundle
    }

    /// Catches the ModelBundleError thrown by `body`, or nil when it does not throw one.
    static func error(_ body: () throws -> Void) -> ModelBundleError? {
        do {
            try body()
            return nil
        } catch let error as ModelBundleError {
            return error
        } catch {
            return nil
        }
    }
}
