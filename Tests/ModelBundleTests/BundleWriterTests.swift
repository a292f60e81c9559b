import Foundation
import Testing

@testable import ModelBundle

@Suite struct BundleWriterTests {
    static func sampleManifest() -> ModelManifest {
        ModelManifest(flavors: [
            (
                "python_function",
                PythonFunctionFlavor(
                    loaderModule: "mbundle_pyfunc",
                    data: "weights.bin",
                    code: nil,
                    pythonVersion: "3.11.7"
                ).configuration
            )
        ])
    }

    static func sampleFiles() throws -> [BundleFile] {
        [
            BundleFile(try BundlePath("weights.bin"), bytes: [1, 2, 3, 4, 5]),
            BundleFile(try BundlePath("input_example.json"), text: "[[1.0]]"),
            BundleFile(try BundlePath("conda.yaml"), text: "name: mlflow-env\n"),
            BundleFile(try BundlePath("python_env.yaml"), text: "python: 3.11.7\n"),
            BundleFile(try BundlePath("requirements.txt"), text: "mlflow==3.17.2"),
            BundleFile(try BundlePath("code/mbundle_pyfunc.py"), text: "import numpy\n"),
        ]
    }

    @Test func writesEveryFileWithChecksumsThatSha256sumAccepts() throws {
        let scratch = try ManifestTestSupport.makeScratch()
        defer { ManifestTestSupport.removeScratch(scratch) }
        let target = scratch.appendingPathComponent("model")
        let written = try BundleWriter(destination: target.path).write(
            manifest: Self.sampleManifest(),
            files: Self.sampleFiles()
        )
        // model_size_bytes counts the payload only (weights, example, code), as MLflow does.
        #expect(written.modelSizeBytes == 5 + 7 + 13)
        #expect(
            ManifestTestSupport.listing(target)
                == [
                    "MLmodel", "checksums.sha256", "code", "conda.yaml", "input_example.json", "python_env.yaml",
                    "requirements.txt", "weights.bin",
                ]
        )
        // Nothing but the target is left in the parent: the staging directory was renamed.
        #expect(ManifestTestSupport.listing(scratch) == ["model"])

        let checker = Process()
        checker.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        checker.arguments = ["sha256sum", "--check", "--strict", "--quiet", "checksums.sha256"]
        checker.currentDirectoryURL = target
        try checker.run()
        checker.waitUntilExit()
        #expect(checker.terminationStatus == 0)

        let opened = try BundleReader(path: target.path).read()
        #expect(opened.checksums == .verified(fileCount: 7))
        #expect(opened.manifest == written)
    }

    @Test func refusesANonEmptyTargetAndLeavesItUntouched() throws {
        let scratch = try ManifestTestSupport.makeScratch()
        defer { ManifestTestSupport.removeScratch(scratch) }
        let target = scratch.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: target.appendingPathComponent("notes.txt"))
        let error = ManifestTestSupport.error {
            try BundleWriter(destination: target.path).write(
                manifest: Self.sampleManifest(),
                files: try Self.sampleFiles()
            )
        }
        #expect(error?.code == .targetExists)
        #expect(error?.item == target.path)
        #expect(ManifestTestSupport.listing(target) == ["notes.txt"])
        #expect(try String(contentsOf: target.appendingPathComponent("notes.txt"), encoding: .utf8) == "keep me")
        #expect(ManifestTestSupport.listing(scratch) == ["model"])
    }

    @Test func refusesAnExistingFileTarget() throws {
        let scratch = try ManifestTestSupport.makeScratch()
        defer { ManifestTestSupport.removeScratch(scratch) }
        let target = scratch.appendingPathComponent("model")
        try Data("x".utf8).write(to: target)
        let error = ManifestTestSupport.error {
            try BundleWriter(destination: target.path).write(
                manifest: Self.sampleManifest(),
                files: try Self.sampleFiles()
            )
        }
        #expect(error?.code == .targetExists)
        #expect(try Data(contentsOf: target) == Data("x".utf8))
    }

    @Test func replacesAnEmptyDirectoryTarget() throws {
        let scratch = try ManifestTestSupport.makeScratch()
        defer { ManifestTestSupport.removeScratch(scratch) }
        let target = scratch.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        try BundleWriter(destination: target.path).write(manifest: Self.sampleManifest(), files: try Self.sampleFiles())
        #expect(ManifestTestSupport.listing(target).contains("MLmodel"))
    }

    @Test func aWriterThatFailsMidwayLeavesNoTargetAndNoStagingDirectory() throws {
        let scratch = try ManifestTestSupport.makeScratch()
        defer { ManifestTestSupport.removeScratch(scratch) }
        let target = scratch.appendingPathComponent("model")
        var files = try Self.sampleFiles()
        files.insert(
            BundleFile(try BundlePath("big.bin")) { (emit) throws(ModelBundleError) in
                let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 8)
                defer { chunk.deallocate() }
                chunk.initializeMemory(as: UInt8.self, repeating: 7)
                try emit(UnsafeRawBufferPointer(chunk))
                throw ModelBundleError(.weightsInvalid, "simulated failure halfway through big.bin", item: "big.bin")
            },
            at: 2
        )
        let error = ManifestTestSupport.error {
            try BundleWriter(destination: target.path).write(manifest: Self.sampleManifest(), files: files)
        }
        #expect(error?.code == .weightsInvalid)
        #expect(ManifestTestSupport.listing(scratch).isEmpty, "left behind: \(ManifestTestSupport.listing(scratch))")
    }

    @Test func refusesFilesItWritesItselfAndDuplicates() throws {
        let scratch = try ManifestTestSupport.makeScratch()
        defer { ManifestTestSupport.removeScratch(scratch) }
        let target = scratch.appendingPathComponent("model").path
        let manifestFile = [BundleFile(try BundlePath("MLmodel"), text: "x")]
        #expect(
            ManifestTestSupport.error {
                try BundleWriter(destination: target).write(manifest: Self.sampleManifest(), files: manifestFile)
            } != nil
        )
        let twice = [BundleFile(try BundlePath("a"), text: "x"), BundleFile(try BundlePath("a"), text: "y")]
        #expect(
            ManifestTestSupport.error {
                try BundleWriter(destination: target).write(manifest: Self.sampleManifest(), files: twice)
            } != nil
        )
        #expect(ManifestTestSupport.listing(scratch).isEmpty)
    }
}
