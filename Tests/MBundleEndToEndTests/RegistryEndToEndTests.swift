import Foundation
import TestSupport
import Testing

/// Model URIs on the command line without a server (the round trip against a real `mlflow server`
/// is Scripts/registry-check.sh): exit statuses and messages naming the URI.
@Suite struct RegistryEndToEndTests {
    static let input = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SampleModels/logistic-six-point/serving_input_example.json").path

    @Test func anUnreachableServerIsExit69NamingTheURI() throws {
        let scratch = try TestScratch.makeDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let result = try CLIRunner.run(
            ["predict", "-m", "models:/six/1", "-i", Self.input, "--cache-dir", scratch.path],
            environment: ["MLFLOW_TRACKING_URI": "http://127.0.0.1:9", "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0"]
        )
        #expect(result.status == 69)
        #expect(result.errorLines.count == 1)
        #expect(
            result.errorLines.first?.hasPrefix(
                "error: models:/six/1: cannot reach the tracking server http://127.0.0.1:9"
            )
                == true,
            "\(result.standardError)"
        )
    }

    /// Every command that takes a MODEL resolves a model URI (Docs/registry.md), rather than looking
    /// for a local file of that name: with the server unreachable, each says so about the URI.
    @Test(arguments: [
        ["inspect", "models:/six/1", "--json"],
        ["validate", "-m", "models:/six/1", "-i", Self.input],
        ["verify", "models:/six/1"],
        ["pack", "models:/six/1", "-o", "six.tar.gz"],
        ["convert", "-m", "models:/six/1", "-o", "converted"],
    ])
    func everyModelCommandResolvesAModelURI(arguments: [String]) throws {
        let scratch = try TestScratch.makeDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outputs = Set(["six.tar.gz", "converted"])
        let placed = arguments.map { outputs.contains($0) ? scratch.appendingPathComponent($0).path : $0 }
        let result = try CLIRunner.run(
            placed + ["--cache-dir", scratch.appendingPathComponent("cache").path],
            environment: ["MLFLOW_TRACKING_URI": "http://127.0.0.1:9", "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0"]
        )
        #expect(result.status == 69, "\(arguments[0]): \(result.standardError)")
        #expect(
            result.errorLines.first?.hasPrefix("error: models:/six/1: cannot reach the tracking server") == true,
            "\(arguments[0]): \(result.standardError)"
        )
    }

    @Test func credentialsInTheTrackingURIAreRefusedAndNotPrinted() throws {
        let result = try CLIRunner.run(
            ["verify", "models:/six/1"],
            environment: ["MLFLOW_TRACKING_URI": "https://alice:hunter2@127.0.0.1:9"]
        )
        #expect(result.status == 69)
        #expect(!result.standardError.contains("hunter2"))
    }

    @Test func aMalformedModelURIIsExit2() throws {
        let result = try CLIRunner.run(
            ["predict", "-m", "models:/a/b/c", "-i", Self.input],
            environment: ["MLFLOW_TRACKING_URI": "http://127.0.0.1:9"]
        )
        #expect(result.status == 2)
        #expect(result.errorLines.first?.hasPrefix("error: Not a proper models:/ URI: models:/a/b/c.") == true)
    }
}
