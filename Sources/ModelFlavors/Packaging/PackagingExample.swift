package import ModelBundle
import ModelCodecs

/// An input example read from a file given to `mbundle package`, with the input schema MLflow's
/// `infer_signature` would infer for the same data (spec §2.8).
///
/// Accepted files:
/// - CSV with a header row: a data frame, read as `pandas.read_csv` types it (integers → `long`,
///   other numbers → `double`; a column with empty cells is not required).
/// - JSON: a data frame as `{"columns": […], "data": [[…]]}` (MLflow's `input_example.json`) or as a
///   request body with `dataframe_split` or `dataframe_records`, or a list of records; an ndarray as a
///   2-D list of numbers, bare or under `inputs`/`instances` (a tensor schema, `int64` when every
///   number is an integer, else `float64`, as numpy infers).
package struct PackagingExample: Sendable {
    /// The largest example file read; examples are a few rows.
    public static let maximumFileSize = 16 << 20

    /// The example as it will be stored.
    public let inputExample: InputExample
    /// The input schema inferred from it.
    public let schema: Schema

    /// Reads an example file. `fileName` picks CSV (`.csv`) or JSON (anything else) and is named in errors.
    ///
    /// - Throws: `inputInvalid` naming the file for malformed or unsupported content.
    public init(bytes: [UInt8], fileName: String) throws(ModelBundleError) {
        guard bytes.count <= Self.maximumFileSize else {
            throw ModelBundleError(
                .inputInvalid,
                "example \(fileName) is \(bytes.count) bytes, more than \(Self.maximumFileSize); give a few rows",
                item: fileName
            )
        }
        if fileName.lowercased().hasSuffix(".csv") {
            self = try Self.frame(try Self.csvColumns(bytes, fileName: fileName), fileName: fileName)
        } else {
            let value = try JSONParser(errorCode: .inputInvalid, source: fileName).parse(bytes)
            self = try Self.json(value, fileName: fileName)
        }
    }

    private init(inputExample: InputExample, schema: Schema) {
        self.inputExample = inputExample
        self.schema = schema
    }

    private static func frame(_ columns: [(name: String, values: [JSONValue])], fileName: String)
        throws(ModelBundleError) -> PackagingExample
    {
        guard !columns.isEmpty, let rowCount = columns.first?.values.count, rowCount > 0 else {
            throw ModelBundleError(.inputInvalid, "example \(fileName) has no rows; give at least one", item: fileName)
        }
        var rows = [[JSONValue]](repeating: [], count: rowCount)
        for column in columns {
            for (index, value) in column.values.enumerated() {
                rows[index].append(value)
            }
        }
        let schema = try tagged(fileName) { () throws(ModelBundleError) in
            try SignatureInference.frameSchema(columns: columns.map { ($0.name, $0.values, nil) })
        }
        return PackagingExample(inputExample: .dataframe(columns: columns.map(\.name), rows: rows), schema: schema)
    }

    private static func json(_ value: JSONValue, fileName: String) throws(ModelBundleError) -> PackagingExample {
        func invalid(_ message: String) -> ModelBundleError {
            ModelBundleError(.inputInvalid, "example \(fileName): \(message)", item: fileName)
        }
        var body = value
        if let object = value.objectValue {
            let keys = object.map(\.key)
            if Set(keys) == ["columns", "data"] || Set(keys) == ["columns", "data", "index"] {
                return try frame(try splitColumns(value, fileName: fileName), fileName: fileName)
            }
            guard keys.count == 1, let key = keys.first, let inner = value[key] else {
                throw invalid(
                    "expected {\"columns\": …, \"data\": …}, a 2-D list, or a request body with one of "
                        + "dataframe_split, dataframe_records, inputs, instances (and no params)"
                )
            }
            switch key {
            case "dataframe_split":
                return try frame(try splitColumns(inner, fileName: fileName), fileName: fileName)
            case "dataframe_records": body = inner
            case "inputs", "instances": body = inner
            default:
                throw invalid("unsupported field \(key); use dataframe_split, dataframe_records, inputs or instances")
            }
        }
        guard let list = body.arrayValue, !list.isEmpty else {
            throw invalid("the data must be a non-empty list of rows")
        }
        if list.allSatisfy({ $0.objectValue != nil }) {
            return try frame(try recordColumns(list, fileName: fileName), fileName: fileName)
        }
        // A 2-D numeric list: an ndarray.
        var width: Int?
        var allIntegers = true
        for (rowIndex, row) in list.enumerated() {
            guard let cells = row.arrayValue, !cells.isEmpty, width == nil || width == cells.count else {
                throw invalid("row \(rowIndex) is not a list of \(width.map(String.init) ?? "one or more") numbers")
            }
            width = cells.count
            for cell in cells {
                switch cell {
                case .integer: break
                case .double: allIntegers = false
                default:
                    throw invalid(
                        "row \(rowIndex) holds a value that is not a number; an ndarray example holds numbers only"
                    )
                }
            }
        }
        let shape = [list.count, width ?? 0]
        let schema = try tagged(fileName) { () throws(ModelBundleError) in
            try SignatureInference.tensorSchema(dtype: allIntegers ? .int64 : .float64, shape: shape)
        }
        return PackagingExample(inputExample: .ndarray(.array(list)), schema: schema)
    }

    // MARK: - Shapes

    /// `{"columns": [names], "data": [[row], …]}`.
    static func splitColumns(_ value: JSONValue, fileName: String) throws(ModelBundleError)
        -> [(name: String, values: [JSONValue])]
    {
        guard let names = value["columns"]?.arrayValue?.compactMap(\.stringValue),
            names.count == value["columns"]?.arrayValue?.count, !names.isEmpty,
            let data = value["data"]?.arrayValue
        else {
            throw ModelBundleError(
                .inputInvalid,
                "example \(fileName): a data frame needs \"columns\" (a list of names) and \"data\" (a list of rows)",
                item: fileName
            )
        }
        guard Set(names).count == names.count else {
            throw ModelBundleError(.inputInvalid, "example \(fileName) names a column twice", item: fileName)
        }
        var columns = names.map { (name: $0, values: [JSONValue]()) }
        for (rowIndex, row) in data.enumerated() {
            guard let cells = row.arrayValue, cells.count == names.count else {
                throw ModelBundleError(
                    .inputInvalid,
                    "example \(fileName): row \(rowIndex) does not hold \(names.count) values",
                    item: fileName
                )
            }
            for (index, cell) in cells.enumerated() {
                columns[index].values.append(cell)
            }
        }
        return columns
    }

    /// A list of records: columns in order of first appearance; a missing key is null.
    static func recordColumns(_ records: [JSONValue], fileName: String) throws(ModelBundleError)
        -> [(name: String, values: [JSONValue])]
    {
        var names: [String] = []
        var seen = Set<String>()
        for record in records {
            for (key, _) in record.objectValue ?? JSONObject() where seen.insert(key).inserted {
                names.append(key)
            }
        }
        return names.map { name in (name, records.map { $0[name] ?? .null }) }
    }

    /// CSV through the request codec (no schema: types follow the values, as pandas infers them).
    static func csvColumns(_ bytes: [UInt8], fileName: String) throws(ModelBundleError)
        -> [(name: String, values: [JSONValue])]
    {
        let frame: Frame
        do throws(ModelBundleError) {
            frame = try CSVReader().read(bytes)
        } catch {
            throw ModelBundleError(.inputInvalid, "example \(fileName): \(error.message)", item: fileName)
        }
        var columns: [(name: String, values: [JSONValue])] = []
        for column in frame.columns {
            var values: [JSONValue] = []
            for index in 0..<column.count {
                values.append(try cell(column.values, index, valid: column.validity.isValid(index), fileName: fileName))
            }
            columns.append((column.name, values))
        }
        return columns
    }

    /// One CSV cell as the JSON value pandas would write for it (NaN for a missing float).
    static func cell(_ values: ColumnValues, _ index: Int, valid: Bool, fileName: String) throws(ModelBundleError)
        -> JSONValue
    {
        switch values {
        case .double(let numbers): return valid ? .double(numbers[index]) : .double(.nan)
        case .float(let numbers): return valid ? .double(Double(numbers[index])) : .double(.nan)
        case _ where !valid: return .null
        case .long(let numbers): return .integer(numbers[index])
        case .integer(let numbers): return .integer(Int64(numbers[index]))
        case .boolean(let flags): return .bool(flags[index])
        case .string(let texts): return .string(texts[index])
        case .cells(let cells):
            switch cells.kinds[index] {
            case .null: return .null
            case .integral: return .integer(cells.integers[index])
            case .fractional, .largeIntegral: return .double(cells.numbers[index])
            case .boolean: return .bool(cells.integers[index] != 0)
            case .string, .nested: return .string(cells.texts[index])
            }
        default:
            throw ModelBundleError(
                .inputInvalid,
                "example \(fileName) holds a column type a CSV example cannot",
                item: fileName
            )
        }
    }

    /// Runs `body`, naming the example file in its errors.
    static func tagged<T>(_ fileName: String, _ body: () throws(ModelBundleError) -> T) throws(ModelBundleError) -> T {
        do {
            return try body()
        } catch {
            throw ModelBundleError(
                .inputInvalid,
                "example \(fileName): \(error.message)",
                item: fileName,
                detail: error.detail
            )
        }
    }
}
