import ModelBundle

/// A record batch's metadata (`RecordBatch` in `Message.fbs`): its length, one node per field and
/// the buffers, checked against the body before any is read.
struct ArrowBatchLayout {
    var length: Int
    var nodes: [(length: Int, nullCount: Int)]
    var buffers: [Range<Int>]
    var codec: ColumnarCodec
    /// For each string_view or binary_view field in order, how many data buffers follow its views.
    var variadicBufferCounts: [Int]

    init(_ table: FlatBufferTable, bodyLength: Int, limits: ColumnarLimits, context: String) throws {
        let length = try table.int(0, default: Int64(0))
        guard length >= 0, length <= Int64(limits.maxRowsPerBatch) else {
            throw ColumnarError.invalid(context, "declares \(length) rows (limit \(limits.maxRowsPerBatch))")
        }
        self.length = Int(length)
        nodes = []
        if let (first, count) = try table.vector(1, elementSize: 16) {
            guard count <= limits.maxColumns else { throw ColumnarError.invalid(context, "has \(count) field nodes") }
            for i in 0..<count {
                let at = first + 16 * i
                let n = loadLE(table.bytes, at, as: Int64.self)
                let nulls = loadLE(table.bytes, at + 8, as: Int64.self)
                guard n >= 0, n <= Int64(limits.maxRowsPerBatch), nulls >= 0, nulls <= n else {
                    throw ColumnarError.invalid(context, "field node \(i) declares \(n) values with \(nulls) nulls")
                }
                nodes.append((Int(n), Int(nulls)))
            }
        }
        variadicBufferCounts = []
        var variadicTotal = 0
        if let (first, count) = try table.vector(4, elementSize: 8) {
            guard count <= limits.maxColumns else {
                throw ColumnarError.invalid(context, "has \(count) variadic buffer counts")
            }
            for i in 0..<count {
                let n = loadLE(table.bytes, first + 8 * i, as: Int64.self)
                // Each buffer takes 16 bytes of this metadata, so a count past its size cannot be met.
                guard n >= 0, n <= Int64(table.bytes.count) else {
                    throw ColumnarError.invalid(context, "declares \(n) data buffers for view field \(i)")
                }
                variadicBufferCounts.append(Int(n))
                variadicTotal += Int(n)
            }
        }
        buffers = []
        if let (first, count) = try table.vector(2, elementSize: 16) {
            guard count <= 3 * limits.maxColumns + variadicTotal else {
                throw ColumnarError.invalid(context, "has \(count) buffers")
            }
            for i in 0..<count {
                let at = first + 16 * i
                let offset = loadLE(table.bytes, at, as: Int64.self)
                let size = loadLE(table.bytes, at + 8, as: Int64.self)
                guard offset >= 0, size >= 0, offset <= Int64(bodyLength), size <= Int64(bodyLength) - offset else {
                    throw ColumnarError.invalid(
                        "\(context), buffer \(i)",
                        "lies at \(offset)..<\(offset &+ size), outside the \(bodyLength)-byte body (negative or past the end)"
                    )
                }
                guard offset % 8 == 0 else {
                    throw ColumnarError.invalid(
                        "\(context), buffer \(i)",
                        "starts at offset \(offset), not 8-byte aligned"
                    )
                }
                buffers.append(Int(offset)..<Int(offset + size))
            }
        }
        codec = .uncompressed
        if let compression = try table.table(3) {
            switch try compression.int(0, default: Int8(0)) {
            case 0: codec = .lz4Frame
            case 1: codec = .zstd
            case let other: throw ColumnarError.invalid(context, "uses buffer compression codec \(other)")
            }
            guard try compression.int(1, default: Int8(0)) == 0 else {
                throw ColumnarError.invalid(context, "uses a body compression method other than per-buffer")
            }
        }
        // Buffers of one batch must not overlap (a hostile layout could alias a buffer as another).
        let sorted = buffers.filter { !$0.isEmpty }.sorted { $0.lowerBound < $1.lowerBound }
        for (a, b) in zip(sorted, sorted.dropFirst()) where b.lowerBound < a.upperBound {
            throw ColumnarError.invalid(context, "has overlapping buffers at \(a) and \(b)")
        }
    }
}

