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
