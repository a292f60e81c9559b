import Testing

@testable import ModelBundle
@testable import ModelCodecs

@Suite struct CSVReaderTests {
    static func read(_ text: String, schema: RequestSchema? = nil) throws -> Frame {
        try CSVReader(schema: schema).read(Array(text.utf8))
    }

    static func error(_ text: String, schema: RequestSchema? = nil) -> ModelBundleError? {
        do {
            _ = try read(text, schema: schema)
            return nil
        } catch {
            return error as? ModelBundleError
        }
    }

    @Test func readsWithSchemaIntoTypedColumns() throws {
        let schema = RequestSchema(columns: [
            .init(name: "x", type: .double), .init(name: "n", type: .long), .init(name: "s", type: .string),
            .init(name: "f", type: .float), .init(name: "ok", type: .boolean),
        ])
        let frame = try Self.read(
            "x,n,s,f,ok\r\n1.5,7,\"a,b\",0.1,True\r\n,-2,\"say \"\"hi\"\"\",1e3,false\r\n",
            schema: schema
        )
        #expect(frame.rowCount == 2)
        #expect(frame.columns[0].validity == ValidityMask([true, false]))
        #expect(frame.columns[1].values == .long([7, -2]))
        #expect(frame.columns[2].values == .string(["a,b", "say \"hi\""]))
        #expect(frame.columns[3].values == .float([Float(0.1), 1000]))
        #expect(frame.columns[4].values == .boolean([true, false]))
    }

