package import ModelBundle

/// Writes frames as Arrow IPC (`Columnar.rst`): the stream format (schema, one record batch per
/// frame, end-of-stream marker) or the file format (`ARROW1`, the same messages, a footer listing
/// the batches). Types: double, float, int64, int32, bool, utf8, binary, timestamp[ns].
package struct ArrowWriter {
    package enum Format: Sendable { case stream, file }

    let format: Format
    private(set) var output: [UInt8] = []
    private var schema: [(name: String, values: ColumnValues)]?
    private var blocks: [(offset: Int, metadata: Int, body: Int)] = []

    package init(format: Format) {
        self.format = format
        if format == .file { output = Array("ARROW1".utf8) + [0, 0] }
    }

    /// Bytes ready to be written (and flushed) so far; the caller may send them and call
    /// ``drain()`` to keep memory to one batch.
    package var pending: [UInt8] { output }

    package mutating func drain() -> [UInt8] {
        precondition(format == .stream, "the file format is written whole")
        defer { output = [] }
        return output
    }

    /// Adds `frame` as one record batch (the first frame also writes the schema).
    package mutating func append(_ frame: Frame) throws {
        if schema == nil {
            schema = frame.columns.map { (name: $0.name, values: $0.values) }
            writeMessage(header: 1, headerNode: schemaNode(), body: [], bodyLength: 0)
        } else if schema!.map(\.name) != frame.columnNames {
            throw ModelBundleError(.inputInvalid, "the predictions' columns changed between batches")
        }
        // The buffers are laid out first and written once, straight into the output: a column's
        // values are not copied into a buffer, then a body, then the output (three fresh copies of
        // every prediction).
        var body: [BodyBuffer] = []
        var bodyLength = 0
        var nodes: [UInt8] = []
        var buffers: [UInt8] = []
        func addBuffer(_ buffer: BodyBuffer) {
            appendLE(Int64(bodyLength), to: &buffers)
            appendLE(Int64(buffer.count), to: &buffers)
            body.append(buffer)
            bodyLength += (buffer.count + 7) / 8 * 8
        }
        for column in frame.columns {
            let rows = column.count
            appendLE(Int64(rows), to: &nodes)
            appendLE(Int64(column.validity.nullCount), to: &nodes)
            if column.validity.hasNulls {
                var bitmap = [UInt8](repeating: 0, count: (rows + 7) / 8)
                for i in 0..<rows where column.validity.isValid(i) { bitmap[i >> 3] |= 1 << UInt8(i & 7) }
                addBuffer(.bytes(bitmap))
            } else {
                addBuffer(.bytes([]))
            }
            switch column.values {
            case .double(let v): addBuffer(.fixedWidth(v))
            case .float(let v): addBuffer(.fixedWidth(v))
            case .long(let v), .datetime(let v): addBuffer(.fixedWidth(v))
            case .integer(let v): addBuffer(.fixedWidth(v))
            case .boolean(let v):
                var values = [UInt8](repeating: 0, count: (rows + 7) / 8)
                for (i, flag) in v.enumerated() where flag { values[i >> 3] |= 1 << UInt8(i & 7) }
                addBuffer(.bytes(values))
            case .string(let v):
                var offsets: [UInt8] = []
                var data: [UInt8] = []
                appendLE(Int32(0), to: &offsets)
                for s in v {
                    data.append(contentsOf: s.utf8)
                    appendLE(Int32(data.count), to: &offsets)
                }
                addBuffer(.bytes(offsets))
                addBuffer(.bytes(data))
            case .binary(let v):
                var offsets: [UInt8] = []
                var data: [UInt8] = []
                appendLE(Int32(0), to: &offsets)
                for b in v {
                    data.append(contentsOf: b)
                    appendLE(Int32(data.count), to: &offsets)
                }
                addBuffer(.bytes(offsets))
                addBuffer(.bytes(data))
            case .json, .cells:
                throw ModelBundleError(
                    .inputInvalid,
                    "prediction column '\(column.name)' holds nested or mixed values, which Arrow output does not take; use JSON output",
                    item: column.name
                )
            }
        }
        let batch = FlatBufferNode.table([
            .int64(Int64(frame.rowCount)),
            .node(.structs(bytes: nodes, count: frame.columns.count)),
            .node(.structs(bytes: buffers, count: buffers.count / 16)),
        ])
        writeMessage(header: 3, headerNode: batch, body: body, bodyLength: bodyLength)
    }

    /// Adds a 2-D tensor of numbers without nulls (a classifier's `predict_proba`, say) as one record
    /// batch of one column per tensor column, named `names`: the same bytes as ``append(_:)`` of the
    /// frame ``PredictionColumns/frame(_:outputNames:)`` makes of it, with each column gathered
    /// straight into the output instead of into a column first. `false`, with nothing added, for any
    /// other tensor, or when the first batch had other columns.
    package mutating func append(_ tensor: Tensor, names: [String]) throws -> Bool {
        guard tensor.shape.count == 2, !tensor.validity.hasNulls, tensor.shape[0] > 0, names.count == tensor.shape[1],
            schema == nil || schema!.map(\.name) == names
        else { return false }
        let (rows, width) = (tensor.shape[0], tensor.shape[1])
        #if _endian(little)
        let buffers: [BodyBuffer]
        switch tensor.values {
        case .double(let v): buffers = (0..<width).map { BodyBuffer.column(v, $0, width: width) }
        case .float(let v): buffers = (0..<width).map { BodyBuffer.column(v, $0, width: width) }
        case .long(let v): buffers = (0..<width).map { BodyBuffer.column(v, $0, width: width) }
        case .integer(let v): buffers = (0..<width).map { BodyBuffer.column(v, $0, width: width) }
        default: return false
        }
        if schema == nil {
            // The whole stream at once (its metadata is well under a page a column): one allocation,
            // advised for huge pages, instead of a copy when the batch follows the schema.
            if output.isEmpty {
                let values = buffers.reduce(0) { $0 + ($1.count + 7) / 8 * 8 }
                LargeArray.reserve(&output, capacity: values + 4_096 * (width + 1))
            }
            schema = names.map { (name: $0, values: tensor.values) }
            writeMessage(header: 1, headerNode: schemaNode(), body: [], bodyLength: 0)
        }
        var body: [BodyBuffer] = []
        var bodyLength = 0
        var nodes: [UInt8] = []
        var layout: [UInt8] = []
        for buffer in buffers {
            appendLE(Int64(rows), to: &nodes)
            appendLE(Int64(0), to: &nodes)
            for part in [BodyBuffer.bytes([]), buffer] {
                appendLE(Int64(bodyLength), to: &layout)
                appendLE(Int64(part.count), to: &layout)
                body.append(part)
                bodyLength += (part.count + 7) / 8 * 8
            }
        }
        let batch = FlatBufferNode.table([
            .int64(Int64(rows)),
            .node(.structs(bytes: nodes, count: width)),
            .node(.structs(bytes: layout, count: layout.count / 16)),
        ])
        writeMessage(header: 3, headerNode: batch, body: body, bodyLength: bodyLength)
        return true
        #else
        return false
        #endif
    }

    /// An Arrow stream of one record batch of float64 columns without nulls, named `names`,
    /// `rowCount` values each, whose values `fill` writes in place: it is handed the first value of
    /// the first column, the others following it one after another (column c from `c × rowCount`),
    /// which is how the batch's value buffers lie in its body. The same bytes as ``append(_:names:)``
    /// of the row-major tensor of those values, without that tensor or the gather (a
    /// 1,000,000-row, three-class prediction: 24 MB of fresh pages and a pass over them). `nil`,
    /// with nothing kept, when `fill` returns `false`, for no names or no rows, or when the
    /// stream's size would overflow.
    package static func doubleColumnsStream<Failure: Error>(
        names: [String],
        rowCount: Int,
        fill: (UnsafeMutablePointer<Double>) throws(Failure) -> Bool
    ) throws(Failure) -> [UInt8]? {
        #if _endian(little)
        let width = names.count
        let (columnBytes, overflow) = rowCount.multipliedReportingOverflow(by: MemoryLayout<Double>.size)
        let (bodyLength, bodyOverflow) = columnBytes.multipliedReportingOverflow(by: width)
        guard width > 0, rowCount > 0, !overflow, !bodyOverflow else { return nil }
        var writer = ArrowWriter(format: .stream)
        writer.schema = names.map { (name: $0, values: .double([])) }
        writer.writeMessage(header: 1, headerNode: writer.schemaNode(), body: [], bodyLength: 0)
        var nodes: [UInt8] = []
        var layout: [UInt8] = []
        for column in 0..<width {
            appendLE(Int64(rowCount), to: &nodes)
            appendLE(Int64(0), to: &nodes)
            // An empty validity buffer, then the values.
            appendLE(Int64(column * columnBytes), to: &layout)
            appendLE(Int64(0), to: &layout)
            appendLE(Int64(column * columnBytes), to: &layout)
            appendLE(Int64(columnBytes), to: &layout)
        }
        let batch = FlatBufferNode.table([
            .int64(Int64(rowCount)),
            .node(.structs(bytes: nodes, count: width)),
            .node(.structs(bytes: layout, count: 2 * width)),
        ])
        let metadata = Self.metadata(header: 3, headerNode: batch, bodyLength: bodyLength)
        var head = writer.output + [0xFF, 0xFF, 0xFF, 0xFF]
        appendLE(Int32(metadata.count), to: &head)
        head += metadata
        let end: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]
        let (total, totalOverflow) = (head.count + end.count).addingReportingOverflow(bodyLength)
        guard !totalOverflow else { return nil }
        var filled = false
        // The body is not cleared first: `fill` writes every value of it, or its answer is `false`
        // and the stream is dropped unread. Its pages are left to the threads that write them
        // (``LargeArray/uninitialized(count:preparesPages:_:)``), advised for huge pages.
        let stream = try LargeArray.uninitialized(count: total, preparesPages: false) {
            (bytes: UnsafeMutableBufferPointer<UInt8>) throws(Failure) in
            guard let base = bytes.baseAddress else { return }
            LargeArray.adviseHugePages(UnsafeMutableRawBufferPointer(bytes))
            _ = UnsafeMutableBufferPointer(rebasing: bytes[..<head.count]).initialize(from: head)
            _ = UnsafeMutableBufferPointer(rebasing: bytes[(head.count + bodyLength)...]).initialize(from: end)
            // Every message's length is a multiple of 8, so the body is as aligned as the storage.
            let body = base + head.count
            guard Int(bitPattern: body) % MemoryLayout<Double>.alignment == 0 else { return }
            filled = try body.withMemoryRebound(to: Double.self, capacity: rowCount * width) {
                (values) throws(Failure) in try fill(values)
            }
        }
        return filled ? stream : nil
        #else
        return nil
        #endif
    }

    /// The finished stream or file.
    package mutating func finish() -> [UInt8] {
        if schema == nil {
            schema = []
            writeMessage(header: 1, headerNode: schemaNode(), body: [], bodyLength: 0)
        }
        if format == .stream {
            output.append(contentsOf: [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0])
            return output
        }
        output.append(contentsOf: [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0])
        var blockBytes: [UInt8] = []
        // The schema message is not a block; record batches are.
        for block in blocks.dropFirst() {
            appendLE(Int64(block.offset), to: &blockBytes)
            appendLE(Int32(block.metadata), to: &blockBytes)
            appendLE(Int32(0), to: &blockBytes)
            appendLE(Int64(block.body), to: &blockBytes)
        }
        let footer = FlatBufferBuilder.finish(
            .table([
                .int16(4),
                .node(schemaNode()),
                .node(.structs(bytes: [], count: 0)),
                .node(.structs(bytes: blockBytes, count: blocks.count - 1)),
            ])
        )
        output.append(contentsOf: footer)
        appendLE(Int32(footer.count), to: &output)
        output.append(contentsOf: Array("ARROW1".utf8))
        return output
    }

    private func schemaNode() -> FlatBufferNode {
        let fields = (schema ?? []).map { column -> FlatBufferNode in
            let (tag, type): (UInt8, FlatBufferNode)
            switch column.values {
            case .double: (tag, type) = (3, .table([.int16(2)]))
            case .float: (tag, type) = (3, .table([.int16(1)]))
            case .long: (tag, type) = (2, .table([.int32(64), .bool(true)]))
            case .integer: (tag, type) = (2, .table([.int32(32), .bool(true)]))
            case .boolean: (tag, type) = (6, .table([]))
            case .string: (tag, type) = (5, .table([]))
            case .datetime: (tag, type) = (10, .table([.int16(3)]))
            default: (tag, type) = (4, .table([]))
            }
            return .table([
                .node(.string(column.name)), .bool(true), .uint8(tag), .node(type), nil, .node(.tables([])),
            ])
        }
        return .table([.int16(0), .node(.tables(fields))])
    }

    /// A message's metadata (version 5, the header of type `header`), a multiple of 8 bytes long.
    private static func metadata(header: UInt8, headerNode: FlatBufferNode, bodyLength: Int) -> [UInt8] {
        FlatBufferBuilder.finish(.table([.int16(4), .uint8(header), .node(headerNode), .int64(Int64(bodyLength))]))
    }

    /// Writes one message: its prefix, metadata and body (each buffer padded to 8 bytes).
    private mutating func writeMessage(
        header: UInt8,
        headerNode: FlatBufferNode,
        body: [BodyBuffer],
        bodyLength: Int
    ) {
        let metadata = Self.metadata(header: header, headerNode: headerNode, bodyLength: bodyLength)
        let offset = output.count
        output.reserveCapacity(output.count + 8 + metadata.count + bodyLength)
        output.append(contentsOf: [0xFF, 0xFF, 0xFF, 0xFF])
        appendLE(Int32(metadata.count), to: &output)
        output.append(contentsOf: metadata)
        for buffer in body {
            buffer.append(&output)
            output.append(contentsOf: repeatElement(0, count: (8 - buffer.count % 8) % 8))
        }
        blocks.append((offset, 8 + metadata.count, bodyLength))
    }
}

