import Foundation
import ModelBundle
import TestSupport
import Testing

/// `mbundle keygen`, `sign`, `verify --trusted-key` and `predict --require-signature`, run as
/// processes on a copy of SampleModels/logistic-six-point. OpenSSL checks the key and signature
/// formats independently.
@Suite struct SignatureEndToEndTests {
    static let sample = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SampleModels/logistic-six-point")

    /// Every file of the signed sample bundle, the signature included.
    static let signedFiles = [
        "MLmodel", "checksums.sha256", "checksums.sha256.sig", "code/mbundle_pyfunc.py", "conda.yaml",
        "input_example.json", "model.safetensors", "python_env.yaml", "requirements.txt",
        "serving_input_example.json",
    ]

    /// A scratch directory holding `model` (a signed copy of the sample), `key`/`key.pub` (its
    /// signer) and `other`/`other.pub` (an unrelated key pair).
    struct Signed {
        let scratch: URL
        var model: URL { scratch.appendingPathComponent("model") }
        var key: String { scratch.appendingPathComponent("key").path }
        var other: String { scratch.appendingPathComponent("other").path }
        var input: String { SignatureEndToEndTests.sample.appendingPathComponent("serving_input_example.json").path }

        init(sign: Bool = true) throws {
            scratch = try TestScratch.makeDirectory("e2e")
            try FileManager.default.copyItem(at: SignatureEndToEndTests.sample, to: model)
            for name in ["key", "other"] {
                let result = try CLIRunner.run(["keygen", "-o", scratch.appendingPathComponent(name).path])
                #expect(result.status == 0, "\(result.standardError)")
            }
            if sign {
                let result = try CLIRunner.run(["sign", "-m", model.path, "--key", key])
                #expect(result.status == 0, "\(result.standardError)")
            }
        }

        func remove() { try? FileManager.default.removeItem(at: scratch) }

        func predict(_ model: String? = nil, key: String? = nil) throws -> CLIRunner.Result {
            try CLIRunner.run(
                [
                    "predict", "-m", model ?? self.model.path, "-i", input, "--require-signature",
                    key ?? "\(self.key).pub",
                ]
            )
        }
    }

    @Test func aSignedBundlePredictsAndVerifies() throws {
        let signed = try Signed()
        defer { signed.remove() }
        let result = try signed.predict()
        #expect(result.status == 0, "\(result.standardError)")
        let unsigned = try CLIRunner.run(["predict", "-m", Self.sample.path, "-i", signed.input])
        #expect(result.standardOutput == unsigned.standardOutput)
        let verify = try CLIRunner.run(["verify", signed.model.path, "--trusted-key", "\(signed.key).pub"])
        #expect(verify.status == 0, "\(verify.standardError)")
        #expect(verify.standardOutput.contains("signed by"))
        // A signed bundle still verifies without a key: the signature is the one unlisted file allowed.
        let plain = try CLIRunner.run(["verify", signed.model.path])
        #expect(plain.status == 0, "\(plain.standardError)")
    }

