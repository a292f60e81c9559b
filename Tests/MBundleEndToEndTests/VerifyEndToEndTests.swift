import Foundation
import ModelBundle
import TestSupport
import Testing

@Suite struct VerifyEndToEndTests {
    /// Writes a small bundle with the library's writer.
    static func writeBundle(at url: URL) throws {
        let manifest = ModelManifest(flavors: [
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
        try BundleWriter(destination: url.path).write(
            manifest: manifest,
            files: [
                BundleFile(try BundlePath("weights.bin"), bytes: Array(repeating: 3, count: 100)),
                BundleFile(try BundlePath("conda.yaml"), text: "name: mlflow-env\n"),
                BundleFile(try BundlePath("python_env.yaml"), text: "python: 3.11.7\n"),
            ]
        )
    }

    @Test func verifyAcceptsAnIntactBundle() throws {
        let scratch = try TestScratch.makeDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let bundle = scratch.appendingPathComponent("model")
        try Self.writeBundle(at: bundle)
        let result = try CLIRunner.run(["verify", bundle.path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.hasPrefix("ok: "))
        #expect(result.standardError.isEmpty)
    }

    @Test(arguments: ["MLmodel", "weights.bin", "conda.yaml", "python_env.yaml"])
    func verifyNamesTheFileWithAOneByteChange(_ name: String) throws {
        let scratch = try TestScratch.makeDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let bundle = scratch.appendingPathComponent("model")
        try Self.writeBundle(at: bundle)
        let url = bundle.appendingPathComponent(name)
        var bytes = try Data(contentsOf: url)
        // Change the first byte of a value, keeping the MLmodel syntactically valid.
        let index = name == "MLmodel" ? (bytes.lastIndex(of: UInt8(ascii: "7")) ?? 0) : 0
        bytes[index] = bytes[index] == UInt8(ascii: "8") ? UInt8(ascii: "9") : UInt8(ascii: "8")
        try bytes.write(to: url)
        let result = try CLIRunner.run(["verify", bundle.path])
        #expect(result.status == 2)
        #expect(result.standardOutput.isEmpty)
        #expect(result.errorLines.count == 1)
        #expect(
            result.errorLines.first?.hasPrefix("error: \(name) does not match its SHA-256") == true,
            "\(result.standardError)"
        )
    }

    @Test func verifyRefusesAMissingBundleWithExitTwo() throws {
        let result = try CLIRunner.run(["verify", "/nonexistent/model"])
        #expect(result.status == 2)
        #expect(result.errorLines.count == 1)
        #expect(result.errorLines.first?.hasPrefix("error:") == true)
    }

    @Test func usageErrorsExitWith64() throws {
        let result = try CLIRunner.run(["verify"])
        #expect(result.status == 64)
        let unknown = try CLIRunner.run(["no-such-command"])
        #expect(unknown.status == 64)
    }
}

@Suite struct ArchiveModelArgumentEndToEndTests {
    @Test(arguments: ["model.tar.gz", "model.zip"])
    func inspectAndVerifyTakeAnArchiveDirectly(_ name: String) throws {
        let scratch = try TestScratch.makeDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let bundle = scratch.appendingPathComponent("model")
        try VerifyEndToEndTests.writeBundle(at: bundle)
        let archive = scratch.appendingPathComponent(name)
        #expect(try CLIRunner.run(["pack", bundle.path, "-o", archive.path]).status == 0)
        let temporary = scratch.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        let environment = ["TMPDIR": temporary.path]
        let verify = try CLIRunner.run(["verify", archive.path], environment: environment)
        #expect(verify.status == 0, "\(verify.standardError)")
        #expect(verify.standardOutput.contains("4 files match"))
        let inspect = try CLIRunner.run(["inspect", "--json", archive.path], environment: environment)
        #expect(inspect.status == 0, "\(inspect.standardError)")
        let document = try JSONParser().parse(Array(inspect.standardOutput.utf8))
        #expect(document["path"]?.stringValue == archive.path)
        #expect(document["checksums"]?["state"]?.stringValue == "verified")
        // The private extraction directory is gone once the command has finished.
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path).isEmpty)
    }
}
