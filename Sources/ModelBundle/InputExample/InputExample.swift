/// A model's input example (spec §4): the data MLflow stores in `input_example.json`, the request body it
/// stores in `serving_input_example.json`, and the `saved_input_example_info` describing both.
///
/// Values are kept as ``JSONValue`` exactly as they will be written; the builders only decide the layout
/// (`{"columns": …, "data": …}` for data frames, wrapping in `inputs`/`dataframe_split`, params alongside).
public struct InputExample: Sendable, Hashable {
    /// `saved_input_example_info.type`.
    public private(set) var type: String
    /// The data as stored in `input_example.json` (without the params wrapper).
    public private(set) var data: JSONValue
    /// Params given with the example, if any.
    public private(set) var params: JSONObject?
    /// `pandas_orient` for data frames.
    public private(set) var pandasOrient: String?

    private init(type: String, data: JSONValue, params: JSONObject?, pandasOrient: String? = nil) {
        self.type = type
        self.data = data
        self.params = params
        self.pandasOrient = pandasOrient
    }

    /// A data frame: `columns` (or `nil` for pandas' default integer column names) and rows of cell values.
    /// Missing values should be `.null`, or `.double(.nan)` for float columns as pandas 3 writes them.
    public static func dataframe(columns: [String]?, rows: [[JSONValue]], params: JSONObject? = nil) -> InputExample {
        var split: [(String, JSONValue)] = []
        if let columns {
            split.append(("columns", .array(columns.map(JSONValue.string))))
        }
        split.append(("data", .array(rows.map(JSONValue.array))))
        return InputExample(
            type: "dataframe",
            data: .object(split),
            params: params,
            pandasOrient: columns == nil ? "values" : "split"
        )
    }

    /// An ndarray as a nested list (NaN already replaced by `null`, as MLflow does).
    public static func ndarray(_ value: JSONValue, params: JSONObject? = nil) -> InputExample {
        InputExample(type: "ndarray", data: value, params: params)
    }

    /// A dict of named ndarrays, each a nested list.
    public static func ndarray(named arrays: [(String, JSONValue)], params: JSONObject? = nil) -> InputExample {
        InputExample(type: "ndarray", data: .object(arrays), params: params)
    }

    /// Plain JSON data: scalars, lists, dicts, lists of dicts.
    public static func jsonObject(_ value: JSONValue, params: JSONObject? = nil) -> InputExample {
        InputExample(type: "json_object", data: value, params: params)
    }

    /// The JSON written to `input_example.json`: the data, or `{"inputs": data, "params": params}`.
    public var inputExampleJSON: JSONValue {
        guard let params else { return data }
        return .object([("inputs", data), ("params", .object(params))])
    }

    /// Whether the data is a dict in MLflow's unified LLM format (`messages`, `prompt` or `input` keys),
    /// which is served unwrapped.
    private var isUnifiedLLMInput: Bool {
        guard type == "json_object", let object = data.objectValue else { return false }
        return object.keys.contains { $0 == "messages" || $0 == "prompt" || $0 == "input" }
    }

    /// The request body written to `serving_input_example.json`, or `nil` for sparse matrices.
    public var servingInputJSON: JSONValue? {
        var body: JSONObject
        switch type {
        case "dataframe": body = JSONObject([("dataframe_split", data)])
        case "ndarray", "json_object":
            if isUnifiedLLMInput, let object = data.objectValue {
                body = object
                for (key, value) in params ?? JSONObject() {
                    body[key] = value
                }
                return .object(body)
            }
            body = JSONObject([("inputs", data)])
        default: return nil
        }
        if let params {
            body["params"] = .object(params)
        }
        return .object(body)
    }

    /// The exact bytes of `input_example.json` (compact `json.dumps`).
    public var inputExampleBytes: [UInt8] { JSONWriter().bytes(inputExampleJSON) }

    /// The exact bytes of `serving_input_example.json` (`json.dumps(indent=2)`), or `nil`.
    public var servingInputExampleBytes: [UInt8]? { servingInputJSON.map { JSONWriter(indent: 2).bytes($0) } }

    /// The `saved_input_example_info` for the files above.
    public var info: SavedInputExampleInfo {
        SavedInputExampleInfo(
            type: type,
            pandasOrient: pandasOrient,
            servingInputPath: servingInputJSON == nil ? nil : "serving_input_example.json",
            hasParams: params != nil
        )
    }

    /// The largest example file read.
    public static let maximumFileSize = 64 << 20

    /// The types this version reads.
    static let knownTypes: Set<String> = [
        "dataframe", "ndarray", "sparse_matrix_csc", "sparse_matrix_csr", "json_object",
    ]

    /// Reads the example a bundle's `saved_input_example_info` describes. Legacy 1.x ndarray examples
    /// (`format: tf-serving`, data wrapped in `{"inputs": …}`) are unwrapped; unknown types are refused with
    /// MLflow's message.
    public static func read(from bundle: BundleDirectory, info: SavedInputExampleInfo) throws(ModelBundleError)
        -> InputExample
    {
        let path = try BundlePath(info.artifactPath, field: "saved_input_example_info.artifact_path")
        guard knownTypes.contains(info.type) else {
            throw ModelBundleError(
                .exampleInvalid,
                "This version of mlflow can not load example of type \(info.type)",
                item: path.rawValue
            )
        }
        let bytes = try bundle.read(path, limit: maximumFileSize, field: "saved_input_example_info.artifact_path")
        let parser = JSONParser(errorCode: .exampleInvalid, source: path.rawValue)
        let document: JSONValue
        do {
            document = try parser.parse(bytes)
        } catch {
            throw ModelBundleError(.exampleInvalid, error.message, item: path.rawValue, detail: error.item)
        }
        var data = document
        var params: JSONObject?
        if info.hasParams {
            guard let object = document.objectValue, let inputs = object["inputs"] else {
                throw ModelBundleError(
                    .exampleInvalid,
                    "An example saved with params must be an object with `inputs` and `params`",
                    item: path.rawValue
                )
            }
            data = inputs
            guard let paramsObject = object["params"]?.objectValue else {
                throw ModelBundleError(.exampleInvalid, "The example's `params` must be an object", item: path.rawValue)
            }
            params = paramsObject
        } else if info.format == "tf-serving", let inputs = document.objectValue?["inputs"] {
            data = inputs
        }
        if info.type == "dataframe" {
            guard let split = data.objectValue, let rows = split["data"]?.arrayValue,
                rows.allSatisfy({ $0.arrayValue != nil })
            else {
                throw ModelBundleError(
                    .exampleInvalid,
                    "A dataframe example must be an object with a `data` list of rows",
                    item: path.rawValue
                )
            }
            if let columns = split["columns"], !(columns.arrayValue?.allSatisfy({ $0.stringValue != nil }) ?? false) {
                throw ModelBundleError(
                    .exampleInvalid,
                    "A dataframe example's `columns` must be a list of strings",
                    item: path.rawValue
                )
            }
            return InputExample(
                type: info.type,
                data: data,
                params: params,
                pandasOrient: info.pandasOrient ?? (split["columns"] == nil ? "values" : "split")
            )
        }
        return InputExample(type: info.type, data: data, params: params)
    }
}
