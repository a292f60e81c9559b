import Foundation
import ModelBundle
import ModelBundleArchive
import TestSupport
import Testing

/// Pack → unpack → verify gives the original files byte for byte; packing is reproducible.
@Suite struct ArchiveRoundTripTests {
    /// Writes `checksums.sha256` with the system's `sha256sum`, an implementation independent of ours.
    static func writeChecksums(in bundle: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [
            "-c",
            "cd \"$1\" && find . -type f ! -name checksums.sha256 | sed 's|^\\./||' | LC_ALL=C sort | xargs sha256sum > checksums.sha256",
            "sh", bundle,
        ]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test(arguments: [ArchiveFormat.tarGzip, .zip])
    func packThenUnpackGivesTheSameFiles(_ format: ArchiveFormat) throws {
        let scratch = try ScratchDirectory()
        let bundle = scratch.sub("bundle")
        try ArchiveFixtures.makeBundle(at: bundle, weightsSize: 300_000)
        try Self.writeChecksums(in: bundle)
        let original = try ArchiveFixtures.readTree(bundle)
        #expect(original.count == 7)
        let archive = scratch.sub(format == .zip ? "b.zip" : "b.tar.gz")
        try BundleArchiver().pack(bundleAt: bundle, to: archive)
        let detected = try BundleUnpacker().unpack(archiveAt: archive, to: scratch.sub("out"))
        #expect(detected == format)
        #expect(try ArchiveFixtures.readTree(scratch.sub("out")) == original)
        // Unpacked files get fixed modes, not the archive's.
        let mode =
            try FileManager.default.attributesOfItem(atPath: scratch.sub("out/MLmodel"))[.posixPermissions] as? Int
        #expect(mode == 0o644)
    }

    @Test(arguments: [ArchiveFormat.tarGzip, .zip])
    func packingTwiceGivesIdenticalBytes(_ format: ArchiveFormat) throws {
        let scratch = try ScratchDirectory()
        let bundle = scratch.sub("bundle")
        try ArchiveFixtures.makeBundle(at: bundle)
        let suffix = format == .zip ? "zip" : "tar.gz"
        try BundleArchiver().pack(bundleAt: bundle, to: scratch.sub("one.\(suffix)"))
        // Change every timestamp and wait, so that anything time-dependent would show.
        Thread.sleep(forTimeInterval: 1.1)
        for relative in FileManager.default.subpaths(atPath: bundle) ?? [] {
            try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: bundle + "/" + relative)
        }
        try BundleArchiver().pack(bundleAt: bundle, to: scratch.sub("two.\(suffix)"))
        let one = try Data(contentsOf: URL(fileURLWithPath: scratch.sub("one.\(suffix)")))
        let two = try Data(contentsOf: URL(fileURLWithPath: scratch.sub("two.\(suffix)")))
        #expect(one == two)
        #expect(one.count > 100)
    }

    @Test(arguments: [ArchiveFormat.tarGzip, .zip])
    func nonASCIINamesRoundTrip(_ format: ArchiveFormat) throws {
        let scratch = try ScratchDirectory()
        let bundle = scratch.sub("bundle")
        var original = try ArchiveFixtures.makeBundle(at: bundle)
        let name = "données/modèle-\u{4e2d}.txt"
        try FileManager.default.createDirectory(atPath: bundle + "/données", withIntermediateDirectories: true)
        try Data("accents".utf8).write(to: URL(fileURLWithPath: bundle + "/" + name))
        original[name] = Data("accents".utf8)
        let archive = scratch.sub(format == .zip ? "b.zip" : "b.tar.gz")
        try BundleArchiver().pack(bundleAt: bundle, to: archive)
        try BundleUnpacker().unpack(archiveAt: archive, to: scratch.sub("out"))
        #expect(try ArchiveFixtures.readTree(scratch.sub("out")) == original)
    }

