import Foundation
import TestSupport
import Testing

/// Runs the `mbundle` of the build under test (``CLIRunner``).
@Suite struct ArchiveCommandEndToEndTests {
    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static func mbundle(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let result = try CLIRunner.run(arguments, environment: environment)
        return Run(status: result.status, stdout: result.standardOutput, stderr: result.standardError)
    }

    @Test(arguments: ["tar.gz", "zip"])
    func packIsIdenticalAcrossTimeZones(_ suffix: String) throws {
        let scratch = try ScratchDirectory()
        try ArchiveFixtures.makeBundle(at: scratch.sub("bundle"))
        var digests: [Data] = []
        for zone in ["UTC", "Asia/Kolkata", "America/New_York", "Pacific/Kiritimati"] {
            let output = scratch.sub("\(zone.replacingOccurrences(of: "/", with: "-")).\(suffix)")
            let run = try Self.mbundle(["pack", scratch.sub("bundle"), "-o", output], environment: ["TZ": zone])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.isEmpty)
            digests.append(try ArchiveFixtures.bytes(at: output))
        }
        #expect(Set(digests).count == 1)
    }

    @Test func packUnpackRoundTripThroughTheCommandLine() throws {
        let scratch = try ScratchDirectory()
        let original = try ArchiveFixtures.makeBundle(at: scratch.sub("bundle"))
        #expect(try Self.mbundle(["pack", scratch.sub("bundle"), "-o", scratch.sub("b.zip")]).status == 0)
        // MODEL may itself be an archive: repack the zip as a tar.gz.
        #expect(try Self.mbundle(["pack", scratch.sub("b.zip"), "-o", scratch.sub("b.tar.gz")]).status == 0)
        let run = try Self.mbundle(["unpack", scratch.sub("b.tar.gz"), "-o", scratch.sub("out")])
        #expect(run.status == 0)
        #expect(run.stdout.isEmpty && run.stderr.isEmpty)
        #expect(try ArchiveFixtures.readTree(scratch.sub("out")) == original)
    }

    @Test func refusalsExitTwoWithOneErrorLine() throws {
        let scratch = try ScratchDirectory()
        try Data("Rar!\u{1a}\u{07}\u{00}junk".utf8).write(to: URL(fileURLWithPath: scratch.sub("model.tar.gz")))
        let run = try Self.mbundle(["unpack", scratch.sub("model.tar.gz"), "-o", scratch.sub("out")])
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.hasPrefix("error: "))
        #expect(run.stderr.contains("RAR"))
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: scratch.sub("out")))
    }

    @Test func usageErrorsExitSixtyFour() throws {
        let scratch = try ScratchDirectory()
        try ArchiveFixtures.makeBundle(at: scratch.sub("bundle"))
        let run = try Self.mbundle(["pack", scratch.sub("bundle"), "-o", scratch.sub("b.rar")])
        #expect(run.status == 64)
        #expect(run.stdout.isEmpty)
        #expect(try Self.mbundle(["unpack"]).status == 64)
        #expect(!FileManager.default.fileExists(atPath: scratch.sub("b.rar")))
    }
}
