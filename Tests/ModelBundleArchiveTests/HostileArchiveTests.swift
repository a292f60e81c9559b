import Foundation
import ModelBundle
import TestSupport
import Testing

@testable import ModelBundleArchive

/// `reference/security.md` §6c rows 35–43: each hostile archive is built at run time, unpacked, and
/// must be refused with a typed error naming the entry, leaving nothing behind: the scratch
/// directory holds exactly the archive afterwards (no target, no staging directory, no escapee).
@Suite struct HostileArchiveTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let format: ArchiveFormat
        let expected: [ModelBundleError.Code]
        let item: String
        let options: [String]
        let passphrase: String?
        let build: @Sendable (ArchiveWriter) throws -> Void

        init(
            _ name: String,
            _ format: ArchiveFormat = .tarGzip,
            expect: ModelBundleError.Code...,
            item: String,
            options: [String] = [],
            passphrase: String? = nil,
            build: @escaping @Sendable (ArchiveWriter) throws -> Void
        ) {
            self.name = name
            self.format = format
            self.expected = expect
            self.item = item
            self.options = options
            self.passphrase = passphrase
            self.build = build
        }

        var testDescription: String { name }
    }

    static func file(_ writer: ArchiveWriter, _ name: String, _ text: String = "x") throws {
        try writer.addRawEntry(
            nameBytes: Array(name.utf8),
            fileType: ArchiveFixtures.regularFile,
            size: Int64(text.utf8.count),
            data: Array(text.utf8)
        )
    }

    static func special(_ writer: ArchiveWriter, _ name: String, type: UInt32) throws {
        try writer.addRawEntry(nameBytes: Array(name.utf8), fileType: type, size: 0)
    }

    static let cases: [Case] = [
        Case("traversal ../x", expect: .unsafeArchiveEntry, item: "../x") {
            try file($0, "MLmodel")
            try file($0, "../x")
        },
        Case("nested traversal a/../../x", expect: .unsafeArchiveEntry, item: "a/../../x") {
            try file($0, "a/../../x")
        },
        Case("absolute path", expect: .unsafeArchiveEntry, item: "/tmp/mbundle-abs-escape") {
            try file($0, "/tmp/mbundle-abs-escape")
        },
        Case("drive letter", expect: .unsafeArchiveEntry, item: "C:/x") { try file($0, "C:/x") },
        Case("backslash traversal", expect: .unsafeArchiveEntry, item: "..\\x") { try file($0, "..\\x") },
        Case("zip traversal", .zip, expect: .unsafeArchiveEntry, item: "../x") { try file($0, "../x") },
        Case("zip absolute", .zip, expect: .unsafeArchiveEntry, item: "/abs") { try file($0, "/abs") },
        Case("symlink entry", expect: .unsafeArchiveEntry, item: "link") {
            try $0.addRawEntry(nameBytes: Array("link".utf8), fileType: 0o120000, size: 0, symlink: "/etc/passwd")
        },
        Case("zip symlink entry", .zip, expect: .unsafeArchiveEntry, item: "link") {
            try $0.addRawEntry(nameBytes: Array("link".utf8), fileType: 0o120000, size: 0, symlink: "/etc/passwd")
        },
        Case("hardlink entry", expect: .unsafeArchiveEntry, item: "h") {
            try file($0, "MLmodel")
            try $0.addRawEntry(
                nameBytes: Array("h".utf8),
                fileType: ArchiveFixtures.regularFile,
                size: 0,
                hardlink: "MLmodel"
            )
        },
        Case("hardlink outside", expect: .unsafeArchiveEntry, item: "h") {
            try $0.addRawEntry(
                nameBytes: Array("h".utf8),
                fileType: ArchiveFixtures.regularFile,
                size: 0,
                hardlink: "../outside"
            )
        },
        Case("symlink then file through it", expect: .unsafeArchiveEntry, item: "d") {
            try $0.addRawEntry(nameBytes: Array("d".utf8), fileType: 0o120000, size: 0, symlink: "/tmp")
            try file($0, "d/pwn.txt")
        },
        Case("FIFO entry", expect: .unsafeArchiveEntry, item: "model.pkl") {
            try special($0, "model.pkl", type: 0o010000)
        },
        Case("character device", expect: .unsafeArchiveEntry, item: "c") { try special($0, "c", type: 0o020000) },
        Case("block device", expect: .unsafeArchiveEntry, item: "b") { try special($0, "b", type: 0o060000) },
        Case("duplicate names", expect: .unsafeArchiveEntry, item: "MLmodel") {
            try file($0, "MLmodel", "a")
            try file($0, "MLmodel", "b")
        },
        Case("case-folded duplicate", expect: .unsafeArchiveEntry, item: "mlmodel") {
            try file($0, "MLmodel")
            try file($0, "mlmodel")
        },
        Case("NFC/NFD duplicate", expect: .unsafeArchiveEntry, item: "e\u{301}.txt", options: ["hdrcharset=BINARY"]) {
            try file($0, "\u{e9}.txt")
            try file($0, "e\u{301}.txt")
        },
        Case("zip duplicate names", .zip, expect: .unsafeArchiveEntry, item: "MLmodel") {
            try file($0, "MLmodel")
            try file($0, "MLmodel")
        },
        Case("directory then file of same name", expect: .unsafeArchiveEntry, item: "code") {
            try special($0, "code/", type: ArchiveFixtures.directoryType)
            try file($0, "code")
        },
        Case("file used as a directory", expect: .unsafeArchiveEntry, item: "a/b") {
            try file($0, "a")
            try file($0, "a/b")
        },
        Case("10 KB path", expect: .archiveLimitExceeded, item: String(repeating: "p", count: 200)) {
            try file($0, String(repeating: "p", count: 10_000))
        },
        Case("depth 1000", expect: .archiveLimitExceeded, item: "a/a/a/a") {
            try file($0, String(repeating: "a/", count: 1000) + "x")
        },
        Case("depth 40, short names", expect: .archiveLimitExceeded, item: "d/d/d/d") {
            try file($0, String(repeating: "d/", count: 40) + "x")
        },
        Case("non-UTF-8 name", expect: .unsafeArchiveEntry, .archiveCorrupt, item: "", options: ["hdrcharset=BINARY"]) {
            try $0.addRawEntry(
                nameBytes: [0x66, 0xFF, 0xFE],
                fileType: ArchiveFixtures.regularFile,
                size: 1,
                data: [1]
            )
        },
        Case("control character in name", expect: .unsafeArchiveEntry, item: "a\\u{1b}[2Jb") {
            try file($0, "a\u{1b}[2Jb")
        },
        Case(
            "encrypted zip entry",
            .zip,
            expect: .archiveUnsupported,
            item: "secret.bin",
            options: ["zip:encryption=zipcrypt"],
            passphrase: "pw"
        ) { try file($0, "secret.bin", "hidden") },
        Case("sparse tar entry", expect: .unsafeArchiveEntry, item: "sparse.bin") {
            try $0.addRawEntry(
                nameBytes: Array("sparse.bin".utf8),
                fileType: ArchiveFixtures.regularFile,
                size: 1 << 20,
                sparseRegions: [(offset: 0, length: 512), (offset: (1 << 20) - 512, length: 512)],
                data: [UInt8](repeating: 7, count: 1024)
            )
        },
    ]

    @Test(arguments: cases)
    func hostileArchiveIsRefusedAndLeavesNothing(_ hostile: Case) throws {
        let scratch = try ScratchDirectory()
        let archive = scratch.sub(hostile.format == .zip ? "hostile.zip" : "hostile.tar.gz")
        try ArchiveFixtures.writeArchive(
            at: archive,
            format: hostile.format,
            options: hostile.options,
            passphrase: hostile.passphrase,
            hostile.build
        )
        let before = scratch.listing()
        let error = try #require(throws: ModelBundleError.self) {
            try BundleUnpacker().unpack(archiveAt: archive, to: scratch.sub("out"))
        }
        #expect(hostile.expected.contains(error.code), "\(error.code): \(error.message)")
        #expect(error.item?.hasPrefix(hostile.item) == true, "item was \(error.item ?? "nil")")
        #expect(scratch.listing() == before, "something was left next to the target")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/mbundle-abs-escape"))
    }

    static let otherFormats: [(String, [UInt8])] = {
        let rar: [UInt8] = Array("Rar!".utf8) + [0x1A, 0x07, 0x00] + [UInt8](repeating: 0x41, count: 64)
        let sevenZip: [UInt8] = [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C, 0x00, 0x04] + [UInt8](repeating: 0, count: 64)
        let cpio: [UInt8] = Array("070707".utf8) + [UInt8](repeating: 0x30, count: 100)
        let xz: [UInt8] = [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00] + [UInt8](repeating: 0, count: 64)
        return [
            ("RAR", rar), ("7z", sevenZip), ("cpio", cpio), ("xz", xz), ("text", Array("flavors: {}\n".utf8)),
            ("empty", []),
        ]
    }()

    @Test(arguments: otherFormats)
    func otherFormatRenamedTarGzIsRefused(_ kind: String, _ bytes: [UInt8]) throws {
        let scratch = try ScratchDirectory()
        let archive = scratch.sub("model.tar.gz")
        try Data(bytes).write(to: URL(fileURLWithPath: archive))
        let error = try #require(throws: ModelBundleError.self) {
            try BundleUnpacker().unpack(archiveAt: archive, to: scratch.sub("out"))
        }
        #expect(error.code == .archiveUnsupported)
        #expect(error.item == archive)
        #expect(scratch.listing() == ["model.tar.gz"])
    }

    @Test(arguments: [ArchiveFormat.tarGzip, .zip])
    func truncatedArchiveIsRefused(_ format: ArchiveFormat) throws {
        let scratch = try ScratchDirectory()
        try ArchiveFixtures.makeBundle(at: scratch.sub("bundle"), weightsSize: 200_000)
        let packed = scratch.sub(format == .zip ? "full.zip" : "full.tar.gz")
        try BundleArchiver().pack(bundleAt: scratch.sub("bundle"), to: packed)
        let bytes = try ArchiveFixtures.bytes(at: packed)
        let cut = scratch.sub(format == .zip ? "cut.zip" : "cut.tar.gz")
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cut))
        let before = scratch.listing()
        let error = try #require(throws: ModelBundleError.self) {
            try BundleUnpacker().unpack(archiveAt: cut, to: scratch.sub("out"))
        }
        #expect(error.code == .archiveCorrupt, "\(error.code): \(error.message)")
        #expect(scratch.listing() == before)
    }

    @Test func zipWithBadCRCIsRefusedNamingTheEntry() throws {
        let scratch = try ScratchDirectory()
        let archive = scratch.sub("crc.zip")
        let payload = "THE-PAYLOAD-" + String(repeating: "z", count: 40)
        try ArchiveFixtures.writeArchive(at: archive, format: .zip, options: ["zip:compression=store"]) {
            try Self.file($0, "weights.bin", payload)
        }
        var bytes = try ArchiveFixtures.bytes(at: archive)
        let marker = Data("THE-PAYLOAD-".utf8)
        let range = try #require(bytes.range(of: marker))
        bytes[range.lowerBound] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: archive))
        let error = try #require(throws: ModelBundleError.self) {
            try BundleUnpacker().unpack(archiveAt: archive, to: scratch.sub("out"))
        }
        #expect(error.code == .archiveCorrupt)
        #expect(error.item == "weights.bin")
        #expect(scratch.listing() == ["crc.zip"])
    }

    @Test func existingNonEmptyTargetIsRefusedAndUntouched() throws {
        let scratch = try ScratchDirectory()
        try ArchiveFixtures.makeBundle(at: scratch.sub("bundle"))
        try BundleArchiver().pack(bundleAt: scratch.sub("bundle"), to: scratch.sub("b.tar.gz"))
        let target = scratch.sub("target")
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: target + "/MLmodel"))
        let before = scratch.listing()
        let error = try #require(throws: ModelBundleError.self) {
            try BundleUnpacker().unpack(archiveAt: scratch.sub("b.tar.gz"), to: target)
        }
        #expect(error.code == .targetExists)
        #expect(error.item == target)
        #expect(scratch.listing() == before)
        #expect(try String(contentsOfFile: target + "/MLmodel", encoding: .utf8) == "keep me")
    }

    @Test func checksumMismatchNamesTheFile() throws {
        let scratch = try ScratchDirectory()
        let archive = scratch.sub("sums.tar.gz")
        // The digest of "original" (sha256sum), stored for a file whose content is different.
        let digest = "0682c5f2076f099c34cfdd15a9e063849ed437a49677e6fcc5b4198c76575be5"
        try ArchiveFixtures.writeArchive(at: archive, format: .tarGzip) {
            try Self.file($0, "MLmodel", "flavors: {}\n")
            try Self.file($0, "checksums.sha256", "\(digest)  model.safetensors\n")
            try Self.file($0, "model.safetensors", "tampered")
        }
        let error = try #require(throws: ModelBundleError.self) {
            try BundleUnpacker().unpack(archiveAt: archive, to: scratch.sub("out"))
        }
        #expect(error.code == .checksumMismatch)
        #expect(error.item == "model.safetensors")
        #expect(scratch.listing() == ["sums.tar.gz"])
    }
}
