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

    /// The sample bundle (BundleWriterTests' manifest and files, or `files`) written as `model` in `scratch`.
    static func writeSampleBundle(in scratch: URL, files: [BundleFile]? = nil) throws -> URL {
        let target = scratch.appendingPathComponent("model")
        try BundleWriter(destination: target.path).write(
            manifest: BundleWriterTests.sampleManifest(),
            files: try files ?? BundleWriterTests.sampleFiles()
        )
        return target
    }

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
        let target = try Self.writeSampleBundle(in: scratch)
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

    /// Reading for loading keeps the checked bytes of the files the MLmodel names: a flavor's read
    /// returns exactly what was hashed, even if the file changes afterwards, and still honours its limit.
    @Test func readForLoadingHandsFlavorsTheBytesItChecked() throws {
        let scratch = try ManifestTestSupport.makeScratch()
        defer { ManifestTestSupport.removeScratch(scratch) }
        let target = try Self.writeSampleBundle(in: scratch)
        let weights = try BundlePath("weights.bin")
        let loading = try BundleReader(path: target.path).readForLoading { bundle throws(ModelBundleError) in bundle }
        let plain = try BundleReader(path: target.path).read()
        // Changed on disk after the check (same size): the kept bytes are the checked ones, a plain
        // read sees the change.
        try Data([9, 9, 9, 9, 9]).write(to: target.appendingPathComponent("weights.bin"))
        #expect(try loading.read(weights, limit: 100) == [1, 2, 3, 4, 5])
        #expect(try plain.read(weights, limit: 100) == [9, 9, 9, 9, 9])
        #expect(ManifestTestSupport.error { _ = try loading.read(weights, limit: 4) }?.code == .manifestTooLarge)
        // A file the MLmodel does not name is not kept.
        let example = try BundlePath("input_example.json")
        try Data("[[2.0]]".utf8).write(to: target.appendingPathComponent("input_example.json"))
        #expect(try loading.read(example, limit: 100) == Array("[[2.0]]".utf8))
    }

    /// A large kept file is hashed beside the load; its check still decides: a changed byte fails the
    /// read whatever the load returned or threw, and an intact bundle returns the load's result.
    @Test func readForLoadingStillRefusesAChangedLargeFile() throws {
        let scratch = try ManifestTestSupport.makeScratch()
        defer { ManifestTestSupport.removeScratch(scratch) }
        var files = try BundleWriterTests.sampleFiles()
        let size = BundleReader.concurrentHashSize + 3
        files[0] = BundleFile(try BundlePath("weights.bin"), bytes: (0..<size).map { UInt8(truncatingIfNeeded: $0) })
        let target = try Self.writeSampleBundle(in: scratch, files: files)
        let reader = BundleReader(path: target.path)
        let weights = try BundlePath("weights.bin")
        let intact = try reader.readForLoading { bundle throws(ModelBundleError) in
            try bundle.read(weights, limit: size).count
        }
        #expect(intact == size)

        let url = target.appendingPathComponent("weights.bin")
        var changed = try Data(contentsOf: url)
        changed[size / 2] ^= 0x01
        try changed.write(to: url)
        let returned = ManifestTestSupport.error { _ = try reader.readForLoading { _ throws(ModelBundleError) in 42 } }
        #expect(returned?.code == .checksumMismatch)
        #expect(returned?.item == "weights.bin")
        // The mismatch wins over the load's own error: it is the cause.
        let thrown = ManifestTestSupport.error {
            _ = try reader.readForLoading { _ throws(ModelBundleError) -> Int in
                throw ModelBundleError(.weightsInvalid, "unreadable weights", item: "weights.bin")
            }
        }
        #expect(thrown?.code == .checksumMismatch)
        // A small kept file is checked before the load runs.
        #expect(ManifestTestSupport.error { _ = try reader.read() }?.code == .checksumMismatch)
    }

    @Test func verifyReportsFilesTheChecksumsDoNotCover() throws {
        let scratch = try ManifestTestSupport.makeScratch()
        defer { ManifestTestSupport.removeScratch(scratch) }
        let target = try Self.writeSampleBundle(in: scratch)
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
