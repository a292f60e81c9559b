import ModelBundle

/// The members of a skops file: a zip archive of `schema.json` plus `.npy` arrays, all stored
/// uncompressed (`skops.io.dump` writes `ZIP_STORED` unless asked otherwise, and MLflow never asks).
///
/// A strict, self-contained reader rather than libarchive because `ModelFlavors` does not link
/// `ModelBundleArchive`; it accepts only what skops writes and refuses the rest with
/// `archiveUnsupported`/`archiveCorrupt` naming the member: stored members only (no compression,
/// no encryption, no zip64), flat names with no directories, no duplicates, every local header
/// agreeing with the central directory, every CRC-32 checked, and nothing after the end record.
/// The whole file is already in memory (bounded by the caller), so no size from the archive can
/// cause an allocation beyond it.
struct SkopsZipReader {
    /// skops writes a handful of members per estimator; a pipeline of a few dozen steps stays far below.
    static let maximumMemberCount = 4096
    static let maximumNameLength = 255

    /// Member name → bytes, in central-directory order.
    private(set) var members: [(name: String, bytes: ArraySlice<UInt8>)] = []

    /// `fileName` names the archive in errors (`model.skops`).
    init(bytes: [UInt8], fileName: String) throws(ModelBundleError) {
        func corrupt(_ message: String, member: String? = nil) -> ModelBundleError {
            let item = member.map { "\(fileName):\($0)" } ?? fileName
            return ModelBundleError(.archiveCorrupt, "\(item): \(message)", item: item)
        }
        func unsupported(_ message: String, member: String) -> ModelBundleError {
            let item = "\(fileName):\(member)"
            return ModelBundleError(.archiveUnsupported, "\(item): \(message)", item: item)
        }
        let reader = LittleEndianBytes(bytes)
        guard let endRecord = Self.findEndRecord(reader) else {
            throw corrupt("not a zip archive (no end-of-central-directory record); a skops file is a zip")
        }
        let diskNumber = reader.u16(endRecord + 4)
        let directoryDisk = reader.u16(endRecord + 6)
        let entriesOnDisk = reader.u16(endRecord + 8)
        let entryCount = reader.u16(endRecord + 10)
        let directorySize = Int(reader.u32(endRecord + 12))
        let directoryOffset = Int(reader.u32(endRecord + 16))
        let commentLength = Int(reader.u16(endRecord + 20))
        guard diskNumber == 0, directoryDisk == 0, entriesOnDisk == entryCount else {
            throw corrupt("multi-disk zip archives are not supported")
        }
        guard entryCount != 0xFFFF, directorySize != 0xFFFF_FFFF, directoryOffset != 0xFFFF_FFFF else {
            throw corrupt("zip64 archives are not supported; skops writes plain zip files")
        }
        guard endRecord + 22 + commentLength == bytes.count else {
            throw corrupt("data follows the end of the zip archive")
        }
        guard directoryOffset <= endRecord, directorySize == endRecord - directoryOffset else {
            throw corrupt("the central directory lies outside the archive")
        }
        guard Int(entryCount) <= Self.maximumMemberCount else {
            throw ModelBundleError(
                .archiveLimitExceeded,
                "\(fileName) lists \(entryCount) members; at most \(Self.maximumMemberCount) are read",
                item: fileName
            )
        }
        var seen = Set<String>()
        var position = directoryOffset
        for _ in 0..<Int(entryCount) {
            guard position + 46 <= endRecord, reader.u32(position) == 0x0201_4B50 else {
                throw corrupt("central directory entry at byte \(position) is malformed")
            }
            let flags = reader.u16(position + 8)
            let method = reader.u16(position + 10)
            let crc = reader.u32(position + 16)
            let compressedSize = Int(reader.u32(position + 20))
            let size = Int(reader.u32(position + 24))
            let nameLength = Int(reader.u16(position + 28))
            let extraLength = Int(reader.u16(position + 30))
            let entryCommentLength = Int(reader.u16(position + 32))
            let localOffset = Int(reader.u32(position + 42))
            let nameStart = position + 46
            let next = nameStart + nameLength + extraLength + entryCommentLength
            guard next <= endRecord else {
                throw corrupt("central directory entry at byte \(position) runs past the directory")
            }
            guard let name = Self.memberName(bytes[nameStart..<(nameStart + nameLength)]) else {
                throw corrupt(
                    "a member name is empty, too long, not UTF-8, or holds a path separator or control character"
                )
            }
            guard seen.insert(name).inserted else {
                throw corrupt("the member appears twice", member: name)
            }
            guard flags & 0x0001 == 0 else {
                throw unsupported("encrypted members are not supported", member: name)
            }
            guard method == 0 else {
                throw unsupported(
                    "compression method \(method) is not supported; skops files are written uncompressed (ZIP_STORED)",
                    member: name
                )
            }
            guard compressedSize == size else {
                throw corrupt("a stored member's compressed and uncompressed sizes differ", member: name)
            }
            // The local header must agree with the directory, and the data must end before it.
            guard localOffset + 30 <= directoryOffset, reader.u32(localOffset) == 0x0403_4B50 else {
                throw corrupt("the local header is missing or outside the archive", member: name)
            }
            let localNameLength = Int(reader.u16(localOffset + 26))
            let localExtraLength = Int(reader.u16(localOffset + 28))
            let dataStart = localOffset + 30 + localNameLength + localExtraLength
            guard localNameLength == nameLength, dataStart <= directoryOffset,
                bytes[(localOffset + 30)..<(localOffset + 30 + nameLength)]
                    == bytes[nameStart..<(nameStart + nameLength)]
            else {
                throw corrupt("the local header disagrees with the central directory", member: name)
            }
            guard size <= directoryOffset - dataStart else {
                throw corrupt("the member's data runs past the central directory", member: name)
            }
            let data = bytes[dataStart..<(dataStart + size)]
            guard CRC32.checksum(data) == crc else {
                throw corrupt("CRC-32 mismatch; the archive is damaged", member: name)
            }
            members.append((name, data))
            position = next
        }
        guard position == endRecord else {
            throw corrupt("the central directory holds more bytes than its entries")
        }
    }

