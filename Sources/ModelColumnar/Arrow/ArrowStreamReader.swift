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

    /// The file-side description of each column (of those decoded).
    package var columnInfo: [ColumnarColumnInfo] { fields.filter { $0.skipped == nil }.map(\.info) }

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
        let read = try message.withHeader { table -> (id: Int64, isDelta: Bool, values: ArrowDictionary)? in
            let id = try table.int(0, default: Int64(0))
            // A skipped field's dictionary is never decoded, nor kept.
            if fields.contains(where: { $0.skipped?.dictionaryIDs.contains(id) == true }) { return nil }
            guard let field = fields.first(where: { $0.dictionary?.id == id }) else {
                throw ColumnarError.invalid(context, "defines dictionary \(id), which no field uses")
            }
            guard let data = try table.table(1) else { throw ColumnarError.invalid(context, "has no record batch") }
            let layout = try ArrowBatchLayout(data, bodyLength: message.body.count, limits: limits, context: context)
            var decoder = ArrowBatchDecoder(layout: layout, body: message.body, limits: limits, context: context)
            return (id, try table.bool(2), try decoder.dictionary(field))
        }
        guard let (id, isDelta, values) = read else { return }
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
        // Where each decoded field starts: its node, buffer and variadic count (skipped fields take
        // their place in all three).
        var starts: [(field: Int, node: Int, buffer: Int, variadic: Int, end: Int)] = []
        var next = 0
        var nextNode = 0
        var nextVariadic = 0
        let variadic = decoder.layout.variadicBufferCounts
        for (index, field) in fields.enumerated() {
            let start = (index, nextNode, next, nextVariadic)
            var views = 0
            switch (field.skipped, field.dictionary, field.type) {
            case (let skipped?, _, _):
                nextNode += skipped.nodes
                next += skipped.buffers
                views = skipped.views
            case (nil, nil, .utf8), (nil, nil, .binary):
                nextNode += 1
                next += 3
            case (nil, nil, .view):
                nextNode += 1
                next += 2
                views = 1
            case (nil, nil, .null):
                nextNode += 1
            default:
                nextNode += 1
                next += 2
            }
            for _ in 0..<views {
                guard nextVariadic < variadic.count else { return nil }
                next += variadic[nextVariadic]
                nextVariadic += 1
            }
            if field.skipped == nil { starts.append((start.0, start.1, start.2, start.3, next)) }
        }
        guard next == decoder.layout.buffers.count, nextVariadic == variadic.count,
            nextNode == decoder.layout.nodes.count
        else { return nil }
        let slots = starts.map { _ in ColumnSlot() }
        let shared = UncheckedSendable((decoder, fields, dictionaries, starts))
        DispatchQueue.concurrentPerform(iterations: starts.count) { index in
            let (template, fields, dictionaries, starts) = shared.value
            var decoder = template
            let start = starts[index]
            decoder.nextNode = start.node
            decoder.nextBuffer = start.buffer
            decoder.nextVariadic = start.variadic
            slots[index].result = Result {
                let column = try decoder.column(fields[start.field], dictionaries: dictionaries, firstRow: firstRow)
                guard decoder.nextBuffer == start.end else { throw CancellationError() }
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
            let nodes = fields.reduce(0) { $0 + ($1.skipped?.nodes ?? 1) }
            guard layout.nodes.count == nodes else {
                throw ColumnarError.invalid(
                    context,
                    "has \(layout.nodes.count) field nodes for \(nodes) in the schema's fields"
                )
            }
            let decoded = fields.filter { $0.skipped == nil }.count
            let (cells, overflow) = layout.length.multipliedReportingOverflow(by: max(1, decoded))
            guard !overflow, cells <= limits.maxCellsPerBatch else {
                throw ColumnarError.invalid(
                    context,
                    "declares \(layout.length) rows × \(fields.count) columns, more than \(limits.maxCellsPerBatch) cells"
                )
            }
            var decoder = ArrowBatchDecoder(layout: layout, body: message.body, limits: limits, context: context)
            if layout.length >= Self.parallelRows, decoded > 1, Processors.online > 1,
                let columns = Self.columnsInParallel(decoder, fields, dictionaries, firstRow)
            {
                return try Frame(columns: columns, rowCount: layout.length)
            }
            var columns: [Column] = []
            for field in fields {
                if let skipped = field.skipped {
                    try decoder.skip(skipped, field: field.name)
                } else {
                    columns.append(try decoder.column(field, dictionaries: dictionaries, firstRow: firstRow))
                }
            }
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