/// One buffer of a record batch: its length in bytes, and how it is appended to the message.
private struct BodyBuffer {
    let count: Int
    let append: (inout [UInt8]) -> Void

    static func bytes(_ bytes: [UInt8]) -> BodyBuffer {
        BodyBuffer(count: bytes.count) { $0.append(contentsOf: bytes) }
    }

    /// Fixed-width values (numbers, whose bytes are their value), little-endian: the array's own
    /// bytes copied whole on a little-endian host, each value's bytes reversed elsewhere.
    static func fixedWidth<Value: BitwiseCopyable>(_ values: [Value]) -> BodyBuffer {
        BodyBuffer(count: values.count * MemoryLayout<Value>.size) { output in
            values.withUnsafeBytes { raw in
                #if _endian(little)
                output.append(contentsOf: raw)
                #else
                let size = MemoryLayout<Value>.size
                for start in stride(from: 0, to: raw.count, by: size) {
                    output.append(contentsOf: raw[start..<(start + size)].reversed())
                }
                #endif
            }
        }
    }
}

extension BodyBuffer {
    /// Column `k` of row-major `values` `width` wide, little-endian: gathered a chunk at a time into
    /// stack space and appended from there, so the output is written once and nothing is zeroed.
    static func column<Value: BitwiseCopyable>(_ values: [Value], _ k: Int, width: Int) -> BodyBuffer {
        let rows = values.count / width
        return BodyBuffer(count: rows * MemoryLayout<Value>.size) { output in
            values.withUnsafeBufferPointer { source in
                withUnsafeTemporaryAllocation(of: Value.self, capacity: 512) { chunk in
                    var row = 0
                    while row < rows {
                        let count = min(chunk.count, rows - row)
                        for i in 0..<count { chunk.initializeElement(at: i, to: source[(row + i) * width + k]) }
                        output.append(
                            contentsOf: UnsafeRawBufferPointer(
                                rebasing: UnsafeRawBufferPointer(chunk)[..<(count * MemoryLayout<Value>.size)]
                            )
                        )
                        row += count
                    }
                }
            }
        }
    }
}

