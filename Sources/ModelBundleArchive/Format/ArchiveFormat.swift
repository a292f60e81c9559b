/// The single-file bundle formats this package writes and reads.
///
/// Only these are accepted on input (`reference/security.md` §0.3): the other formats libarchive
/// knows (rar, 7z, cpio, iso9660, mtree, …) are where nearly all of its memory-safety bugs live.
public enum ArchiveFormat: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// A pax-restricted (ustar) tar stream compressed with gzip. Plain, uncompressed tar is read too.
    case tarGzip = "tar.gz"
    /// A zip file with deflated entries.
    case zip

    public var description: String { rawValue }

    /// The format named by a file's extension: `.tar.gz` and `.tgz` are tar+gzip, `.zip` is zip.
    /// Used to choose what to *write*; what is read is decided by content (``detect(header:)``).
    public init?(fileName: String) {
        let lower = fileName.lowercased()
        if lower.hasSuffix(".tar.gz") || lower.hasSuffix(".tgz") {
            self = .tarGzip
        } else if lower.hasSuffix(".zip") {
            self = .zip
        } else {
            return nil
        }
    }

    /// How many leading bytes ``detect(header:)`` wants to see (the ustar magic sits at offset 257).
    public static let detectionLength = 512

    /// Decides the format from a file's first bytes, never from its name, so a rar or 7z renamed
    /// `.tar.gz` is refused (a guard keyed on extensions is bypassable, `security.md` §1a).
    ///
    /// - Returns: the format, or `nil` when the bytes are neither gzip, zip nor a tar header.
    public static func detect(header: some Collection<UInt8>) -> ArchiveFormat? {
        let bytes = Array(header.prefix(detectionLength))
        if bytes.starts(with: [0x1F, 0x8B]) { return .tarGzip }
        // A local file header, or the end-of-central-directory record of an empty zip.
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) || bytes.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
            return .zip
        }
        // An uncompressed tar: "ustar" at offset 257 (POSIX and GNU variants).
        if bytes.count >= 262, Array(bytes[257..<262]) == Array("ustar".utf8) { return .tarGzip }
        return nil
    }

    /// A short name for the formats we refuse, so the error can say what the file really is.
    static func nameOfRefusedFormat(header: [UInt8]) -> String? {
        let known: [(magic: [UInt8], name: String)] = [
            (Array("Rar!".utf8), "RAR"),
            ([0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C], "7z"),
            (Array("070707".utf8), "cpio"),
            (Array("070701".utf8), "cpio"),
            (Array("070702".utf8), "cpio"),
            ([0xC7, 0x71], "cpio"),
            ([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], "xz"),
            (Array("BZh".utf8), "bzip2"),
            ([0x28, 0xB5, 0x2F, 0xFD], "zstd"),
            (Array("#mtree".utf8), "mtree"),
            (Array("xar!".utf8), "xar"),
            (Array("MSCF".utf8), "cab"),
            (Array("!<arch>".utf8), "ar"),
        ]
        for (magic, name) in known where header.starts(with: magic) { return name }
        if header.count >= 32774, Array(header[32769..<32774]) == Array("CD001".utf8) { return "ISO 9660" }
        return nil
    }
}
