import Testing

@testable import ModelBundle
@testable import ModelCodecs

/// Large JSON matrices are parsed by two threads; these bodies are over the threshold and check
/// that the result equals the values written, and that every unusual body falls back correctly.
@Suite struct RequestParallelTests {
    static let rows = 40_000
    static let width = 4

    /// Values exact in binary, so their decimal text is their value.
    static func value(_ row: Int, _ column: Int) -> Double { Double(row * width + column) * 0.125 - 7 }

    static func matrixText(rows: Int = rows, cell: (Int, Int) -> String = { "\(value($0, $1))" }) -> String {
        "["
            + (0..<rows).map { row in "[" + (0..<width).map { cell(row, $0) }.joined(separator: ", ") + "]" }
            .joined(separator: ", ") + "]"
    }

    static func decode(_ text: String, schema: RequestSchema? = nil) throws -> DecodedRequest {
        try RequestDecoder(schema: schema).decode(Array(text.utf8), format: .json)
    }

    @Test func inputsMatrix() throws {
        let body = "{\"inputs\": " + Self.matrixText() + "}"
        #expect(body.utf8.count > CodecParallelRows.threshold)
        guard case .tensor(let tensor) = try Self.decode(body).input else { return #expect(Bool(false)) }
        #expect(tensor.shape == [Self.rows, Self.width])
        let expected = (0..<Self.rows).flatMap { row in (0..<Self.width).map { Self.value(row, $0) } }
        #expect(tensor.values == .double(expected))
    }

    @Test func dataframeSplitWithLargeIndexAfterData() throws {
        let columns = (0..<Self.width).map { "\"c\($0)\"" }.joined(separator: ", ")
        // The index after the data is bigger than the data (one long label per row): the split
        // lands in it and must be refused.
        let padding = String(repeating: "x", count: 200)
        let index = "[" + (0..<Self.rows).map { "\"\(padding)-\($0)\"" }.joined(separator: ", ") + "]"
        for body in [
            "{\"dataframe_split\": {\"columns\": [\(columns)], \"data\": \(Self.matrixText())}}",
            "{\"dataframe_split\": {\"columns\": [\(columns)], \"data\": \(Self.matrixText()), \"index\": \(index)}}",
        ] {
            guard case .frame(let frame) = try Self.decode(body).input else { return #expect(Bool(false)) }
            #expect(frame.rowCount == Self.rows)
            #expect(frame.columns[2].values == .double((0..<Self.rows).map { Self.value($0, 2) }))
        }
    }

    @Test func stringsThatLookLikeRowBoundariesAreHarmless() throws {
        let body = "{\"inputs\": " + Self.matrixText { row, column in column == 0 ? "\"],[\(row)\"" : "\(row)" } + "}"
        guard case .tensor(let tensor) = try Self.decode(body).input else { return #expect(Bool(false)) }
        #expect(tensor.shape == [Self.rows, Self.width])
        guard case .cells(let cells) = tensor.values else { return #expect(Bool(false)) }
        #expect(cells.texts[Self.width * (Self.rows - 1)] == "],[\(Self.rows - 1)")
        #expect(cells.integers[Self.width * (Self.rows - 1) + 1] == Int64(Self.rows - 1))
    }

    @Test func raggedRowLateInTheBodyNamesTheField() throws {
        var text = Self.matrixText()
        text.removeLast()  // "]"
        text += ", [1, 2]]"
        #expect(throws: ModelBundleError.self) { try Self.decode("{\"inputs\": " + text + "}") }
        let columns = (0..<Self.width).map { "\"c\($0)\"" }.joined(separator: ", ")
        do {
            _ = try Self.decode("{\"dataframe_split\": {\"columns\": [\(columns)], \"data\": \(text)}}")
            Issue.record("ragged split data was accepted")
        } catch let error as ModelBundleError {
            #expect(error.item == "dataframe_split.data[\(Self.rows)]")
        }
    }

    @Test func typeChangeInSecondHalfKeepsEveryCell() throws {
        let body =
            "{\"inputs\": "
            + Self.matrixText { row, column in
                row == Self.rows - 1 && column == 3 ? "\"late\"" : "\(Self.value(row, column))"
            } + "}"
        let schema = RequestSchema(tensors: [.init(name: nil, dtype: .float64, shape: [-1, Self.width])])
        guard case .tensor(let tensor) = try Self.decode(body, schema: schema).input else {
            return #expect(Bool(false))
        }
        guard case .cells(let cells) = tensor.values else { return #expect(Bool(false)) }
        #expect(cells.kinds.count == Self.rows * Self.width)
        #expect(cells.kinds.last == .string)
        #expect(cells.numbers[5] == Self.value(1, 1))
    }

    @Test func threeDimensionalBodiesStaySequential() throws {
        let body = "{\"inputs\": [" + (0..<60_000).map { "[[\($0), 1], [2, 3]]" }.joined(separator: ", ") + "]}"
        guard case .tensor(let tensor) = try Self.decode(body).input else { return #expect(Bool(false)) }
        #expect(body.utf8.count > CodecParallelRows.threshold)
        #expect(tensor.shape == [60_000, 2, 2])
    }
}
