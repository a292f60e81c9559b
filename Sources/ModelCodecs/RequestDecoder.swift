public import ModelBundle

/// Decodes `/invocations` request bodies (JSON and CSV) into ``Frame``s and ``Tensor``s, following
/// MLflow's serving layer (spec §3.8 and §6.3) for which inputs are accepted and how they map to
/// columns and tensors, but without its lossy casts: values are kept as written (see
/// ``ColumnValues``) so that schema enforcement can refuse a loss and name the cell.
///
/// Numbers are parsed straight from the body into typed buffers (one `[Double]` per double column
/// or tensor). Every size is bounded: the body by ``Limits/maxBodyBytes`` before anything else,
/// nesting by ``Limits/maxDepth``, columns and rows by their limits before a builder is created;
/// buffers only grow with the body, or are reserved from an estimate bounded by its size.
public struct RequestDecoder: Sendable {
    /// Bounds on what a request may contain.
    public struct Limits: Sendable, Hashable {
        public var maxBodyBytes: Int
        public var maxDepth: Int
        public var maxColumns: Int
        public var maxRows: Int

        public init(
            maxBodyBytes: Int = 1 << 30,
            maxDepth: Int = 64,
            maxColumns: Int = 65_536,
            maxRows: Int = 100_000_000
        ) {
            self.maxBodyBytes = maxBodyBytes
            self.maxDepth = maxDepth
            self.maxColumns = maxColumns
            self.maxRows = maxRows
        }
    }

    /// The model's input schema, or `nil` when the model has none (types then follow the values).
    public var schema: RequestSchema?
    public var limits: Limits
    /// The number of rows before this body's first (a batch of a stream): messages and locations
    /// count rows from the start of the whole input. Used by CSV and `dataframe_records` bodies.
    package var rowOffset = 0

    public init(schema: RequestSchema? = nil, limits: Limits = Limits()) {
        self.schema = schema
        self.limits = limits
    }

    static let dataFields = ["dataframe_split", "dataframe_records", "instances", "inputs"]
    static let requiredFormat =
        "The input must be a JSON dictionary with exactly one of the input fields "
        + "{'dataframe_split', 'dataframe_records', 'instances', 'inputs'}"

    /// Decodes a request body.
    /// - Throws: ``ModelBundleError/Code/inputInvalid`` naming the field, column, row or byte offset.
    public func decode(_ body: [UInt8], format: RequestFormat) throws(ModelBundleError) -> DecodedRequest {
        guard body.count <= limits.maxBodyBytes else {
            throw ModelBundleError(
                .inputInvalid,
                "The request body is \(body.count) bytes, more than the limit of \(limits.maxBodyBytes); "
                    + "send smaller batches."
            )
        }
        guard !format.isColumnar else {
            // Parquet and Arrow are decoded by ModelColumnar (LoadedModel's request path calls it).
            throw ModelBundleError(
                .inputInvalid,
                "\(format.rawValue) bodies are decoded by the runtime's columnar reader, not the text decoder"
            )
        }
        try Self.checkCharset(body)
        return try body.withUnsafeBufferPointer { buffer in
            Result { () throws(ModelBundleError) -> DecodedRequest in
                guard let base = buffer.baseAddress, !buffer.isEmpty else {
                    throw ModelBundleError(.inputInvalid, "Invalid input. The request body is empty.")
                }
                // A UTF-8 byte order mark is allowed (Python's json.loads and pandas skip it).
                let skip = buffer.count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF ? 3 : 0
                switch format {
                case .json: return try decodeJSON(base + skip, count: buffer.count - skip)
                case .csv:
                    var reader = CSVReader(schema: schema, limits: limits)
                    reader.rowOffset = rowOffset
                    return DecodedRequest(
                        field: nil,
                        input: .frame(try reader.read(base + skip, count: buffer.count - skip))
                    )
                case .parquet, .arrow:
                    throw ModelBundleError(.inputInvalid, "\(format.rawValue) bodies are not text")
                }
            }
        }.get()
    }

