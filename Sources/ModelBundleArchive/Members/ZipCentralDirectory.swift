import ModelBundle

/// The central directory of an in-memory zip: what Python's `zipfile` (and so skops) reads, while
/// libarchive reads the local headers. ``ZipMembers`` and ``StoredZipMembers`` require the two
/// views to agree, so a file crafted to show one content to Python and another to us is refused.
///
/// Only the framing is read here — no data, no decompression, no CRC (libarchive or
/// ``StoredZipMembers`` do those): the end record must end the file (after its comment), there is
/// one disk and no zip64, and the directory's entries must fill exactly the bytes the end record
/// gives them. Every offset is checked against the buffer before it is read.
struct ZipCentralDirectory {
    struct Entry {
        /// The name bytes as stored.
        var name: [UInt8]
        var isEncrypted: Bool
        /// 0 stored, 8 deflate, anything else refused by the caller.
        var method: UInt16
        /// Uncompressed size.
        var size: Int
        /// A trailing `/` or a directory mode bit.
        var isDirectory: Bool
        /// The Unix file type bits (`S_IFMT`) when the entry was made on Unix, else 0.
        var unixFileType: UInt32
        var crc32: UInt32
        var compressedSize: Int
        /// Where the member's local header starts.
        var localHeaderOffset: Int
    }

    /// Where the central directory starts: no member's bytes may reach it.
    private(set) var directoryOffset = 0

    private(set) var entries: [Entry] = []

    init(bytes: [UInt8], fileName: String, limits: ArchiveLimits) throws(ModelBundleError) {
        func corrupt(_ message: String) -> ModelBundleError {
            ModelBundleError(.archiveCorrupt, "\(fileName): \(message); it was refused", item: fileName)
        }
        guard let end = Self.endRecord(bytes) else {
            throw corrupt("not a zip archive (no end-of-central-directory record at its end)")
        }
        let entryCount = Int(Self.u16(bytes, end + 10))
        let directorySize = Int(Self.u32(bytes, end + 12))
        let directoryOffset = Int(Self.u32(bytes, end + 16))
        guard Self.u16(bytes, end + 4) == 0, Self.u16(bytes, end + 6) == 0, Int(Self.u16(bytes, end + 8)) == entryCount
        else {
            throw corrupt("multi-disk zip archives are not supported")
        }
        guard entryCount != 0xFFFF, directorySize != 0xFFFF_FFFF, directoryOffset != 0xFFFF_FFFF else {
            throw ModelBundleError(
                .archiveUnsupported,
                "\(fileName) is a zip64 archive, which is not supported here",
                item: fileName
            )
        }
        guard entryCount <= limits.maximumEntryCount else {
            throw ModelBundleError(
                .archiveLimitExceeded,
                "\(fileName) lists \(entryCount) members, more than the limit of \(limits.maximumEntryCount); "
                    + "it was refused",
                item: fileName
            )
        }
        guard directoryOffset <= end, directorySize == end - directoryOffset else {
            throw corrupt("its central directory does not end where the end record begins")
        }
        self.directoryOffset = directoryOffset
        var position = directoryOffset
        entries.reserveCapacity(entryCount)
        for index in 0..<entryCount {
            guard position + 46 <= end, Self.u32(bytes, position) == 0x0201_4B50 else {
                throw corrupt("central directory entry \(index) is malformed")
            }
            let nameLength = Int(Self.u16(bytes, position + 28))
            let next =
                position + 46 + nameLength + Int(Self.u16(bytes, position + 30))
                + Int(Self.u16(bytes, position + 32))
            guard next <= end else {
                throw corrupt("central directory entry \(index) runs past the directory")
            }
            let name = Array(bytes[(position + 46)..<(position + 46 + nameLength)])
            // Unix mode bits sit in the high half of the external attributes when made on Unix (3).
            let unixMode = Self.u16(bytes, position + 4) >> 8 == 3 ? Self.u32(bytes, position + 38) >> 16 : 0
            entries.append(
                Entry(
                    name: name,
                    isEncrypted: Self.u16(bytes, position + 8) & 0x0001 != 0,
                    method: Self.u16(bytes, position + 10),
                    size: Int(Self.u32(bytes, position + 24)),
                    isDirectory: name.last == UInt8(ascii: "/") || unixMode & 0o170000 == 0o040000,
                    unixFileType: unixMode & 0o170000,
                    crc32: Self.u32(bytes, position + 16),
                    compressedSize: Int(Self.u32(bytes, position + 20)),
                    localHeaderOffset: Int(Self.u32(bytes, position + 42))
                )
            )
            position = next
        }
        guard position == end else {
            throw corrupt("its central directory holds bytes its entries do not account for")
        }
    }

    /// The end record's offset when it ends the file (22 bytes plus its comment), else `nil`:
    /// bytes appended after a zip are refused, not ignored.
    private static func endRecord(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 22 else { return nil }
        var candidate = bytes.count - 22
        let lowest = max(0, candidate - 0xFFFF)
        while candidate >= lowest {
            if u32(bytes, candidate) == 0x0605_4B50, candidate + 22 + Int(u16(bytes, candidate + 20)) == bytes.count {
                return candidate
            }
            candidate -= 1
        }
        return nil
    }

    /// Little-endian reads; out-of-range reads give 0 (every caller has bounded the offset already).
    static func u16(_ bytes: [UInt8], _ offset: Int) -> UInt16 {
        guard offset >= 0, offset + 2 <= bytes.count else { return 0 }
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    static func u32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        guard offset >= 0, offset + 4 <= bytes.count else { return 0 }
        return UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
            | UInt32(bytes[offset + 3]) << 24
    }
}
