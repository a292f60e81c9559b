import ModelBundle

/// Reads the Arrow IPC file format (`ARROW1`): magic, padding, the messages, a `Footer` flatbuffer
/// (`File.fbs`) listing the schema and the blocks of each dictionary and record batch, its length,
/// and the magic again. Blocks are read through the footer, each checked to lie inside the file,
/// not to overlap another, and to start 8-byte aligned.
package enum ArrowFileReader {
    package static let magic: [UInt8] = Array("ARROW1".utf8)

    package static func looksLikeArrowFile(_ bytes: [UInt8]) -> Bool { bytes.starts(with: magic) }

    struct Block {
        var offset: Int
        var metadataLength: Int
        var bodyLength: Int
    }

    /// The record batches of a file in memory, one at a time through `body`.
    package static func read(
        _ bytes: [UInt8],
        limits: ColumnarLimits = ColumnarLimits(),
        schema: ([ColumnarColumnInfo]) throws -> Void = { _ in },
        body: (ColumnarBatch) throws -> Void
    ) throws {
        try checkSize(bytes.count, limits: limits)
        try read(source: ColumnarMemoryRanges(bytes), limits: limits, schema: schema, body: body)
    }

    private static func checkSize(_ count: Int, limits: ColumnarLimits) throws {
        guard count <= limits.maxInputBytes else {
            throw ColumnarError.invalid(
                "Arrow file",
                "is \(count) bytes, more than the limit of \(limits.maxInputBytes)"
            )
        }
    }

    /// The record batches of `source`, one at a time through `body`: the footer is read, then each
    /// dictionary and record batch block, so a file on disk is never held whole.
    package static func read(
        source: any ColumnarRangeSource,
        limits: ColumnarLimits = ColumnarLimits(),
        schema: ([ColumnarColumnInfo]) throws -> Void = { _ in },
        body: (ColumnarBatch) throws -> Void
    ) throws {
        let size = source.size
        let ends =
            size >= 22
            ? try source.withBytes(0..<6) { $0.elementsEqual(magic) }
                && source.withBytes((size - 6)..<size) { $0.elementsEqual(magic) } : false
        guard ends else {
            throw ColumnarError.invalid(
                "Arrow file footer",
                "the file does not begin and end with ARROW1 (truncated or not an Arrow file)"
            )
        }
        let footerLength = Int(try source.withBytes((size - 10)..<(size - 6)) { loadLE($0, 0, as: Int32.self) })
        let footerEnd = size - 10
        guard footerLength > 0, footerLength <= footerEnd - 8, footerLength <= limits.maxMetadataBytes else {
            throw ColumnarError.invalid(
                "Arrow file footer",
                "declares \(footerLength) bytes in a \(size)-byte file"
            )
        }
        let footerStart = footerEnd - footerLength
        let (fields, dictionaryBlocks, batchBlocks) = try source.withBytes(footerStart..<footerEnd) { raw in
            let footer = try FlatBufferTable(
                root: raw,
                start: 0,
                end: raw.count,
                context: "Arrow file footer"
            )
            guard let schema = try footer.table(1) else {
                throw ColumnarError.invalid("Arrow file footer", "has no schema")
            }
            let fields = try ArrowSchemaReader.fields(schema, limits: limits)
            return (
                fields, try blocks(footer, 2, dataEnd: footerStart, limits: limits),
                try blocks(footer, 3, dataEnd: footerStart, limits: limits)
            )
        }
        let all = (dictionaryBlocks + batchBlocks).sorted { $0.offset < $1.offset }
        for (a, b) in zip(all, all.dropFirst()) where b.offset < a.offset + a.metadataLength + a.bodyLength {
            throw ColumnarError.invalid(
                "Arrow file footer",
                "lists overlapping blocks at offsets \(a.offset) and \(b.offset)"
            )
        }
        try schema(fields.filter { $0.skipped == nil }.map(\.info))
        var reader = ArrowStreamReader(source: ColumnarBufferSource([]), fields: fields, limits: limits)
        for (i, block) in dictionaryBlocks.enumerated() {
            let message = try message(source, block, limits: limits, context: "Arrow file dictionary block \(i)")
            guard message.header == .dictionaryBatch else {
                throw ColumnarError.invalid("Arrow file dictionary block \(i)", "is not a dictionary batch")
            }
            try reader.readDictionary(message, context: "Arrow file dictionary block \(i)")
        }
        for (i, block) in batchBlocks.enumerated() {
            let context = "Arrow file record batch \(i)"
            let message = try message(source, block, limits: limits, context: context)
            guard message.header == .recordBatch else { throw ColumnarError.invalid(context, "is not a record batch") }
            try body(try reader.decodeBatch(message, context: context))
        }
    }

    private static func blocks(_ footer: FlatBufferTable, _ index: Int, dataEnd: Int, limits: ColumnarLimits) throws
        -> [Block]
    {
        guard let (first, count) = try footer.vector(index, elementSize: 24) else { return [] }
        guard count <= limits.maxCount else {
            throw ColumnarError.invalid("Arrow file footer", "lists \(count) blocks")
        }
        return try (0..<count).map { i in
            let at = first + 24 * i
            let offset = loadLE(footer.bytes, at, as: Int64.self)
            let metadata = Int64(loadLE(footer.bytes, at + 8, as: Int32.self))
            let body = loadLE(footer.bytes, at + 16, as: Int64.self)
            guard offset >= 8, metadata > 0, body >= 0, offset % 8 == 0,
                metadata <= Int64(dataEnd), body <= Int64(dataEnd), offset <= Int64(dataEnd) - metadata - body
            else {
                throw ColumnarError.invalid(
                    "Arrow file footer, block \(i)",
                    "lies at offset \(offset) with \(metadata) + \(body) bytes: negative, misaligned or outside the file"
                )
            }
            return Block(offset: Int(offset), metadataLength: Int(metadata), bodyLength: Int(body))
        }
    }

    private static func message(
        _ file: any ColumnarRangeSource,
        _ block: Block,
        limits: ColumnarLimits,
        context: String
    ) throws -> ArrowMessage {
        let length = block.metadataLength + block.bodyLength
        guard length <= limits.maxMetadataBytes + limits.maxDecompressedBytes else {
            throw ColumnarError.invalid(context, "is \(length) bytes, more than the limits allow")
        }
        var source = try BlockSource(
            file: file,
            offset: block.offset,
            length: length,
            metadataLength: block.metadataLength
        )
        guard let message = try ArrowMessageReader.next(&source, limits: limits, context: context) else {
            throw ColumnarError.invalid(context, "is an end-of-stream marker, not a message")
        }
        guard message.body.count == block.bodyLength else {
            throw ColumnarError.invalid(
                context,
                "has a \(message.body.count)-byte body where the footer says \(block.bodyLength)"
            )
        }
        return message
    }

    /// Reads a whole Arrow IPC file from bytes: the entry point a fuzz target calls.
    package static func readAll(_ bytes: [UInt8], limits: ColumnarLimits = ColumnarLimits()) throws -> ColumnarBatch {
        try checkSize(bytes.count, limits: limits)
        return try readAll(source: ColumnarMemoryRanges(bytes), limits: limits)
    }

    /// Reads a whole Arrow IPC file as one on disk is read, each record batch's buffers read as
    /// they are decoded: the fuzz target's second entry point, for the path a file given by path takes.
    package static func readAllByRanges(_ bytes: [UInt8], limits: ColumnarLimits = ColumnarLimits()) throws
        -> ColumnarBatch
    {
        try checkSize(bytes.count, limits: limits)
        return try readAll(source: ColumnarMemoryRanges(bytes, lendsBodies: false), limits: limits)
    }

    private static func readAll(source: any ColumnarRangeSource, limits: ColumnarLimits) throws -> ColumnarBatch {
        var batches: [ColumnarBatch] = []
        var info: [ColumnarColumnInfo] = []
        try read(source: source, limits: limits, schema: { info = $0 }, body: { batches.append($0) })
        return try ColumnarBatch.concatenate(batches, columns: info)
    }
}

