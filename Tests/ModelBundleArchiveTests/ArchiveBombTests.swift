import Foundation
import ModelBundle
import SystemPlatform
import TestSupport
import Testing

@testable import ModelBundleArchive

/// `reference/security.md` §6c rows 39–40: decompression bombs and entry floods, built at run time
/// by streaming (never committed), must be refused within seconds and small memory.
@Suite(.serialized) struct ArchiveBombTests {
    /// Peak resident set size of this process so far, in bytes.
    static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }

    /// An archive holding one entry of `size` zero bytes, written in 1 MiB chunks.
    static func writeZeros(at path: String, format: ArchiveFormat, size: Int64, name: String = "zeros.bin") throws {
        let level = format == .zip ? "zip:compression-level=1" : "gzip:compression-level=1"
        try ArchiveFixtures.writeArchive(at: path, format: format, options: [level]) { writer in
            try writer.addFile(name, size: size) { (emit) throws(ModelBundleError) in
                let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
                defer { chunk.deallocate() }
                chunk.initializeMemory(as: UInt8.self, repeating: 0)
                var left = size
                while left > 0 {
                    let count = Int(min(left, Int64(chunk.count)))
                    try emit(UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
                    left -= Int64(count)
                }
            }
        }
    }

    @Test(arguments: [ArchiveFormat.tarGzip, .zip])
    func oneGibibyteOfZerosIsRefusedQuickly(_ format: ArchiveFormat) throws {
        let scratch = try ScratchDirectory()
        let archive = scratch.sub(format == .zip ? "bomb.zip" : "bomb.tar.gz")
        try Self.writeZeros(at: archive, format: format, size: 1 << 30)
        let compressed = try #require(try FileManager.default.attributesOfItem(atPath: archive)[.size] as? Int)
        #expect(compressed < 8 << 20, "the bomb should be small: \(compressed) bytes")
        let peakBefore = Self.peakResidentBytes()
        let clock = ContinuousClock()
        let started = clock.now
        let error = try #require(throws: ModelBundleError.self) {
            try BundleUnpacker().unpack(archiveAt: archive, to: scratch.sub("out"))
        }
        let elapsed = clock.now - started
        #expect(error.code == .archiveLimitExceeded)
        #expect(error.item == "zeros.bin")
        #expect(elapsed < .seconds(5), "took \(elapsed)")
        // Unpacking streams: memory must not grow with the expanded size.
        #expect(Self.peakResidentBytes() - peakBefore < 64 << 20)
        #expect(scratch.listing() == [archive.split(separator: "/").last.map(String.init) ?? ""])
    }

    @Test func perFileAndTotalSizeLimitsApply() throws {
        let scratch = try ScratchDirectory()
        let archive = scratch.sub("big.tar.gz")
        try Self.writeZeros(at: archive, format: .tarGzip, size: 3 << 20)
        let limits = ArchiveLimits(maximumFileSize: 1 << 20)
        let error = try #require(throws: ModelBundleError.self) {
            try BundleUnpacker(limits: limits).unpack(archiveAt: archive, to: scratch.sub("out"))
        }
        #expect(error.code == .archiveLimitExceeded)
        #expect(error.item == "zeros.bin")
        let totalError = try #require(throws: ModelBundleError.self) {
            try BundleUnpacker(limits: ArchiveLimits(maximumTotalSize: 2 << 20)).unpack(
                archiveAt: archive,
                to: scratch.sub("out")
            )
        }
        #expect(totalError.code == .archiveLimitExceeded)
        #expect(scratch.listing() == ["big.tar.gz"])
    }

    @Test func ratioBelowTheFloorIsAccepted() throws {
        // 32 MiB of zeros compresses ~1 000:1 but stays under the 64 MiB floor: a legitimate
        // all-zero tensor must unpack.
        let scratch = try ScratchDirectory()
        let archive = scratch.sub("zeros.tar.gz")
        try Self.writeZeros(at: archive, format: .tarGzip, size: 32 << 20)
        try BundleUnpacker().unpack(archiveAt: archive, to: scratch.sub("out"))
        let size = try FileManager.default.attributesOfItem(atPath: scratch.sub("out/zeros.bin"))[.size] as? Int
        #expect(size == 32 << 20)
    }

    @Test func aMillionEmptyEntriesAreRefusedAtTheCountLimit() throws {
        let scratch = try ScratchDirectory()
        let archive = scratch.sub("flood.tar.gz")
        try ArchiveFixtures.writeArchive(at: archive, format: .tarGzip, options: ["gzip:compression-level=1"]) {
            writer in
            for index in 0..<1_000_000 {
                try writer.addRawEntry(
                    nameBytes: Array("f\(index)".utf8),
                    fileType: ArchiveFixtures.regularFile,
                    size: 0
                )
            }
        }
        let clock = ContinuousClock()
        let started = clock.now
        let error = try #require(throws: ModelBundleError.self) {
            try BundleUnpacker().unpack(archiveAt: archive, to: scratch.sub("out"))
        }
        #expect(error.code == .archiveLimitExceeded)
        #expect(error.item == "f10000")
        #expect(clock.now - started < .seconds(10))
        #expect(scratch.listing() == ["flood.tar.gz"])
    }

    @Test func timeLimitStopsTheUnpack() throws {
        let scratch = try ScratchDirectory()
        let archive = scratch.sub("slow.tar.gz")
        try Self.writeZeros(at: archive, format: .tarGzip, size: 8 << 20)
        let error = try #require(throws: ModelBundleError.self) {
            try BundleUnpacker(limits: ArchiveLimits(timeLimitSeconds: 0)).unpack(
                archiveAt: archive,
                to: scratch.sub("out")
            )
        }
        #expect(error.code == .archiveLimitExceeded)
        #expect(scratch.listing() == ["slow.tar.gz"])
    }
}

