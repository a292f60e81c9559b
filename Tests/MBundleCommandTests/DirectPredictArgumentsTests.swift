import ArgumentParser
import TestSupport
import Testing

@testable import mbundle

/// The start-up fast path of `mbundle predict` against ArgumentParser itself: whatever arguments the
/// fast path takes, ArgumentParser parses into the same request; what it declines goes to
/// ArgumentParser, which reports (or accepts) it as before.
@Suite struct DirectPredictArgumentsTests {
    /// ArgumentParser's request for `arguments`, or nil when it refuses them.
    static func parsed(_ arguments: [String]) -> PredictRequest? {
        guard let command = try? MBundle.parseAsRoot(arguments) else { return nil }
        return (command as? PredictCommand)?.request
    }

    @Test(arguments: [
        ["predict", "-m", "model"],
        ["predict", "--model", "model", "-i", "in.csv", "-o", "out.json"],
        ["predict", "--model-uri=models:/name@champion", "--input=in.json", "--output-path=out.parquet"],
        ["predict", "-i", "in.arrows", "-t", "arrow", "-m", "model", "--stream", "--output-format", "arrow"],
        ["predict", "--input-path", "in.csv", "--content-type=csv", "--model", "m", "--batch-size=+4096"],
        ["predict", "-m", "m", "--max-request-bytes", "1048576", "--require-signature", "key.pem"],
        ["predict", "-m", "m", "--cache-dir", "cache", "--offline", "--no-fallback", "--output", "o.csv"],
        ["predict", "--stream", "-m", "m", "--batch-size", "007", "--output-format=csv"],
        ["predict", "-m", "a=b", "-o", "x=y", "-i", "in put.json"],
    ])
    func theFastPathBuildsArgumentParsersRequest(_ arguments: [String]) throws {
        let direct = try #require(DirectPredictArguments.request(from: arguments))
        #expect(direct == Self.parsed(arguments))
    }

    @Test func theValuesLandInTheirFields() throws {
        let request = try #require(
            DirectPredictArguments.request(from: [
                "predict", "--model-uri", "m", "--input", "i", "-t", "parquet", "--output-path", "o",
                "--require-signature", "k", "--cache-dir", "c", "--offline", "--stream", "--batch-size", "12",
                "--output-format", "arrow", "--max-request-bytes=99",
            ])
        )
        var expected = PredictRequest(model: "m")
        expected.inputPath = "i"
        expected.contentType = "parquet"
        expected.output = "o"
        expected.trustedKey = "k"
        expected.registry.cacheDirectory = "c"
        expected.registry.offline = true
        expected.stream = true
        expected.batchSize = 12
        expected.outputFormat = "arrow"
        expected.maxRequestBytes = 99
        #expect(request == expected)
    }

    /// Help, mistakes and everything unusual are ArgumentParser's: its messages and usage stay the
    /// only ones.
    @Test(arguments: [
        [], ["predict"], ["inspect", "m"], ["predict", "--help"], ["predict", "-h"], ["--version"],
        ["predict", "-m"], ["predict", "-m", "a", "-m", "b"], ["predict", "-m", "a", "--model-uri", "b"],
        ["predict", "-m", "m", "--stream=true"], ["predict", "-m", "m", "--batch-size", "0"],
        ["predict", "-m", "m", "--batch-size=-1"], ["predict", "-m", "m", "--batch-size", "1e3"],
        ["predict", "-m", "m", "-t", "xml"], ["predict", "-m", "m", "--output-format=yaml"],
        ["predict", "-m", "-x"], ["predict", "-m", ""], ["predict", "-m", "m", "extra"],
        ["predict", "-m", "m", "--"], ["predict", "-mm"], ["predict", "-m", "m", "--unknown", "x"],
        ["predict", "-m", "m", "--max-request-bytes", "0"],
        ["predict", "-m", "m", "--max-request-bytes", "2000000000"],
        ["predict", "-m", "m", "-s"], ["predict", "--model", "--stream"],
        ["predict", "-m", "m", "--generate-completion-script"],
        ["predict", "--Model", "m"], ["predict", "-M", "m"], ["predict", "-m", "m", "--stream", "--stream"],
    ])
    func theFastPathDeclinesWhatItDoesNotKnow(_ arguments: [String]) {
        #expect(DirectPredictArguments.request(from: arguments) == nil)
    }

    /// Random argument lists from the options' spellings and awkward values: whenever the fast path
    /// takes one, ArgumentParser takes it too and builds the same request.
    @Test func randomArgumentListsAgreeWithArgumentParser() {
        let options = [
            "-m", "--model", "--model-uri", "-i", "--input", "--input-path", "-o", "--output", "--output-path",
            "-t", "--content-type", "--require-signature", "--cache-dir", "--batch-size", "--output-format",
            "--max-request-bytes",
        ]
        let flags = ["--stream", "--offline", "--no-fallback"]
        let values = [
            "m", "in.csv", "a=b", "csv", "json", "parquet", "arrow", "12", "+3", "0", "-1", "", "-", "--", "x y",
            "1073741824", "1073741825", "10000001", "predict",
        ]
        var generator = SeededGenerator(seed: 0x6d62_756e_646c_65)
        var taken = 0
        for _ in 0..<4_000 {
            var arguments = ["predict"]
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                switch Int.random(in: 0..<10, using: &generator) {
                case 0: arguments.append(flags.randomElement(using: &generator)!)
                case 1: arguments.append(values.randomElement(using: &generator)!)
                case 2:
                    let name = options.filter { $0.hasPrefix("--") }.randomElement(using: &generator)!
                    arguments.append(name + "=" + values.randomElement(using: &generator)!)
                default:
                    arguments.append(options.randomElement(using: &generator)!)
                    arguments.append(values.randomElement(using: &generator)!)
                }
            }
            if Bool.random(using: &generator) { arguments += ["-m", "model"] }
            guard let direct = DirectPredictArguments.request(from: arguments) else { continue }
            taken += 1
            #expect(direct == Self.parsed(arguments), "\(arguments)")
        }
        // The generator must exercise the fast path, not only its refusals.
        #expect(taken > 250, "\(taken)")
    }
}
