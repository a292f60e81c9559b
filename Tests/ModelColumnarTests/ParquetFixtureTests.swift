import ModelBundle
import ModelColumnar
import Testing

/// Files written by real pyarrow decode to the frame the JSON decoder makes of the same data.
@Suite struct ParquetFixtureTests {
    static let files = [
        "plain.parquet", "dictionary-snappy.parquet", "v2-zstd.parquet", "v2-dictionary-gzip.parquet",
        "rowgroups.parquet", "decimal-integers.parquet", "delta.parquet", "v1-zstd.parquet", "rle-boolean.parquet",
        "byte-stream-split.parquet", "lz4-raw.parquet",
    ]

    @Test(arguments: files)
    func decodesLikeJSON(_ name: String) throws {
        let batch = try readParquet(try Columnar.bytes(name))
        try Columnar.expectLikeJSON(batch)
    }
}

@Suite struct ParquetLayoutTests {
    @Test func rowGroupsAreReadOneAtATime() throws {
        let file = try ParquetFile(bytes: try Columnar.bytes("rowgroups.parquet"))
        #expect(file.rowGroupCount == 3)
        #expect(try (0..<3).map { try file.rowGroup($0).frame.rowCount } == [3, 3, 1])
    }

    /// A file from fastparquet's own writer (pandas' other engine), whose footer has empty lists
    /// that name no element type: the values its generator wrote (Scripts/make-columnar-fixtures.py).
    @Test func fastparquetFile() throws {
        let frame = try readParquet(try Columnar.bytes("fastparquet.parquet")).frame
        #expect(frame.columnNames == ["f64", "i64", "s", "b"] && frame.rowCount == 10)
        let columns = frame.columns
        guard case .double(let f64) = columns[0].values, case .long(let i64) = columns[1].values,
            case .string(let s) = columns[2].values, case .boolean(let b) = columns[3].values
        else {
            Issue.record("types: \(columns.map(\.values))")
            return
        }
        for i in 0..<10 {
            #expect(columns[0].validity.isValid(i) == (i % 4 != 3), "f64 row \(i)")
            if i % 4 != 3 { #expect(f64[i] == Double(i) * 0.5, "f64 row \(i)") }
            #expect(i64[i] == Int64(i * 1000 - 3), "i64 row \(i)")
            #expect(columns[2].validity.isValid(i) == (i % 3 != 1), "s row \(i)")
            if i % 3 != 1 { #expect(s[i] == "name\(i)", "s row \(i)") }
            #expect(b[i] == (i % 2 == 0), "b row \(i)")
        }
    }

    /// Spark's legacy INT96 timestamps read as the same instants as the microsecond column.
    @Test func int96Timestamps() throws {
        let batch = try readParquet(try Columnar.bytes("int96.parquet"))
        #expect(batch.columns[0].sourceType == "Parquet INT96 (timestamp)")
        let expected = try Columnar.expected(["ts_us"]).columns[0]
        guard case .datetime(let values) = batch.frame.columns[0].values,
            case .datetime(let want) = expected.values
        else {
            Issue.record("not datetimes")
            return
        }
        #expect(batch.frame.columns[0].validity == expected.validity)
        for row in 0..<want.count where expected.validity.isValid(row) { #expect(values[row] == want[row]) }
    }

    /// Nulls in some data pages only: a chunk whose first pages have none and a later one has
    /// some (x), whose first page has one and the others none (y), and one with none at all (z).
    /// Expected values from the generator's formulas (Scripts/make-columnar-fixtures.py).
    @Test(arguments: [Int.max, 1])
    func nullsInSomePagesOnly(parallelRows: Int) throws {
        var file = try ParquetFile(bytes: try Columnar.bytes("page-nulls.parquet"))
        file.parallelRows = parallelRows
        let frame = try file.readAll().frame
        #expect(frame.rowCount == 3000)
        func doubles(_ name: String) throws -> (values: [Double], validity: ValidityMask) {
            let column = try #require(frame.column(named: name))
            guard case .double(let values) = column.values else { throw CancellationError() }
            return (values, column.validity)
        }
        let (x, xValid) = try doubles("x")
        let (y, yValid) = try doubles("y")
        let (z, zValid) = try doubles("z")
        for row in 0..<3000 {
            let xNull = row >= 2000 && row % 7 == 0
            #expect(xValid.isValid(row) == !xNull, "x row \(row)")
            if !xNull { #expect(x[row] == Double(row) * 0.25, "x row \(row)") }
            #expect(yValid.isValid(row) == (row != 0), "y row \(row)")
            if row != 0 { #expect(y[row] == Double(row), "y row \(row)") }
            #expect(z[row] == -Double(row), "z row \(row)")
        }
        #expect(xValid.nullCount == (2000..<3000).filter { $0 % 7 == 0 }.count)
        #expect(yValid.nullCount == 1)
        #expect(!zValid.hasNulls)
    }

    /// 3 000 rows in pages of 512 bytes: many data pages after one dictionary page.
    @Test func manyPages() throws {
        let batch = try readParquet(try Columnar.bytes("pages.parquet"))
        #expect(batch.frame.rowCount == 3000)
        guard case .double(let x) = batch.frame.columns[0].values, case .long(let k) = batch.frame.columns[1].values
        else {
            Issue.record("wrong types")
            return
        }
        #expect(x == (0..<3000).map { Double($0 % 17) })
        #expect(k == (0..<3000).map { Int64($0 % 5) })
    }

    /// A dictionary that outgrew its page limit: RLE_DICTIONARY pages, then PLAIN pages, in one chunk.
    @Test func dictionaryFallbackToPlain() throws {
        let batch = try readParquet(try Columnar.bytes("dictionary-fallback.parquet"))
        #expect(batch.frame.rowCount == 3000)
        guard case .string(let s) = batch.frame.columns[0].values, case .double(let x) = batch.frame.columns[1].values
        else {
            Issue.record("wrong types")
            return
        }
        #expect(s == (0..<3000).map { "value-" + String(repeating: "0", count: 5 - String($0).count) + String($0) })
        #expect(x == (0..<3000).map { Double($0) * 0.25 })
    }

    /// An empty frame written by pyarrow (one row group of 0 rows, chunks without a data page) reads
    /// as 0 rows of its columns.
    @Test func zeroRows() throws {
        let batch = try readParquet(try Columnar.bytes("zero-rows.parquet"))
        #expect(batch.frame.rowCount == 0)
        #expect(batch.frame.columnNames == ["x", "s"])
        guard case .double(let x) = batch.frame.columns[0].values, case .string(let s) = batch.frame.columns[1].values
        else {
            Issue.record("wrong types")
            return
        }
        #expect(x.isEmpty && s.isEmpty)
    }

    /// A decimal a double cannot hold exactly is refused naming its row (pyarrow wrote it in row 1).
    @Test func inexactDecimalRefusedByRow() throws {
        let error = #expect(throws: ModelBundleError.self) {
            try readParquet(try Columnar.bytes("decimal-inexact.parquet"))
        }
        #expect(error?.message.contains("column 'big', row 1") == true, "\(String(describing: error))")
        #expect(error?.message.contains("cannot be held exactly by a double") == true)
    }
}
