import Foundation
import ModelBundle
import TestSupport
import Testing

/// `mbundle predict` run as a process, on bundles written with the package's writer and the
/// coefficients scikit-learn fitted (Tests/Fixtures/native/cases.json, Scripts/make-native-golden.py).
@Suite struct PredictEndToEndTests {
    static let goldenFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/native/cases.json")

    static func temporary(_ name: String) -> URL {
        URL(fileURLWithPath: TestScratch.path("predict") + "-" + name)
    }

    /// The six-point model: LogisticRegression() fitted on X = [-2,-1,0,1,2,1], y = [0,0,1,1,1,0].
    static func sixPointWeights() throws -> (coef: Double, intercept: Double) {
        let data = try Data(contentsOf: goldenFile)
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cases = try #require(root["cases"] as? [[String: Any]])
        let six = try #require(cases.first { $0["name"] as? String == "six_point" })
        let coef = try #require((six["coef"] as? [String])?.first.flatMap(Double.init))
        let intercept = try #require((six["intercept"] as? [String])?.first.flatMap(Double.init))
        return (coef, intercept)
    }

    static func bundle(
        edit: (inout ManifestMap) -> Void = { _ in },
        coef: [Double]? = nil,
        coefShape: [Int] = [1, 1],
        intercept: [Double]? = nil,
        withWeights: Bool = true,
        signature: ModelSignature? = nil
    ) throws -> String {
        let six = try sixPointWeights()
        var map = ManifestMap([
            ("classes", .list([.int(0), .int(1)])), ("dtype", .string("float64")), ("format_version", .int(1)),
            ("multi_class", .string("binary")), ("predict_fn", .string("predict")),
            ("weights", .string("model.safetensors")),
        ])
        edit(&map)
        var manifest = ModelManifest(flavors: [("logistic_regression", map)])
        manifest.setSignature(signature)
        var files: [BundleFile] = []
        if withWeights {
            let tensors = [
                try WeightTensor(name: "coef", shape: coefShape, float64: coef ?? [six.coef]),
                try WeightTensor(name: "intercept", shape: [coefShape[0]], float64: intercept ?? [six.intercept]),
            ]
            files.append(BundleFile(try BundlePath("model.safetensors"), bytes: try SafeTensorsWriter.encode(tensors)))
        }
        let path = temporary("bundle").path
        try BundleWriter(destination: path).write(manifest: manifest, files: files)
        return path
    }

    static let columnSignature: ModelSignature? = try? ModelSignature(
        inputs: Schema(columns: [ColSpec(.double, name: "x")])
    )

