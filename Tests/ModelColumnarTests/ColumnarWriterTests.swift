import ModelBundle
import ModelColumnar
import Testing

/// Our writers' files read back by our readers (pyarrow reads them too:
/// Scripts/check-columnar-output.py, run by hand and in the report).
@Suite struct ColumnarWriterTests {
    static func frame() throws -> Frame {
        let mask = ValidityMask([true, false, true])
        return try Frame(columns: [
            try Column(name: "d", values: .double([1.5, .nan, -2]), validity: mask),
            try Column(name: "f", values: .float([0.25, 1, 2])),
            try Column(name: "l", values: .long([1 << 40, 0, -7])),
            try Column(name: "i", values: .integer([1, 2, 3])),
            try Column(name: "b", values: .boolean([true, false, true]), validity: mask),
            try Column(name: "s", values: .string(["a", "", "grüß"]), validity: mask),
            try Column(name: "x", values: .binary([[0, 1], [], [255]])),
            try Column(name: "t", values: .datetime([0, 1_700_000_000_123_456_789, -1])),
        ])
    }

    static func check(_ batch: ColumnarBatch, batches: Int) throws {
        let want = try frame()
        #expect(batch.frame.rowCount == 3 * batches)
        for (got, expected) in zip(batch.frame.columns, want.columns) {
            let first = try Column(
                name: got.name,
                values: Self.prefix(got.values, 3),
                validity: ValidityMask((0..<3).map { got.validity.isValid($0) })
            )
            #expect(Columnar.same(first, expected), "column \(got.name): \(got.values)")
        }
    }

    static func prefix(_ values: ColumnValues, _ n: Int) -> ColumnValues {
        switch values {
        case .double(let v): .double(Array(v.prefix(n)))
        case .float(let v): .float(Array(v.prefix(n)))
        case .long(let v): .long(Array(v.prefix(n)))
        case .integer(let v): .integer(Array(v.prefix(n)))
        case .boolean(let v): .boolean(Array(v.prefix(n)))
        case .string(let v): .string(Array(v.prefix(n)))
        case .binary(let v): .binary(Array(v.prefix(n)))
        case .datetime(let v): .datetime(Array(v.prefix(n)))
        default: values
        }
    }

    @Test(arguments: [ParquetWriter.Compression.uncompressed, .snappy])
    func parquetRoundTrip(_ compression: ParquetWriter.Compression) throws {
        var writer = ParquetWriter(compression: compression)
        try writer.append(try Self.frame())
        try writer.append(try Self.frame())
        let file = try ParquetFile(bytes: writer.finish())
        #expect(file.rowGroupCount == 2)
        try Self.check(try file.readAll(), batches: 2)
    }

    @Test func arrowStreamRoundTrip() throws {
        var writer = ArrowWriter(format: .stream)
        try writer.append(try Self.frame())
        try writer.append(try Self.frame())
        try Self.check(try readArrowStream(writer.finish()), batches: 2)
    }

    @Test func arrowFileRoundTrip() throws {
        var writer = ArrowWriter(format: .file)
        try writer.append(try Self.frame())
        try Self.check(try readArrowFile(writer.finish()), batches: 1)
    }

    @Test func predictionColumnsAreNamed() throws {
        let tensor = try Tensor(shape: [2, 3], values: .double([1, 2, 3, 4, 5, 6]))
        let frame = try PredictionColumns.frame(.tensor(tensor), outputNames: [])
        #expect(frame.columnNames == ["prediction_0", "prediction_1", "prediction_2"])
        let one = try PredictionColumns.frame(.tensor(try Tensor(shape: [2], values: .long([0, 1]))), outputNames: [])
        #expect(one.columnNames == ["prediction"])
        let named = try PredictionColumns.frame(
            .tensor(try Tensor(shape: [2], values: .long([0, 1]))),
            outputNames: ["label"]
        )
        #expect(named.columnNames == ["label"])
    }

    /// Column j of a [rows, k] tensor holds element (row, j) of every row, and a null element stays
    /// null in its own column only.
    @Test func predictionColumnsSplitATensorByColumn() throws {
        let tensor = try Tensor(
            shape: [3, 2],
            values: .double([1, 2, 3, 4, 5, 6]),
            validity: ValidityMask([true, true, true, false, true, true])
        )
        let frame = try PredictionColumns.frame(.tensor(tensor), outputNames: [])
        #expect(frame.columns.map(\.values) == [.double([1, 3, 5]), .double([2, 4, 6])])
        #expect(!frame.columns[0].validity.hasNulls)
        #expect((0..<3).map { frame.columns[1].validity.isValid($0) } == [true, false, true])
        let labels = try PredictionColumns.frame(
            .tensor(try Tensor(shape: [2, 2], values: .string(["a", "b", "c", "d"]))),
            outputNames: ["x", "y"]
        )
        #expect(labels.columns.map(\.values) == [.string(["a", "c"]), .string(["b", "d"])])
    }
}