    @Test func integerTextIntoDoubleIsExactAndFloatIntoLongIsKept() throws {
        let schema = RequestSchema(columns: [.init(name: "a", type: .double), .init(name: "b", type: .long)])
        let frame = try Self.read("a,b\n3,1.5\n4,2\n", schema: schema)
        #expect(frame.columns[0].values == .double([3, 4]))
        guard case .cells(let cells) = frame.columns[1].values else { return #expect(Bool(false)) }
        #expect(cells.kinds == [.fractional, .integral])
    }

    @Test func withoutSchemaTypesFollowTheValues() throws {
        let frame = try Self.read("a,b,c,d\n1,2.5,x,True\n2,3,y,False\n")
        #expect(frame.columns[0].values == .long([1, 2]))
        #expect(frame.columns[1].values == .double([2.5, 3]))
        #expect(frame.columns[2].values == .string(["x", "y"]))
        #expect(frame.columns[3].values == .boolean([true, false]))
    }

    /// Inferred integers widened to doubles hold what a double column would: NaN under a null and
    /// -0.0 for `-0`, wherever the first fraction comes (the halves of a parallel parse widen at
    /// different rows and must merge into the sequential frame).
    @Test func widenedIntegersKeepNullsAsNaNAndNegativeZero() throws {
        let frame = try Self.read("a,b\n,1\n-0,1\n2,1\n2.5,1\n")
        guard case .double(let values) = frame.columns[0].values else { return #expect(Bool(false)) }
        #expect(values.count == 4)
        #expect(values[0].isNaN)
        #expect(values[1] == 0 && values[1].sign == .minus)
        #expect(Array(values[2...]) == [2, 2.5])
        #expect(frame.columns[0].validity == ValidityMask([false, true, true, true]))
        let first = try Self.read("a\n-0\n1.5\n")
        guard case .double(let firstValues) = first.columns[0].values else { return #expect(Bool(false)) }
        #expect(firstValues[0].sign == .minus)
    }

    @Test func blankLinesAndMissingTrailingFields() throws {
        let frame = try Self.read("a,b\n\n1,2\n3\n\n")
        #expect(frame.rowCount == 2)
        #expect(frame.columns[1].validity == ValidityMask([true, false]))
    }

    @Test func textInNumericColumnIsKeptForEnforcement() throws {
        let schema = RequestSchema(columns: [.init(name: "a", type: .double)])
        let frame = try Self.read("a\n1.0\nabc\n NA\n", schema: schema)
        guard case .cells(let cells) = frame.columns[0].values else { return #expect(Bool(false)) }
        #expect(cells.kinds == [.fractional, .string, .string])
        #expect(cells.texts[1] == "abc")
    }

    @Test(arguments: ["a,b\n1,2,3\n", "a\n\"unterminated\n", "a\n\"x\"y\n", "a\nx\"y\n", ""])
    func malformedCSVIsRefused(_ text: String) {
        #expect(Self.error(text)?.code == .inputInvalid)
    }

    @Test func extraFieldNamesTheRow() {
        #expect(Self.error("a,b\n1,2\n1,2,3\n")?.item == "row 1")
    }

    @Test func invalidUTF8IsRefused() {
        let body: [UInt8] = Array("s\n".utf8) + [0xC3, 0x28] + [0x0A]
        #expect(throws: ModelBundleError.self) { try CSVReader().read(body) }
    }

    /// Every golden float text (JSON forms and Python-only forms like `.5`, `inf`) parsed through the
    /// CSV fast path must equal Python's float() bit for bit.
    @Test func goldenNumbersRoundTripThroughCSV() throws {
        let golden = try NumberParserTests.loadGolden()
        let all = golden.json + golden.csv
        let body = "v\n" + all.map(\.text).joined(separator: "\n") + "\n"
        let frame = try Self.read(body, schema: RequestSchema(columns: [.init(name: "v", type: .double)]))
        let bits: [UInt64]
        switch frame.columns[0].values {
        case .double(let values): bits = values.map(\.bitPattern)
        case .cells(let cells): bits = cells.numbers.map(\.bitPattern)
        default: bits = []
        }
        #expect(bits == all.map(\.bits))
    }

    /// Bodies over the parallel threshold are parsed in two halves; the result must equal the
    /// values written, and a half that disagrees on a column's type must fall back, not corrupt.
    @Test func largeBodiesParseInParallelIdentically() throws {
        let rows = 120_000
        var text = "a,b,c\n"
        var expectedA: [Double] = []
        var expectedB: [Int64] = []
        for row in 0..<rows {
            let a = Double(row) * 0.25 - 1000.5  // exact in binary, so the text is the value
            expectedA.append(a)
            expectedB.append(Int64(row) * 7 - 3)
            text += "\(a),\(Int64(row) * 7 - 3),x\(row % 10)\n"
        }
        #expect(text.utf8.count > CSVReader.parallelThreshold)
        let frame = try Self.read(text)
        #expect(frame.rowCount == rows)
        #expect(frame.columns[0].values == .double(expectedA))
        #expect(frame.columns[1].values == .long(expectedB))
        // A text value late in column a: the second half holds cells, the first a double buffer.
        let mixed = text + "oops,1,x\n"
        let mixedFrame = try Self.read(mixed, schema: RequestSchema(columns: [.init(name: "a", type: .double)]))
        guard case .cells(let cells) = mixedFrame.columns[0].values else { return #expect(Bool(false)) }
        #expect(cells.kinds.count == rows + 1)
        #expect(cells.kinds.last == .string)
        #expect(cells.numbers[rows - 1] == expectedA[rows - 1])
        // An error in the second half names its row exactly (sequential fallback).
        #expect(Self.error(text + "1,2,3,4\n")?.item == "row \(rows)")
    }

    /// A quoted field may hold a line break, so the split point could fall inside one: the halves
    /// refuse quotes and the body is read sequentially, with the same result wherever the quote is.
    @Test(arguments: [10, 59_999, 60_000, 119_999])
    func largeBodiesWithAQuotedLineBreakParseAsOneField(quotedRow: Int) throws {
        let rows = 120_000
        var text = "a,s\n"
        for row in 0..<rows {
            text += row == quotedRow ? "\(row).5,\"two\nlines, \"\"quoted\"\"\"\n" : "\(row).5,t\n"
        }
        #expect(text.utf8.count > CSVReader.parallelThreshold)
        let frame = try Self.read(text)
        #expect(frame.rowCount == rows)
        #expect(frame.columns[0].values == .double((0..<rows).map { Double($0) + 0.5 }))
        guard case .string(let strings) = frame.columns[1].values else { return #expect(Bool(false), "not text") }
        #expect(strings[quotedRow] == "two\nlines, \"quoted\"")
        #expect(strings[quotedRow == 0 ? 1 : 0] == "t")
    }
}
