import Foundation
import Testing

@testable import ModelBundle

@Suite struct BundleReaderTests {
    static let pyfuncManifest = """
        flavors:
          python_function:
            data: model.bin
            env:
              conda: conda.yaml
              virtualenv: python_env.yaml
            loader_module: mbundle_pyfunc
            python_version: 3.11.7

        """

    static let files = [
        "model.bin": "weights", "conda.yaml": "name: mlflow-env\n", "python_env.yaml": "python: 3.11.7\n",
    ]

    @Test func readsAValidBundleWithoutChecksums() throws {
        let scratch = try ManifestTestSupport.makeScratch()
        defer { ManifestTestSupport.removeScratch(scratch) }
        let bundle = try ManifestTestSupport.handMadeBundle(
            in: scratch,
            manifest: Self.pyfuncManifest,
            files: Self.files
        )
        let opened = try BundleReader(path: bundle.path).read()
        #expect(opened.checksums == .absent)
        #expect(opened.manifest.pythonFunction?.data == "model.bin")
    }

    struct UnsafeField: Sendable, CustomTestStringConvertible {
        var value: String
        var code: ModelBundleError.Code
        var testDescription: String { value }
    }

    @Test(arguments: [
        UnsafeField(value: "../outside.bin", code: .unsafePath),
        UnsafeField(value: "/etc/passwd", code: .unsafePath),
        UnsafeField(value: "sub\\\\..\\\\x", code: .unsafePath),
        UnsafeField(value: "C:/model.bin", code: .unsafePath),
        UnsafeField(value: "a/../../b", code: .unsafePath),
        UnsafeField(value: "missing.bin", code: .fileMissing),
    ])
    func refusesUnsafeOrMissingFlavorPaths(_ field: UnsafeField) throws {
        let scratch = try ManifestTestSupport.makeScratch()
        defer { ManifestTestSupport.removeScratch(scratch) }
        let manifest = Self.pyfuncManifest.replacingOccurrences(of: "data: model.bin", with: "data: \"\(field.value)\"")
        let bundle = try ManifestTestSupport.handMadeBundle(in: scratch, manifest: manifest, files: Self.files)
        let error = ManifestTestSupport.error { _ = try BundleReader(path: bundle.path).read() }
        #expect(error?.code == field.code)
        #expect(error?.item == "flavors.python_function.data")
    }

    @Test func refusesAPathThroughASymlinkLeavingTheBundle() throws {
        let scratch = try ManifestTestSupport.makeScratch()
        defer { ManifestTestSupport.removeScratch(scratch) }
        let bundle = try ManifestTestSupport.handMadeBundle(
            in: scratch,
            manifest: Self.pyfuncManifest,
            files: Self.files
        )
        let outside = scratch.appendingPathComponent("secret")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try Data("secret".utf8).write(to: outside.appendingPathComponent("model.bin"))
        // The file itself a link, and a directory link on the way.
        try FileManager.default.removeItem(at: bundle.appendingPathComponent("model.bin"))
        try FileManager.default.createSymbolicLink(
            at: bundle.appendingPathComponent("model.bin"),
            withDestinationURL: outside.appendingPathComponent("model.bin")
        )
        var error = ManifestTestSupport.error { _ = try BundleReader(path: bundle.path).read() }
        #expect(error?.code == .unsafePath)
        #expect(error?.item == "flavors.python_function.data")

        try FileManager.default.removeItem(at: bundle.appendingPathComponent("model.bin"))
        try FileManager.default.createSymbolicLink(
            at: bundle.appendingPathComponent("sub"),
            withDestinationURL: outside
        )
        let throughDirectory = Self.pyfuncManifest.replacingOccurrences(
            of: "data: model.bin",
            with: "data: sub/model.bin"
        )
        try Data(throughDirectory.utf8).write(to: bundle.appendingPathComponent("MLmodel"))
        error = ManifestTestSupport.error { _ = try BundleReader(path: bundle.path).read() }
        #expect(error?.code == .unsafePath)
    }

