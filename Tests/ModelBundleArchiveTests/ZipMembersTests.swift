import Foundation
import ModelBundle
import ModelBundleArchive
import Testing

/// ``ZipMembers``: in-memory zips (skops files) read through libarchive with the bundle archives'
/// name rules and limits; every hostile shape is refused with its code and the offending item.
@Suite struct ZipMembersTests {
    typealias Entry = ZipMembersBuilder.Entry

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func zip(_ entries: [Entry]) -> [UInt8] {
        ZipMembersBuilder(entries: entries).bytes()
    }

    static func refusal(
        _ bytes: [UInt8],
        limits: ArchiveLimits = .standard,
        allowsCompression: Bool = true
    ) -> ModelBundleError? {
        do {
            _ = try ZipMembers(
                bytes: bytes,
                fileName: "model.skops",
                limits: limits,
                allowsCompression: allowsCompression
            )
            return nil
        } catch {
            return error
        }
    }

    // MARK: - Accepted

    @Test("stored and deflated members are read back byte for byte, in archive order")
    func readsMembers() throws {
        let text = Array("{\"protocol\": 2}".utf8)
        let archive = Self.zip([Entry("schema.json", text), .deflatedZeros("123.npy", count: 100_000)])
        let members = try ZipMembers(bytes: archive, fileName: "model.skops")
        #expect(members.members.map(\.name) == ["schema.json", "123.npy"])
        #expect(members["schema.json"] == text)
        #expect(members["123.npy"] == [UInt8](repeating: 0, count: 100_000))
        #expect(members["absent"] == nil)
    }

    @Test("a local member the central directory does not list is not read (Python's zipfile ignores it too)")
    func unlistedLocalMember() throws {
        var hidden = Entry("hidden.npy", [9])
        hidden.hiddenFromDirectory = true
        let members = try ZipMembers(bytes: Self.zip([Entry("schema.json", [1]), hidden]), fileName: "model.skops")
        #expect(members.members.map(\.name) == ["schema.json"])
        #expect(members["hidden.npy"] == nil)
    }

    /// Names and sizes as Python's zipfile lists them for the committed fixtures.
    static let skopsMembers = [
        "140159155318928.npy", "140159155313936.npy", "140159155319600.npy", "140159155319408.npy", "schema.json",
    ]

    @Test("a real skops file (MLflow's) reads as zipfile lists it")
    func realSkops() throws {
        let bytes = try Array(
            Data(contentsOf: Self.fixtures.appendingPathComponent("mlflow/logreg_binary_skops/model.skops"))
        )
        let members = try ZipMembers(bytes: bytes, fileName: "model.skops", allowsCompression: false)
        #expect(members.members.map(\.name) == Self.skopsMembers)
        #expect(members.members.map(\.bytes.count) == [144, 132, 152, 136, 9551])
        #expect(members["schema.json"]?.first == UInt8(ascii: "{"))
    }

    @Test("a deflated skops file is read when compression is allowed and refused, naming the member, when not")
    func deflatedSkops() throws {
        let bytes = try Array(Data(contentsOf: Self.fixtures.appendingPathComponent("sklearn/logreg_deflated.skops")))
        let members = try ZipMembers(bytes: bytes, fileName: "model.skops")
        #expect(members.members.map(\.bytes.count) == [144, 132, 152, 136, 8019])
        let error = try #require(Self.refusal(bytes, allowsCompression: false))
        #expect(error.code == .archiveUnsupported)
        #expect(error.item == "model.skops:140258281434992.npy")
    }

    // MARK: - Refused

