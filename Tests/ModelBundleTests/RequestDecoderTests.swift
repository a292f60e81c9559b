import Foundation
import Testing

@testable import ModelBundle
@testable import ModelCodecs

@Suite struct RequestDecoderTests {
    static func decode(_ text: String, schema: RequestSchema? = nil, format: RequestFormat = .json) throws
        -> DecodedRequest
    {
        try RequestDecoder(schema: schema).decode(Array(text.utf8), format: format)
    }

    static func error(_ text: String, schema: RequestSchema? = nil, format: RequestFormat = .json) -> ModelBundleError?
    {
        do {
            _ = try decode(text, schema: schema, format: format)
            return nil
        } catch {
            return error as? ModelBundleError
        }
    }

    static let doubleSchema = RequestSchema(columns: [
        .init(name: "a", type: .double), .init(name: "b", type: .long), .init(name: "c", type: .string),
    ])

    @Test func dataframeSplitWithSchemaFillsTypedBuffers() throws {
        let request = try Self.decode(
            #"{"dataframe_split": {"columns": ["a", "b", "c"], "index": [0, 1], "data": [[1.5, 2, "x"], [-0.0, 3, null]]}, "params": {"k": 5}}"#,
            schema: Self.doubleSchema
        )
        #expect(request.field == "dataframe_split")
        #expect(request.paramsJSON == #"{"k": 5}"#)
        guard case .frame(let frame) = request.input else {
            Issue.record("not a frame")
            return
        }
        #expect(frame.rowCount == 2)
        #expect(frame.columnNames == ["a", "b", "c"])
        #expect(frame.columns[0].values == .double([1.5, -0.0]))
        #expect(frame.columns[1].values == .long([2, 3]))
        #expect(frame.columns[2].values == .string(["x", ""]))
        #expect(frame.columns[2].validity == ValidityMask([true, false]))
    }

