import ModelBundle
import ModelColumnar
import Testing

/// A numeric column without nulls (predictions) is written in bulk: the page must be the one the
/// row-by-row writer makes, byte for byte, at every length around a level byte's eight rows.
@Suite struct ParquetPageWriterTests {
    static let lengths = [1, 7, 8, 9, 15, 16, 17, 1_000, 65_537]

    @Test(arguments: lengths)
    func bulkPagesEqualRowByRowPages(_ rows: Int) throws {
        let columns = [
            try Column(name: "d", values: .double((0..<rows).map { Double($0) * -0.75 })),
            try Column(name: "f", values: .float((0..<rows).map { Float($0) / 3 })),
            try Column(name: "l", values: .long((0..<rows).map { Int64($0) - 1 << 40 })),
            try Column(name: "i", values: .integer((0..<rows).map { Int32($0) - 5 })),
            try Column(name: "t", values: .datetime((0..<rows).map { Int64($0) * 1_000_000_007 })),
        ]
        for column in columns {
            let bulk = try #require(ParquetWriter.plainPageWithoutNulls(column), "\(column.name)")
            #expect(bulk == (try ParquetWriter.pageRowByRow(column)), "\(column.name), \(rows) rows")
        }
    }

    @Test func columnsWithNullsOrTextAreWrittenRowByRow() throws {
        let nulls = try Column(name: "d", values: .double([1, .nan, 3]), validity: ValidityMask([true, false, true]))
        #expect(ParquetWriter.plainPageWithoutNulls(nulls) == nil)
        #expect(ParquetWriter.plainPageWithoutNulls(try Column(name: "s", values: .string(["a"]))) == nil)
        #expect(ParquetWriter.plainPageWithoutNulls(try Column(name: "e", values: .double([]))) == nil)
    }

    /// A 2-D prediction tensor written column by column straight from its rows gives the file its
    /// frame gives (the path every Parquet output took before), byte for byte, compressed or not.
    @Test(arguments: [1, 7, 9, 1_000, 65_537])
    func tensorsAreWrittenAsTheirFrames(_ rows: Int) throws {
        for width in [1, 3, 5] {
            let count = rows * width
            let tensors = [
                try Tensor(shape: [rows, width], values: .double((0..<count).map { Double($0) * -0.37 })),
                try Tensor(shape: [rows, width], values: .float((0..<count).map { Float($0) / 7 })),
                try Tensor(shape: [rows, width], values: .long((0..<count).map { Int64($0) - 1 << 40 })),
                try Tensor(shape: [rows, width], values: .integer((0..<count).map { Int32($0) - 5 })),
            ]
            for tensor in tensors {
                let names = PredictionColumns.names(width: width, outputNames: [])
                for compression in [ParquetWriter.Compression.snappy, .uncompressed] {
                    var direct = ParquetWriter(compression: compression)
                    #expect(try direct.append(tensor, names: names))
                    var framed = ParquetWriter(compression: compression)
                    try framed.append(try PredictionColumns.frame(.tensor(tensor), outputNames: []))
                    // Compared outside the expectation, which would print both files on a failure.
                    let same = direct.finish() == framed.finish()
                    #expect(same, "\(rows) × \(width), \(tensor.count) \(compression) values")
                }
                // The Arrow writer's tensor path, in both formats and over two batches.
                for format in [ArrowWriter.Format.stream, .file] {
                    var direct = ArrowWriter(format: format)
                    var framed = ArrowWriter(format: format)
                    for _ in 0..<2 {
                        #expect(try direct.append(tensor, names: names))
                        try framed.append(try PredictionColumns.frame(.tensor(tensor), outputNames: []))
                    }
                    let same = direct.finish() == framed.finish()
                    #expect(same, "Arrow \(format): \(rows) × \(width), \(tensor.count) values")
                }
            }
        }
    }

    /// A stream whose float64 values are written in place, column after column, is the stream of the
    /// same values as a row-major tensor, byte for byte; a fill that declines or throws leaves nothing.
    @Test(arguments: [1, 7, 9, 1_000, 65_537])
    func doubleColumnsWrittenInPlaceAreTheTensorStream(_ rows: Int) throws {
        for width in [1, 3, 5] {
            let values = (0..<(rows * width)).map { Double($0) * -0.37 + 1e-3 }
            let names = PredictionColumns.names(width: width, outputNames: [])
            var tensorWriter = ArrowWriter(format: .stream)
            #expect(try tensorWriter.append(try Tensor(shape: [rows, width], values: .double(values)), names: names))
            let expected = tensorWriter.finish()
            var aligned = false
            let stream = ArrowWriter.doubleColumnsStream(names: names, rowCount: rows) { output in
                aligned = Int(bitPattern: output) % 8 == 0
                for row in 0..<rows {
                    for column in 0..<width { output[column * rows + row] = values[row * width + column] }
                }
                return true
            }
            let same = stream == expected
            #expect(same && aligned, "\(rows) × \(width)")
        }
        #expect(ArrowWriter.doubleColumnsStream(names: ["a"], rowCount: 3) { _ in false } == nil)
        #expect(ArrowWriter.doubleColumnsStream(names: [], rowCount: 3) { _ in true } == nil)
        #expect(ArrowWriter.doubleColumnsStream(names: ["a"], rowCount: 0) { _ in true } == nil)
        #expect(ArrowWriter.doubleColumnsStream(names: ["a", "b"], rowCount: Int.max / 8) { _ in true } == nil)
        struct Refused: Error {}
        #expect(throws: Refused.self) {
            _ = try ArrowWriter.doubleColumnsStream(names: ["a"], rowCount: 3) { _ throws(Refused) in throw Refused() }
        }
    }

    @Test func tensorsWithNullsOrOtherShapesAreLeftToTheFrame() throws {
        var writer = ParquetWriter()
        let nulls = try Tensor(shape: [2, 1], values: .double([1, .nan]), validity: ValidityMask([true, false]))
        #expect(try writer.append(nulls, names: ["a"]) == false)
        #expect(try writer.append(try Tensor(shape: [2], values: .double([1, 2])), names: ["a"]) == false)
        #expect(try writer.append(try Tensor(shape: [1, 1, 1], values: .double([1])), names: ["a"]) == false)
        #expect(
            try writer.append(try Tensor(shape: [1, 2], values: .string(["a", "b"])), names: ["a", "b"]) == false
        )
        #expect(try writer.append(try Tensor(shape: [1, 2], values: .double([1, 2])), names: ["a"]) == false)
        var arrow = ArrowWriter(format: .stream)
        #expect(try arrow.append(nulls, names: ["a"]) == false)
        #expect(try arrow.append(try Tensor(shape: [2], values: .double([1, 2])), names: ["a"]) == false)
        #expect(try arrow.append(try Tensor(shape: [1, 2], values: .string(["a", "b"])), names: ["a", "b"]) == false)
        #expect(try arrow.append(try Tensor(shape: [1, 2], values: .double([1, 2])), names: ["a"]) == false)
        // A later batch must keep the first batch's columns.
        #expect(try arrow.append(try Tensor(shape: [1, 2], values: .double([1, 2])), names: ["a", "b"]))
        #expect(try arrow.append(try Tensor(shape: [1, 2], values: .double([1, 2])), names: ["a", "c"]) == false)
    }
}
