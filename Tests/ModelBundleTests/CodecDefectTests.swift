import Testing

@testable import ModelBundle
@testable import ModelCodecs

/// Defects found after issue #3's codecs were delivered; each test states the expected behaviour
/// from the spec (RFC 8259, spec §10.1) rather than from the code.
@Suite struct CodecDefectTests {
    static func decode(_ text: String, schema: RequestSchema? = nil) throws -> DecodedRequest {
        try RequestDecoder(schema: schema).decode(Array(text.utf8), format: .json)
    }

    static func error(_ text: String, schema: RequestSchema? = nil) -> ModelBundleError? {
        do {
            _ = try decode(text, schema: schema)
            return nil
        } catch {
            return error as? ModelBundleError
        }
    }

    static let oneDouble = RequestSchema(columns: [.init(name: "a", type: .double)])

    /// Trailing commas are JSON syntax errors (Python's `json.loads` refuses every one of these).
    @Test(arguments: [
        #"{"dataframe_split": {"columns": ["a"], "data": [[1,]]}}"#,
        #"{"dataframe_split": {"columns": ["a"], "data": [[1], ]}}"#,
        #"{"dataframe_split": {"columns": ["a",], "data": [[1]]}}"#,
        #"{"dataframe_split": {"columns": ["a"], "data": [[1]],}}"#,
        #"{"dataframe_records": [{"a": 1,}]}"#,
        #"{"dataframe_records": [{"a": 1},]}"#,
        #"{"inputs": [1.5, 2.5,]}"#,
        #"{"inputs": [[1.5], [2.5],]}"#,
        #"{"inputs": {"a": [1.5,]}}"#,
        #"{"inputs": [[1.5]], "params": {"k": 1,}}"#,
        #"{"inputs": [[1.5]],}"#,
    ])
    func trailingCommaIsASyntaxError(_ body: String) throws {
        let error = try #require(Self.error(body, schema: Self.oneDouble))
        #expect(error.code == .inputInvalid)
        #expect(error.message.contains("Ensure that input is a valid JSON formatted string"), "\(error.message)")
        #expect(error.message.contains("trailing comma"), "\(error.message)")
        #expect(!error.message.contains("more values"))
    }

    /// The same trailing comma inside a large body (the two-thread path) is still a syntax error.
    @Test func trailingCommaInALargeSplitBodyIsASyntaxError() throws {
        let row = "[1.25, 2.5]"
        let rows = Array(repeating: row, count: 120_000)
        let broken =
            rows[..<60_000].joined(separator: ", ") + ", [1.25, 2.5,], " + rows[60_001...].joined(separator: ", ")
        let body = #"{"dataframe_split": {"columns": ["a", "b"], "data": ["# + broken + "]}}"
        #expect(body.utf8.count > CodecParallelRows.threshold)
        let schema = RequestSchema(columns: [.init(name: "a", type: .double), .init(name: "b", type: .double)])
        let error = try #require(Self.error(body, schema: schema))
        #expect(error.message.contains("trailing comma"), "\(error.message)")
    }

    static let promptSchema = RequestSchema(columns: [
        .init(name: "prompt", type: .string), .init(name: "stop", type: nil),
    ])

    /// Spec §10.1 row 28: with a nested-type column, a dictionary is ONE row (MLflow: `pd.DataFrame([data])`).
    @Test func dictionaryWithANestedColumnIsOneRow() throws {
        let request = try Self.decode(#"{"inputs": {"prompt": "x", "stop": ["a","b"]}}"#, schema: Self.promptSchema)
        guard case .frame(let frame) = request.input else { return #expect(Bool(false), "not a frame") }
        #expect(frame.rowCount == 1)
        #expect(frame.columns.map(\.name) == ["prompt", "stop"])
        #expect(frame.columns[0].values == .string(["x"]))
        #expect(frame.columns[1].values == .json([#"["a","b"]"#]))
    }

    /// A list for the scalar column is that row's cell too (as written, for enforcement to refuse).
    @Test func dictionaryWithANestedColumnKeepsAListCellForAScalarColumn() throws {
        let request = try Self.decode(
            #"{"inputs": {"prompt": ["x", "y"], "stop": ["a"]}}"#,
            schema: Self.promptSchema
        )
        guard case .frame(let frame) = request.input else { return #expect(Bool(false), "not a frame") }
        #expect(frame.rowCount == 1)
        guard case .cells = frame.columns[0].values else { return #expect(Bool(false), "not cells") }
        #expect(frame.columns[0].validity.count == 1)
    }

    /// Without a nested-type column a dictionary of lists is still columns (spec §10.1 row 25).
    @Test func dictionaryOfListsWithScalarColumnsIsColumns() throws {
        let schema = RequestSchema(columns: [.init(name: "a", type: .double), .init(name: "b", type: .double)])
        let request = try Self.decode(#"{"inputs": {"a": [1.5, 2.5], "b": [3.5, 4.5]}}"#, schema: schema)
        guard case .frame(let frame) = request.input else { return #expect(Bool(false), "not a frame") }
        #expect(frame.rowCount == 2)
        #expect(frame.columns[0].values == .double([1.5, 2.5]))
    }

    /// A value beyond float32's range is kept as written (not turned into infinity) for enforcement.
    @Test func float32OverflowIsKeptAsWritten() throws {
        let schema = RequestSchema(columns: [.init(name: "c", type: .float)])
        let request = try Self.decode(#"{"inputs": {"c": [1.5, 1e39, 3.4028235e38]}}"#, schema: schema)
        guard case .frame(let frame) = request.input else { return #expect(Bool(false), "not a frame") }
        guard case .cells = frame.columns[0].values else { return #expect(Bool(false), "not cells") }
        #expect(frame.columns[0].validity.count == 3)
        // Below the limit nothing changes: typed float buffer, exact float value.
        let fits = try Self.decode(#"{"inputs": {"c": [1.5, 3.4028235e38, -1e38]}}"#, schema: schema)
        guard case .frame(let typed) = fits.input else { return #expect(Bool(false), "not a frame") }
        #expect(typed.columns[0].values == .float([1.5, Float.greatestFiniteMagnitude, -1e38]))
    }
}
