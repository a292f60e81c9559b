import Foundation
import ModelBundle
import ModelBundleArchive
import Testing

/// ``ZipMembers`` and ``StoredZipMembers``: in-memory zips (skops files) read through libarchive, or
/// located in place when every member is stored, with the bundle archives' name rules and limits;
/// every hostile shape is refused by both with its code and the offending item.
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
        // Through libarchive (compression allowed) and through the stored-only reader (skops).
        for allowsCompression in [true, false] {
            let error = try #require(
                Self.refusal(bytes, allowsCompression: allowsCompression),
                "\(name) was accepted (allowsCompression: \(allowsCompression))"
            )
            #expect(error.code == code, "\(name), allowsCompression \(allowsCompression): \(error)")
            #expect(error.item == item, "\(name), allowsCompression \(allowsCompression): \(error)")
            #expect(error.message.contains("model.skops"), "\(name): \(error)")
        }
    }

    // MARK: - Stored members, located in place (StoredZipMembers, what skops files are read with)

    @Test("stored members are located in the archive's own bytes, in directory order, with their names")
    func storedMembersInPlace() throws {
        let first = Array("{\"protocol\": 2}".utf8)
        let second = [UInt8](repeating: 7, count: 1000)
        let bytes = Self.zip([Entry("schema.json", first), Entry("1.npy", second), Entry("empty.npy", [])])
        let stored = try StoredZipMembers(bytes: bytes, fileName: "model.skops", limits: .standard)
        #expect(stored.members.map(\.name) == ["schema.json", "1.npy", "empty.npy"])
        #expect(stored.members.map { Array(bytes[$0.range]) } == [first, second, []])
        // The first member's data follows its 30-byte local header and its 11-byte name.
        #expect(stored.members[0].range == 41..<(41 + first.count))
        let copied = try ZipMembers(bytes: bytes, fileName: "model.skops", allowsCompression: false)
        #expect(copied.members.map(\.bytes) == [first, second, []])
    }

    @Test("a real skops file (MLflow's) is located as zipfile lists it, without libarchive")
    func realSkopsInPlace() throws {
        let bytes = try Array(
            Data(contentsOf: Self.fixtures.appendingPathComponent("mlflow/logreg_binary_skops/model.skops"))
        )
        let stored = try StoredZipMembers(bytes: bytes, fileName: "model.skops", limits: .standard)
        #expect(stored.members.map(\.name) == Self.skopsMembers)
        #expect(stored.members.map(\.range.count) == [144, 132, 152, 136, 9551])
        #expect(bytes[stored.members[4].range].first == UInt8(ascii: "{"))
    }

    @Test("a stored member with a data descriptor (sizes and CRC after the data) is read by the central directory")
    func storedDataDescriptor() throws {
        var streamed = Entry("1.npy", [1, 2, 3, 4, 5])
        streamed.flags = 0x0008
        let bytes = Self.zip([streamed])
        let stored = try StoredZipMembers(bytes: bytes, fileName: "model.skops", limits: .standard)
        #expect(stored.members.map { Array(bytes[$0.range]) } == [[1, 2, 3, 4, 5]])
    }

    /// Byte-level damage the builder cannot express: each refused by the stored reader with its code.
    @Test(
        "a damaged stored archive is refused naming the archive or the member",
        arguments: ["local signature", "local crc", "local size", "header past the data", "stored sizes differ"]
    )
    func damagedStored(_ damage: String) throws {
        var bytes = Self.zip([Entry("schema.json", Array("{}".utf8)), Entry("1.npy", [1, 2, 3, 4])])
        // The second member's local header starts after the first's 30 + 11 + 2 bytes.
        let second = 43
        var item = "model.skops:1.npy"
        switch damage {
        case "local signature": bytes[second] = 0
        case "local crc": bytes[second + 14] ^= 0xFF
        case "local size": bytes[second + 22] = 9
        case "header past the data":
            // The central entry's local-header offset (46 bytes into the second central entry) moved
            // into the central directory itself.
            let centralSecond = second + 30 + 5 + 4 + 46 + 11
            bytes[centralSecond + 42] = 0xF0
            item = "model.skops"
        case "stored sizes differ":
            let centralSecond = second + 30 + 5 + 4 + 46 + 11
            bytes[centralSecond + 20] = 3
            bytes[second + 18] = 3
        default: Issue.record("unknown damage \(damage)")
        }
        let error = try #require(Self.refusal(bytes, allowsCompression: false), "\(damage) was accepted")
        #expect(error.code == .archiveCorrupt, "\(damage): \(error)")
        #expect(error.item == item, "\(damage): \(error)")
    }

    @Test("stored members past the per-member or total size limits are refused, naming the member")
    func storedSizeLimits() throws {
        let archive = Self.zip([
            Entry("a.npy", [UInt8](repeating: 1, count: 3000)), Entry("b.npy", [UInt8](repeating: 2, count: 3000)),
        ])
        let perMember = try #require(
            Self.refusal(archive, limits: ArchiveLimits(maximumFileSize: 2000), allowsCompression: false)
        )
        #expect(perMember.code == .archiveLimitExceeded)
        #expect(perMember.item == "model.skops:a.npy")
        let total = try #require(
            Self.refusal(
                archive,
                limits: ArchiveLimits(maximumTotalSize: 5000, maximumFileSize: 4000),
                allowsCompression: false
            )
        )
        #expect(total.code == .archiveLimitExceeded)
        #expect(total.item == "model.skops:b.npy")
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
