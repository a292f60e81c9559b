import Foundation
import SystemPlatform
import TestSupport
import Testing

@testable import ModelBundle
@testable import ModelCodecs

/// A `dataframe_split` JSON file read a window at a time on two threads gives exactly the request
/// of the same bytes decoded whole, or declines (`nil`) so that the caller decodes it whole.
@Suite struct JSONFileReaderTests {
    static func readFile(_ bytes: [UInt8], schema: RequestSchema? = nil, window: Int) throws -> DecodedRequest? {
        try WindowedFileFixtures.reading(bytes) { input in
            RequestDecoder(schema: schema).readJSONFile(input, size: bytes.count, windowBytes: window, minimumBytes: 0)
        }
    }

    static func whole(_ bytes: [UInt8], schema: RequestSchema? = nil) -> DecodedRequest? {
        try? RequestDecoder(schema: schema).decode(bytes, format: .json)
    }

    /// A random numeric `dataframe_split` document: several number spellings, integers, `null`,
    /// booleans, white space and line breaks in several places, with or without a schema.
    static func randomDocument(_ random: inout SeededGenerator) -> (bytes: [UInt8], schema: RequestSchema?) {
        let columns = Int.random(in: 1...6, using: &random)
        let kinds = (0..<columns).map { _ in Int.random(in: 0...3, using: &random) }
        let spaces = ["", " ", "\n", "\r\n  ", "\t"]
        func space() -> String {
            spaces[Int.random(in: 0..<(Bool.random(using: &random) ? 1 : spaces.count), using: &random)]
        }
        let names = (0..<columns).map { "\"c\($0)\"" }.joined(separator: "," + space())
        var text = (Bool.random(using: &random) ? "\u{FEFF}" : "") + space() + "{" + space() + "\"dataframe_split\":"
        text +=
            space() + "{\"columns\":" + space() + "[" + names + "]," + space() + "\"data\":" + space() + "[" + space()
        let rows = Int.random(in: 1...1_200, using: &random)
        var lines: [String] = []
        for _ in 0..<rows {
            let cells = (0..<columns).map { column -> String in
                if Int.random(in: 0..<30, using: &random) == 0 { return "null" }
                switch kinds[column] {
                case 0: return "\(Double.random(in: -1e3...1e3, using: &random))"
                case 1: return ["1e5", "-0.5", "3", "2.5E-3", "-0", "0.1"][Int.random(in: 0..<6, using: &random)]
                case 2: return "\(Int.random(in: -99_999...99_999, using: &random))"
                default: return Bool.random(using: &random) ? "true" : "false"
                }
            }
            lines.append("[" + space() + cells.joined(separator: "," + space()) + space() + "]")
        }
        text +=
            lines.joined(separator: space() + "," + space()) + space() + "]" + space() + "}" + space() + "}" + space()
        let schema = WindowedFileFixtures.randomSchema(
            columns: columns,
            types: [.double, .long, .float, .boolean],
            using: &random
        )
        return (Array(text.utf8), schema)
    }

    @Test func windowedRequestsEqualTheWholeDecode() throws {
        var random = SeededGenerator(seed: 0x1503_5EED)
        var accepted = 0
        let cases = 400
        for index in 0..<cases {
            let (bytes, schema) = Self.randomDocument(&random)
            let window = Int.random(in: 64...8_192, using: &random)
            if let windowed = try Self.readFile(bytes, schema: schema, window: window) {
                accepted += 1
                #expect(
                    WindowedFileFixtures.same(windowed, Self.whole(bytes, schema: schema)),
                    "case \(index), window \(window)"
                )
            }
        }
        // Most documents are not declined: the comparison above is of real windowed reads.
        #expect(accepted > cases / 3, "\(accepted) of \(cases) read by windows")
    }

    static func document(rows: Int, before: String = "", after: String = "", row: (Int) -> String = { "[\($0), 0.5]" })
        -> [UInt8]
    {
        let data = (0..<rows).map(row).joined(separator: ", ")
        return Array("{\(before)\"dataframe_split\": {\"columns\": [\"a\", \"b\"], \"data\": [\(data)]}\(after)}".utf8)
    }

    @Test func aLargeFileIsReadByWindows() throws {
        let bytes = Self.document(rows: 100_000)
        let request = try #require(try Self.readFile(bytes, window: CSVReader.fileWindowBytes))
        #expect(WindowedFileFixtures.same(request, Self.whole(bytes)))
        guard case .frame(let frame) = request.input else { return #expect(Bool(false)) }
        #expect(frame.rowCount == 100_000)
        #expect(request.field == "dataframe_split")
    }

    /// Every other shape, and what the windows cannot judge, is left to the whole decode: each of
    /// these declines, and the whole decode (which the caller then makes) answers.
    @Test func declinesWhatOnlyTheWholeDecodeDecides() throws {
        let cases: [(String, [UInt8])] = [
            ("params", Self.document(rows: 300, after: ", \"params\": {\"k\": [1]}")),
            ("a key before", Self.document(rows: 300, before: "\"params\": {\"k\": 1}, ")),
            ("strings", Self.document(rows: 300) { $0 == 150 ? "[\"x\", 1]" : "[\($0), 0.5]" }),
            ("a text column", Self.document(rows: 300) { "[\"x\($0)\", 1]" }),
            ("nested", Self.document(rows: 300) { $0 == 150 ? "[[1, 2], 1]" : "[\($0), 0.5]" }),
            (
                "long row",
                Self.document(rows: 300) { $0 == 150 ? "[\(String(repeating: "1", count: 400)), 1]" : "[\($0), 0.5]" }
            ),
            ("inputs", Array("{\"inputs\": [\((0..<300).map { "[\($0), 1]" }.joined(separator: ","))]}".utf8)),
            (
                "data before columns",
                Array(
                    "{\"dataframe_split\": {\"data\": [\((0..<300).map { "[\($0), 1]" }.joined(separator: ","))], \"columns\": [\"a\", \"b\"]}}"
                        .utf8
                )
            ),
            ("types", Self.document(rows: 600) { $0 < 500 ? "[\($0), 1]" : "[\($0), 1.5]" }),
        ]
        for (name, bytes) in cases {
            #expect(try Self.readFile(bytes, window: 256) == nil, "\(name)")
            #expect(Self.whole(bytes) != nil, "\(name)")
        }
    }

    /// A document the whole decode refuses is declined, never read differently.
    @Test func refusalsAreLeftToTheWholeDecode() throws {
        let cases: [(String, [UInt8])] = [
            ("trailing text", Self.document(rows: 300) + Array(" ]}}".utf8)),
            ("ragged", Self.document(rows: 300) { $0 == 150 ? "[1]" : "[\($0), 0.5]" }),
            ("trailing comma", Array("{\"dataframe_split\": {\"columns\": [\"a\"], \"data\": [[1], [2],]}}".utf8)),
            ("bad number", Self.document(rows: 300) { $0 == 150 ? "[01, 2]" : "[\($0), 0.5]" }),
            ("empty row", Self.document(rows: 300) { $0 == 150 ? "[]" : "[\($0), 0.5]" }),
        ]
        for (name, bytes) in cases {
            #expect(try Self.readFile(bytes, window: 256) == nil, "\(name)")
            #expect(Self.whole(bytes) == nil, "\(name)")
        }
    }
}
