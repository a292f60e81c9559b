import Foundation
import ModelBundle
import TestSupport
import Testing

/// `mbundle package` as a user runs it: exit statuses, one `error:` line, nothing written on failure.
@Suite struct PackageEndToEndTests {
    static let packaging = CLIRunner.fixtures.appendingPathComponent("packaging")

    static func fixture(_ name: String) -> String { packaging.appendingPathComponent(name).path }

    func package(_ extra: [String], kind: String = "logistic-regression") throws -> (CLIRunner.Result, URL) {
        let scratch = try TestScratch.makeDirectory("e2e")
        let target = scratch.appendingPathComponent("model")
        let result = try CLIRunner.run(["package", kind] + extra + ["-o", target.path])
        return (result, target)
    }

    @Test func packagesSixPointModelThatVerifies() throws {
        let (result, target) = try package([
            "--coef", Self.fixture("six_coef.npy"), "--intercept", Self.fixture("six_intercept.npy"),
            "--classes", "0,1", "--example", Self.fixture("six-point.csv"),
        ])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.isEmpty)
        let verify = try CLIRunner.run(["verify", target.path])
        #expect(verify.status == 0, "\(verify.standardError)")
        let manifest = try ModelManifest(parsing: [UInt8](Data(contentsOf: target.appendingPathComponent("MLmodel"))))
        #expect(manifest.flavor("logistic_regression")?["multi_class"]?.text == "binary")
        #expect(manifest.pythonFunction?.loaderModule == "mbundle_pyfunc")
    }

    @Test func givenSignatureFileReplacesTheInferredOne() throws {
        let scratch = try TestScratch.makeDirectory("e2e")
        let signature = scratch.appendingPathComponent("signature.json")
        try Data(#"{"inputs": [{"type": "float", "name": "x", "required": true}]}"#.utf8).write(to: signature)
        let (result, target) = try package([
            "--coef", Self.fixture("six_coef.npy"), "--intercept", Self.fixture("six_intercept.npy"),
            "--classes", "no,yes", "--predict-fn", "predict", "--example", Self.fixture("six-point.csv"),
            "--signature", signature.path,
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let manifest = try ModelManifest(parsing: [UInt8](Data(contentsOf: target.appendingPathComponent("MLmodel"))))
        #expect(manifest.signatureBlock?.inputs == #"[{"type": "float", "name": "x", "required": true}]"#)
        #expect(
            manifest.signatureBlock?.outputs == #"[{"type": "tensor", "tensor-spec": {"dtype": "str", "shape": [-1]}}]"#
        )
    }

    struct Failure: CustomTestStringConvertible, Sendable {
        var name: String
        var arguments: [String]
        var kind = "logistic-regression"
        var status: Int32
        var mentions: String
        var testDescription: String { name }
    }

    static let failures: [Failure] = [
        Failure(
            name: "intercept does not fit coef",
            arguments: [
                "--coef", fixture("coef_3x4.npy"), "--intercept", fixture("intercept_2.npy"), "--classes", "a,b,c",
                "--example", fixture("six-point.csv"),
            ],
            status: 2,
            mentions: "intercept"
        ),
        Failure(
            name: "classes count differs from rows",
            arguments: [
                "--coef", fixture("coef_3x4.npy"), "--intercept", fixture("intercept_3.npy"), "--classes", "0,1",
                "--example", fixture("six-point.csv"),
            ],
            status: 2,
            mentions: "coef"
        ),
        Failure(
            name: "NaN weights",
            arguments: [
                "--coef", fixture("coef_nan.npy"), "--intercept", fixture("intercept_3.npy"), "--classes", "0,1,2",
                "--example", fixture("six-point.csv"),
            ],
            status: 2,
            mentions: "coef_nan.npy"
        ),
        Failure(
            name: "malformed example",
            arguments: [
                "--coef", fixture("six_coef.npy"), "--intercept", fixture("six_intercept.npy"), "--classes", "0,1",
                "--example", fixture("bad-example.json"),
            ],
            status: 1,
            mentions: "bad-example.json"
        ),
        Failure(
            name: "example columns do not fit coef",
            arguments: [
                "--coef", fixture("coef_1x4.npy"), "--intercept", fixture("intercept_1.npy"), "--classes", "0,1",
                "--example", fixture("six-point.csv"),
            ],
            status: 1,
            mentions: "4 features"
        ),
        Failure(
            name: "missing classes",
            arguments: [
                "--coef", fixture("six_coef.npy"), "--intercept", fixture("six_intercept.npy"),
                "--example", fixture("six-point.csv"),
            ],
            status: 64,
            mentions: "--classes"
        ),
        Failure(
            name: "unknown multi-class",
            arguments: [
                "--coef", fixture("six_coef.npy"), "--intercept", fixture("six_intercept.npy"), "--classes", "0,1",
                "--multi-class", "softmax", "--example", fixture("six-point.csv"),
            ],
            status: 64,
            mentions: "--multi-class"
        ),
        Failure(
            name: "regression with predict_proba",
            arguments: [
                "--coef", fixture("coef_1x4.npy"), "--intercept", fixture("intercept_1.npy"),
                "--predict-fn", "predict_proba", "--example", fixture("six-point.csv"),
            ],
            kind: "linear-regression",
            status: 64,
            mentions: "linear-regression"
        ),
    ]

    @Test(arguments: failures)
    func refusesWithOneErrorLineAndNoBundle(_ failure: Failure) throws {
        let (result, target) = try package(failure.arguments, kind: failure.kind)
        #expect(result.status == failure.status, "\(result.standardError)")
        #expect(result.standardError.hasPrefix("error:") || result.standardError.contains("Error:"))
        #expect(result.standardError.contains(failure.mentions), "\(result.standardError)")
        if failure.status != 64 {
            #expect(result.errorLines.count == 1, "\(result.standardError)")
        }
        #expect(!FileManager.default.fileExists(atPath: target.path))
    }

    @Test func refusesNonEmptyOutputAndLeavesItUntouched() throws {
        let scratch = try TestScratch.makeDirectory("e2e")
        let target = scratch.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: target.appendingPathComponent("keep.txt"))
        let result = try CLIRunner.run([
            "package", "logistic-regression", "--coef", Self.fixture("six_coef.npy"),
            "--intercept", Self.fixture("six_intercept.npy"), "--classes", "0,1",
            "--example", Self.fixture("six-point.csv"), "-o", target.path,
        ])
        #expect(result.status == 2)
        #expect(result.errorLines.count == 1 && result.standardError.hasPrefix("error:"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.path) == ["keep.txt"])
        #expect(try String(contentsOf: target.appendingPathComponent("keep.txt"), encoding: .utf8) == "keep")
    }

    @Test("package is a command group: tree-ensemble is a real subcommand beside the linear ones")
    func treeEnsembleSubcommand() throws {
        let scratch = try TestScratch.makeDirectory("e2e")
        let example = scratch.appendingPathComponent("example.csv")
        try Data("a,b,c,d\n0.5,-1.25,3,0.75\n-0.5,2,1,-0.25\n".utf8).write(to: example)
        let target = scratch.appendingPathComponent("model")
        let model = CLIRunner.fixtures.appendingPathComponent("trees/xgb_binary_logistic.ubj").path
        let result = try CLIRunner.run([
            "package", "tree-ensemble", "--xgboost", model, "--model-class", "XGBClassifier",
            "--predict-fn", "predict_proba", "--example", example.path, "-o", target.path,
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let manifest = try ModelManifest(parsing: [UInt8](Data(contentsOf: target.appendingPathComponent("MLmodel"))))
        #expect(manifest.flavor("tree_ensemble")?["predict_fn"]?.text == "predict_proba")
        let predict = try CLIRunner.run(["predict", "-m", target.path, "-i", example.path])
        #expect(predict.status == 0, "\(predict.standardError)")

        let help = try CLIRunner.run(["package", "--help"])
        for name in ["logistic-regression", "linear-regression", "tree-ensemble"] {
            #expect(help.standardOutput.contains(name), "\(help.standardOutput)")
        }
        // The hidden spelling of the former rewrite is gone.
        let old = try CLIRunner.run([
            "package-tree-ensemble", "--xgboost", model, "--example", example.path,
            "-o", scratch.appendingPathComponent("old").path,
        ])
        #expect(old.status == 64, "\(old.standardError)")

        let both = try CLIRunner.run([
            "package", "tree-ensemble", "--xgboost", model, "--lightgbm", model, "--example", example.path,
            "-o", scratch.appendingPathComponent("other").path,
        ])
        #expect(both.status == 64 && both.standardError.contains("exactly one"), "\(both.standardError)")
    }
}
