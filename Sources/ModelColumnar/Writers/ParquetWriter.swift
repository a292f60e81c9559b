package import ModelBundle

/// Writes frames as a Parquet file: one row group per frame, PLAIN values in one data page (v1) per
/// column chunk, every column OPTIONAL with RLE/bit-packed definition levels, uncompressed or
/// snappy. Types: double → DOUBLE, float → FLOAT, long → INT64, integer → INT32, boolean → BOOLEAN,
/// string → BYTE_ARRAY (STRING), binary → BYTE_ARRAY, datetime → INT64 TIMESTAMP(NANOS, not UTC).
package struct ParquetWriter {
    package enum Compression: Sendable { case uncompressed, snappy }

    let compression: Compression
    var output: [UInt8] = Array("PAR1".utf8)
    /// Bytes already handed out by ``drain()``: offsets in the footer count them.
    var drained = 0
    var rowGroups: [(rows: Int, columns: [(offset: Int, size: Int, uncompressed: Int)])] = []
    var schema: [(name: String, values: ColumnValues)]?

    package init(compression: Compression = .snappy) {
        self.compression = compression
    }

    /// Adds `frame` as one row group.
    /// - Throws: ``ModelBundleError/Code/inputInvalid`` for a column of a type Parquet output does
    ///   not take (nested JSON or mixed cells), or a frame whose columns differ from the first one's.
    package mutating func append(_ frame: Frame) throws {
        try appendRowGroup(rows: frame.rowCount, columns: frame.columns.map { ($0.name, $0.values) }) { k, page in
            if !Self.plainPageWithoutNulls(frame.columns[k], into: &page) {
                page = try Self.pageRowByRow(frame.columns[k])
            }
        }
    }

    /// Adds a 2-D tensor of numbers without nulls (the predictions of a classifier's
    /// `predict_proba`, say) as one row group of one column per tensor column, named `names`: the
    /// same bytes as ``append(_:)`` of the frame ``PredictionColumns/frame(_:outputNames:)`` makes of
    /// it, with each column gathered straight into its page instead of into a column first.
    /// `false`, with nothing added, for any other tensor.
    package mutating func append(_ tensor: Tensor, names: [String]) throws -> Bool {
        guard tensor.shape.count == 2, !tensor.validity.hasNulls, tensor.shape[0] > 0, names.count == tensor.shape[1]
        else { return false }
        let (rows, width) = (tensor.shape[0], tensor.shape[1])
        // Column k of the row-major values, as little-endian bytes: a word of `size` bytes per row.
        func gather(_ source: UnsafeRawBufferPointer, size: Int) throws {
            try appendRowGroup(rows: rows, columns: names.map { ($0, tensor.values) }) { k, page in
                Self.appendAllValidLevels(rows: rows, valueBytes: size, to: &page)
                let start = page.count
                page.append(contentsOf: repeatElement(0, count: rows * size))
                page.withUnsafeMutableBytes { bytes in
                    let target = bytes.baseAddress! + start
                    if size == 8 {
                        for row in 0..<rows {
                            let word = source.load(fromByteOffset: (row * width + k) * 8, as: UInt64.self)
                            target.storeBytes(of: word, toByteOffset: row * 8, as: UInt64.self)
                        }
                    } else {
                        for row in 0..<rows {
                            let word = source.load(fromByteOffset: (row * width + k) * 4, as: UInt32.self)
                            target.storeBytes(of: word, toByteOffset: row * 4, as: UInt32.self)
                        }
                    }
                }
            }
        }
        #if _endian(little)
        switch tensor.values {
        case .double(let v): try v.withUnsafeBytes { try gather($0, size: 8) }
        case .float(let v): try v.withUnsafeBytes { try gather($0, size: 4) }
        case .long(let v): try v.withUnsafeBytes { try gather($0, size: 8) }
        case .integer(let v): try v.withUnsafeBytes { try gather($0, size: 4) }
        default: return false
        }
        return true
        #else
        return false
        #endif
    }

    /// One row group: `page(k, &buffer)` writes column `k`'s data page (definition levels and
    /// values) into a buffer that is emptied for each column.
    private mutating func appendRowGroup(
        rows: Int,
        columns: [(String, ColumnValues)],
        page writePage: (Int, inout [UInt8]) throws -> Void
    ) throws {
        if let schema {
            guard schema.map(\.name) == columns.map(\.0) else {
                throw ModelBundleError(.inputInvalid, "the predictions' columns changed between batches")
            }
        } else {
            schema = columns.map { (name: $0.0, values: $0.1) }
        }
        var chunks: [(Int, Int, Int)] = []
        // One page buffer and one compressed buffer for all the columns, and the output reserved for
        // the rest of them at the first: each fresh page of memory costs a fault and its clearing,
        // and a prediction column is megabytes.
        var page: [UInt8] = []
        var compressed: [UInt8] = []
        for position in columns.indices {
            page.removeAll(keepingCapacity: true)
            try writePage(position, &page)
            if compression == .snappy {
                compressed.removeAll(keepingCapacity: true)
                page.withUnsafeBytes { Compressor.snappy($0, appendingTo: &compressed) }
            }
            let bodyCount = compression == .snappy ? compressed.count : page.count
            var header = ThriftCompactWriter()
            header.i32(1, 0)
            header.i32(2, Int32(page.count))
            header.i32(3, Int32(bodyCount))
            header.structField(5) { h in
                h.i32(1, Int32(rows))
                h.i32(2, 0)
                h.i32(3, 3)
                h.i32(4, 3)
            }
            header.stop()
            let chunkBytes = header.bytes.count + bodyCount
            if output.capacity - output.count < chunkBytes {
                // With an eighth to spare: the next columns may compress a little worse, and growing
                // the output again would copy it. Room never written is never touched.
                output.reserveCapacity(output.count + (chunkBytes + chunkBytes / 8 + 64) * (columns.count - position))
            }
            let offset = drained + output.count
            output.append(contentsOf: header.bytes)
            output.append(contentsOf: compression == .snappy ? compressed : page)
            chunks.append((offset, drained + output.count - offset, header.bytes.count + page.count))
        }
        rowGroups.append((rows, chunks.map { (offset: $0.0, size: $0.1, uncompressed: $0.2) }))
    }

    /// The bytes written so far (the magic and whole row groups), handed out once: a streamed
    /// output holds one row group at a time, and ``finish()`` then gives only the rest.
    package mutating func drain() -> [UInt8] {
        defer {
            drained += output.count
            output = []
        }
        return output
    }

    /// The finished file (the part not yet drained): footer, its length, and the magic. The writer
    /// hands its bytes over (no copy of them) and is empty afterwards.
    package mutating func finish() -> [UInt8] {
        var out = output
        output = []
        let schema = self.schema ?? []
        var meta = ThriftCompactWriter()
        meta.i32(1, 1)
        meta.listField(2, element: 12, count: schema.count + 1) { w in
            w.structElement { e in
                e.string(4, "schema")
                e.i32(5, Int32(schema.count))
            }
            for column in schema {
                w.structElement { e in Self.schemaElement(column.name, column.values, into: &e) }
            }
        }
        meta.i64(3, Int64(rowGroups.reduce(0) { $0 + $1.rows }))
        meta.listField(4, element: 12, count: rowGroups.count) { w in
            for group in rowGroups {
                w.structElement { g in
                    g.listField(1, element: 12, count: group.columns.count) { l in
                        for (position, chunk) in group.columns.enumerated() {
                            l.structElement { c in
                                c.i64(2, Int64(chunk.offset))
                                c.structField(3) { m in
                                    m.i32(1, Self.physicalType(schema[position].values))
                                    m.listField(2, element: 5, count: 2) { e in
                                        e.zigzag(0)
                                        e.zigzag(3)
                                    }
                                    m.listField(3, element: 8, count: 1) { e in
                                        e.varint(UInt64(schema[position].name.utf8.count))
                                        e.bytes.append(contentsOf: schema[position].name.utf8)
                                    }
                                    m.i32(4, compression == .snappy ? 1 : 0)
                                    m.i64(5, Int64(group.rows))
                                    m.i64(6, Int64(chunk.uncompressed))
                                    m.i64(7, Int64(chunk.size))
                                    m.i64(9, Int64(chunk.offset))
                                }
                            }
                        }
                    }
                    g.i64(2, Int64(group.columns.reduce(0) { $0 + $1.size }))
                    g.i64(3, Int64(group.rows))
                }
            }
        }
        meta.string(6, "mbundle")
        meta.stop()
        out.append(contentsOf: meta.bytes)
        let length = UInt32(meta.bytes.count)
        out.append(contentsOf: [
            UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length >> 16 & 0xFF), UInt8(length >> 24),
        ])
        out.append(contentsOf: Array("PAR1".utf8))
        return out
    }

    static func physicalType(_ values: ColumnValues) -> Int32 {
        switch values {
        case .boolean: 0
        case .integer: 1
        case .long, .datetime: 2
        case .float: 4
        case .double: 5
        default: 6
        }
    }

    static func schemaElement(_ name: String, _ values: ColumnValues, into e: inout ThriftCompactWriter) {
        e.i32(1, physicalType(values))
        e.i32(3, 1)
        e.string(4, name)
        switch values {
        case .string:
            e.i32(6, 0)
            e.structField(10) { l in l.structField(1) { _ in } }
        case .datetime:
            e.structField(10) { l in
                l.structField(8) { t in
                    t.bool(1, false)
                    t.structField(2) { u in u.structField(3) { _ in } }
                }
            }
        default: break
        }
    }

    /// Definition levels (4-byte length, then bit-packed runs of width 1) and PLAIN values.
    static func page(_ column: Column) throws -> [UInt8] {
        try plainPageWithoutNulls(column) ?? pageRowByRow(column)
    }

    /// ``page(_:)`` for any column, one row at a time.
    package static func pageRowByRow(_ column: Column) throws -> [UInt8] {
        let rows = column.count
        let valid = (0..<rows).map { column.validity.isValid($0) }
        var levels = ThriftCompactWriter()
        if rows > 0 {
            let groups = (rows + 7) / 8
            levels.varint(UInt64(groups) << 1 | 1)
            for g in 0..<groups {
                var byte: UInt8 = 0
                for bit in 0..<8 where g * 8 + bit < rows && valid[g * 8 + bit] { byte |= 1 << UInt8(bit) }
                levels.bytes.append(byte)
            }
        }
        var page: [UInt8] = []
        appendLE(UInt32(levels.bytes.count), to: &page)
        page.append(contentsOf: levels.bytes)
        switch column.values {
        case .double(let v): for i in 0..<rows where valid[i] { appendLE(v[i].bitPattern, to: &page) }
        case .float(let v): for i in 0..<rows where valid[i] { appendLE(v[i].bitPattern, to: &page) }
        case .long(let v), .datetime(let v):
            for i in 0..<rows where valid[i] { appendLE(UInt64(bitPattern: v[i]), to: &page) }
        case .integer(let v): for i in 0..<rows where valid[i] { appendLE(UInt32(bitPattern: v[i]), to: &page) }
        case .boolean(let v):
            let present = (0..<rows).filter { valid[$0] }.map { v[$0] }
            var bytes = [UInt8](repeating: 0, count: (present.count + 7) / 8)
            for (k, flag) in present.enumerated() where flag { bytes[k >> 3] |= 1 << UInt8(k & 7) }
            page.append(contentsOf: bytes)
        case .string(let v):
            for i in 0..<rows where valid[i] {
                appendLE(UInt32(v[i].utf8.count), to: &page)
                page.append(contentsOf: v[i].utf8)
            }
        case .binary(let v):
            for i in 0..<rows where valid[i] {
                appendLE(UInt32(v[i].count), to: &page)
                page.append(contentsOf: v[i])
            }
        case .json, .cells:
            throw ModelBundleError(
                .inputInvalid,
                "prediction column '\(column.name)' holds nested or mixed values, which Parquet output does not take; use JSON output",
                item: column.name
            )
        }
        return page
    }
}