    @Test func dataBeforeColumnsStillUsesTheSchema() throws {
        let request = try Self.decode(
            #"{"dataframe_split": {"data": [[1, 2, "x"]], "columns": ["a", "b", "c"]}}"#,
            schema: Self.doubleSchema
        )
        guard case .frame(let frame) = request.input else { return #expect(Bool(false)) }
        #expect(frame.columns[0].values == .double([1]))
    }

    @Test func lossyValuesAreKeptAsWritten() throws {
        // 1.7 into long, "7" into double, true into long: no silent casts, cells keep their kinds.
        let request = try Self.decode(
            #"{"dataframe_records": [{"a": "7", "b": 1.7}, {"a": 2, "b": true}, {"b": 2.0}]}"#,
            schema: Self.doubleSchema
        )
        guard case .frame(let frame) = request.input else { return #expect(Bool(false)) }
        let a = try #require(frame.column(named: "a"))
        let b = try #require(frame.column(named: "b"))
        guard case .cells(let aCells) = a.values, case .cells(let bCells) = b.values else {
            Issue.record("expected as-written cells, got \(a.values) \(b.values)")
            return
        }
        #expect(aCells.kinds == [.string, .integral, .null])
        #expect(aCells.texts[0] == "7")
        // Once a column holds cells, each keeps its written kind: `2.0` stays fractional text with value 2.
        #expect(bCells.kinds == [.fractional, .boolean, .fractional])
        #expect(bCells.numbers[0] == 1.7)
        #expect(bCells.numbers[2] == 2)
        #expect(bCells.describe(1) == "true")
    }

    @Test func integralFloatIntoLongIsAccepted() throws {
        let request = try Self.decode(#"{"inputs": {"b": [2.0, -3, 4e0]}}"#, schema: Self.doubleSchema)
        guard case .frame(let frame) = request.input else { return #expect(Bool(false)) }
        #expect(frame.columns[0].values == .long([2, -3, 4]))
    }

    @Test func recordsPivotWithMissingKeysAsNulls() throws {
        let request = try Self.decode(#"{"instances": [{"x": 1, "y": "a"}, {"y": "b"}, {"x": 3, "z": true}]}"#)
        guard case .frame(let frame) = request.input else { return #expect(Bool(false)) }
        #expect(frame.columnNames == ["x", "y", "z"])
        #expect(frame.columns[0].values == .long([1, 0, 3]))
        #expect(frame.columns[0].validity == ValidityMask([true, false, true]))
        #expect(frame.columns[2].values == .boolean([false, false, true]))
        #expect(frame.columns[2].validity == ValidityMask([false, false, true]))
    }

    @Test func inputsListBecomesOneContiguousTensor() throws {
        let schema = RequestSchema(tensors: [.init(name: nil, dtype: .float32, shape: [-1, 2, 2])])
        let request = try Self.decode(#"{"inputs": [[[1, 2], [3, 4.5]], [[5, 6], [7, NaN]]]}"#, schema: schema)
        guard case .tensor(let tensor) = request.input else { return #expect(Bool(false)) }
        #expect(tensor.shape == [2, 2, 2])
        guard case .float(let values) = tensor.values else { return #expect(Bool(false)) }
        #expect(Array(values.prefix(7)) == [1, 2, 3, 4.5, 5, 6, 7])
        #expect(values[7].isNaN)
    }

    @Test func inputsWithoutSchemaInfersAndKeepsIntegers() throws {
        let request = try Self.decode(#"{"inputs": [[1, 2], [3, 4]]}"#)
        guard case .tensor(let tensor) = request.input else { return #expect(Bool(false)) }
        #expect(tensor.shape == [2, 2])
        #expect(tensor.values == .long([1, 2, 3, 4]))
        // Integers then a fraction widen to double when exact.
        let mixed = try Self.decode(#"{"inputs": [1, 2.5, -Infinity]}"#)
        guard case .tensor(let widened) = mixed.input else { return #expect(Bool(false)) }
        #expect(widened.values == .double([1, 2.5, -.infinity]))
    }

    @Test func plainListForASingleNamedColumnIsThatColumn() throws {
        let schema = RequestSchema(columns: [.init(name: "x", type: .double)])
        let request = try Self.decode(#"{"inputs": [1.5, 2]}"#, schema: schema)
        guard case .frame(let frame) = request.input else { return #expect(Bool(false)) }
        #expect(frame.columnNames == ["x"])
        #expect(frame.columns[0].values == .double([1.5, 2]))
        // A matrix is not a column: it stays a tensor for enforcement to judge.
        let matrix = try Self.decode(#"{"inputs": [[1.5, 2]]}"#, schema: schema)
        guard case .tensor = matrix.input else { return #expect(Bool(false)) }
    }

    @Test func namedTensorsAndScalars() throws {
        let request = try Self.decode(#"{"inputs": {"x": [[1.0, 2.0]], "y": "s", "z": []}}"#)
        guard case .namedTensors(let tensors) = request.input else { return #expect(Bool(false)) }
        #expect(tensors.map(\.name) == ["x", "y", "z"])
        #expect(tensors[0].shape == [1, 2])
        #expect(tensors[1].shape == [])
        #expect(tensors[1].values == .string(["s"]))
        #expect(tensors[2].shape == [0])
    }

    @Test func nestedCellsAreKeptAsJSONTextForNestedColumns() throws {
        let schema = RequestSchema(columns: [.init(name: "ids", type: nil), .init(name: "n", type: .long)])
        let request = try Self.decode(
            #"{"dataframe_records": [{"ids": ["a", "b"], "n": 1}, {"ids": {"k": [1, 2]}, "n": 2}, {"ids": null, "n": 3}]}"#,
            schema: schema
        )
        guard case .frame(let frame) = request.input else { return #expect(Bool(false)) }
        #expect(frame.columns[0].values == .json([#"["a", "b"]"#, #"{"k": [1, 2]}"#, ""]))
        #expect(frame.columns[0].validity == ValidityMask([true, true, false]))
    }

    @Test func binaryAndDatetimeColumns() throws {
        let schema = RequestSchema(columns: [.init(name: "b", type: .binary), .init(name: "t", type: .datetime)])
        let request = try Self.decode(
            #"{"dataframe_split": {"columns": ["b", "t"], "data": [["aGVsbG8=\n", "2024-02-29T12:30:15.5"], ["", "1970-01-01"]]}}"#,
            schema: schema
        )
        guard case .frame(let frame) = request.input else { return #expect(Bool(false)) }
        #expect(frame.columns[0].values == .binary([Array("hello".utf8), []]))
        // 2024-02-29T12:30:15.5: 19782 days since the epoch (hand computed: 54 years, 13 leap days, 59 days).
        let expected: Int64 = (19_782 * 86_400 + 12 * 3600 + 30 * 60 + 15) * 1_000_000_000 + 500_000_000
        #expect(frame.columns[1].values == .datetime([expected, 0]))
        let bad = Self.error(
            #"{"dataframe_split": {"columns": ["b", "t"], "data": [["!!", "2024-01-01"]]}}"#,
            schema: schema
        )
        #expect(bad?.item == "b")
        let zoned = Self.error(
            #"{"dataframe_split": {"columns": ["b", "t"], "data": [["", "2024-01-01T00:00Z"]]}}"#,
            schema: schema
        )
        #expect(zoned?.item == "t")
        // pandas' default to_json writes epoch milliseconds; MLflow's pd.to_datetime reads an integer as
        // nanoseconds (1700000000000 ns is 1970-01-01T00:28:20), and so does the decoder. A fraction is
        // no count of nanoseconds and is refused.
        let epoch = try Self.decode(
            #"{"dataframe_split": {"columns": ["b", "t"], "data": [["", 1700000000000], ["", 2.0e3]]}}"#,
            schema: schema
        )
        guard case .frame(let numbers) = epoch.input else { return #expect(Bool(false)) }
        #expect(numbers.columns[1].values == .datetime([1_700_000_000_000, 2000]))
        let fraction = Self.error(
            #"{"dataframe_split": {"columns": ["b", "t"], "data": [["", 1.5]]}}"#,
            schema: schema
        )
        #expect(fraction?.item == "t")
    }

    @Test func stringEscapesAndUnicode() throws {
        let request = try Self.decode(#"{"inputs": ["a\"b\\c\n\u00e9\ud83d\ude00/"]}"#)
        guard case .tensor(let tensor) = request.input else { return #expect(Bool(false)) }
        #expect(tensor.values == .string(["a\"b\\c\né😀/"]))
    }

    // MARK: Envelope errors (MLflow's messages)

    @Test func zeroOrTwoFormatKeysAreRefused() throws {
        let two = try #require(Self.error(#"{"dataframe_split": {"data": []}, "inputs": [1]}"#))
        #expect(two.code == .inputInvalid)
        #expect(
            two.message.hasPrefix(
                "The input must be a JSON dictionary with exactly one of the input fields {'dataframe_split', "
                    + "'dataframe_records', 'instances', 'inputs'}. Received dictionary with input fields: "
                    + "['dataframe_split', 'inputs']."
            )
        )
        let zero = try #require(Self.error(#"{"data": [1], "params": {}}"#))
        #expect(zero.message.contains("Received dictionary with input fields: []."))
        let list = try #require(Self.error(#"[1, 2]"#))
        #expect(list.message.hasSuffix("Received a list."))
    }

    @Test func aFormatKeyGivenTwiceIsRefusedByName() throws {
        let twice = try #require(Self.error(#"{"inputs": [1], "params": {}, "inputs": [2]}"#))
        #expect(twice.code == .inputInvalid)
        #expect(twice.message == "Invalid input. The field 'inputs' appears twice in the request; give it once.")
        #expect(twice.item == "inputs")
    }

    @Test(arguments: ["[1]", "\"a\"", "7", "true"])
    func paramsThatAreNotAnObjectReachEnforcement(_ params: String) throws {
        #expect(try Self.decode(#"{"inputs": [1], "params": "# + params + "}").paramsJSON == params)
    }

    @Test(arguments: [
        #"{"inputs": [1, 2]"#, #"{"inputs": [1, 2,]}"#, #"{"inputs": [01]}"#, #"{"inputs": [1] } x"#,
        #"{"inputs": ["a\x"]}"#, "{\"inputs\": [\"a\u{1}\"]}", #"{"inputs": [tru]}"#, #"{'inputs': [1]}"#, "",
        #"{"inputs": [nan]}"#, #"{"inputs": [.5]}"#,
    ])
    func malformedJSONIsRefused(_ body: String) {
        let error = Self.error(body)
        #expect(error?.code == .inputInvalid)
    }

    @Test func deepNestingIsRefusedWithoutCrashing() {
        let deep =
            "{\"inputs\": " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        let error = Self.error(deep)
        #expect(error?.message.contains("nesting") == true)
        let deepParams =
            "{\"inputs\": [1], \"params\": " + String(repeating: "{\"a\":", count: 70) + "1"
            + String(repeating: "}", count: 70) + "}"
        #expect(Self.error(deepParams)?.message.contains("nesting") == true)
    }

    @Test func raggedListsAreRefused() {
        for body in [#"{"inputs": [[1, 2], [3]]}"#, #"{"inputs": [[1], 2]}"#, #"{"inputs": [1, [2]]}"#] {
            #expect(Self.error(body)?.item == "inputs", "\(body)")
        }
    }

    @Test func splitShapeErrorsNameTheRow() {
        let extra = Self.error(#"{"dataframe_split": {"columns": ["a"], "data": [[1], [2, 3]]}}"#)
        #expect(extra?.item == "dataframe_split.data[1]")
        let badKey = Self.error(#"{"dataframe_split": {"columns": ["a"], "data": [[1]], "extra": 1}}"#)
        #expect(badKey?.message.contains("Dataframe split format must have 'data' field") == true)
        let notDict = Self.error(#"{"dataframe_split": [[1]]}"#)
        #expect(notDict?.message == "Invalid input. Dataframe split format must be a dictionary. Got list.")
        let records = Self.error(#"{"dataframe_records": {"a": 1}}"#)
        #expect(
            records?.message == "Invalid input. Dataframe records format must be a list of records. Got dictionary."
        )
        let duplicate = Self.error(#"{"dataframe_records": [{"a": 1, "a": 2}]}"#)
        #expect(duplicate?.item == "dataframe_records[0].a")
    }

    @Test func unequalColumnLengthsAreRefused() {
        let error = Self.error(#"{"inputs": {"a": [1, 2], "b": [1]}}"#, schema: Self.doubleSchema)
        #expect(error?.message == "Invalid input. The length of values for each input/column name are not the same")
    }

    @Test func limitsAreEnforcedBeforeWork() {
        let decoder = RequestDecoder(limits: .init(maxBodyBytes: 10))
        #expect(throws: ModelBundleError.self) {
            try decoder.decode(Array(#"{"inputs": [1, 2, 3]}"#.utf8), format: .json)
        }
        let narrow = RequestDecoder(limits: .init(maxColumns: 2))
        #expect(throws: ModelBundleError.self) {
            try narrow.decode(Array(#"{"dataframe_split": {"data": [[1, 2, 3]]}}"#.utf8), format: .json)
        }
    }

    @Test func wrongCharsetIsRefused() throws {
        let utf16: [UInt8] = [0xFF, 0xFE] + Array(#"{"inputs": [1]}"#.utf8).flatMap { [$0, 0] }
        #expect(throws: ModelBundleError.self) { try RequestDecoder().decode(utf16, format: .json) }
        let latin1: [UInt8] = Array(#"{"inputs": [""#.utf8) + [0xE9] + Array(#""]}"#.utf8)
        #expect(throws: ModelBundleError.self) { try RequestDecoder().decode(latin1, format: .json) }
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(#"{"inputs": [1]}"#.utf8)
        #expect(
            try RequestDecoder().decode(bom, format: .json).input == .tensor(try Tensor(shape: [1], values: .long([1])))
        )
    }

    @Test func contentTypes() throws {
        #expect(try RequestFormat(contentType: "application/json") == .json)
        #expect(try RequestFormat(contentType: "text/csv; charset=UTF-8") == .csv)
        #expect(throws: ModelBundleError.self) { try RequestFormat(contentType: "application/json; charset=latin-1") }
        #expect(throws: ModelBundleError.self) {
            try RequestFormat(contentType: "application/json; format=pandas-split")
        }
        #expect(throws: ModelBundleError.self) { try RequestFormat(contentType: "text/plain") }
    }

    /// Every golden float text, sent as JSON through both fast paths, must land bit for bit on Python's value.
    @Test func goldenNumbersRoundTripThroughJSON() throws {
        let golden = try NumberParserTests.loadGolden().json
        let texts = golden.map(\.text)
        let body =
            #"{"dataframe_split": {"columns": ["a"], "data": ["# + texts.map { "[\($0)]" }.joined(separator: ",")
            + "]}}"
        let request = try Self.decode(body, schema: RequestSchema(columns: [.init(name: "a", type: .double)]))
        guard case .frame(let frame) = request.input else { return #expect(Bool(false)) }
        let values: [Double]
        switch frame.columns[0].values {
        case .double(let v): values = v
        case .cells(let cells): values = cells.numbers  // huge integers are kept as written, with their double
        default: values = []
        }
        #expect(values.map(\.bitPattern) == golden.map(\.bits))
        let inputs = try Self.decode(
            #"{"inputs": ["# + texts.joined(separator: ", ") + "]}",
            schema: RequestSchema(tensors: [.init(name: nil, dtype: .float64, shape: [-1])])
        )
        guard case .tensor(let tensor) = inputs.input else { return #expect(Bool(false)) }
        if case .double(let v) = tensor.values {
            #expect(v.map(\.bitPattern) == golden.map(\.bits))
        } else if case .cells(let cells) = tensor.values {
            #expect(cells.numbers.map(\.bitPattern) == golden.map(\.bits))
        }
    }
}
