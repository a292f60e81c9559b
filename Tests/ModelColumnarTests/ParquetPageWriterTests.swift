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
}
