import Foundation
import ModelBundle
import TestSupport
import Testing

@Suite struct VersionEndToEndTests {
    /// `--version` prints the same version `mbundle package` records in a bundle's metadata, so a
    /// user can match a bundle to the tool that wrote it.
    @Test func versionMatchesWhatPackagedBundlesRecord() throws {
        let version = try CLIRunner.run(["--version"])
        #expect(version.status == 0)
        #expect(version.standardError.isEmpty)
        let printed = version.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(printed.split(separator: ".").count == 3, "not a semantic version: \(printed)")

        let bundle = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("SampleModels/logistic-six-point")
        let manifestBytes = try [UInt8](Data(contentsOf: bundle.appendingPathComponent("MLmodel")))
        let manifest = try ModelManifest(parsing: manifestBytes)
        #expect(manifest.metadata?["mbundle_version"]?.text == printed)
    }
}
