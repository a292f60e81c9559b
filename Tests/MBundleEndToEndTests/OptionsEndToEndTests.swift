import Foundation
import TestSupport
import Testing

/// The shared option groups: the same spelling and the same words for the same mistake in every
/// command, and usage errors as one `error:` line followed by the usage (exit 64).
@Suite struct OptionsEndToEndTests {
    @Test(arguments: [
        ["predict"], ["validate"], ["convert", "-o", "x"], ["inspect"], ["verify"], ["pack", "-o", "x.zip"],
    ])
    func aMissingModelIsOneErrorLineThenTheUsage(_ arguments: [String]) throws {
        let result = try CLIRunner.run(arguments)
        #expect(result.status == 64)
        #expect(result.standardOutput.isEmpty)
        let lines = result.errorLines
        #expect(lines.first == "error: Missing expected argument '--model <model>'", "\(result.standardError)")
        #expect(lines.filter { $0.hasPrefix("error:") || $0.hasPrefix("Error:") }.count == 1)
        #expect(lines.contains { $0.hasPrefix("Usage: mbundle \(arguments[0]) ") })
    }

    @Test func theModelIsTakenPositionallyOrAsAnOptionByEveryCommand() throws {
        let model = try PredictEndToEndTests.bundle()
        for spelling in [[model], ["-m", model], ["--model", model], ["--model-uri", model]] {
            let inspect = try CLIRunner.run(["inspect", "--json"] + spelling)
            #expect(inspect.status == 0, "\(spelling): \(inspect.standardError)")
            let verify = try CLIRunner.run(["verify"] + spelling)
            #expect(verify.status == 0, "\(spelling): \(verify.standardError)")
        }
        let both = try CLIRunner.run(["verify", model, "-m", model])
        #expect(both.status == 64)
        #expect(both.errorLines.first == "error: give the model once: as MODEL or with -m/--model, not both")
    }

    @Test func optionSpellingsAreShared() throws {
        let scratch = try ScratchDirectory("options")
        let model = try PredictEndToEndTests.bundle()
        try Data(#"{"inputs": [[1], [-1]]}"#.utf8).write(to: scratch.url("in.json"))
        for (input, output) in [("-i", "-o"), ("--input-path", "--output-path"), ("--input-path", "--output")] {
            let target = scratch.sub("out-\(output).json")
            let result = try CLIRunner.run([
                "predict", "--model-uri", model, input, scratch.sub("in.json"), output, target,
            ])
            #expect(result.status == 0, "\(result.standardError)")
            #expect(try String(contentsOfFile: target, encoding: .utf8) == #"{"predictions": [1, 0]}"#)
        }
        let badType = try CLIRunner.run(["validate", "-m", model, "-t", "xml"])
        #expect(badType.status == 64)
        #expect(badType.errorLines.first == "error: --content-type must be json, csv, parquet or arrow, not 'xml'")
    }

    @Test func theVersionComesFromOnePlace() throws {
        let result = try CLIRunner.run(["--version"])
        #expect(result.status == 0)
        #expect(result.standardOutput == "0.1.0\n")
    }
}
