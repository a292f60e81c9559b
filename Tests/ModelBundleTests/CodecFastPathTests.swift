import Testing

@testable import ModelBundle
@testable import ModelCodecs

/// The block fast paths (NumberParser.fastDouble into CodecDoubleBlock) must give bit for bit the
/// values Python's `float()` gives (the committed golden file, Tests/Fixtures/codecs/floats.json),
/// for small (sequential) and large (two-thread) CSV and JSON bodies, with rows it cannot read mixed in.
@Suite struct CodecFastPathTests {
    static func golden() throws -> [(text: String, bits: UInt64)] {
        try NumberParserTests.loadGolden().json
    }

    @Test func fastDoubleAgreesWithPythonWheneverItAnswers() throws {
        let golden = try Self.golden()
        var answered = 0
        for (text, bits) in golden {
            let bytes = Array(text.utf8)
            let result = bytes.withUnsafeBufferPointer { buffer -> (value: Double, end: Int)? in
                guard let base = buffer.baseAddress else { return nil }
                return NumberParser.fastDouble(base, 0, buffer.count)
            }
            guard let result else { continue }
            answered += 1
            #expect(result.end == bytes.count, "\(text)")
            #expect(result.value.bitPattern == bits, "\(text)")
        }
        // The fast path must carry most of the golden set, or this test would prove little.
        #expect(answered * 10 > golden.count * 7, "fast path answered \(answered) of \(golden.count)")
    }

    /// The word-at-a-time digit run against a byte-by-byte count, for every run length and the
    /// bytes around the digit range ('/' and ':' border '0' and '9'; 0xFA…0xFF carry when 6 is added).
    @Test func digitRunMatchesAByteByByteCount() {
        let stops: [UInt8] = [0x2F, 0x3A, 0x2C, 0x2E, 0x2D, 0x0A, 0x20, 0x65, 0x00, 0xFA, 0xFF, 0x5D]
        for length in 0...8 {
            for stop in stops {
                for seed in 0..<20 {
                    var bytes = (0..<8).map { UInt8(ascii: "0") + UInt8((($0 + 1) * 7 + seed * 3) % 10) }
                    if length < 8 {
                        bytes[length] = stop
                        for k in (length + 1)..<8 { bytes[k] = stops[(k + seed) % stops.count] }
                    }
                    let expected = bytes.prefix(length).reduce(UInt64(0)) { $0 * 10 + UInt64($1 - 48) }
                    let run = bytes.withUnsafeBufferPointer { buffer -> (value: UInt64, count: Int)? in
                        guard let base = buffer.baseAddress else { return nil }
                        return NumberParser.digitRun(base)
                    }
                    #expect(run?.count == length, "\(bytes)")
                    #expect(run?.value == expected, "\(bytes)")
                }
            }
        }
    }

    @Test(arguments: ["+1", ".5", "5.", "01", "-", "", "1e", "1e+", "inf", "NaN", "12345678901234567", "0x10"])
    func fastDoubleLeavesOtherFormsToTheGeneralPath(_ text: String) {
        let bytes = Array(text.utf8)
        let result = bytes.withUnsafeBufferPointer { buffer -> (value: Double, end: Int)? in
            guard let base = buffer.baseAddress else { return nil }
            return NumberParser.fastDouble(base, 0, buffer.count)
        }
        // Either refused, or (for prefixes like `0x10` → `0`) stopped before the end for the caller to refuse.
        #expect(result == nil || result?.end != bytes.count, "\(text)")
    }

    /// Golden texts in two columns, repeated `copies` times; `text(i)` is the cell text of value i.
    static func values(_ golden: [(text: String, bits: UInt64)], copies: Int) -> [(text: String, bits: UInt64)] {
        Array(repeating: golden, count: copies).flatMap { $0 }
    }

    static func bits(_ values: ColumnValues) -> [UInt64] {
        switch values {
        case .double(let v): v.map(\.bitPattern)
        case .cells(let cells): cells.numbers.map(\.bitPattern)
        default: []
        }
    }

    @Test(arguments: [1, 40])
    func csvTwoColumnsMatchPython(copies: Int) throws {
        let all = Self.values(try Self.golden(), copies: copies)
        let half = all.count / 2
        var body = "a,b\n"
        for k in 0..<half { body += "\(all[2 * k].text),\(all[2 * k + 1].text)\n" }
        if copies > 1 { #expect(body.utf8.count > CSVReader.parallelThreshold) }
        let schema = RequestSchema(columns: [.init(name: "a", type: .double), .init(name: "b", type: .double)])
        let frame = try CSVReader(schema: schema).read(Array(body.utf8))
        #expect(frame.rowCount == half)
        #expect(Self.bits(frame.columns[0].values) == (0..<half).map { all[2 * $0].bits })
        #expect(Self.bits(frame.columns[1].values) == (0..<half).map { all[2 * $0 + 1].bits })
    }

    @Test(arguments: [1, 40])
    func jsonSplitAndInputsMatchPython(copies: Int) throws {
        let all = Self.values(try Self.golden(), copies: copies)
        let half = all.count / 2
        let rows = (0..<half).map { "[\(all[2 * $0].text), \(all[2 * $0 + 1].text)]" }.joined(separator: ",\n ")
        let split = #"{"dataframe_split": {"columns": ["a", "b"], "data": ["# + rows + "]}}"
        if copies > 1 { #expect(split.utf8.count > CodecParallelRows.threshold) }
        let schema = RequestSchema(columns: [.init(name: "a", type: .double), .init(name: "b", type: .double)])
        let request = try RequestDecoder(schema: schema).decode(Array(split.utf8), format: .json)
        guard case .frame(let frame) = request.input else { return #expect(Bool(false), "not a frame") }
        #expect(frame.rowCount == half)
        #expect(Self.bits(frame.columns[0].values) == (0..<half).map { all[2 * $0].bits })
        #expect(Self.bits(frame.columns[1].values) == (0..<half).map { all[2 * $0 + 1].bits })

        let inputs = #"{"inputs": ["# + rows + "]}"
        let tensorSchema = RequestSchema(tensors: [.init(name: nil, dtype: .float64, shape: [-1, 2])])
        let decoded = try RequestDecoder(schema: tensorSchema).decode(Array(inputs.utf8), format: .json)
        guard case .tensor(let tensor) = decoded.input else { return #expect(Bool(false), "not a tensor") }
        #expect(tensor.shape == [half, 2])
        #expect(Self.bits(tensor.values) == (0..<(2 * half)).map { all[$0].bits })
    }

    /// Nulls, text and short rows between plain rows: the general path reads them, in order.
    @Test func csvRowsTheFastPathCannotReadKeepTheirPlace() throws {
        let body = "a,b\n1.5,2.5\n,3.5\n4.5\n\n5.5,6.5\n7,8e1\n"
        let schema = RequestSchema(columns: [.init(name: "a", type: .double), .init(name: "b", type: .double)])
        let frame = try CSVReader(schema: schema).read(Array(body.utf8))
        #expect(frame.rowCount == 5)
        #expect(frame.columns[0].validity == ValidityMask([true, false, true, true, true]))
        #expect(frame.columns[1].validity == ValidityMask([true, true, false, true, true]))
        guard case .double(let a) = frame.columns[0].values, case .double(let b) = frame.columns[1].values else {
            return #expect(Bool(false), "not doubles")
        }
        #expect(a[0] == 1.5 && a[2] == 4.5 && a[3] == 5.5 && a[4] == 7)
        #expect(b[0] == 2.5 && b[1] == 3.5 && b[3] == 6.5 && b[4] == 80)
    }
}
