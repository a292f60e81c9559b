import Foundation
import SystemPlatform
import TestSupport
import Testing

@testable import ModelBundle
@testable import ModelCodecs

/// A CSV file read a window at a time on two threads gives exactly the frame of the same bytes read
/// whole, or declines (`nil`) so that the caller reads it whole; it never gives a different frame.
@Suite struct CSVFileReaderTests {
    /// Writes `bytes` to a fresh file and reads it back through the windowed reader.
    static func readFile(
        _ bytes: [UInt8],
        schema: RequestSchema? = nil,
        window: Int,
        minimumBytes: Int = 0
    ) throws -> Frame? {
        try WindowedFileFixtures.reading(bytes) { input in
            CSVReader(schema: schema).readFile(
                input,
                size: bytes.count,
                windowBytes: window,
                minimumBytes: minimumBytes
            )
        }
    }

    /// A random table: numbers in several spellings, integers, words, booleans, empty fields, blank
    /// lines, missing trailing fields, CRLF or LF, a byte order mark, with or without a schema.
    static func randomTable(_ random: inout SeededGenerator) -> (bytes: [UInt8], schema: RequestSchema?) {
        let columns = Int.random(in: 1...6, using: &random)
        let kinds = (0..<columns).map { _ in Int.random(in: 0...4, using: &random) }
        let crlf = Bool.random(using: &random)
        var text = Bool.random(using: &random) ? "\u{FEFF}" : ""
        text += (0..<columns).map { "c\($0)" }.joined(separator: ",") + (crlf ? "\r\n" : "\n")
        let rows = Int.random(in: 1...1_500, using: &random)
        for _ in 0..<rows {
            if Int.random(in: 0..<40, using: &random) == 0 { text += crlf ? "\r\n" : "\n" }
            let width =
                Int.random(in: 0..<60, using: &random) == 0 ? Int.random(in: 1...columns, using: &random) : columns
            var cells: [String] = []
            for column in 0..<width {
                if Int.random(in: 0..<25, using: &random) == 0 {
                    cells.append("")
                    continue
                }
                switch kinds[column] {
                case 0: cells.append("\(Double.random(in: -1e3...1e3, using: &random))")
                case 1:
                    cells.append(["1e5", "-0.5", "3", "2.5E-3", "0.1", "-0"][Int.random(in: 0..<6, using: &random)])
                case 2: cells.append("\(Int.random(in: -99_999...99_999, using: &random))")
                case 3: cells.append(["alpha", "beta", "x y", "é"][Int.random(in: 0..<4, using: &random)])
                default: cells.append(["True", "false", "1.5"][Int.random(in: 0..<3, using: &random)])
                }
            }
            text += cells.joined(separator: ",")
            text += crlf ? "\r\n" : "\n"
        }
        if Bool.random(using: &random) { text.removeLast() }  // no final line end (or a lone CR)
        let schema = WindowedFileFixtures.randomSchema(
            columns: columns,
            types: [.double, .long, .string, .float],
            using: &random
        )
        return (Array(text.utf8), schema)
    }

    @Test func windowedFramesEqualTheWholeRead() throws {
        var random = SeededGenerator(seed: 0x5EED_C5F1)
        var accepted = 0
        let cases = 400
        for index in 0..<cases {
            let (bytes, schema) = Self.randomTable(&random)
            let window = Int.random(in: 64...8_192, using: &random)
            let whole = try? CSVReader(schema: schema).read(bytes)
            let windowed = try Self.readFile(bytes, schema: schema, window: window)
            if let windowed {
                accepted += 1
                #expect(WindowedFileFixtures.same(windowed, whole), "case \(index), window \(window)")
            }
        }
        // Most tables are not declined: the comparison above is of real windowed reads.
        #expect(accepted > cases / 3, "\(accepted) of \(cases) read by windows")
    }

    static func numbers(rows: Int, start: Int = 0, lineEnd: String = "\n") -> String {
        (start..<(start + rows)).map { "\(Double($0) / 8),\($0)" }.joined(separator: lineEnd) + lineEnd
    }

    @Test func aLargeFileIsReadByWindowsAndSmallOnesAreNot() throws {
        let bytes = Array(("a,b\n" + Self.numbers(rows: 200_000)).utf8)
        let frame = try #require(try Self.readFile(bytes, window: CSVReader.fileWindowBytes, minimumBytes: 1 << 20))
        #expect(WindowedFileFixtures.same(frame, try CSVReader().read(bytes)))
        #expect(frame.rowCount == 200_000)
        let small = Array(("a,b\n" + Self.numbers(rows: 10)).utf8)
        #expect(try Self.readFile(small, window: 1 << 20, minimumBytes: 1 << 20) == nil)
    }

    /// What the windows cannot judge is left to the whole read: each of these declines, and the
    /// whole read (which the caller then makes) still answers.
    @Test func declinesWhatOnlyTheWholeReadDecides() throws {
        let quoted = "a,b\n" + Self.numbers(rows: 300) + "\"7\",8\n" + Self.numbers(rows: 300)
        let longLine = "a,b\n" + Self.numbers(rows: 300) + String(repeating: "1", count: 500) + ",2\n"
        let carriageReturns = "a,b\r" + Self.numbers(rows: 600, lineEnd: "\r")
        // Integers in the first half; the second turns to fractions: the halves disagree on the type.
        let types = "a,b\n" + (0..<600).map { "\($0),\($0 < 500 ? "1" : "1.5")" }.joined(separator: "\n")
        let longHeader = (0..<40).map { "column\($0)" }.joined(separator: ",") + "\n1\n2\n3\n"
        for (name, text) in [
            ("quoted", quoted), ("long line", longLine), ("carriage returns", carriageReturns),
            ("types", types), ("long header", longHeader),
        ] {
            let bytes = Array(text.utf8)
            #expect(try Self.readFile(bytes, window: 256) == nil, "\(name)")
            #expect((try? CSVReader().read(bytes)) != nil, "\(name)")
        }
    }

    /// A body the whole read refuses is declined, never read differently.
    @Test func refusalsAreLeftToTheWholeRead() throws {
        let tooWide = "a,b\n" + Self.numbers(rows: 300) + "1,2,3\n" + Self.numbers(rows: 300)
        let utf16: [UInt8] = [0xFF, 0xFE] + Array(("a,b\n" + Self.numbers(rows: 300)).utf8)
        for (name, bytes) in [("too wide", Array(tooWide.utf8)), ("utf-16", utf16)] {
            #expect(try Self.readFile(bytes, window: 256) == nil, "\(name)")
            #expect((try? CSVReader().read(bytes)) == nil, "\(name)")
        }
    }
}