/// Decodes the columns of one record batch from its body.
struct ArrowBatchDecoder {
    let layout: ArrowBatchLayout
    let body: ColumnarBytes
    let limits: ColumnarLimits
    let context: String
    var nextNode = 0
    var nextBuffer = 0
    /// The next entry of ``ArrowBatchLayout/variadicBufferCounts`` (one per view field read).
    var nextVariadic = 0

    /// Buffer `index` as bytes, decompressed when the batch is compressed.
    mutating func buffer(_ what: String, field: String) throws -> [UInt8] {
        switch try nextBufferBytes(what, field: field) {
        case .inBody(let range): try body.withBytes(range) { Array($0) }
        case .decompressed(let bytes): bytes
        }
    }

    /// A buffer's bytes lent to `read`: in place in the body when uncompressed (no copy).
    func withBytes<R>(_ bytes: BufferBytes, _ read: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        switch bytes {
        case .inBody(let range): try body.withBytes(range, read)
        case .decompressed(let bytes): try bytes.withUnsafeBytes(read)
        }
    }

    /// Where a buffer's bytes are.
    enum BufferBytes {
        /// Uncompressed: a range of the body (checked against it by ``ArrowBatchLayout``).
        case inBody(Range<Int>)
        case decompressed([UInt8])
    }

    /// The next buffer, decompressed if the batch is compressed.
    mutating func nextBufferBytes(_ what: String, field: String) throws -> BufferBytes {
        let where_ = "\(context), field '\(field)', buffer \(nextBuffer) (\(what))"
        guard nextBuffer < layout.buffers.count else {
            throw ColumnarError.invalid(where_, "is missing from the batch")
        }
        let range = layout.buffers[nextBuffer]
        nextBuffer += 1
        if range.isEmpty || layout.codec == .uncompressed { return .inBody(range) }
        guard range.count >= 8 else {
            throw ColumnarError.invalid(where_, "is compressed but shorter than its 8-byte length prefix")
        }
        let declared = try body.withBytes(range.lowerBound..<(range.lowerBound + 8)) { loadLE($0, 0, as: Int64.self) }
        let rest = (range.lowerBound + 8)..<range.upperBound
        if declared == -1 { return .inBody(rest) }
        guard declared >= 0, declared <= Int64(limits.maxDecompressedBytes) else {
            throw ColumnarError.invalid(where_, "declares \(declared) uncompressed bytes")
        }
        return .decompressed(
            try body.withBytes(rest) { raw in
                try Decompressor.decompress(
                    layout.codec,
                    raw,
                    declared: Int(declared),
                    limits: limits,
                    context: where_
                )
            }
        )
    }

    /// Steps over a skipped field's nodes and buffers (its views' variadic data buffers included),
    /// reading none of them.
    mutating func skip(_ skipped: ArrowSkippedLayout, field: String) throws {
        let where_ = "\(context), field '\(field)'"
        guard skipped.nodes <= layout.nodes.count - nextNode else {
            throw ColumnarError.invalid(where_, "has no field nodes in the batch")
        }
        nextNode += skipped.nodes
        var buffers = skipped.buffers
        for _ in 0..<skipped.views {
            guard nextVariadic < layout.variadicBufferCounts.count else {
                throw ColumnarError.invalid(where_, "has no variadic buffer count for its view")
            }
            buffers += layout.variadicBufferCounts[nextVariadic]
            nextVariadic += 1
        }
        guard buffers <= layout.buffers.count - nextBuffer else {
            throw ColumnarError.invalid(where_, "has fewer buffers in the batch than its type takes")
        }
        nextBuffer += buffers
    }

