import Dispatch
import ModelBundle
import SystemPlatform

/// Reads an Arrow IPC stream (`Columnar.rst`, "IPC Streaming Format"): a schema message, then
/// dictionary and record batches in any order, up to the end-of-stream marker or the end of input.
/// Batches are decoded one at a time, so a caller streaming from a pipe holds one batch at once.
package struct ArrowStreamReader<Source: ColumnarByteSource> {
    var source: Source
    package let limits: ColumnarLimits
    let fields: [ArrowField]
    var dictionaries: [Int64: ArrowDictionary] = [:]
    var messages = 1
    var rowsRead = 0
    var finished = false

    /// The file-side description of each column.
    package var columnInfo: [ColumnarColumnInfo] { fields.map(\.info) }

    /// Reads the schema message.
    package init(source: Source, limits: ColumnarLimits = ColumnarLimits()) throws {
        self.source = source
        self.limits = limits
        guard let message = try ArrowMessageReader.next(&self.source, limits: limits, context: "Arrow message 1") else {
            throw ColumnarError.invalid("Arrow stream", "is empty: no schema message")
        }
        guard message.header == .schema else {
            throw ColumnarError.invalid("Arrow message 1", "is not a schema message; a stream starts with its schema")
        }
        fields = try message.withHeader { try ArrowSchemaReader.fields($0, limits: limits) }
    }

    init(source: Source, fields: [ArrowField], limits: ColumnarLimits) {
        self.source = source
        self.fields = fields
        self.limits = limits
    }

    /// The next record batch, or `nil` at the end of the stream.
    package mutating func next() throws -> ColumnarBatch? {
        while !finished {
            messages += 1
            guard messages <= limits.maxCount else {
                throw ColumnarError.invalid("Arrow stream", "has more than \(limits.maxCount) messages")
            }
            let context = "Arrow message \(messages)"
            guard let message = try ArrowMessageReader.next(&source, limits: limits, context: context) else {
                finished = true
                return nil
            }
            switch message.header {
            case .schema:
                throw ColumnarError.invalid(context, "is a second schema message")
            case .dictionaryBatch:
                try readDictionary(message, context: context)
            case .recordBatch:
                return try decodeBatch(message, context: "Arrow record batch (\(context))")
            }
        }
        return nil
    }

    /// Every remaining batch, concatenated.
    package mutating func readAll() throws -> ColumnarBatch {
        var batches: [ColumnarBatch] = []
        while let batch = try next() { batches.append(batch) }
        return try ColumnarBatch.concatenate(batches, columns: columnInfo)
    }

    mutating func readDictionary(_ message: ArrowMessage, context: String) throws {
        let fields = self.fields
        let limits = self.limits
        let (id, isDelta, values) = try message.withHeader { table -> (Int64, Bool, ArrowDictionary) in
            let id = try table.int(0, default: Int64(0))
            guard let field = fields.first(where: { $0.dictionary?.id == id }) else {
                throw ColumnarError.invalid(context, "defines dictionary \(id), which no field uses")
            }
            guard let data = try table.table(1) else { throw ColumnarError.invalid(context, "has no record batch") }
            let layout = try ArrowBatchLayout(data, bodyLength: message.body.count, limits: limits, context: context)
            var decoder = ArrowBatchDecoder(layout: layout, body: message.body, limits: limits, context: context)
            return (id, try table.bool(2), try decoder.dictionary(field))
        }
        if isDelta, let existing = dictionaries[id] {
            switch (existing, values) {
            case (.strings(let a), .strings(let b)): dictionaries[id] = .strings(a + b)
            case (.bytes(let a), .bytes(let b)): dictionaries[id] = .bytes(a + b)
            default: throw ColumnarError.invalid(context, "changes the type of dictionary \(id)")
            }
        } else {
            dictionaries[id] = values
        }
    }

    /// Record batches of at least this many rows decode their fields on every core.
    static var parallelRows: Int { 16_384 }

    /// The fields of one batch decoded on every core, each from its own node and buffers (a field
    /// uses its validity buffer and one more, two for strings and bytes, one and its variadic data
    /// buffers for views: its position in the batch follows from the fields before it). `nil` when
    /// any field fails, or the buffers do not add up, so that the caller decodes the batch on one
    /// thread and reports what that finds.
    private static func columnsInParallel(
        _ decoder: ArrowBatchDecoder,
        _ fields: [ArrowField],
        _ dictionaries: [Int64: ArrowDictionary],
        _ firstRow: Int
    ) -> [Column]? {
        var starts: [Int] = []
        var variadicStarts: [Int] = []
        var next = 0
        var nextVariadic = 0
        let variadic = decoder.layout.variadicBufferCounts
        for field in fields {
            starts.append(next)
            variadicStarts.append(nextVariadic)
            switch (field.dictionary, field.type) {
            case (nil, .utf8), (nil, .binary): next += 3
            case (nil, .view):
                guard nextVariadic < variadic.count else { return nil }
                next += 2 + variadic[nextVariadic]
                nextVariadic += 1
            default: next += 2
            }
        }
        guard next == decoder.layout.buffers.count, nextVariadic == variadic.count else { return nil }
        starts.append(next)
        let slots = fields.map { _ in ColumnSlot() }
        let shared = UncheckedSendable((decoder, fields, dictionaries, starts, variadicStarts))
        DispatchQueue.concurrentPerform(iterations: fields.count) { index in
            let (template, fields, dictionaries, starts, variadicStarts) = shared.value
            var decoder = template
            decoder.nextNode = index
            decoder.nextBuffer = starts[index]
            decoder.nextVariadic = variadicStarts[index]
            let end = starts[index + 1]
            slots[index].result = Result {
                let column = try decoder.column(fields[index], dictionaries: dictionaries, firstRow: firstRow)
                guard decoder.nextBuffer == end else { throw CancellationError() }
                return column
            }
        }
        var columns: [Column] = []
        for slot in slots {
            guard case .success(let column)? = slot.result else { return nil }
            columns.append(column)
        }
        return columns
    }

    mutating func decodeBatch(_ message: ArrowMessage, context: String) throws -> ColumnarBatch {
        let fields = self.fields
        let limits = self.limits
        let dictionaries = self.dictionaries
        let firstRow = rowsRead
        let frame = try message.withHeader { table -> Frame in
            let layout = try ArrowBatchLayout(table, bodyLength: message.body.count, limits: limits, context: context)
            guard layout.nodes.count == fields.count else {
                throw ColumnarError.invalid(
                    context,
                    "has \(layout.nodes.count) field nodes for \(fields.count) schema fields"
                )
            }
            let (cells, overflow) = layout.length.multipliedReportingOverflow(by: max(1, fields.count))
            guard !overflow, cells <= limits.maxCellsPerBatch else {
                throw ColumnarError.invalid(
                    context,
                    "declares \(layout.length) rows × \(fields.count) columns, more than \(limits.maxCellsPerBatch) cells"
                )
            }
            var decoder = ArrowBatchDecoder(layout: layout, body: message.body, limits: limits, context: context)
            if layout.length >= Self.parallelRows, fields.count > 1, Processors.online > 1,
                let columns = Self.columnsInParallel(decoder, fields, dictionaries, firstRow)
            {
                return try Frame(columns: columns, rowCount: layout.length)
            }
            let columns = try fields.map { try decoder.column($0, dictionaries: dictionaries, firstRow: firstRow) }
            guard decoder.nextVariadic == layout.variadicBufferCounts.count else {
                throw ColumnarError.invalid(
                    context,
                    "has \(layout.variadicBufferCounts.count) variadic buffer counts for \(decoder.nextVariadic) view fields"
                )
            }
            guard decoder.nextBuffer == layout.buffers.count else {
                throw ColumnarError.invalid(
                    context,
                    "has \(layout.buffers.count) buffers where its fields use \(decoder.nextBuffer)"
                )
            }
            return try Frame(columns: columns, rowCount: layout.length)
        }
        rowsRead += frame.rowCount
        return ColumnarBatch(frame: frame, columns: columnInfo)
    }
}

/// Reads a whole Arrow IPC stream from bytes: the entry point a fuzz target calls.
package func readArrowStream(_ bytes: [UInt8], limits: ColumnarLimits = ColumnarLimits()) throws -> ColumnarBatch {
    guard bytes.count <= limits.maxInputBytes else {
        throw ColumnarError.invalid(
            "Arrow stream",
            "is \(bytes.count) bytes, more than the limit of \(limits.maxInputBytes)"
        )
    }
    var reader = try ArrowStreamReader(source: ColumnarBufferSource(bytes), limits: limits)
    return try reader.readAll()
}