    /// The bytes of `name`, when the archive holds it.
    subscript(name: String) -> ArraySlice<UInt8>? {
        members.first { $0.name == name }?.bytes
    }

    /// The end-of-central-directory record: the last 22 + comment bytes of the file.
    private static func findEndRecord(_ reader: LittleEndianBytes) -> Int? {
        let count = reader.bytes.count
        guard count >= 22 else { return nil }
        let lowest = max(0, count - 22 - 0xFFFF)
        var candidate = count - 22
        while candidate >= lowest {
            if reader.u32(candidate) == 0x0605_4B50 { return candidate }
            candidate -= 1
        }
        return nil
    }

    /// A flat member name: what skops writes (`schema.json`, `140159155318928.npy`).
    private static func memberName(_ raw: ArraySlice<UInt8>) -> String? {
        guard !raw.isEmpty, raw.count <= maximumNameLength,
            !raw.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\\") })
        else { return nil }
        guard let name = String(validating: raw, as: UTF8.self), name != ".", name != ".." else { return nil }
        return name
    }
}

/// Little-endian reads at offsets the caller has already bounded; out-of-range reads give 0.
private struct LittleEndianBytes {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func u16(_ offset: Int) -> UInt16 {
        guard offset >= 0, offset + 2 <= bytes.count else { return 0 }
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    func u32(_ offset: Int) -> UInt32 {
        guard offset >= 0, offset + 4 <= bytes.count else { return 0 }
        return UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
            | UInt32(bytes[offset + 3]) << 24
    }
}

/// CRC-32 (IEEE 802.3, reflected), as zip uses.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1
        }
        return value
    }

    static func checksum(_ bytes: some Collection<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }
}
