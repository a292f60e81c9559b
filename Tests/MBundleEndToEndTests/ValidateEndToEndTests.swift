import Foundation
import TestSupport
import Testing

/// `mbundle validate` run as a process on real MLflow bundles (Tests/Fixtures/mlflow).
@Suite struct ValidateEndToEndTests {
    static let mlflow = CLIRunner.fixtures.appendingPathComponent("mlflow")
    static let logreg = mlflow.appendingPathComponent("logreg_binary_skops").path
    static let tensor = mlflow.appendingPathComponent("tensor_ndarray").path

    static func validate(_ model: String, _ body: String, _ extra: [String] = []) throws -> CLIRunner.Result {
        try CLIRunner.run(["validate", "-m", model] + extra, input: Data(body.utf8))
    }

    @Test(
        "the serving examples MLflow wrote validate",
        arguments: [
            "all_scalar_types", "complex_types", "diabetes_linear", "iris_multinomial_proba", "params_all_types",
            "tensor_ndarray", "logreg_binary_skops",
        ]
    )
    func servingExamplesPass(_ name: String) throws {
        let bundle = Self.mlflow.appendingPathComponent(name)
        let example = bundle.appendingPathComponent("serving_input_example.json")
        let result = try CLIRunner.run(["validate", "-m", bundle.path, "-i", example.path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.hasPrefix("ok: "))
        #expect(result.standardError.isEmpty)
    }

    @Test("predict refuses bad input with one error line that quotes the value once")
    func predictErrorLineQuotesTheValueOnce() throws {
        let body = #"{"dataframe_records": [{"x1": 1.7, "x2": "abc", "x3": true}, {"x1": 1, "x2": 2, "x3": null}]}"#
        let result = try CLIRunner.run(["predict", "-m", Self.logreg], input: Data(body.utf8))
        #expect(result.status == 1)
        #expect(result.standardOutput.isEmpty)
        #expect(
            result.errorLines == ["error: column 'x2' row 0: \"abc\" is not a number; expected double (and 1 more)"]
        )
    }