    @Test func sixPointSampleToStandardOutput() throws {
        let model = try Self.bundle()
        let result = try CLIRunner.run(
            ["predict", "-m", model],
            input: Data(#"{"inputs": [[-4],[1],[0],[10],[-2],[1]]}"#.utf8)
        )
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == #"{"predictions": [0, 1, 0, 1, 0, 1]}"#)
        #expect(result.standardError.isEmpty)
    }

    @Test func outputFileHasNoTrailingNewlineAndReplacesAtTheEnd() throws {
        let model = try Self.bundle()
        let input = Self.temporary("in.json")
        try Data(#"{"dataframe_split": {"columns": ["x"], "data": [[-4], [10]]}}"#.utf8).write(to: input)
        let output = Self.temporary("out.json")
        try Data("old".utf8).write(to: output)
        let result = try CLIRunner.run(["predict", "-m", model, "-i", input.path, "-o", output.path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.isEmpty)
        #expect(try String(contentsOf: output, encoding: .utf8) == #"{"predictions": [0, 1]}"#)
    }

    @Test func csvInputByExtension() throws {
        let model = try Self.bundle(signature: Self.columnSignature)
        let input = Self.temporary("in.csv")
        try Data("x\n-4\n1\n0\n10\n-2\n1\n".utf8).write(to: input)
        let result = try CLIRunner.run(["predict", "-m", model, "-i", input.path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == #"{"predictions": [0, 1, 0, 1, 0, 1]}"#)
    }

    @Test func badInputExitsOneAndLeavesNoFile() throws {
        let model = try Self.bundle()
        let output = Self.temporary("out.json")
        let result = try CLIRunner.run(
            ["predict", "-m", model, "-o", output.path],
            input: Data(#"{"inputs": [[1, 2]]"#.utf8)
        )
        #expect(result.status == 1)
        #expect(result.errorLines.first?.hasPrefix("error:") == true)
        #expect(!FileManager.default.fileExists(atPath: output.path))
        // Nothing else is left beside it either (the temporary file was removed).
        let siblings = try FileManager.default.contentsOfDirectory(atPath: output.deletingLastPathComponent().path)
        #expect(!siblings.contains { $0.contains(output.lastPathComponent) })
    }

    @Test func badInputLeavesAnExistingFileUntouched() throws {
        let model = try Self.bundle()
        let output = Self.temporary("keep.json")
        try Data("previous".utf8).write(to: output)
        let result = try CLIRunner.run(
            ["predict", "-m", model, "-o", output.path],
            input: Data(#"{"inputs": [[1, 2]]}"#.utf8)
        )
        #expect(result.status == 1, "\(result.standardError)")
        #expect(try String(contentsOf: output, encoding: .utf8) == "previous")
    }

    struct BadBundle: Sendable, CustomTestStringConvertible {
        var name: String
        var field: String
        var build: @Sendable () throws -> String
        var testDescription: String { name }
    }

    static let badBundles: [BadBundle] = [
        BadBundle(name: "missing weights", field: "flavors.logistic_regression.weights") {
            try bundle(withWeights: false)
        },
        BadBundle(name: "wrong shapes", field: "model.safetensors:coef") {
            try bundle(coef: [1, 2], coefShape: [2, 1], intercept: [0, 0])
        },
        BadBundle(name: "unknown multi_class", field: "flavors.logistic_regression.multi_class") {
            try bundle(edit: { $0["multi_class"] = .string("crammer_singer") })
        },
        BadBundle(name: "format_version 2", field: "flavors.logistic_regression.format_version") {
            try bundle(edit: { $0["format_version"] = .int(2) })
        },
        BadBundle(name: "NaN weights", field: "coef") { try bundle(coef: [.nan]) },
    ]

    @Test(arguments: badBundles)
    func badBundleExitsTwoNamingTheField(_ bad: BadBundle) throws {
        let model = try bad.build()
        let output = Self.temporary("out.json")
        let result = try CLIRunner.run(
            ["predict", "-m", model, "-o", output.path],
            input: Data(#"{"inputs": [[1]]}"#.utf8)
        )
        #expect(result.status == 2, "\(result.standardError)")
        let line = try #require(result.errorLines.first)
        #expect(line.hasPrefix("error:"))
        #expect(line.contains(bad.field), "\(line)")
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    @Test func streamingCSVMatchesTheWholeFileRun() throws {
        let model = try Self.bundle(signature: Self.columnSignature)
        var csv = "x\n"
        for row in 0..<1000 { csv += "\(Double(row % 13) - 6.5)\n" }
        let input = Self.temporary("in.csv")
        try Data(csv.utf8).write(to: input)
        let whole = try CLIRunner.run(["predict", "-m", model, "-i", input.path])
        let streamed = try CLIRunner.run([
            "predict", "-m", model, "-i", input.path, "--stream", "--batch-size", "7",
        ])
        #expect(whole.status == 0 && streamed.status == 0, "\(streamed.standardError)")
        // JSON Lines: one record per batch of 7 rows, whose predictions joined are the whole run's,
        // then the completion record.
        let lines = streamed.standardOutput.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.last == "")
        #expect(lines.dropLast().last == #"{"complete": true, "rows": 1000}"#)
        var items: [String] = []
        for (index, line) in lines.dropLast(2).enumerated() {
            let prefix = #"{"predictions": ["#
            let suffix = #"], "first_row": \#(index * 7), "rows": \#(min(7, 1000 - index * 7))}"#
            #expect(line.hasPrefix(prefix) && line.hasSuffix(suffix), "\(line)")
            items.append(String(line.dropFirst(prefix.count).dropLast(suffix.count)))
        }
        #expect(lines.count == 143 + 2)
        #expect(#"{"predictions": ["# + items.joined(separator: ", ") + "]}" == whole.standardOutput)
        #expect(whole.standardOutput.hasPrefix(#"{"predictions": [0, 0, 0"#))
    }

    @Test func streamingJSONLines() throws {
        let model = try Self.bundle(signature: Self.columnSignature)
        let input = Self.temporary("in.jsonl")
        try Data("{\"x\": -4}\n{\"x\": 1}\n\n{\"x\": 10}\n{\"x\": -2}".utf8).write(to: input)
        let output = Self.temporary("out.json")
        let result = try CLIRunner.run([
            "predict", "-m", model, "-i", input.path, "-o", output.path, "--stream", "--batch-size", "2",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(
            try String(contentsOf: output, encoding: .utf8)
                == #"""
                {"predictions": [0, 1], "first_row": 0, "rows": 2}
                {"predictions": [1, 0], "first_row": 2, "rows": 2}
                {"complete": true, "rows": 4}

                """#
        )
    }

    @Test func streamingErrorCountsRowsFromTheStartAndLeavesNoFile() throws {
        let model = try Self.bundle(signature: Self.columnSignature)
        var csv = "x\n"
        for row in 0..<20 { csv += row == 13 ? "\n\"a,b\"\n" : "\(row)\n" }
        let input = Self.temporary("bad.csv")
        try Data(csv.replacingOccurrences(of: "\n\n", with: "\n").utf8).write(to: input)
        let output = Self.temporary("out.json")
        let result = try CLIRunner.run([
            "predict", "-m", model, "-i", input.path, "-o", output.path, "--stream", "--batch-size", "5",
        ])
        #expect(result.status == 1, "\(result.standardError)")
        // Row 13 counted from the first data row (0-based, as pandas' index), not row 3 of its batch.
        #expect(result.standardError.contains("13"), "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    @Test func streamRefusesAJSONEnvelope() throws {
        let model = try Self.bundle()
        let input = Self.temporary("in.json")
        try Data(#"{"inputs": [[1]]}"#.utf8).write(to: input)
        let result = try CLIRunner.run(["predict", "-m", model, "-i", input.path, "--stream"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("--stream takes CSV"))
    }
}

/// `mbundle predict` of an Arrow stream of float64 columns, which the linear model reads in place in
/// the request (no frame): the bytes the same rows give as CSV, by path and from standard input,
/// in JSON and Arrow output.
@Suite struct LentArrowEndToEndTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let model = root.appendingPathComponent("SampleModels/iris-multinomial").path
    static let fixtures = root.appendingPathComponent("Tests/Fixtures/columnar")

    @Test(arguments: ["json", "arrow"]) func arrowStreamPredictsAsItsCSV(output: String) throws {
        let arrows = Self.fixtures.appendingPathComponent("iris-lent.arrows").path
        let csv = Self.fixtures.appendingPathComponent("iris-lent.csv").path
        let expected = try CLIRunner.run(["predict", "-m", Self.model, "-i", csv, "--output-format", output])
        #expect(expected.status == 0, "\(expected.standardError)")
        let byPath = try CLIRunner.run(["predict", "-m", Self.model, "-i", arrows, "--output-format", output])
        #expect(byPath.status == 0, "\(byPath.standardError)")
        let fromStandardInput = try CLIRunner.run(
            ["predict", "-m", Self.model, "-t", "arrow", "--output-format", output],
            input: try Data(contentsOf: URL(fileURLWithPath: arrows))
        )
        #expect(fromStandardInput.status == 0, "\(fromStandardInput.standardError)")
        // Compared outside the expectations, which would print every byte on a failure.
        let same = byPath.standardOutputBytes == expected.standardOutputBytes
        let sameFromInput = fromStandardInput.standardOutputBytes == expected.standardOutputBytes
        #expect(same && sameFromInput && expected.standardOutputBytes.count > 90_000)
    }
}