    @Test func refusesAFIFONamedAsAFileWithoutBlocking() throws {
        let scratch = try ManifestTestSupport.makeScratch()
        defer { ManifestTestSupport.removeScratch(scratch) }
        let bundle = try ManifestTestSupport.handMadeBundle(
            in: scratch,
            manifest: Self.pyfuncManifest,
            files: Self.files
        )
        try FileManager.default.removeItem(at: bundle.appendingPathComponent("model.bin"))
        #expect(mkfifo(bundle.appendingPathComponent("model.bin").path, 0o644) == 0)
        let error = ManifestTestSupport.error { _ = try BundleReader(path: bundle.path).read() }
        #expect(error?.code == .unsafePath)
    }

    @Test func refusesAMissingOrHostileManifest() throws {
        let scratch = try ManifestTestSupport.makeScratch()
        defer { ManifestTestSupport.removeScratch(scratch) }
        let empty = scratch.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect(ManifestTestSupport.error { _ = try BundleReader(path: empty.path).read() }?.code == .fileMissing)
        #expect(
            ManifestTestSupport.error {
                _ = try BundleReader(path: scratch.appendingPathComponent("nope").path).read()
            }?.code == .fileMissing
        )
        let bundle = try ManifestTestSupport.handMadeBundle(
            in: scratch,
            manifest: String(repeating: "# pad\n", count: 400_000)
        )
        #expect(ManifestTestSupport.error { _ = try BundleReader(path: bundle.path).read() }?.code == .manifestTooLarge)
    }

    /// A one-byte change in any file of a bundle we wrote is detected and the file named.
    @Test func detectsAOneByteChangeInEveryFile() throws {
        let scratch = try ManifestTestSupport.makeScratch()
        defer { ManifestTestSupport.removeScratch(scratch) }
        let target = scratch.appendingPathComponent("model")
        try BundleWriter(destination: target.path).write(
            manifest: BundleWriterTests.sampleManifest(),
            files: try BundleWriterTests.sampleFiles()
        )
        let names = [
            "MLmodel", "weights.bin", "input_example.json", "conda.yaml", "python_env.yaml", "requirements.txt",
            "code/mbundle_pyfunc.py",
        ]
        for name in names {
            let url = target.appendingPathComponent(name)
            let original = try Data(contentsOf: url)
            var changed = original
            changed[changed.count - 1] ^= 0x01
            try changed.write(to: url)
            let error = ManifestTestSupport.error { _ = try BundleReader(path: target.path).read() }
            // A change that breaks the MLmodel's syntax is reported as such; any other change as a mismatch.
            if error?.code != .manifestInvalid {
                #expect(error?.code == .checksumMismatch, "\(name)")
                #expect(error?.item == name)
            }
            try original.write(to: url)
        }
        #expect(try BundleReader(path: target.path).read().checksums == .verified(fileCount: 7))
    }

    @Test func verifyReportsFilesTheChecksumsDoNotCover() throws {
        let scratch = try ManifestTestSupport.makeScratch()
        defer { ManifestTestSupport.removeScratch(scratch) }
        let target = scratch.appendingPathComponent("model")
        try BundleWriter(destination: target.path).write(
            manifest: BundleWriterTests.sampleManifest(),
            files: try BundleWriterTests.sampleFiles()
        )
        #expect(try BundleReader(path: target.path).verify().isClean)
        try Data("x".utf8).write(to: target.appendingPathComponent("code/extra.py"))
        try FileManager.default.createSymbolicLink(
            atPath: target.appendingPathComponent("link").path,
            withDestinationPath: "/etc/passwd"
        )
        let verification = try BundleReader(path: target.path).verify()
        #expect(verification.unlistedFiles.map(\.rawValue) == ["code/extra.py"])
        #expect(verification.otherEntries == ["link"])
    }
}
