/// Where the values of an in-memory Arrow IPC stream lie when it is the commonest large request:
/// one record batch of float64 columns, uncompressed, without nulls or dictionaries. A model that
/// reads float64 columns can then read them in place in the request body, with no column copied
/// out of it (what a 1,000,000 × 32 request spent most of its time on).
///
/// ``read(_:limits:)`` never judges: anything else — another type, a null, compression, a second
/// batch, a dictionary, a short buffer, a layout the stream reader refuses — returns `nil`, and the
/// caller decodes the body as usual, whose reader gives every message.
package struct ArrowLentDoubles: Sendable, Equatable {
    /// The field names, in schema order.
    package let names: [String]
    package let rowCount: Int
    /// The byte offset in the body of each field's first value, in schema order; 8-byte aligned
    /// relative to the body's start, with `rowCount` values in the body after it.
    package let offsets: [Int]

    /// The layout of `body` when it is an Arrow stream of the shape above, else `nil`.
    package static func read(_ body: [UInt8], limits: ColumnarLimits = ColumnarLimits()) -> ArrowLentDoubles? {
        guard body.count <= limits.maxInputBytes, body.starts(with: [0xFF, 0xFF, 0xFF, 0xFF]),
            var reader = try? ArrowStreamReader(source: ColumnarBufferSource(body), limits: limits),
            !reader.fields.isEmpty,
            reader.fields.allSatisfy({ $0.dictionary == nil && $0.type == .float(bits: 64) }),
            let message = try? ArrowMessageReader.next(&reader.source, limits: limits, context: "Arrow message 2"),
            message.header == .recordBatch
        else { return nil }
        // The body is the message's last bytes: where it starts in the stream.
        let bodyStart = reader.source.position - message.body.count
        let fieldCount = reader.fields.count
        let layout = try? message.withHeader { table in
            try ArrowBatchLayout(table, bodyLength: message.body.count, limits: limits, context: "Arrow message 2")
        }
        guard let layout, layout.codec == .uncompressed, layout.length > 0,
            layout.nodes.count == fieldCount, layout.buffers.count == 2 * fieldCount,
            // float64 fields have no variadic buffers: counts for them are a batch the decoder refuses.
            layout.variadicBufferCounts.isEmpty,
            layout.nodes.allSatisfy({ $0.length == layout.length && $0.nullCount == 0 })
        else { return nil }
        let (cells, overflow) = layout.length.multipliedReportingOverflow(by: fieldCount)
        guard !overflow, cells <= limits.maxCellsPerBatch else { return nil }
        var offsets: [Int] = []
        for field in 0..<fieldCount {
            let values = layout.buffers[2 * field + 1]
            // `values.count / 8`, not `length * 8`: a hostile length cannot overflow here.
            guard values.count / 8 >= layout.length else { return nil }
            offsets.append(bodyStart + values.lowerBound)
        }
        // Only the end of the stream may follow: a second batch or a dictionary would need a copy.
        do {
            guard try ArrowMessageReader.next(&reader.source, limits: limits, context: "Arrow message 3") == nil
            else { return nil }
        } catch {
            return nil
        }
        return ArrowLentDoubles(names: reader.fields.map(\.name), rowCount: layout.length, offsets: offsets)
    }
}
