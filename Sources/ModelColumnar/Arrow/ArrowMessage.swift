/// One encapsulated IPC message (`Message.fbs`): its metadata flatbuffer and its body.
struct ArrowMessage {
    enum Header: UInt8 {
        case schema = 1
        case dictionaryBatch = 2
        case recordBatch = 3
    }

    var header: Header
    var metadata: [UInt8]
    var body: ColumnarBytes
    var context: String

    /// Calls `read` with the header table (`Schema`, `DictionaryBatch` or `RecordBatch`); the table
    /// points into `metadata`, so it must not outlive the call.
    func withHeader<T>(_ read: (FlatBufferTable) throws -> T) throws -> T {
        try metadata.withUnsafeBytes { raw in
            let message = try FlatBufferTable(root: raw, start: 0, end: raw.count, context: "\(context) metadata")
            guard let table = try message.table(2) else { throw ColumnarError.invalid(context, "has no header") }
            return try read(table)
        }
    }
}

/// A source of bytes read front to back: a whole buffer, or standard input when streaming.
package protocol ColumnarByteSource {
    /// Exactly `count` bytes, `nil` at a clean end of input before the first byte, or an error when
    /// the input ends part-way.
    mutating func read(_ count: Int) throws -> [UInt8]?

    /// As ``read(_:)``, for a message body: sources that hold their bytes already lend them.
    mutating func readShared(_ count: Int) throws -> ColumnarBytes?
}

extension ColumnarByteSource {
    package mutating func readShared(_ count: Int) throws -> ColumnarBytes? {
        try read(count).map(ColumnarBytes.init)
    }
}

/// The bytes of an in-memory buffer.
package struct ColumnarBufferSource: ColumnarByteSource {
    let bytes: [UInt8]
    var position: Int
    let end: Int

    /// The bytes `from`..<`to` (the whole buffer by default).
    package init(_ bytes: [UInt8], from position: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.position = position
        self.end = min(end ?? bytes.count, bytes.count)
    }

    package mutating func read(_ count: Int) throws -> [UInt8]? {
        if position >= end && count > 0 { return nil }
        guard count >= 0, count <= end - position else {
            throw ColumnarError.invalid(
                "Arrow stream",
                "ends after \(end - position) bytes where \(count) were expected (truncated)"
            )
        }
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    /// The body's bytes in place in the buffer, not copied.
    package mutating func readShared(_ count: Int) throws -> ColumnarBytes? {
        if position >= end && count > 0 { return nil }
        guard count >= 0, count <= end - position else { return try read(count).map(ColumnarBytes.init) }
        defer { position += count }
        return ColumnarBytes(bytes, range: position..<(position + count))
    }
}

enum ArrowMessageReader {
    /// Reads the next message; `nil` at the end-of-stream marker or a clean end of input.
    static func next(
        _ source: inout some ColumnarByteSource,
        limits: ColumnarLimits,
        context: String
    ) throws -> ArrowMessage? {
        guard let prefix = try source.read(4) else { return nil }
        var length = Int32(
            bitPattern: UInt32(prefix[0]) | UInt32(prefix[1]) << 8 | UInt32(prefix[2]) << 16 | UInt32(prefix[3]) << 24
        )
        if length == -1 {
            // 0xFFFFFFFF continuation marker, then the metadata length (since Arrow 0.15).
            guard let size = try source.read(4) else {
                throw ColumnarError.invalid(context, "ends inside a message prefix (truncated)")
            }
            length = Int32(
                bitPattern: UInt32(size[0]) | UInt32(size[1]) << 8 | UInt32(size[2]) << 16 | UInt32(size[3]) << 24
            )
        }
        if length == 0 { return nil }
        guard length > 0, Int(length) <= limits.maxMetadataBytes else {
            throw ColumnarError.invalid(context, "declares a metadata length of \(length) bytes")
        }
        guard let metadata = try source.read(Int(length)) else {
            throw ColumnarError.invalid(context, "ends before its \(length) bytes of metadata (truncated)")
        }
        let (header, hasTable, bodyLength) = try metadata.withUnsafeBytes { raw -> (UInt8, Bool, Int64) in
            let message = try FlatBufferTable(root: raw, start: 0, end: raw.count, context: "\(context) metadata")
            let version = try message.int(0, default: Int16(0))
            guard version >= 4 else {
                throw ColumnarError.invalid(context, "uses metadata version V\(version + 1); V4 and V5 are read")
            }
            return (
                try message.int(1, default: UInt8(0)), try message.table(2) != nil,
                try message.int(3, default: Int64(0))
            )
        }
        guard let kind = ArrowMessage.Header(rawValue: header), hasTable else {
            throw ColumnarError.invalid(
                context,
                "has a message of type \(header); schema, dictionary and record batches are read"
            )
        }
        guard bodyLength >= 0, bodyLength <= Int64(limits.maxDecompressedBytes), bodyLength % 8 == 0 || kind == .schema
        else {
            throw ColumnarError.invalid(
                context,
                "declares a body of \(bodyLength) bytes (negative, too large, or not a multiple of 8)"
            )
        }
        let body = bodyLength == 0 ? ColumnarBytes([]) : try source.readShared(Int(bodyLength))
        guard let body else {
            throw ColumnarError.invalid(context, "ends before its \(bodyLength)-byte body (truncated)")
        }
        return ArrowMessage(header: kind, metadata: metadata, body: body, context: context)
    }
}
