import Foundation
import ModelBundle
import ModelBundleArchive
import TestSupport
import Testing

@Suite struct ExtractedBundleTests {
    @Test(arguments: ["b.tar.gz", "b.zip", "renamed.bin"])
    func archiveIsExtractedToAPrivateDirectoryRemovedAfterwards(_ name: String) throws {
        let scratch = try ScratchDirectory()
        let bundle = scratch.sub("bundle")
        let original = try ArchiveFixtures.makeBundle(at: bundle)
        // The format is found from content: "renamed.bin" is a zip under another name.
        let packedName = name == "renamed.bin" ? "source.zip" : name
        try BundleArchiver().pack(bundleAt: bundle, to: scratch.sub(packedName))
        if name == "renamed.bin" {
            try FileManager.default.moveItem(atPath: scratch.sub(packedName), toPath: scratch.sub(name))
        }
        var extracted: ExtractedBundle? = try ExtractedBundle.open(modelPath: scratch.sub(name))
        let directory = try #require(extracted?.directory.path)
        #expect(extracted?.archiveFormat == (name.hasSuffix(".tar.gz") ? .tarGzip : .zip))
        #expect(try ArchiveFixtures.readTree(directory) == original)
        let root = URL(fileURLWithPath: directory).deletingLastPathComponent().path
        let mode = try FileManager.default.attributesOfItem(atPath: root)[.posixPermissions] as? Int
        #expect(mode == 0o700)
        #expect(
            try extracted?.directory.read(BundlePath("MLmodel"), limit: 1000) == Array(original["MLmodel"] ?? Data())
        )
        extracted = nil
        #expect(!FileManager.default.fileExists(atPath: root))
    }

    @Test func directoryIsUsedInPlace() throws {
        let scratch = try ScratchDirectory()
        try ArchiveFixtures.makeBundle(at: scratch.sub("bundle"))
        let extracted = try ExtractedBundle.open(modelPath: scratch.sub("bundle"))
        #expect(extracted.directory.path == scratch.sub("bundle"))
        #expect(extracted.archiveFormat == nil)
    }

    @Test func singleWrappingDirectoryIsOpened() throws {
        let scratch = try ScratchDirectory()
        let original = try ArchiveFixtures.makeBundle(at: scratch.sub("wrap/model"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tar", "czf", scratch.sub("wrapped.tar.gz"), "-C", scratch.sub("wrap"), "model"]
        try process.run()
        process.waitUntilExit()
        let extracted = try ExtractedBundle.open(modelPath: scratch.sub("wrapped.tar.gz"))
        #expect(extracted.directory.path.hasSuffix("/bundle/model"))
        #expect(try ArchiveFixtures.readTree(extracted.directory.path) == original)
    }

    @Test func missingAndNonArchiveFilesAreRefused() throws {
        let scratch = try ScratchDirectory()
        let missing = try #require(throws: ModelBundleError.self) {
            try ExtractedBundle.open(modelPath: scratch.sub("nope"))
        }
        #expect(missing.code == .fileMissing)
        try Data("flavors: {}\n".utf8).write(to: URL(fileURLWithPath: scratch.sub("MLmodel.tar.gz")))
        let text = try #require(throws: ModelBundleError.self) {
            try ExtractedBundle.open(modelPath: scratch.sub("MLmodel.tar.gz"))
        }
        #expect(text.code == .archiveUnsupported)
        #expect(text.item == scratch.sub("MLmodel.tar.gz"))
    }
}
