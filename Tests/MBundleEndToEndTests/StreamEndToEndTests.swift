import Foundation
import TestSupport
import Testing

/// `predict --stream` and closed pipes, on the built binary: the JSON Lines output (README
/// "Streaming output") always ends in a final record, a refused row is named by its absolute
/// number, and a reader that goes away ends the run with exit status 74, not death by SIGPIPE.
@Suite struct StreamEndToEndTests {
    static func input(_ text: String, _ name: String, in scratch: ScratchDirectory) throws -> String {
        try Data(text.utf8).write(to: scratch.url(name))
        return scratch.sub(name)
    }

    @Test(arguments: [
        ("in.csv", "x\n-4\n1\nabc\n3\n"),
        ("in.jsonl", "{\"x\": -4}\n{\"x\": 1}\n{\"x\": \"abc\"}\n{\"x\": 3}\n"),
    ])
    func aBadThirdRowEndsTheStreamWithAFailureRecordAndItsAbsoluteRow(_ name: String, _ text: String) throws {
        let scratch = try ScratchDirectory("stream")
        let model = try PredictEndToEndTests.bundle(signature: PredictEndToEndTests.columnSignature)
        let input = try Self.input(text, name, in: scratch)
        // Batches of two rows: the bad row is the first of the second batch, row 2 of the input.
        let result = try CLIRunner.run(["predict", "-m", model, "-i", input, "--stream", "--batch-size", "2"])
        #expect(result.status == 1)
        #expect(!result.signaled)
        #expect(result.errorLines.count == 1, "\(result.standardError)")
        let line = try #require(result.errorLines.first)
        #expect(line.hasPrefix("error: column 'x' row 2: "), "\(line)")

        let lines = result.standardOutput.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3 && lines.last == "", "\(result.standardOutput)")
        #expect(lines.first == #"{"predictions": [0, 1], "first_row": 0, "rows": 2}"#)
        let final = try #require(
            try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any]
        )
        #expect(final["complete"] as? Bool == false)
        #expect(final["rows"] as? Int == 2)
        let error = try #require(final["error"] as? [String: Any])
        // A cell the column's type cannot hold: MLflow's parser refuses it (BAD_REQUEST).
        #expect(error["error_code"] as? String == "BAD_REQUEST")
        #expect(error["row"] as? Int == 2)
        #expect(error["column"] as? String == "x")
        #expect(error["message"] as? String == String(line.dropFirst("error: ".count)))
    }

    /// A category refused inside a scikit-learn pipeline's encoder is named by its absolute row too
    /// (the encoder sees one batch at a time).
    @Test func aRefusedCategoryInALaterBatchIsNamedByItsAbsoluteRow() throws {
        let scratch = try ScratchDirectory("stream")
        let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/pipelines/strict_unknown_skops").path
        let good = "42.0,14189.7,nice,pro,2,True\n"
        let text =
            "age,income,city,plan,visits,member\n" + String(repeating: good, count: 5)
            + "42.0,14189.7,Atlantis,pro,2,True\n"
        let input = try Self.input(text, "in.csv", in: scratch)
        let result = try CLIRunner.run(["predict", "-m", model, "-i", input, "--stream", "--batch-size", "2"])
        #expect(result.status == 1)
        let line = try #require(result.errorLines.first)
        #expect(line.hasPrefix("error: column 'city' row 5: 'Atlantis' is a category"), "\(line)")
        let last = try #require(result.standardOutput.split(separator: "\n").last)
        let final = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        let error = try #require(final["error"] as? [String: Any])
        #expect(error["row"] as? Int == 5)
        #expect(error["column"] as? String == "city")
    }

    @Test func aStreamToAFileThatFailsLeavesNoFile() throws {
        let scratch = try ScratchDirectory("stream")
        let model = try PredictEndToEndTests.bundle(signature: PredictEndToEndTests.columnSignature)
        let input = try Self.input("x\n1\n2\nabc\n", "in.csv", in: scratch)
        let result = try CLIRunner.run([
            "predict", "-m", model, "-i", input, "-o", scratch.sub("out.jsonl"), "--stream", "--batch-size", "1",
        ])
        #expect(result.status == 1)
        #expect(result.standardOutput.isEmpty)
        #expect(scratch.listing() == ["in.csv"])
    }

    @Test func aStreamOfBlankLinesOnlyIsCompleteWithNoRows() throws {
        let scratch = try ScratchDirectory("stream")
        let model = try PredictEndToEndTests.bundle(signature: PredictEndToEndTests.columnSignature)
        let input = try Self.input("\n\n", "in.jsonl", in: scratch)
        let result = try CLIRunner.run(["predict", "-m", model, "-i", input, "--stream"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == "{\"complete\": true, \"rows\": 0}\n")
    }

    /// `mbundle predict … | head -c 10` in bash: the first status of the pipeline is mbundle's.
    @Test(arguments: [false, true])
    func aClosedStandardOutputExitsWith74(_ stream: Bool) throws {
        let scratch = try ScratchDirectory("epipe")
        let model = try PredictEndToEndTests.bundle(signature: PredictEndToEndTests.columnSignature)
        // About 600 KB of predictions: far more than a pipe holds, so the writes meet the closed end.
        var csv = "x\n"
        for row in 0..<200_000 { csv += row % 2 == 0 ? "-3\n" : "3\n" }
        let input = try Self.input(csv, "big.csv", in: scratch)
        let arguments = ["predict", "-m", model, "-i", input] + (stream ? ["--stream", "--batch-size", "1000"] : [])
        let script = #""$0" "$@" | head -c 10 > /dev/null; exit "${PIPESTATUS[0]}""#
        let result = try CLIRunner.run(
            URL(fileURLWithPath: "/bin/bash"),
            ["-c", script, CLIRunner.executable.path] + arguments
        )
        #expect(!result.signaled)
        #expect(result.status == 74, "\(result.standardError)")
        #expect(
            result.errorLines
                == ["error: standard output was closed before all predictions were written (broken pipe)"]
        )
    }
}