    /// One hostile archive each: its bytes, the code and the item the refusal must carry.
    static func hostile(_ name: String) -> (bytes: [UInt8], code: ModelBundleError.Code, item: String) {
        let good = Entry("schema.json", Array("{}".utf8))
        switch name {
        case "traversal":
            return (zip([good, Entry("../evil.npy", [1])]), .unsafeArchiveEntry, "model.skops:../evil.npy")
        case "absolute":
            return (zip([Entry("/etc/passwd", [1])]), .unsafeArchiveEntry, "model.skops:/etc/passwd")
        case "backslash":
            return (zip([Entry("a\\b.npy", [1])]), .unsafeArchiveEntry, "model.skops:a\\b.npy")
        case "duplicate":
            return (zip([good, Entry("schema.json", [1])]), .unsafeArchiveEntry, "model.skops:schema.json")
        case "duplicate by case":
            return (zip([good, Entry("SCHEMA.json", [1])]), .unsafeArchiveEntry, "model.skops:SCHEMA.json")
        case "symlink":
            var link = Entry("link.npy", Array("/etc/passwd".utf8))
            link.unixMode = 0o120777
            return (zip([good, link]), .unsafeArchiveEntry, "model.skops:link.npy")
        case "directory":
            var directory = Entry("dir/", [])
            directory.unixMode = 0o040755
            return (zip([directory]), .unsafeArchiveEntry, "model.skops:dir/")
        case "encrypted":
            var secret = Entry("secret.npy", [1, 2, 3])
            secret.flags = 1
            return (zip([good, secret]), .archiveUnsupported, "model.skops:secret.npy")
        case "truncated":
            let bytes = zip([good, Entry("1.npy", [UInt8](repeating: 7, count: 1000))])
            return (Array(bytes.prefix(bytes.count - 40)), .archiveCorrupt, "model.skops")
        case "bad crc":
            var damaged = Entry("1.npy", [1, 2, 3, 4])
            damaged.crc ^= 0xFFFF
            return (zip([good, damaged]), .archiveCorrupt, "model.skops:1.npy")
        case "names disagree":
            var twoFaced = Entry("1.npy", [1])
            twoFaced.centralName = Array("2.npy".utf8)
            return (zip([twoFaced]), .archiveCorrupt, "model.skops:2.npy")
        case "overlapping members":
            var overlap = Entry("b.npy", [UInt8](repeating: 1, count: 64))
            overlap.sharesLocalHeaderOf = 0
            return (zip([Entry("a.npy", [UInt8](repeating: 1, count: 64)), overlap]), .archiveCorrupt, "model.skops")
        case "trailing data":
            return (zip([good]) + [0, 1, 2, 3], .archiveCorrupt, "model.skops")
        case "bzip2":
            var other = Entry("1.npy", [1])
            other.method = 12
            return (zip([other]), .archiveUnsupported, "model.skops:1.npy")
        case "not a zip":
            return (Array("this is plain text, not an archive at all".utf8), .archiveCorrupt, "model.skops")
        case "empty":
            return ([], .archiveCorrupt, "model.skops")
        default:
            return ([], .ioFailure, name)
        }
    }

    @Test(
        "a hostile in-memory zip is refused with its code, naming the archive or the member",
        arguments: [
            "traversal", "absolute", "backslash", "duplicate", "duplicate by case", "symlink", "directory",
            "encrypted", "truncated", "bad crc", "names disagree", "overlapping members",
            "trailing data", "bzip2", "not a zip", "empty",
        ]
    )
    func hostileZip(_ name: String) throws {
        let (bytes, code, item) = Self.hostile(name)
        let error = try #require(Self.refusal(bytes), "\(name) was accepted")
        #expect(error.code == code, "\(name): \(error)")
        #expect(error.item == item, "\(name): \(error)")
        #expect(error.message.contains("model.skops"), "\(name): \(error)")
    }

    @Test("a zip bomb past the compression ratio is refused, naming the member")
    func ratioBomb() throws {
        let archive = Self.zip([.deflatedZeros("bomb.npy", count: 4 << 20)])
        // The stream is about 160 times smaller than its output: within the standard ratio (200)…
        #expect(Self.refusal(archive) == nil)
        // …and refused once the ratio allowed is lower.
        let limits = ArchiveLimits(maximumCompressionRatio: 50, ratioFloor: 1 << 20)
        let error = try #require(Self.refusal(archive, limits: limits))
        #expect(error.code == .archiveLimitExceeded)
        #expect(error.item == "model.skops:bomb.npy")
        #expect(error.message.contains("decompression bomb"))
    }

    @Test("members past the per-member or total size limits are refused, naming the member")
    func sizeLimits() throws {
        let archive = Self.zip([.deflatedZeros("a.npy", count: 3000), .deflatedZeros("b.npy", count: 3000)])
        let perMember = try #require(Self.refusal(archive, limits: ArchiveLimits(maximumFileSize: 2000)))
        #expect(perMember.code == .archiveLimitExceeded)
        #expect(perMember.item == "model.skops:a.npy")
        let total = try #require(
            Self.refusal(archive, limits: ArchiveLimits(maximumTotalSize: 5000, maximumFileSize: 4000))
        )
        #expect(total.code == .archiveLimitExceeded)
        #expect(total.item == "model.skops:b.npy")
    }

    @Test("a member whose header understates its size is refused while it expands, before the bytes are kept")
    func understatedSize() throws {
        var liar = Entry.deflatedZeros("liar.npy", count: 50_000)
        liar.size = 10
        let error = try #require(
            Self.refusal(Self.zip([liar]), limits: ArchiveLimits(maximumFileSize: 20_000))
        )
        #expect([.archiveLimitExceeded, .archiveCorrupt].contains(error.code), "\(error)")
        #expect(error.item == "model.skops:liar.npy")
    }

    @Test("more members than the limit are refused before any is read")
    func tooManyMembers() throws {
        let archive = Self.zip((0..<11).map { Entry("\($0).npy", [UInt8($0)]) })
        let error = try #require(Self.refusal(archive, limits: ArchiveLimits(maximumEntryCount: 10)))
        #expect(error.code == .archiveLimitExceeded)
        #expect(error.item == "model.skops")
        #expect(Self.refusal(archive, limits: ArchiveLimits(maximumEntryCount: 11)) == nil)
    }
}