/// Predictions as a frame for columnar output: a frame keeps its columns; a tensor becomes one
/// column per output (named as the signature's outputs, else `prediction`, or `prediction_0…`).
package enum PredictionColumns {
    /// The column names of a 2-D prediction `width` wide: the signature's output names when there is
    /// one per column, else `prediction_0`, `prediction_1`…
    package static func names(width: Int, outputNames: [String]) -> [String] {
        outputNames.count == width ? outputNames : (0..<width).map { "prediction_\($0)" }
    }

    /// The name of the one column of a 1-D prediction: the signature's output name when it has one,
    /// else `prediction`.
    package static func vectorName(outputNames: [String]) -> String {
        outputNames.count == 1 ? outputNames[0] : "prediction"
    }

    package static func frame(_ output: PredictionOutput, outputNames: [String]) throws -> Frame {
        switch output {
        case .frame(let frame): return frame
        case .tensor(let tensor):
            let shape = tensor.shape
            if shape.count <= 1 {
                let name = vectorName(outputNames: outputNames)
                return try Frame(columns: [try Column(name: name, values: tensor.values, validity: tensor.validity)])
            }
            guard shape.count == 2 else {
                throw ModelBundleError(
                    .inputInvalid,
                    "predictions of shape \(shape) have no columnar form; use JSON output"
                )
            }
            let (rows, width) = (shape[0], shape[1])
            let names = Self.names(width: width, outputNames: outputNames)
            var columns: [Column] = []
            for j in 0..<width {
                // Column j of the row-major tensor, read in place (no index array, no per-row
                // validity when the tensor has no nulls).
                func pick<Element>(_ v: [Element]) -> [Element] { (0..<rows).map { v[$0 * width + j] } }
                let mask =
                    tensor.validity.hasNulls
                    ? ValidityMask((0..<rows).map { tensor.validity.isValid($0 * width + j) }) : nil
                let values: ColumnValues
                switch tensor.values {
                case .double(let v): values = .double(pick(v))
                case .float(let v): values = .float(pick(v))
                case .long(let v): values = .long(pick(v))
                case .integer(let v): values = .integer(pick(v))
                case .boolean(let v): values = .boolean(pick(v))
                case .string(let v): values = .string(pick(v))
                case .binary(let v): values = .binary(pick(v))
                case .datetime(let v): values = .datetime(pick(v))
                case .json, .cells:
                    throw ModelBundleError(.inputInvalid, "predictions hold nested values; use JSON output")
                }
                columns.append(try Column(name: names[j], values: values, validity: mask))
            }
            return try Frame(columns: columns)
        }
    }
}