extension ParquetWriter {
    /// The page ``page(_:)`` writes for a fixed-width numeric column without nulls (predictions, as
    /// a rule), byte for byte, in bulk: every definition level 1 (whole bytes of 0xFF, then the
    /// last group's bits) and the values' own little-endian bytes, instead of a test and an append
    /// per row. `nil` for any other column.
    package static func plainPageWithoutNulls(_ column: Column) -> [UInt8]? {
        var page: [UInt8] = []
        return plainPageWithoutNulls(column, into: &page) ? page : nil
    }

    /// The definition levels of `rows` present values (every level 1: whole bytes of 0xFF, then the
    /// last group's bits) with their 4-byte length, the page reserved for `valueBytes` per value more.
    static func appendAllValidLevels(rows: Int, valueBytes: Int, to page: inout [UInt8]) {
        let groups = (rows + 7) / 8
        var levels = ThriftCompactWriter()
        levels.varint(UInt64(groups) << 1 | 1)
        levels.bytes.append(contentsOf: repeatElement(0xFF, count: groups - 1))
        levels.bytes.append(rows % 8 == 0 ? 0xFF : UInt8((1 << (rows % 8)) - 1))
        page.reserveCapacity(page.count + 4 + levels.bytes.count + rows * valueBytes)
        appendLE(UInt32(levels.bytes.count), to: &page)
        page.append(contentsOf: levels.bytes)
    }

    /// ``plainPageWithoutNulls(_:)`` appended to `page` (a buffer reused from column to column);
    /// `false`, with nothing appended, for any other column.
    package static func plainPageWithoutNulls(_ column: Column, into page: inout [UInt8]) -> Bool {
        guard !column.validity.hasNulls, column.count > 0 else { return false }
        func append<T>(_ values: [T]) {
            appendAllValidLevels(rows: values.count, valueBytes: MemoryLayout<T>.size, to: &page)
            values.withUnsafeBytes { page.append(contentsOf: $0) }
        }
        #if _endian(little)
        switch column.values {
        case .double(let v): append(v)
        case .float(let v): append(v)
        case .long(let v), .datetime(let v): append(v)
        case .integer(let v): append(v)
        default: return false
        }
        return true
        #else
        return false
        #endif
    }
}

func appendLE<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
}
