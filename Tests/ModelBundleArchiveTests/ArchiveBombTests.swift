import Foundation
import ModelBundle
@testable import ModelBundleArchive
import Testing

#if canImport(Glibc)
import Glibc
#endif

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
            try BundleUnpacker(limits: ArchiveLimits(maximumTotalSize: 2 << 20)).unpack(archiveAt: archive, to: scratch.sub("out"))
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
        try ArchiveFixtures.writeArchive(at: archive, format: .tarGzip, options: ["gzip:compression-level=1"]) { writer in
            for index in 0..<1_000_000 {
                try writer.addRawEntry(nameBytes: Array("f\(index)".utf8), fileType: ArchiveFixtures.regularFile, size: 0)
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
            try BundleUnpacker(limits: ArchiveLimits(timeLimitSeconds: 0)).unpack(archiveAt: archive, to: scratch.sub("out"))
        }
        #expect(error.code == .archiveLimitExceeded)
        #expect(scratch.listing() == ["slow.tar.gz"])
    }
}