    mutating func node(field: String) throws -> (length: Int, nullCount: Int) {
        guard nextNode < layout.nodes.count else {
            throw ColumnarError.invalid("\(context), field '\(field)'", "has no field node in the batch")
        }
        defer { nextNode += 1 }
        let node = layout.nodes[nextNode]
        guard node.length == layout.length else {
            throw ColumnarError.invalid(
                "\(context), field '\(field)'",
                "has \(node.length) values in a batch of \(layout.length) rows"
            )
        }
        return node
    }

    /// One flag per row from a validity bitmap (empty when there are no nulls).
    func validity(_ bitmap: [UInt8], length: Int, nullCount: Int, field: String) throws -> [Bool] {
        if nullCount == 0 { return [] }
        guard bitmap.count * 8 >= length else {
            throw ColumnarError.invalid(
                "\(context), field '\(field)', validity bitmap",
                "has \(bitmap.count) bytes for \(length) rows"
            )
        }
        let flags = (0..<length).map { bitmap[$0 >> 3] >> UInt8($0 & 7) & 1 == 1 }
        let nulls = flags.reduce(0) { $0 + ($1 ? 0 : 1) }
        guard nulls == nullCount else {
            throw ColumnarError.invalid(
                "\(context), field '\(field)', validity bitmap",
                "marks \(nulls) nulls but the field node declares \(nullCount)"
            )
        }
        return flags
    }

    /// Fixed-width values; the buffer must hold `length` of them.
    func fixed<T: FixedWidthInteger>(_ data: [UInt8], length: Int, as: T.Type, field: String) throws -> [T] {
        try data.withUnsafeBytes { try fixed($0, length: length, as: T.self, field: field) { $0 } }
    }

    /// Fixed-width little-endian values, each converted as it is loaded: one pass from the buffer
    /// into the result, with no array of the raw integers in between.
    func fixed<T: FixedWidthInteger, Value>(
        _ raw: UnsafeRawBufferPointer,
        length: Int,
        as: T.Type,
        field: String,
        _ convert: (T) -> Value
    ) throws -> [Value] {
        try checkFixed(raw.count, length: length, width: MemoryLayout<T>.size, field: field)
        return (0..<length).map { convert(loadLE(raw, $0 * MemoryLayout<T>.size, as: T.self)) }
    }

    /// float64 values of a buffer, from the body (or the file it is read from) or the decompressed
    /// bytes, straight into the result.
    func float64s(_ bytes: BufferBytes, length: Int, field: String) throws -> [Double] {
        let (source, range): (ColumnarBytes, Range<Int>) =
            switch bytes {
            case .inBody(let range): (body, range)
            case .decompressed(let bytes): (ColumnarBytes(bytes), 0..<bytes.count)
            }
        try checkFixed(range.count, length: length, width: 8, field: field)
        return try source.doubles(at: range.lowerBound, count: length)
    }

    /// The values buffer must hold `length` values of `width` bytes (checked without overflow).
    private func checkFixed(_ byteCount: Int, length: Int, width: Int, field: String) throws {
        guard byteCount / width >= length else {
            throw ColumnarError.invalid(
                "\(context), field '\(field)', values buffer",
                "has \(byteCount) bytes for \(length) values of \(width) bytes"
            )
        }
    }

    /// Variable-length values: offsets (int32 or int64) into the data buffer, checked to be
    /// non-negative, non-decreasing and inside the data.
    func offsets(_ raw: [UInt8], large: Bool, length: Int, dataCount: Int, field: String) throws -> [Int] {
        if length == 0 { return [0] }
        let values: [Int] =
            large
            ? try fixed(raw, length: length + 1, as: Int64.self, field: field).map { Int($0) }
            : try fixed(raw, length: length + 1, as: Int32.self, field: field).map { Int($0) }
        for i in 0..<length where values[i] < 0 || values[i] > values[i + 1] || values[i + 1] > dataCount {
            throw ColumnarError.invalid(
                "\(context), field '\(field)', offsets buffer",
                "offset \(i) (\(values[i])..<\(values[i + 1])) is negative, decreasing or past the \(dataCount)-byte data"
            )
        }
        return values
    }
}
