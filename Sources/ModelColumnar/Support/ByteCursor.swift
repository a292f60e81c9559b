import ModelBundle

/// A bounds-checked little-endian reader over bytes from an untrusted file. Every read checks the
/// remaining length first and throws (naming `context`) instead of trapping.
struct ByteCursor {
    let bytes: UnsafeRawBufferPointer
    var position: Int
    let end: Int
    let context: String

    init(_ bytes: UnsafeRawBufferPointer, from start: Int = 0, to end: Int? = nil, context: String) {
        self.bytes = bytes
        self.position = start
        self.end = end ?? bytes.count
        self.context = context
    }

    var remaining: Int { end - position }

    func need(_ count: Int) throws {
        guard count >= 0 && count <= end - position else {
            throw ColumnarError.invalid(
                context,
                "needs \(count) more bytes at offset \(position) but only \(max(0, end - position)) remain (truncated or a length past the end)"
            )
        }
    }

    mutating func byte() throws -> UInt8 {
        try need(1)
        defer { position += 1 }
        return bytes[position]
    }

    mutating func uint32() throws -> UInt32 {
        try need(4)
        defer { position += 4 }
        return bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self).littleEndian
    }

    mutating func int32() throws -> Int32 { Int32(bitPattern: try uint32()) }

    mutating func uint64() throws -> UInt64 {
        try need(8)
        defer { position += 8 }
        return bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self).littleEndian
    }

    mutating func int64() throws -> Int64 { Int64(bitPattern: try uint64()) }

    /// An unsigned LEB128 varint of at most 10 bytes.
    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw ColumnarError.invalid(context, "a varint longer than 10 bytes") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    mutating func zigzag() throws -> Int64 {
        let v = try varint()
        return Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1)
    }

    /// A slice of `count` bytes as a range, advancing past it.
    mutating func take(_ count: Int) throws -> Range<Int> {
        try need(count)
        defer { position += count }
        return position..<(position + count)
    }
}

/// Reads a little-endian fixed-width integer at a checked offset.
@inline(__always)
func loadLE<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, _ offset: Int, as: T.Type) -> T {
    T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
}

/// `count` little-endian float64 values starting at `offset` (the caller has checked that
/// `offset + 8 * count` lies inside `bytes`), decoded in one pass into the result: a little-endian
/// host copies the bytes as they are, from any address; a big-endian one swaps each value.
func loadLEDoubles(_ bytes: UnsafeRawBufferPointer, _ offset: Int, count: Int) -> [Double] {
    #if _endian(little)
    let source = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count * 8)])
    return LargeArray.uninitialized(count: count) { (out: UnsafeMutableBufferPointer<Double>) in
        UnsafeMutableRawBufferPointer(out).copyMemory(from: source)
    }
    #else
    return (0..<count).map { Double(bitPattern: loadLE(bytes, offset + $0 * 8, as: UInt64.self)) }
    #endif
}