    @Test(arguments: signedFiles)
    func aOneByteChangeAnywhereIsRefused(_ name: String) throws {
        let signed = try Signed()
        defer { signed.remove() }
        let url = signed.model.appendingPathComponent(name)
        var bytes = try Data(contentsOf: url)
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: url)
        let result = try signed.predict()
        #expect(result.status == 2, "\(result.standardError)")
        #expect(result.standardOutput.isEmpty)
        #expect(result.errorLines.count == 1, "\(result.standardError)")
        let line = try #require(result.errorLines.first)
        #expect(line.hasPrefix("error: "))
        // A changed file is named; a changed signature fails the signature; a changed checksums
        // file no longer matches the file whose digest changed (checked as the bundle is read).
        switch name {
        case "checksums.sha256":
            #expect(line.contains("does not match its SHA-256 in checksums.sha256"), "\(line)")
        case "checksums.sha256.sig":
            #expect(line.contains("checksums.sha256.sig is not a valid signature by the trusted key"), "\(line)")
        default:
            #expect(line.contains(name), "\(line)")
        }
    }

    /// The attack a signature exists for: a file changed and `checksums.sha256` rewritten to match.
    @Test func rewrittenChecksumsFailTheSignature() throws {
        let signed = try Signed()
        defer { signed.remove() }
        let weights = signed.model.appendingPathComponent("model.safetensors")
        var bytes = try Data(contentsOf: weights)
        bytes[bytes.count - 1] ^= 0x01
        try bytes.write(to: weights)
        let directory = BundleDirectory(path: signed.model.path)
        let files = try directory.listFiles().files.filter { !$0.rawValue.hasPrefix("checksums.sha256") }
        let checksums = try ChecksumManifest(computingFor: files, in: directory)
        try Data(checksums.text.utf8).write(to: signed.model.appendingPathComponent("checksums.sha256"))
        #expect(try CLIRunner.run(["verify", signed.model.path]).status == 0)  // consistent without a key
        let result = try signed.predict()
        #expect(result.status == 2)
        #expect(
            result.errorLines.first?.hasPrefix(
                "error: checksums.sha256.sig is not a valid signature by the trusted key"
            )
                == true,
            "\(result.standardError)"
        )
    }

    @Test func anAddedFileIsRefused() throws {
        let signed = try Signed()
        defer { signed.remove() }
        try Data("x".utf8).write(to: signed.model.appendingPathComponent("extra.py"))
        let result = try signed.predict()
        #expect(result.status == 2)
        #expect(
            result.errorLines == [
                "error: extra.py is not listed in checksums.sha256; the bundle was modified after it was written"
            ]
        )
    }

    @Test func aSignatureByAnotherKeyIsRefused() throws {
        let signed = try Signed()
        defer { signed.remove() }
        let result = try signed.predict(key: "\(signed.other).pub")
        #expect(result.status == 2)
        #expect(result.errorLines.count == 1)
        #expect(
            result.errorLines.first?.hasPrefix(
                "error: checksums.sha256.sig is not a valid signature by the trusted key \(signed.other).pub"
            ) == true,
            "\(result.standardError)"
        )
        let verify = try CLIRunner.run(["verify", signed.model.path, "--trusted-key", "\(signed.other).pub"])
        #expect(verify.status == 2)
    }

    @Test func aMissingSignatureIsRefused() throws {
        let signed = try Signed(sign: false)
        defer { signed.remove() }
        let result = try signed.predict()
        #expect(result.status == 2)
        #expect(
            result.errorLines == [
                "error: the bundle is unsigned: it has no checksums.sha256.sig; sign it with mbundle sign"
            ]
        )
        // An MLflow-written bundle has no checksums to sign at all.
        let mlflow = Self.sample.deletingLastPathComponent().appendingPathComponent("iris-mlflow-skops").path
        let noChecksums = try signed.predict(mlflow)
        #expect(noChecksums.status == 2)
        #expect(noChecksums.errorLines.first?.hasPrefix("error: the bundle is unsigned") == true)
        let sign = try CLIRunner.run(["sign", "-m", mlflow, "--key", signed.key])
        #expect(sign.status == 2)
    }

    @Test func aKeyFileThatIsNotAKeyIsAUsageError() throws {
        let signed = try Signed()
        defer { signed.remove() }
        let result = try signed.predict(key: signed.input)
        #expect(result.status == 64)
        // A private key is not accepted where a public key is expected.
        #expect(try signed.predict(key: signed.key).status == 64)
        // keygen never overwrites.
        let again = try CLIRunner.run(["keygen", "-o", signed.key])
        #expect(again.status == 2)
        #expect(again.errorLines.first?.contains("already exists") == true)
    }

    @Test(arguments: ["model.tar.gz", "model.zip"])
    func packAndUnpackKeepTheSignature(_ archiveName: String) throws {
        let signed = try Signed()
        defer { signed.remove() }
        let archive = signed.scratch.appendingPathComponent(archiveName).path
        #expect(try CLIRunner.run(["pack", signed.model.path, "-o", archive]).status == 0)
        let fromArchive = try signed.predict(archive)
        #expect(fromArchive.status == 0, "\(fromArchive.standardError)")
        let unpacked = signed.scratch.appendingPathComponent("unpacked").path
        #expect(try CLIRunner.run(["unpack", archive, "-o", unpacked]).status == 0)
        let verify = try CLIRunner.run(["verify", unpacked, "--trusted-key", "\(signed.key).pub"])
        #expect(verify.status == 0, "\(verify.standardError)")
    }

    /// OpenSSL reads our key files and accepts our signature: the formats are the standard ones.
    @Test func openSSLVerifiesTheSignature() throws {
        let signed = try Signed()
        defer { signed.remove() }
        let openssl = try #require(
            ["/usr/bin/openssl", "/usr/local/bin/openssl", "/opt/homebrew/bin/openssl"].first {
                FileManager.default.isExecutableFile(atPath: $0)
            }
        )
        let publicFromPrivate = signed.scratch.appendingPathComponent("derived.pub").path
        #expect(try Self.run(openssl, ["pkey", "-in", signed.key, "-pubout", "-out", publicFromPrivate]) == 0)
        #expect(
            try String(contentsOfFile: publicFromPrivate, encoding: .utf8)
                == String(contentsOfFile: "\(signed.key).pub", encoding: .utf8)
        )
        let checksums = signed.model.appendingPathComponent("checksums.sha256").path
        let signature = signed.model.appendingPathComponent("checksums.sha256.sig").path
        let arguments = ["pkeyutl", "-verify", "-pubin", "-inkey", "\(signed.key).pub", "-rawin", "-in", checksums]
        #expect(try Self.run(openssl, arguments + ["-sigfile", signature]) == 0)
        #expect(
            try Self.run(
                openssl,
                [
                    "pkeyutl", "-verify", "-pubin", "-inkey", "\(signed.other).pub", "-rawin", "-in", checksums,
                    "-sigfile", signature,
                ]
            ) != 0
        )
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
