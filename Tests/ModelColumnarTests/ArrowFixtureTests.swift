import ModelBundle
import ModelColumnar
import Testing

/// Arrow IPC streams and files written by real pyarrow decode to the frame the JSON decoder makes
/// of the same data.
@Suite struct ArrowFixtureTests {
    static let files = ["table.arrows", "table.arrow", "table-zstd.arrows", "table-lz4.arrow"]

    static func read(_ name: String) throws -> ColumnarBatch {
        let bytes = try Columnar.bytes(name)
        return name.hasSuffix(".arrows") ? try readArrowStream(bytes) : try readArrowFile(bytes)
    }

    @Test(arguments: files)
    func decodesLikeJSON(_ name: String) throws {
        let batch = try Self.read(name)
        #expect(batch.frame.rowCount == 7)
        try Columnar.expectLikeJSON(batch)
    }

    @Test func typesAreNamedAsArrowNamesThem() throws {
        let batch = try Self.read("table.arrows")
        let types = Dictionary(uniqueKeysWithValues: batch.columns.map { ($0.name, $0.sourceType) })
        #expect(types["ts_utc"] == "Arrow timestamp[us, tz=UTC]")
        #expect(types["dec"] == "Arrow decimal128(9, 2)")
        #expect(types["u64"] == "Arrow uint64")
        #expect(types["d"] == "Arrow date32[day]")
    }

    @Test func largeStringsAndBinary() throws {
        let batch = try Self.read("large.arrows")
        let got = try Columnar.enforced(batch.frame, names: ["s", "bin"])
        let want = try Columnar.expected(["s", "bin"])
        for (a, b) in zip(got.columns, want.columns) { #expect(Columnar.same(a, b), "column \(a.name)") }
        #expect(batch.columns[0].sourceType == "Arrow large_string")
    }

    @Test(arguments: ["dictionary.arrows", "dictionary.arrow"])
    func dictionaryEncodedStrings(_ name: String) throws {
        let batch = try Self.read(name)
        let got = try Columnar.enforced(try Frame(columns: [batch.frame.columns[0]]), names: ["s"])
        let want = try Columnar.expected(["s"])
        #expect(Columnar.same(got.columns[0], want.columns[0]), "\(got.columns[0].values)")
        #expect(batch.columns[0].sourceType == "Arrow dictionary<values=string, indices=int32>")
    }

    /// A stream whose second batch adds to the first batch's dictionary (a delta dictionary batch).
    @Test func deltaDictionary() throws {
        let batch = try Self.read("dictionary-delta.arrows")
        guard case .string(let words) = batch.frame.columns[0].values else {
            Issue.record("not strings: \(batch.frame.columns[0].values)")
            return
        }
        let valid = (0..<8).map { batch.frame.columns[0].validity.isValid($0) }
        #expect(valid == [true, true, true, false, true, true, true, false])
        #expect([0, 1, 2, 4, 5, 6].map { words[$0] } == ["alpha", "beta", "alpha", "gamma", "alpha", "delta"])
    }

    /// Batches of three rows are read one at a time.
    @Test func manyBatchesPerStream() throws {
        var reader = try ArrowStreamReader(source: ColumnarBufferSource(try Columnar.bytes("table.arrows")))
        var sizes: [Int] = []
        while let batch = try reader.next() { sizes.append(batch.frame.rowCount) }
        #expect(sizes == [3, 3, 1])
    }
}
