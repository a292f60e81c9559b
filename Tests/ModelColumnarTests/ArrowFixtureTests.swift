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

    /// string_view and binary_view columns (polars' strings), short values inline and long ones in
    /// two data buffers, decode to the string and binary columns pyarrow wrote beside them, nulls
    /// included; a dictionary of string_view values too. Stream, file, zstd.
    @Test(arguments: ["views.arrows", "views.arrow", "views-zstd.arrows"])
    func stringAndBinaryViews(_ name: String) throws {
        let batch = try Self.read(name)
        let columns = batch.frame.columns
        #expect(batch.frame.rowCount == 14)
        #expect(batch.columns.map(\.sourceType).prefix(2) == ["Arrow string_view", "Arrow binary_view"])
        #expect(
            Columnar.same(columns[0], try Column(name: "sv", values: columns[2].values, validity: columns[2].validity))
        )
        #expect(
            Columnar.same(columns[1], try Column(name: "bv", values: columns[3].values, validity: columns[3].validity))
        )
        guard case .string(let words) = columns[0].values, case .string(let dictionary) = columns[4].values else {
            Issue.record("not strings: \(columns[0].values), \(columns[4].values)")
            return
        }
        #expect(words[4] == "a value longer than twelve bytes" && words[13] == "\u{e9}t\u{e9} \u{e0} Paris, long")
        #expect(!columns[0].validity.isValid(3) && !columns[0].validity.isValid(9))
        let long = "a dictionary value past twelve bytes"
        let expected = ["alpha", long, "alpha", nil, "", long, "alpha", "", "", long, "alpha", nil, long, "alpha"]
        #expect((0..<14).map { columns[4].validity.isValid($0) ? dictionary[$0] : nil } == expected)
    }

    /// One batch of 20,000 rows (its fields decoded on every core): the views read as the strings.
    @Test func manyViewsInOneBatch() throws {
        let batch = try Self.read("views-large-zstd.arrows")
        let columns = batch.frame.columns
        #expect(batch.frame.rowCount == 20_000)
        #expect(
            Columnar.same(columns[0], try Column(name: "sv", values: columns[1].values, validity: columns[1].validity))
        )
    }

    /// A view that points past its data buffers, whose prefix is not its value's, or whose length is
    /// negative, is refused naming the field and the row.
    @Test func viewsOutsideTheirBuffersAreRefused() throws {
        let original = try Columnar.bytes("views.arrows")
        // Row 8 is "x" × 40: its view, in the stream, holds the length 40 then "xxxx".
        let marker: [UInt8] = [40, 0, 0, 0] + Array("xxxx".utf8)
        let at = try #require(
            (0...(original.count - marker.count)).first { original[$0..<($0 + marker.count)].elementsEqual(marker) }
        )
        for (offset, value, message) in [
            (8, UInt8(7), "names data buffer 7"), (12, UInt8(200), "outside its"), (4, UInt8(ascii: "y"), "prefix"),
            (3, UInt8(0x80), "has length"),
        ] {
            var bytes = original
            bytes[at + offset] = value
            do {
                _ = try readArrowStream(bytes)
                Issue.record("a corrupt view at byte \(offset) was read")
            } catch {
                #expect("\(error)".contains("field 'sv', row 8"), "\(error)")
                #expect("\(error)".contains(message), "\(error)")
            }
        }
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