/// A zip whose central directory lists the same compressed data under many names (the
/// overlapping-entry idea of David Fifield's bombs). libarchive 3.6.2's seekable zip reader keys
/// entries by local-header offset and keeps one per offset, so the copies never amplify; this test
/// pins that: the archive is either refused or yields no more than the one kernel entry.
@Suite struct OverlappingZipBombTests {
    static func le16(_ data: Data, _ at: Int) -> Int { Int(data[at]) | Int(data[at + 1]) << 8 }
    static func le32(_ data: Data, _ at: Int) -> Int { le16(data, at) | le16(data, at + 2) << 16 }
    static func put16(_ data: inout Data, _ at: Int, _ value: Int) {
        data[at] = UInt8(value & 0xFF)
        data[at + 1] = UInt8((value >> 8) & 0xFF)
    }
    static func put32(_ data: inout Data, _ at: Int, _ value: Int) {
        put16(&data, at, value & 0xFFFF)
        put16(&data, at + 2, (value >> 16) & 0xFFFF)
    }

    @Test func overlappingEntriesAreRefused() throws {
        let scratch = try ScratchDirectory()
        let kernel = scratch.sub("kernel.zip")
        try ArchiveBombTests.writeZeros(at: kernel, format: .zip, size: 48 << 20, name: "k0000")
        let zip = try ArchiveFixtures.bytes(at: kernel)
        // End of central directory: the last 22 bytes (no comment).
        let end = zip.count - 22
        #expect(Self.le32(zip, end) == 0x0605_4B50)
        let directoryOffset = Self.le32(zip, end + 16)
        let directorySize = Self.le32(zip, end + 12)
        let record = zip.subdata(in: directoryOffset..<(directoryOffset + directorySize))
        #expect(Self.le32(record, 0) == 0x0201_4B50)
        #expect(Self.le16(record, 10) == 8, "the kernel must be deflated")
        // 64 central records, all pointing at the one local header, each with its own name.
        var bomb = zip.prefix(directoryOffset)
        let count = 64
        for index in 0..<count {
            var copy = record
            let name = Array(String(format: "k%04d", index).utf8)
            for (offset, byte) in name.enumerated() { copy[46 + offset] = byte }
            bomb.append(copy)
        }
        var trailer = zip.suffix(22)
        let base = trailer.startIndex
        Self.put16(&trailer, base + 8, count)
        Self.put16(&trailer, base + 10, count)
        Self.put32(&trailer, base + 12, record.count * count)
        Self.put32(&trailer, base + 16, directoryOffset)
        bomb.append(trailer)
        let path = scratch.sub("overlap.zip")
        try bomb.write(to: URL(fileURLWithPath: path))
        let clock = ContinuousClock()
        let started = clock.now
        do {
            try BundleUnpacker().unpack(archiveAt: path, to: scratch.sub("out"))
            let produced = try ArchiveFixtures.readTree(scratch.sub("out")).values.reduce(0) { $0 + $1.count }
            #expect(produced <= 48 << 20, "the overlapping entries were expanded: \(produced) bytes")
            try FileManager.default.removeItem(atPath: scratch.sub("out"))
        } catch let error as ModelBundleError {
            #expect(
                error.code == .archiveLimitExceeded || error.code == .archiveCorrupt,
                "\(error.code): \(error.message)"
            )
        }
        #expect(clock.now - started < .seconds(5))
        #expect(scratch.listing() == ["kernel.zip", "overlap.zip"])
    }
}