/// Reads a whole Arrow IPC file (`ARROW1`) from bytes: the entry point a fuzz target calls.
package func readArrowFile(_ bytes: [UInt8], limits: ColumnarLimits = ColumnarLimits()) throws -> ColumnarBatch {
    try ArrowFileReader.readAll(bytes, limits: limits)
}

/// One block of an Arrow file, read front to back as the message reader asks: the prefix and
/// metadata from one small copy, the body lent by the file (``ColumnarRangeSource/sharedBytes(_:)``:
/// in place for a file in memory, read a buffer at a time as it is decoded for a file on disk).
private struct BlockSource: ColumnarByteSource {
    let file: any ColumnarRangeSource
    let offset: Int
    let length: Int
    let metadata: [UInt8]
    var position = 0

    init(file: any ColumnarRangeSource, offset: Int, length: Int, metadataLength: Int) throws {
        self.file = file
        self.offset = offset
        self.length = length
        let head = min(max(metadataLength, 0), length)
        metadata = try file.withBytes(offset..<(offset + head)) { Array($0) }
    }

    mutating func read(_ count: Int) throws -> [UInt8]? {
        if position >= length && count > 0 { return nil }
        guard count >= 0, count <= length - position else {
            throw ColumnarError.invalid(
                "Arrow file block",
                "ends after \(length - position) bytes where \(count) were expected (truncated)"
            )
        }
        defer { position += count }
        if position + count <= metadata.count { return Array(metadata[position..<(position + count)]) }
        return try file.bytes((offset + position)..<(offset + position + count))
    }

    /// The body lent by a file already in memory (``ColumnarRangeSource/sharedBytes(_:)``).
    mutating func readShared(_ count: Int) throws -> ColumnarBytes? {
        if position >= length && count > 0 { return nil }
        guard count >= 0, count <= length - position, position + count > metadata.count else {
            return try read(count).map(ColumnarBytes.init)
        }
        defer { position += count }
        return try file.sharedBytes((offset + position)..<(offset + position + count))
    }
}
