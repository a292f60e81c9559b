/// Builds small zip archives byte by byte for ``ZipMembersTests``, so each hostile shape (a name, a
/// flag, a mode, a CRC, a count) can be set exactly, including ones no zip tool would write.
///
/// Written from the PKWARE APPNOTE layout (local header, data, central directory, end record), with
/// its own CRC-32 and a hand-made deflate encoder for runs of zeros, independent of the code tested.
struct ZipMembersBuilder {
    struct Entry {
        var name: [UInt8]
        /// The bytes stored in the archive (compressed when `method` is 8).
        var stored: [UInt8]
        var size: Int
        var crc: UInt32
        var method: UInt16 = 0
        var flags: UInt16 = 0
        /// Unix mode in the high half of the external attributes, with "made by Unix".
        var unixMode: UInt32? = 0o100644
        /// A different name for the central directory than for the local header.
        var centralName: [UInt8]?
        /// Left out of the central directory (Python's zipfile would not see it).
        var hiddenFromDirectory = false
        /// Points its central directory entry at an earlier member's local header (overlapping files,
        /// the shape of the non-recursive zip bomb).
        var sharesLocalHeaderOf: Int?

        init(_ name: String, _ content: [UInt8]) {
            self.name = Array(name.utf8)
            self.stored = content
            self.size = content.count
            self.crc = ZipMembersBuilder.crc32(content)
        }

        /// A member of `count` zero bytes, deflated.
        static func deflatedZeros(_ name: String, count: Int) -> Entry {
            var entry = Entry(name, [])
            entry.stored = ZipMembersBuilder.deflateZeros(count)
            entry.size = count
            entry.crc = ZipMembersBuilder.crc32(zerosCount: count)
            entry.method = 8
            return entry
        }
    }

    var entries: [Entry] = []

    /// The archive's bytes.
    func bytes() -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        var offsets: [Int] = []
        var listed = 0
        for entry in entries {
            offsets.append(out.count)
            var offset = out.count
            if let earlier = entry.sharesLocalHeaderOf {
                offset = offsets[earlier]
            } else {
                out += Self.le32(0x0403_4B50) + Self.le16(20) + Self.le16(entry.flags) + Self.le16(entry.method)
                out += Self.le16(0) + Self.le16(0x21) + Self.le32(entry.crc)
                out += Self.le32(UInt32(entry.stored.count)) + Self.le32(UInt32(entry.size))
                out += Self.le16(UInt16(entry.name.count)) + Self.le16(0) + entry.name + entry.stored
            }
            if entry.hiddenFromDirectory { continue }
            listed += 1
            let name = entry.centralName ?? entry.name
            let madeBy: UInt16 = entry.unixMode == nil ? 20 : (3 << 8) | 20
            central += Self.le32(0x0201_4B50) + Self.le16(madeBy) + Self.le16(20) + Self.le16(entry.flags)
            central += Self.le16(entry.method) + Self.le16(0) + Self.le16(0x21) + Self.le32(entry.crc)
            central += Self.le32(UInt32(entry.stored.count)) + Self.le32(UInt32(entry.size))
            central += Self.le16(UInt16(name.count)) + Self.le16(0) + Self.le16(0) + Self.le16(0) + Self.le16(0)
            central += Self.le32((entry.unixMode ?? 0) << 16) + Self.le32(UInt32(offset)) + name
        }
        let directoryOffset = out.count
        out += central
        out += Self.le32(0x0605_4B50) + Self.le16(0) + Self.le16(0)
        out += Self.le16(UInt16(listed)) + Self.le16(UInt16(listed))
        out += Self.le32(UInt32(central.count)) + Self.le32(UInt32(directoryOffset)) + Self.le16(0)
        return out
    }

    static func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
    static func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }

    /// CRC-32 (IEEE, reflected, as zip uses), bit by bit.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// The CRC-32 of `count` zero bytes without building them.
    static func crc32(zerosCount count: Int) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for _ in 0..<count {
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// A raw deflate stream (RFC 1951) of `count` zeros: one final fixed-Huffman block holding a
    /// literal 0, then matches of length 258 at distance 1 (13 bits each), then shorter literals.
    static func deflateZeros(_ count: Int) -> [UInt8] {
        var writer = BitWriter()
        writer.write(1, bits: 1)  // BFINAL
        writer.write(1, bits: 2)  // BTYPE 01: fixed Huffman, written LSB first
        var remaining = count
        if remaining > 0 {
            writer.writeCode(0b0011_0000, length: 8)  // literal 0
            remaining -= 1
        }
        while remaining >= 258 {
            writer.writeCode(0b1100_0101, length: 8)  // length code 285 = 258
            writer.writeCode(0, length: 5)  // distance code 0 = 1
            remaining -= 258
        }
        while remaining > 0 {
            writer.writeCode(0b0011_0000, length: 8)
            remaining -= 1
        }
        writer.writeCode(0, length: 7)  // end of block (256)
        return writer.finish()
    }

    struct BitWriter {
        var bytes: [UInt8] = []
        var current: UInt32 = 0
        var used = 0

        /// Data bits, least significant first.
        mutating func write(_ value: UInt32, bits: Int) {
            for index in 0..<bits { push((value >> index) & 1) }
        }

        /// A Huffman code, most significant bit first.
        mutating func writeCode(_ code: UInt32, length: Int) {
            for index in stride(from: length - 1, through: 0, by: -1) { push((code >> index) & 1) }
        }

        private mutating func push(_ bit: UInt32) {
            current |= bit << used
            used += 1
            if used == 8 {
                bytes.append(UInt8(current))
                current = 0
                used = 0
            }
        }

        mutating func finish() -> [UInt8] {
            if used > 0 { bytes.append(UInt8(current)) }
            return bytes
        }
    }
}
