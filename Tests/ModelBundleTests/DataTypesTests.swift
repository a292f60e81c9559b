import Testing

@testable import ModelBundle
@testable import ModelCodecs

@Suite struct DataTypesTests {
    @Test func validityMaskCountsAndReadsBits() {
        var mask = ValidityMask(allValid: 0)
        for index in 0..<200 { mask.append(index % 67 != 3) }
        #expect(mask.count == 200)
        #expect(mask.nullCount == 3)  // 3, 70, 137
        #expect(!mask.isValid(3) && !mask.isValid(70) && !mask.isValid(137))
        #expect(mask.isValid(0) && mask.isValid(199))
        #expect(!mask.isValid(200) && !mask.isValid(-1))
        #expect(mask == ValidityMask((0..<200).map { $0 % 67 != 3 }))
        #expect(ValidityMask(allValid: 5) == ValidityMask([true, true, true, true, true]))
    }

    @Test func tensorChecksShapeAgainstValues() throws {
        let tensor = try Tensor(shape: [2, 3], values: .double([1, 2, 3, 4, 5, 6]))
        #expect(tensor.dtype == .float64)
        #expect(tensor.count == 6)
        #expect(throws: ModelBundleError.self) { try Tensor(shape: [2, 2], values: .double([1, 2, 3])) }
        #expect(throws: ModelBundleError.self) { try Tensor(shape: [-1], values: .double([])) }
        #expect(throws: ModelBundleError.self) { try Tensor(shape: [Int.max, 3], values: .double([])) }
        #expect(try Tensor(shape: [], values: .long([7])).count == 1)
    }

    @Test func frameRefusesUnequalColumnsAndDuplicates() throws {
        let a = try Column(name: "a", values: .long([1, 2]))
        let b = try Column(name: "b", values: .string(["x"]))
        #expect(throws: ModelBundleError.self) { try Frame(columns: [a, b]) }
        #expect(throws: ModelBundleError.self) { try Frame(columns: [a, a]) }
        #expect(throws: ModelBundleError.self) {
            try Column(name: "c", values: .long([1]), validity: ValidityMask([true, false]))
        }
        let frame = try Frame(columns: [a])
        #expect(frame.rowCount == 2)
        #expect(frame.column(named: "a") == a)
    }

    @Test func base64AndDatetimeHelpers() {
        #expect(CodecBase64.decode("aGk=") == Array("hi".utf8))
        #expect(CodecBase64.decode("aGk") == nil)
        #expect(CodecBase64.decode("a=Gk") == nil)
        // Python: base64.encodebytes(b"hello") == b"aGVsbG8=\n"
        #expect(CodecBase64.encodeLines(Array("hello".utf8)) == "aGVsbG8=\n")
        #expect(CodecDatetime.parse("1970-01-02") == 86_400_000_000_000)
        #expect(CodecDatetime.parse("2023-02-29") == nil)
        #expect(CodecDatetime.parse("3000-01-01") == nil)  // outside datetime64[ns]
        #expect(CodecDatetime.parse("1969-12-31T23:59:59.999999999") == -1)
    }
}