    @Test func tarHeadersAreFixedAsSeenByGNUTar() throws {
        // GNU tar, an independent reader, lists owners, modes, times and order.
        let scratch = try ScratchDirectory()
        let bundle = scratch.sub("bundle")
        try ArchiveFixtures.makeBundle(at: bundle)
        try BundleArchiver().pack(bundleAt: bundle, to: scratch.sub("b.tar.gz"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tar", "--list", "--verbose", "--numeric-owner", "--utc", "-zf", scratch.sub("b.tar.gz")]
        process.environment = ["PATH": "/usr/bin:/bin", "TZ": "UTC", "LC_ALL": "C"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let lines = output.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        let names = lines.map { String($0.last ?? "") }
        #expect(
            names == [
                "MLmodel", "code/", "code/mbundle_pyfunc.py", "empty.txt", "model.safetensors",
                "nested/", "nested/deeper/", "nested/deeper/notes.txt", "requirements.txt",
            ]
        )
        for line in lines {
            #expect(line[1] == "0/0")
            #expect(line[3] == "1970-01-01" && line[4] == "00:00")
            #expect(line[0] == (line.last?.hasSuffix("/") == true ? "drwxr-xr-x" : "-rw-r--r--"))
        }
    }

    @Test func packRefusesLinksAndFIFOsInTheBundle() throws {
        let scratch = try ScratchDirectory()
        let bundle = scratch.sub("bundle")
        try ArchiveFixtures.makeBundle(at: bundle)
        try FileManager.default.createSymbolicLink(atPath: bundle + "/code/escape", withDestinationPath: "/etc/passwd")
        let error = try #require(throws: ModelBundleError.self) {
            try BundleArchiver().pack(bundleAt: bundle, to: scratch.sub("b.tar.gz"))
        }
        #expect(error.code == .unsafeArchiveEntry)
        #expect(error.item == "code/escape")
        try FileManager.default.removeItem(atPath: bundle + "/code/escape")
        #expect(mkfifo(bundle + "/model.pkl", 0o644) == 0)
        let fifoError = try #require(throws: ModelBundleError.self) {
            try BundleArchiver().pack(bundleAt: bundle, to: scratch.sub("b.zip"))
        }
        #expect(fifoError.code == .unsafeArchiveEntry)
        #expect(fifoError.item == "model.pkl")
        #expect(scratch.listing().filter { !$0.hasPrefix("bundle") }.isEmpty)
    }

    @Test func packRefusesAnExistingOutputAndLeavesIt() throws {
        let scratch = try ScratchDirectory()
        let bundle = scratch.sub("bundle")
        try ArchiveFixtures.makeBundle(at: bundle)
        try Data("precious".utf8).write(to: URL(fileURLWithPath: scratch.sub("b.tar.gz")))
        let error = try #require(throws: ModelBundleError.self) {
            try BundleArchiver().pack(bundleAt: bundle, to: scratch.sub("b.tar.gz"))
        }
        #expect(error.code == .targetExists)
        #expect(try String(contentsOfFile: scratch.sub("b.tar.gz"), encoding: .utf8) == "precious")
        #expect(scratch.listing().filter { !$0.hasPrefix("bundle") } == ["b.tar.gz"])
    }

    /// Decision (security.md §2b asks to decide): bytes after the tar end blocks or the gzip member
    /// are ignored, as GNU tar and libarchive do. Every entry before them was fully validated, and
    /// `checksums.sha256` still guards content; refusing would need byte-exact end detection that
    /// libarchive's read-ahead does not offer.
    @Test(arguments: [ArchiveFormat.tarGzip, .zip])
    func trailingBytesAfterTheArchiveAreIgnored(_ format: ArchiveFormat) throws {
        let scratch = try ScratchDirectory()
        let original = try ArchiveFixtures.makeBundle(at: scratch.sub("bundle"))
        let archive = scratch.sub(format == .zip ? "b.zip" : "b.tar.gz")
        try BundleArchiver().pack(bundleAt: scratch.sub("bundle"), to: archive)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: archive))
        handle.seekToEndOfFile()
        handle.write(Data(repeating: 0x5A, count: 3000))
        try handle.close()
        try BundleUnpacker().unpack(archiveAt: archive, to: scratch.sub("out"))
        #expect(try ArchiveFixtures.readTree(scratch.sub("out")) == original)
    }

    @Test func archivesMadeByOtherToolsUnpack() throws {
        // `tar czf` of "." writes "./" prefixes and a root entry; both are accepted by design.
        let scratch = try ScratchDirectory()
        let bundle = scratch.sub("bundle")
        let original = try ArchiveFixtures.makeBundle(at: bundle)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tar", "czf", scratch.sub("gnu.tar.gz"), "-C", bundle, "."]
        try process.run()
        process.waitUntilExit()
        try BundleUnpacker().unpack(archiveAt: scratch.sub("gnu.tar.gz"), to: scratch.sub("out"))
        #expect(try ArchiveFixtures.readTree(scratch.sub("out")) == original)
    }
}
