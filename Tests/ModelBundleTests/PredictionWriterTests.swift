import Foundation
import Testing

@testable import ModelBundle
@testable import ModelCodecs

/// `{"predictions": …}` must equal, byte for byte, what Python's `json.dumps` wrote for the same
/// values (Tests/Fixtures/codecs/predictions.json, from Scripts/make-codec-golden.py).
@Suite struct PredictionWriterTests {
    static func cases() throws -> [[String: Any]] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/codecs/predictions.json")
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]])
    }

    static func values(_ spec: [String: Any]) throws -> (ColumnValues, ValidityMask?) {
        let dtype = try #require(spec["dtype"] as? String)
        switch dtype {
        case "float64":
            let bits = try #require(spec["bits"] as? [String])
            let doubles = try bits.map { Double(bitPattern: try #require(UInt64($0, radix: 16)).byteSwapped) }
            return (.double(doubles), nil)
        case "float32":
            let bits = try #require(spec["bits"] as? [String])
            let floats = try bits.map { Float(bitPattern: try #require(UInt32($0, radix: 16)).byteSwapped) }
            return (.float(floats), nil)
        case "int64":
            let ints = try #require(spec["ints"] as? [String])
            return (.long(try ints.map { try #require(Int64($0)) }), nil)
        default:
            let strings = try #require(spec["strings"] as? [Any])
            let mask = ValidityMask(strings.map { $0 is String })
            return (.string(strings.map { $0 as? String ?? "" }), mask)
        }
    }

    @Test func matchesPythonJSONDumps() throws {
        let all = try Self.cases()
        #expect(all.count >= 8)
        for golden in all {
            let name = try #require(golden["name"] as? String)
            let expected = try #require(golden["expected"] as? String)
            let output: PredictionOutput
            if let frameSpec = golden["frame"] as? [String: [String: Any]] {
                let order = try #require(golden["order"] as? [String])
                let columns = try order.map { columnName in
                    let (values, mask) = try Self.values(try #require(frameSpec[columnName]))
                    return try Column(name: columnName, values: values, validity: mask)
                }
                output = .frame(try Frame(columns: columns))
            } else {
                let shape = try #require(golden["shape"] as? [Int])
                let (values, mask) = try Self.values(golden)
                output = .tensor(try Tensor(shape: shape, values: values, validity: mask))
            }
            let written = String(decoding: try PredictionWriter.json(output), as: UTF8.self)
            #expect(written == expected, "\(name)")
        }
    }

    /// Around the edges of the two notations, where Swift's text and Python's `repr` could part:
    /// the expected texts are Python 3.11's `repr` of the same doubles.
    @Test func plainAndExponentNotationAsPython() {
        let cases: [(Double, String)] = [
            (9007199254740994.0, "9007199254740994.0"), (9007199254740992.0, "9007199254740992.0"),
            (5e15, "5000000000000000.0"), (1234567890123456.7, "1234567890123456.8"),
            (9.999999999999998e15, "9999999999999998.0"), (1e16, "1e+16"), (0.00012345, "0.00012345"),
            (0.0001, "0.0001"), (0.00009999, "9.999e-05"), (1e15, "1000000000000000.0"), (-0.0, "-0.0"),
            (0.1 + 0.2, "0.30000000000000004"), (0.035375149150371, "0.035375149150371"),
        ]
        for (value, python) in cases {
            var out: [UInt8] = []
            CodecJSONText.appendDouble(value, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == python, "\(value)")
        }
    }

    @Test func scalarAndNullCells() throws {
        let scalar = try Tensor(shape: [], values: .double([0.5]))
        #expect(String(decoding: try PredictionWriter.json(.tensor(scalar)), as: UTF8.self) == "{\"predictions\": 0.5}")
        let withNull = try Tensor(shape: [2], values: .long([1, 0]), validity: ValidityMask([true, false]))
        #expect(
            String(decoding: try PredictionWriter.json(.tensor(withNull)), as: UTF8.self)
                == "{\"predictions\": [1, null]}"
        )
    }
}
