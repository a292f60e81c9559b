/// Bounds on what unpacking an archive may produce (`reference/security.md` §2b).
///
/// libarchive has no decompression-bomb guard of its own, so every limit is enforced by counting
/// what its read API produces, before the bytes reach the disk.
public struct ArchiveLimits: Sendable, Hashable {
    /// The most entries (files and directories) an archive may hold.
    public var maximumEntryCount: Int
    /// The most bytes all files together may expand to.
    public var maximumTotalSize: Int64
    /// The most bytes one file may expand to.
    public var maximumFileSize: Int64
    /// The largest accepted ratio of bytes produced to bytes read from the archive file, enforced
    /// once more than ``ratioFloor`` bytes have been produced (all-zero tensors compress about
    /// 1 000:1, so small bundles must not trip it).
    public var maximumCompressionRatio: Int64
    /// How many produced bytes are tolerated before the ratio is enforced.
    public var ratioFloor: Int64
    /// The longest entry name accepted, in UTF-8 bytes.
    public var maximumPathLength: Int
    /// The deepest entry name accepted, in components.
    public var maximumPathDepth: Int
    /// Wall-clock time allowed for the whole unpack, in seconds; a CPU-bound decoder loop cannot
    /// hold the process longer than this.
    public var timeLimitSeconds: Int

    public init(
        maximumEntryCount: Int = 10_000,
        maximumTotalSize: Int64 = 16 << 30,
        maximumFileSize: Int64 = 8 << 30,
        maximumCompressionRatio: Int64 = 200,
        ratioFloor: Int64 = 64 << 20,
        maximumPathLength: Int = 1024,
        maximumPathDepth: Int = 32,
        timeLimitSeconds: Int = 600
    ) {
        self.maximumEntryCount = maximumEntryCount
        self.maximumTotalSize = maximumTotalSize
        self.maximumFileSize = maximumFileSize
        self.maximumCompressionRatio = maximumCompressionRatio
        self.ratioFloor = ratioFloor
        self.maximumPathLength = maximumPathLength
        self.maximumPathDepth = maximumPathDepth
        self.timeLimitSeconds = timeLimitSeconds
    }

    /// The defaults recommended by `security.md` §2b.
    public static let standard = ArchiveLimits()
}