    @Test("violations: exit 1, every violation on stdout, one error line on stderr")
    func violationsReported() throws {
        let body = #"{"dataframe_records": [{"x1": 1.7, "x2": "abc", "x3": true}, {"x1": 1, "x2": 2, "x3": null}]}"#
        let result = try Self.validate(Self.logreg, body)
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("column 'x2' row 0: \"abc\" is not a number; expected double"))
        #expect(result.standardOutput.contains("column 'x3' row 0: a boolean is not a number; expected double"))
        #expect(result.standardOutput.hasSuffix("invalid: 2 rows, 2 violations\n"))
        #expect(
            result.errorLines == ["error: column 'x2' row 0: \"abc\" is not a number; expected double (and 1 more)"]
        )
    }

    @Test("--format json prints the documented report")
    func jsonReport() throws {
        let result = try Self.validate(
            Self.logreg,
            #"{"dataframe_split": {"columns": ["x1", "x2", "x3", "q"], "data": [[1, 2, "z", 0]]}}"#,
            ["--format", "json"]
        )
        #expect(result.status == 1)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        )
        #expect(object["valid"] as? Bool == false)
        #expect(object["violation_count"] as? Int == 1)
        #expect(object["ignored_inputs"] as? [String] == ["q"])
        let violation = try #require((object["violations"] as? [[String: Any]])?.first)
        #expect(violation["rule"] as? String == "type")
        #expect(violation["column"] as? String == "x3")
        #expect(violation["row"] as? Int == 0)
        #expect(violation["value"] as? String == "\"z\"")
        #expect(violation["expected"] as? String == "double")
    }

    @Test("a valid input with --format json: exit 0 and valid true")
    func jsonValid() throws {
        let result = try Self.validate(Self.tensor, #"{"inputs": [[1, 2, 3, 4]]}"#, ["--format", "json"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("\"valid\": true"))
    }

    @Test("CSV by extension and by -t; judged like JSON")
    func csv() throws {
        let scratch = try TestScratch.makeDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let file = scratch.appendingPathComponent("input.csv")
        try Data("x1,x2,x3\n1,2,3\n0.5,abc,\n".utf8).write(to: file)
        let byExtension = try CLIRunner.run(["validate", "-m", Self.logreg, "-i", file.path])
        #expect(byExtension.status == 1)
        #expect(byExtension.errorLines == ["error: column 'x2' row 1: \"abc\" is not a number; expected double"])
        let byFlag = try Self.validate(Self.logreg, "x1,x2,x3\n1,2,3\n", ["-t", "csv"])
        #expect(byFlag.status == 0, "\(byFlag.standardError)")
    }

    /// security.md §6c rows 48–49 as files: each exits 1 with one `error:` line naming the problem.
    @Test(
        "bad inputs: exit 1 and one error line",
        arguments: [
            ("malformed JSON", #"{"dataframe_records": [{"x1": 1,, "x2": 2}]}"#, "valid JSON"),
            ("truncated JSON", #"{"dataframe_records": [{"x1": 1"#, "valid JSON"),
            ("deep nesting", "<100,000 [>", "nesting"),
            ("duplicate keys", #"{"dataframe_records": [{"x1": 1, "x1": 2, "x2": 1, "x3": 1}]}"#, "twice"),
            ("NaN literal", #"{"dataframe_records": [{"x1": NaN, "x2": 1, "x3": 1}]}"#, "NaN"),
            ("zero format keys", #"{"data": [[1, 2, 3]]}"#, "exactly one"),
            ("two format keys", #"{"inputs": [[1, 2, 3]], "instances": [[1, 2, 3]]}"#, "exactly one"),
            ("wrong column count", #"{"dataframe_split": {"columns": ["x1", "x2"], "data": [[1, 2]]}}"#, "x3"),
            ("wrong column names", #"{"dataframe_split": {"columns": ["a", "b", "c"], "data": [[1, 2, 3]]}}"#, "x1"),
            ("wrong column types", #"{"dataframe_records": [{"x1": "one", "x2": 1, "x3": 1}]}"#, "x1"),
            ("empty batch", #"{"dataframe_split": {"columns": ["x1", "x2", "x3"], "data": []}}"#, "no rows"),
            ("empty body", "", "empty"),
            ("a list body", "[1, 2]", "list"),
        ]
    )
    func badInputs(name: String, body: String, mention: String) throws {
        // The nesting body is built here so the test's printed arguments stay short.
        let body = body == "<100,000 [>" ? String(repeating: "[", count: 100_000) : body
        let result = try Self.validate(Self.logreg, body)
        #expect(result.status == 1, "\(name)")
        #expect(result.errorLines.count == 1, "\(name): \(result.standardError)")
        #expect(result.errorLines.first?.hasPrefix("error: ") == true)
        #expect(result.errorLines.first?.contains(mention) == true, "\(name): \(result.standardError)")
    }

    @Test("a missing bundle exits 2; a missing input file exits 1")
    func bundleAndFileErrors() throws {
        let noBundle = try CLIRunner.run(["validate", "-m", "/nonexistent/model", "-i", "/nonexistent/x.json"])
        #expect(noBundle.status == 2)
        #expect(noBundle.errorLines.count == 1)
        let noInput = try CLIRunner.run(["validate", "-m", Self.logreg, "-i", "/nonexistent/x.json"])
        #expect(noInput.status == 1)
        #expect(noInput.errorLines.first?.hasPrefix("error: cannot open input") == true)
    }

    @Test("an archive works like a directory")
    func archive() throws {
        let scratch = try TestScratch.makeDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let packed = scratch.appendingPathComponent("m.tar.gz")
        let pack = try CLIRunner.run(["pack", Self.tensor, "-o", packed.path])
        #expect(pack.status == 0, "\(pack.standardError)")
        let result = try CLIRunner.run(
            ["validate", "-m", packed.path],
            input: Data(#"{"inputs": [[1, 2, 3]]}"#.utf8)
        )
        #expect(result.status == 1)
        #expect(result.errorLines == ["error: Shape of input (1, 3) does not match expected shape (-1, 4)."])
    }
}
