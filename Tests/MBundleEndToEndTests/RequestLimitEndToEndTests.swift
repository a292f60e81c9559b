import Foundation
import TestSupport
import Testing

/// The whole-file request limit of `predict` and `validate` (`--max-request-bytes`,
/// `MBUNDLE_MAX_REQUEST_BYTES`, default 1 GiB): an input one byte over it is refused with exit 1
/// and a message naming the input and the limit, before it is read; one at the limit is predicted.
@Suite struct RequestLimitEndToEndTests {
    static let body = Data(#"{"inputs": [[-4],[1],[0],[10],[-2],[1]]}"#.utf8)

    static func input() throws -> URL {
        let url = URL(fileURLWithPath: TestScratch.path("request-limit") + "-in.json")
        try body.write(to: url)
        return url
    }

    @Test func inputAtTheLimitIsPredicted() throws {
        let model = try PredictEndToEndTests.bundle()
        let input = try Self.input()
        let result = try CLIRunner.run(
            ["predict", "-m", model, "-i", input.path, "--max-request-bytes", "\(Self.body.count)"]
        )
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == #"{"predictions": [0, 1, 0, 1, 0, 1]}"#)
    }

    @Test func inputOneByteOverTheFlagIsRefused() throws {
        let model = try PredictEndToEndTests.bundle()
        let input = try Self.input()
        let output = URL(fileURLWithPath: TestScratch.path("request-limit") + "-out.json")
        let limit = Self.body.count - 1
        let result = try CLIRunner.run(
            ["predict", "-m", model, "-i", input.path, "-o", output.path, "--max-request-bytes", "\(limit)"]
        )
        #expect(result.status == 1)
        #expect(result.standardError.hasPrefix("error: input \(input.path) is larger than the limit of \(limit) bytes"))
        #expect(result.standardOutput.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    @Test func standardInputOverTheEnvironmentLimitIsRefused() throws {
        let model = try PredictEndToEndTests.bundle()
        let limit = Self.body.count - 1
        let result = try CLIRunner.run(
            ["predict", "-m", model],
            input: Self.body,
            environment: ["MBUNDLE_MAX_REQUEST_BYTES": "\(limit)"]
        )
        #expect(result.status == 1)
        #expect(
            result.standardError.hasPrefix("error: input standard input is larger than the limit of \(limit) bytes")
        )
    }

    @Test func validateRefusesAnInputOverTheLimit() throws {
        let model = try PredictEndToEndTests.bundle()
        let input = try Self.input()
        let result = try CLIRunner.run(
            ["validate", "-m", model, "-i", input.path, "--max-request-bytes", "10"]
        )
        #expect(result.status == 1)
        #expect(result.standardError.contains("larger than the limit of 10 bytes"))
    }

    @Test(arguments: ["0", "1073741825", "lots"])
    func limitOutsideItsRangeIsAUsageError(_ value: String) throws {
        let model = try PredictEndToEndTests.bundle()
        let input = try Self.input()
        let flag = try CLIRunner.run(["predict", "-m", model, "-i", input.path, "--max-request-bytes", value])
        #expect(flag.status == 64)
        let environment = try CLIRunner.run(
            ["predict", "-m", model, "-i", input.path],
            environment: ["MBUNDLE_MAX_REQUEST_BYTES": value]
        )
        #expect(environment.status == 64)
    }
}