    /// Refuses UTF-16 and UTF-32 bodies (byte order marks or NUL bytes at the start).
    static func checkCharset(_ body: [UInt8]) throws(ModelBundleError) {
        let head = body.prefix(4)
        let utf16 = head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF])
        if utf16 || head.contains(0) {
            throw ModelBundleError(
                .inputInvalid,
                "The scoring server only supports UTF-8; this body looks like UTF-16 or UTF-32."
            )
        }
    }

    // MARK: JSON envelope

    func decodeJSON(_ p: UnsafePointer<UInt8>, count: Int) throws(ModelBundleError) -> DecodedRequest {
        var r = CodecJSONReader(p, count: count, maxDepth: limits.maxDepth)
        let first = r.peek()
        guard first == UInt8(ascii: "{") else {
            _ = try r.skipValue()
            try finishDocument(&r)
            if first == UInt8(ascii: "[") {
                throw ModelBundleError(.inputInvalid, "Invalid input. \(Self.requiredFormat). Received a list.")
            }
            throw ModelBundleError(
                .inputInvalid,
                "Invalid input. \(Self.requiredFormat). Received unexpected input type."
            )
        }
        r.i += 1
        try r.enter()
        var fields: [String] = []
        var input: RequestInput?
        var unnamedColumns = false
        var params: String?
        if !r.consume(UInt8(ascii: "}")) {
            repeat {
                let key = try r.readString()
                try r.expect(UInt8(ascii: ":"), "':'")
                if Self.dataFields.contains(key) {
                    guard !fields.contains(key) else {
                        // Python's json keeps the last of two equal keys; one of two bodies would be
                        // ignored without a word, so the request is refused instead.
                        throw ModelBundleError(
                            .inputInvalid,
                            "Invalid input. The field '\(key)' appears twice in the request; give it once.",
                            item: key
                        )
                    }
                    fields.append(key)
                    if fields.count == 1 {
                        (input, unnamedColumns) = try decodeField(key, &r)
                    } else {
                        _ = try r.skipValue()
                    }
                } else if key == "params" {
                    // Any JSON value: as MLflow, a model without a params schema ignores params that are
                    // not an object, and schema enforcement refuses them for one with (ParamEnforcer).
                    let text = try r.skipValue()
                    params = text == "null" ? nil : text
                } else {
                    _ = try r.skipValue()
                }
            } while try r.nextElement(close: UInt8(ascii: "}"))
        }
        r.leave()
        try finishDocument(&r)
        guard fields.count == 1, let input else {
            let listed = fields.map { "'\($0)'" }.joined(separator: ", ")
            throw ModelBundleError(
                .inputInvalid,
                "\(Self.requiredFormat). Received dictionary with input fields: [\(listed)]. IMPORTANT: The "
                    + "MLflow Model scoring protocol has changed in MLflow version 2.0.",
                item: fields.count > 1 ? fields[1] : nil
            )
        }
        var request = DecodedRequest(field: fields[0], input: input, paramsJSON: params)
        request.unnamedColumns = unnamedColumns
        return request
    }

    private func finishDocument(_ r: inout CodecJSONReader) throws(ModelBundleError) {
        r.skipWhitespace()
        guard r.i == r.end else { throw r.error("extra data after the JSON value") }
    }

    /// The field's data, and whether its columns are unnamed (``DecodedRequest/unnamedColumns``).
    private func decodeField(_ field: String, _ r: inout CodecJSONReader) throws(ModelBundleError)
        -> (RequestInput, unnamedColumns: Bool)
    {
        switch field {
        case "dataframe_split":
            let (frame, unnamed) = try decodeSplit(&r)
            return (.frame(frame), unnamed)
        case "dataframe_records":
            guard r.peek() == UInt8(ascii: "[") else {
                throw ModelBundleError(
                    .inputInvalid,
                    "Invalid input. Dataframe records format must be a list of records. Got \(typeName(&r)).",
                    item: field
                )
            }
            return (.frame(try decodeRecords(&r, field: field)), false)
        default:
            return (try decodeTensorStyle(&r, field: field), false)
        }
    }

    private func typeName(_ r: inout CodecJSONReader) -> String {
        switch r.peek() {
        case UInt8(ascii: "{"): "dictionary"
        case UInt8(ascii: "["): "list"
        case UInt8(ascii: "\""): "str"
        default: "scalar"
        }
    }

    func target(column name: String, position: Int) -> CodecTarget {
        schema?.columnTarget(name: name, position: position) ?? .infer
    }

    private func checkColumnCount(_ count: Int, field: String) throws(ModelBundleError) {
        guard count <= limits.maxColumns else {
            throw ModelBundleError(
                .inputInvalid,
                "Invalid input. More than \(limits.maxColumns) columns; split the request.",
                item: field
            )
        }
    }

    private func checkRowCount(_ count: Int, field: String) throws(ModelBundleError) {
        guard count <= limits.maxRows else {
            throw ModelBundleError(
                .inputInvalid,
                "Invalid input. More than \(limits.maxRows) rows; send smaller batches.",
                item: field
            )
        }
    }

    // MARK: dataframe_split

    private func decodeSplit(_ r: inout CodecJSONReader) throws(ModelBundleError) -> (Frame, unnamed: Bool) {
        guard r.peek() == UInt8(ascii: "{") else {
            throw ModelBundleError(
                .inputInvalid,
                "Invalid input. Dataframe split format must be a dictionary. Got \(typeName(&r)).",
                item: "dataframe_split"
            )
        }
        r.i += 1
        try r.enter()
        var keys: [String] = []
        var columns: [String]?
        var numberLabels = false
        var deferredData: Int?
        var indexCount: Int?
        var frame: Frame?
        if !r.consume(UInt8(ascii: "}")) {
            repeat {
                let key = try r.readString()
                keys.append(key)
                try r.expect(UInt8(ascii: ":"), "':'")
                switch key {
                case "columns":
                    columns = try readColumnNames(&r, numberLabels: &numberLabels)
                case "index":
                    indexCount = try countIndexLabels(&r)
                case "data":
                    if columns != nil {
                        frame = try readSplitData(&r, columns: columns)
                    } else {
                        // `columns` may still follow: remember where the data is and read it afterwards.
                        _ = r.peek()
                        deferredData = r.i
                        _ = try r.skipValue()
                    }
                default:
                    throw splitFieldError(keys)
                }
            } while try r.nextElement(close: UInt8(ascii: "}"))
        }
        r.leave()
        if let deferredData {
            let resume = r.i
            r.i = deferredData
            frame = try readSplitData(&r, columns: columns)
            r.i = resume
        }
        guard Set(keys).count == keys.count, let frame else { throw splitFieldError(keys) }
        // pandas refuses an index whose length differs from the number of rows; so does MLflow.
        if let indexCount, indexCount != frame.rowCount {
            throw splitDataError(
                "'index' has \(indexCount) labels but 'data' has \(frame.rowCount) rows.",
                row: min(indexCount, frame.rowCount)
            )
        }
        return (frame, columns == nil || numberLabels)
    }

    /// Skips the `index` list, counting its labels.
    private func countIndexLabels(_ r: inout CodecJSONReader) throws(ModelBundleError) -> Int {
        guard r.consume(UInt8(ascii: "[")) else {
            throw splitDataError("'index' must be a list of row labels.", row: 0)
        }
        try r.enter()
        var count = 0
        if !r.consume(UInt8(ascii: "]")) {
            repeat {
                _ = try r.skipValue()
                count += 1
            } while try r.nextElement(close: UInt8(ascii: "]"))
        }
        r.leave()
        return count
    }

    private func splitFieldError(_ keys: [String]) -> ModelBundleError {
        let listed = keys.map { "'\($0)'" }.joined(separator: ", ")
        return ModelBundleError(
            .inputInvalid,
            "Invalid input. Dataframe split format must have 'data' field and optionally 'columns' and 'index' "
                + "fields. Got {\(listed)}.",
            item: "dataframe_split"
        )
    }

    /// The `columns` of a `dataframe_split`; `numberLabels` is set when every label is a number
    /// (an empty list has none).
    func readColumnNames(_ r: inout CodecJSONReader, numberLabels: inout Bool) throws(ModelBundleError) -> [String] {
        try r.expect(UInt8(ascii: "["), "a list of column names")
        var names: [String] = []
        var texts = 0
        defer { numberLabels = !names.isEmpty && texts == 0 }
        if !r.consume(UInt8(ascii: "]")) {
            repeat {
                if r.peek() == UInt8(ascii: "\"") {
                    names.append(try r.readString())
                    texts += 1
                } else {
                    // pandas allows integer labels; they name the column by their text.
                    let start = r.i
                    let number = try r.readNumber()
                    names.append(r.text(from: start, to: number.end))
                }
                try checkColumnCount(names.count, field: "dataframe_split.columns")
            } while try r.nextElement(close: UInt8(ascii: "]"))
        }
        return names
    }

    private func splitDataError(_ message: String, row: Int) -> ModelBundleError {
        ModelBundleError(
            .inputInvalid,
            "Invalid input. Provided dataframe_split field is not a valid dataframe representation in 'split' "
                + "format. Error: \(message)",
            item: "dataframe_split.data[\(row)]"
        )
    }

    private func readSplitData(_ r: inout CodecJSONReader, columns: [String]?) throws(ModelBundleError) -> Frame {
        guard r.consume(UInt8(ascii: "[")) else { throw splitDataError("'data' must be a list of rows.", row: 0) }
        try r.enter()
        var builders = (columns ?? []).enumerated().map {
            CodecColumnBuilder(name: $0.element, target: target(column: $0.element, position: $0.offset))
        }
        if !builders.isEmpty, r.peek() == UInt8(ascii: "["),
            let parallel = CodecParallelRows.read(r, builders: builders, single: false),
            parallel.rows <= limits.maxRows
        {
            r.i = parallel.end
            r.leave()
            return try Frame(columns: parallel.builders.map { $0.finishColumn() }, rowCount: parallel.rows)
        }
        var row = 0
        // With known columns that all take doubles, rows of plain numbers go through a block straight
        // into the buffers (CodecDoubleBlock); any other row is read by the general loop.
        var block: CodecDoubleBlock?
        if columns != nil, CodecDoubleBlock.usable(columns: builders.count), r.depth + 1 <= r.maxDepth,
            builders.withUnsafeMutableBufferPointer({ CodecDoubleBlock.accepts($0) })
        {
            block = CodecDoubleBlock(
                columns: builders.count,
                columnMajor: true,
                floatColumns: builders.map { $0.target == .float }
            )
        }
        func flush() {
            guard block != nil else { return }
            builders.withUnsafeMutableBufferPointer { builders in block?.flush(into: builders) }
        }
        if !r.consume(UInt8(ascii: "]")) {
            repeat {
                _ = r.peek()
                let rowStart = r.i
                if block != nil, let next = block?.jsonRow(r.p, r.i, r.end) {
                    r.i = next
                    if block?.isFull == true { flush() }
                    if row == 0 {
                        let estimate = (r.end - r.i) / max(1, r.i - rowStart) + 1
                        for k in builders.indices { builders[k].reserve(min(estimate, limits.maxRows)) }
                    }
                    row += 1
                    try checkRowCount(row, field: "dataframe_split.data")
                    continue
                }
                flush()
                guard r.consume(UInt8(ascii: "[")) else { throw splitDataError("row \(row) is not a list.", row: row) }
                try r.enter()
                var column = 0
                if !r.consume(UInt8(ascii: "]")) {
                    repeat {
                        if column == builders.count {
                            guard columns == nil && row == 0 else {
                                throw splitDataError(
                                    "row \(row) has more values than the \(builders.count) columns.",
                                    row: row
                                )
                            }
                            try checkColumnCount(column + 1, field: "dataframe_split.data")
                            let name = String(column)
                            builders.append(
                                CodecColumnBuilder(name: name, target: target(column: name, position: column))
                            )
                        }
                        try r.readCell(into: &builders[column])
                        column += 1
                    } while try r.nextElement(close: UInt8(ascii: "]"))
                }
                r.leave()
                guard column == builders.count else {
                    throw splitDataError(
                        "row \(row) has \(column) values but there are \(builders.count) columns.",
                        row: row
                    )
                }
                if row == 0 {
                    // Reserve from the first row's size; the estimate is bounded by the body.
                    let estimate = (r.end - r.i) / max(1, r.i - rowStart) + 1
                    for k in builders.indices { builders[k].reserve(min(estimate, limits.maxRows)) }
                }
                row += 1
                try checkRowCount(row, field: "dataframe_split.data")
                if block != nil && !builders.withUnsafeMutableBufferPointer({ CodecDoubleBlock.accepts($0) }) {
                    block = nil  // a general row demoted a column: the rest goes the general way
                }
            } while try r.nextElement(close: UInt8(ascii: "]"))
        }
        flush()
        r.leave()
        return try Frame(columns: builders.map { $0.finishColumn() }, rowCount: row)
    }

    // MARK: dataframe_records and instances as a list of objects

    private func decodeRecords(_ r: inout CodecJSONReader, field: String) throws(ModelBundleError) -> Frame {
        try r.expect(UInt8(ascii: "["), "a list of records")
        try r.enter()
        var builders: [CodecColumnBuilder] = []
        var index: [String: Int] = [:]
        var row = 0
        if !r.consume(UInt8(ascii: "]")) {
            repeat {
                guard r.consume(UInt8(ascii: "{")) else {
                    throw ModelBundleError(
                        .inputInvalid,
                        "Invalid input. Record \(row + rowOffset) of '\(field)' is not a JSON object.",
                        item: "\(field)[\(row + rowOffset)]",
                        location: .init(field: field, row: row + rowOffset)
                    )
                }
                try r.enter()
                if !r.consume(UInt8(ascii: "}")) {
                    repeat {
                        let key = try r.readString()
                        try r.expect(UInt8(ascii: ":"), "':'")
                        let k: Int
                        if let known = index[key] {
                            k = known
                        } else {
                            try checkColumnCount(builders.count + 1, field: field)
                            k = builders.count
                            index[key] = k
                            var builder = CodecColumnBuilder(
                                name: key,
                                target: target(column: key, position: k),
                                rowOffset: rowOffset
                            )
                            for _ in 0..<row { builder.appendNull() }  // missing in earlier records
                            builders.append(builder)
                        }
                        guard builders[k].count == row else {
                            throw ModelBundleError(
                                .inputInvalid,
                                "Invalid input. Record \(row + rowOffset) of '\(field)' has the key '\(key)' twice.",
                                item: "\(field)[\(row + rowOffset)].\(key)",
                                location: .init(field: field, column: key, row: row + rowOffset)
                            )
                        }
                        try r.readCell(into: &builders[k])
                    } while try r.nextElement(close: UInt8(ascii: "}"))
                }
                r.leave()
                for k in builders.indices where builders[k].count == row { builders[k].appendNull() }
                row += 1
                try checkRowCount(row, field: field)
            } while try r.nextElement(close: UInt8(ascii: "]"))
        }
        r.leave()
        return try Frame(columns: builders.map { $0.finishColumn() }, rowCount: row)
    }

    // MARK: inputs and instances

    private func decodeTensorStyle(_ r: inout CodecJSONReader, field: String) throws(ModelBundleError) -> RequestInput {
        let b = r.peek()
        if b == UInt8(ascii: "[") {
            // A list of objects is pivoted into columns (parse_instances_data / per-record inputs).
            var look = r.i + 1
            while look < r.end, [0x20, 0x0A, 0x0D, 0x09].contains(r.p[look]) { look += 1 }
            if look < r.end && r.p[look] == UInt8(ascii: "{") {
                return .frame(try decodeRecords(&r, field: field))
            }
            // A plain list against a named column schema with one column is that column (MLflow's
            // `_cast_schema_type`), when its elements are scalars.
            if let schema, !schema.isTensorBased, schema.columns.count == 1, let name = schema.columns[0].name,
                look < r.end, r.p[look] != UInt8(ascii: "[")
            {
                return .frame(try Frame(columns: [try readColumnList(&r, name: name, position: 0, field: field)]))
            }
            let target = schema?.arrayTarget(name: nil) ?? .infer
            return .tensor(try readTensor(&r, name: nil, target: target, field: field))
        }
        guard b == UInt8(ascii: "{") else {
            let target = schema?.arrayTarget(name: nil) ?? .infer
            return .tensor(try readTensor(&r, name: nil, target: target, field: field))
        }
        r.i += 1
        try r.enter()
        let columnBased = schema.map { !$0.isTensorBased } ?? false
        // With an array/object/map/any column, MLflow reads the dictionary as ONE row
        // (`pd.DataFrame([data])`): each key's value, list or not, is one cell (spec §10.1 row 28).
        let oneRow = columnBased && (schema?.columns.contains { $0.type == nil } ?? false)
        var columns: [Column] = []
        var tensors: [Tensor] = []
        var names = Set<String>()
        if !r.consume(UInt8(ascii: "}")) {
            repeat {
                let key = try r.readString()
                try r.expect(UInt8(ascii: ":"), "':'")
                guard names.insert(key).inserted else {
                    throw ModelBundleError(
                        .inputInvalid,
                        "Invalid input. The input '\(key)' appears twice in '\(field)'.",
                        item: "\(field).\(key)"
                    )
                }
                try checkColumnCount(names.count, field: field)
                if oneRow {
                    var builder = CodecColumnBuilder(name: key, target: target(column: key, position: columns.count))
                    try r.readCell(into: &builder)
                    columns.append(builder.finishColumn())
                } else if columnBased {
                    columns.append(try readColumnList(&r, name: key, position: columns.count, field: field))
                } else {
                    let target = schema?.arrayTarget(name: key) ?? .infer
                    tensors.append(try readTensor(&r, name: key, target: target, field: "\(field).\(key)"))
                }
            } while try r.nextElement(close: UInt8(ascii: "}"))
        }
        r.leave()
        if columnBased {
            let lengths = Set(columns.map(\.count))
            guard lengths.count <= 1 else {
                throw ModelBundleError(
                    .inputInvalid,
                    "Invalid input. The length of values for each input/column name are not the same",
                    item: field
                )
            }
            return .frame(try Frame(columns: columns))
        }
        return .namedTensors(tensors)
    }

    /// A column given as a JSON list (each element one cell; nested elements are kept as JSON) or
    /// a single value (one cell).
    private func readColumnList(_ r: inout CodecJSONReader, name: String, position: Int, field: String)
        throws(ModelBundleError) -> Column
    {
        var builder = CodecColumnBuilder(name: name, target: target(column: name, position: position))
        if r.consume(UInt8(ascii: "[")) {
            try r.enter()
            if !r.consume(UInt8(ascii: "]")) {
                repeat {
                    try r.readCell(into: &builder)
                    try checkRowCount(builder.count, field: "\(field).\(name)")
                } while try r.nextElement(close: UInt8(ascii: "]"))
            }
            r.leave()
        } else {
            try r.readCell(into: &builder)
        }
        return builder.finishColumn()
    }

    /// An n-dimensional list into one contiguous buffer, discovering the shape; ragged lists are refused
    /// (numpy refuses them too).
    private func readTensor(
        _ r: inout CodecJSONReader,
        name: String?,
        target: CodecTarget,
        field: String
    ) throws(ModelBundleError) -> Tensor {
        var state = CodecTensorState(builder: CodecColumnBuilder(name: name ?? field, target: target))
        if r.peek() == UInt8(ascii: "[") {
            // A large matrix: two threads (falls back to the sequential reader below on anything unusual).
            var inner = r
            inner.i += 1
            if inner.peek() == UInt8(ascii: "["), (try? inner.enter()) != nil,
                let parallel = CodecParallelRows.read(inner, builders: [state.builder], single: true),
                let builder = parallel.builders.first, parallel.rows * parallel.width <= limits.maxRows
            {
                r.i = parallel.end
                return try Tensor(
                    name: name,
                    shape: [parallel.rows, parallel.width],
                    values: builder.finish(),
                    validity: builder.validity
                )
            }
        }
        if r.peek() == UInt8(ascii: "[") {
            try readArray(&r, level: 0, state: &state, field: field)
        } else {
            try r.readCell(into: &state.builder)
            state.leafLevel = 0
        }
        if state.leafLevel >= 0 && state.shape.count != state.leafLevel { throw raggedError(field) }
        let shape = state.shape
        let values = state.builder.finish()
        return try Tensor(name: name, shape: shape, values: values, validity: state.builder.validity)
    }

    private func raggedError(_ field: String) -> ModelBundleError {
        ModelBundleError(
            .inputInvalid,
            "Invalid input. The nested lists of '\(field)' are ragged or mix lists and values; give every row "
                + "the same shape.",
            item: field
        )
    }

    private func readArray(
        _ r: inout CodecJSONReader,
        level: Int,
        state: inout CodecTensorState,
        field: String
    ) throws(ModelBundleError) {
        if state.leafLevel >= 0 && level >= state.leafLevel { throw raggedError(field) }
        let start = r.i
        r.i += 1
        try r.enter()
        var n = 0
        if !r.consume(UInt8(ascii: "]")) {
            repeat {
                if r.peek() == UInt8(ascii: "[") {
                    try readArray(&r, level: level + 1, state: &state, field: field)
                } else {
                    if state.leafLevel < 0 {
                        state.leafLevel = level + 1
                        if state.shape.count > level + 1 { throw raggedError(field) }
                    } else if state.leafLevel != level + 1 {
                        throw raggedError(field)
                    }
                    try r.readCell(into: &state.builder)
                }
                n += 1
            } while try r.nextElement(close: UInt8(ascii: "]"))
        }
        r.leave()
        while state.shape.count <= level { state.shape.append(-1) }
        if state.shape[level] < 0 {
            state.shape[level] = n
        } else if state.shape[level] != n {
            throw raggedError(field)
        }
        if !state.reserved && state.leafLevel == level + 1 && n > 0 {
            // First innermost list: estimate the total from its size (bounded by the body).
            state.reserved = true
            let (estimate, overflow) = n.multipliedReportingOverflow(by: (r.end - r.i) / max(1, r.i - start) + 1)
            state.builder.reserve(overflow ? limits.maxRows : min(estimate, limits.maxRows))
        }
        try checkRowCount(state.builder.count, field: field)
    }
}

struct CodecTensorState {
    var builder: CodecColumnBuilder
    var shape: [Int] = []
    var leafLevel = -1
    var reserved = false
}
