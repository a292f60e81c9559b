import Foundation
import Testing

@testable import ModelBundle
@testable import ModelCodecs

/// Every decimal text in the golden file must parse to exactly the bits Python's `float()` gave
/// (Scripts/make-codec-golden.py wrote them).
@Suite struct NumberParserTests {
    struct Golden {
        let json: [(text: String, bits: UInt64)]
        let csv: [(text: String, bits: UInt64)]
    }

    static func fixtureURL(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/codecs/\(name)")
    }

    static func loadGolden() throws -> Golden {
        let data = try Data(contentsOf: fixtureURL("floats.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: [[String]]])
        func pairs(_ key: String) throws -> [(String, UInt64)] {
            try #require(object[key]).map { pair in
                let littleEndian = try #require(UInt64(pair[1], radix: 16))
                return (pair[0], littleEndian.byteSwapped)
            }
        }
        return Golden(json: try pairs("json"), csv: try pairs("csv"))
    }

    @Test func goldenJSONNumbersMatchPythonBitForBit() throws {
        let golden = try Self.loadGolden()
        #expect(golden.json.count > 2000)
        var failures: [String] = []
        for (text, bits) in golden.json {
            for grammar in [NumberParser.Grammar.json, .csv] {
                guard let value = NumberParser.double(text, grammar: grammar) else {
                    failures.append("\(text): not parsed")
                    continue
                }
                if value.bitPattern != bits {
                    failures.append("\(text): got \(value) expected \(Double(bitPattern: bits))")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(20))")
    }

    @Test func goldenCSVOnlyFormsMatchPython() throws {
        let golden = try Self.loadGolden()
        for (text, bits) in golden.csv {
            let value = try #require(NumberParser.double(text, grammar: .csv), "\(text)")
            #expect(value.bitPattern == bits, "\(text)")
        }
    }

    @Test(arguments: ["+1", ".5", "5.", "01", "-", "", "1e", "1e+", "--1", "1.2.3", "inf", "nan", "Infinity ", "0x10"])
    func jsonGrammarRefusesNonJSONForms(_ text: String) {
        #expect(NumberParser.double(text, grammar: .json) == nil)
    }

    @Test func jsonSpecialTokens() throws {
        #expect(try #require(NumberParser.double("NaN", grammar: .json)).isNaN)
        #expect(NumberParser.double("Infinity", grammar: .json) == .infinity)
        #expect(NumberParser.double("-Infinity", grammar: .json) == -.infinity)
        #expect(NumberParser.double("-NaN", grammar: .json) == nil)
    }

    @Test func integersAreExactWithOverflowDetection() {
        #expect(NumberParser.int64("9223372036854775807") == Int64.max)
        #expect(NumberParser.int64("-9223372036854775808") == Int64.min)
        #expect(NumberParser.int64("9223372036854775808") == nil)
        #expect(NumberParser.int64("-9223372036854775809") == nil)
        #expect(NumberParser.int64("123456789012345678901") == nil)
        #expect(NumberParser.int64("-0") == 0)
        #expect(NumberParser.int64("1.0") == nil)
        #expect(NumberParser.int64("1e3") == nil)
        #expect(NumberParser.int64("0000000000000000000000042") == 42)
    }

    @Test func negativeZeroKeepsItsSign() throws {
        let value = try #require(NumberParser.double("-0.0", grammar: .json))
        #expect(value == 0 && value.sign == .minus)
    }
}
