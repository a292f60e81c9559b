import ModelBundle
import TestSupport
import Testing

@testable import ModelRuntime

/// The stream's batches: every record once, in order, cut only between records (a quoted CSV field
/// may hold line feeds), at most `maxRows` rows, ending once `maxBytes` are gathered, whatever sizes
/// the source's reads come in. Checked against a byte-at-a-time reference of the same rules.
@Suite struct RecordBatchReaderTests {
    /// A source handing out `bytes` in reads of at most `chunk` bytes.
    struct ChunkedSource: RecordSource {
        let name = "chunked"
        let bytes: [UInt8]
        let chunk: Int
        var position = 0

        mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(ModelBundleError) -> Int {
            let count = min(buffer.count, chunk, bytes.count - position)
            guard count > 0 else { return 0 }
            for index in 0..<count { buffer[index] = bytes[position + index] }
            position += count
            return count
        }
    }

    /// The lines of `text` as the rules cut them: each record's end offset (after its line feed, or
    /// the end of the text) and whether it holds content. Byte at a time, independently of the reader.
    static func referenceRecords(_ text: [UInt8], csv: Bool) -> [(end: Int, content: Bool)] {
        var records: [(end: Int, content: Bool)] = []
        var quoted = false
        var content = false
        for (index, byte) in text.enumerated() {
            if csv && byte == UInt8(ascii: "\"") {
                quoted.toggle()
                content = true
            } else if byte == UInt8(ascii: "\n") && !quoted {
                records.append((index + 1, content))
                content = false
            } else if csv ? byte != 0x0D : !(byte == 0x20 || byte == 0x09 || byte == 0x0D) {
                content = true
            }
        }
        if content { records.append((text.count, true)) }
        return records
    }

    /// The batches the rules make of `records` (starting after `start` bytes): their row counts and
    /// where each ends. A batch cut by its row or byte limit ends after its last row; the last batch
    /// ends at the end of the input's last line (blank lines after a cut that ends no batch are dropped).
    static func expectedBatches(_ records: [(end: Int, content: Bool)], start: Int, maxRows: Int, maxBytes: Int)
        -> [(rows: Int, end: Int)]
    {
        var batches: [(rows: Int, end: Int)] = []
        var count = 0
        var batchStart = start
        for record in records where record.end > start {
            if record.content { count += 1 }
            if count >= maxRows || (record.end - batchStart >= maxBytes && count > 0) {
                batches.append((count, record.end))
                count = 0
                batchStart = record.end
            }
        }
        if count > 0, let last = records.last { batches.append((count, last.end)) }
        return batches
    }

    static func randomCSV(_ generator: inout SeededGenerator) -> [UInt8] {
        let fields = ["1.5", "-2", "\"a,b\"", "\"x\ny\"", "\"q\"\"q\"", "", "7e3", "\"\n\n\""]
        let lineEnds = ["\n", "\n", "\n", "\r\n"]
        var text = "a,b\n"
        for _ in 0..<Int.random(in: 0...60, using: &generator) {
            switch Int.random(in: 0..<8, using: &generator) {
            case 0: text += "\n"
            case 1: text += "\r\n"
            default:
                text += (0..<2).map { _ in fields.randomElement(using: &generator)! }.joined(separator: ",")
                text += lineEnds.randomElement(using: &generator)!
            }
        }
        if Bool.random(using: &generator) && text.hasSuffix("\n") { text.removeLast() }
        return Array(text.utf8)
    }

    static func randomJSONLines(_ generator: inout SeededGenerator) -> [UInt8] {
        let lines = [#"{"a": 1, "b": 2}"#, "", "  ", "\t\r", #"{"a": "x\ny", "b": 3}"#, #"{"a": "\"", "b": 4}"#]
        var text = ""
        for _ in 0..<Int.random(in: 0...60, using: &generator) {
            text += lines.randomElement(using: &generator)! + "\n"
        }
        if Bool.random(using: &generator) && text.hasSuffix("\n") { text.removeLast() }
        return Array(text.utf8)
    }

    @Test(arguments: [RequestFormat.csv, .json])
    func batchesMatchTheReferenceCuts(_ format: RequestFormat) throws {
        var generator = SeededGenerator(seed: format == .csv ? 17 : 29)
        for _ in 0..<400 {
            let text = format == .csv ? Self.randomCSV(&generator) : Self.randomJSONLines(&generator)
            let chunk = [1, 2, 3, 7, 64, 1 << 20].randomElement(using: &generator)!
            let maxRows = Int.random(in: 1...9, using: &generator)
            let maxBytes = [1, 5, 40, 1 << 20].randomElement(using: &generator)!
            var reader = RecordBatchReader(
                ChunkedSource(bytes: text, chunk: chunk),
                format: format,
                maxRows: maxRows,
                maxBytes: maxBytes
            )
            let records = Self.referenceRecords(text, csv: format == .csv)
            // CSV: the first record with content is the header; the batches start after it.
            let headerEnd = format == .csv ? records.first { $0.content }?.end ?? text.count : 0
            let expected = Self.expectedBatches(records, start: headerEnd, maxRows: maxRows, maxBytes: maxBytes)
            var counts: [Int] = []
            var bodies: [UInt8] = []
            var firstRow = 0
            while let batch = try reader.next() {
                #expect(batch.firstRow == firstRow)
                firstRow += batch.rowCount
                counts.append(batch.rowCount)
                if format == .csv {
                    let header = Array(text[..<headerEnd])
                    #expect(
                        batch.body.starts(with: header),
                        "\(String(decoding: text, as: UTF8.self).debugDescription)"
                    )
                    bodies += batch.body.dropFirst(header.count)
                }
            }
            let context =
                "\(String(decoding: text, as: UTF8.self).debugDescription) chunk \(chunk) rows \(maxRows) bytes \(maxBytes)"
            #expect(counts == expected.map(\.rows), "\(context)")
            if format == .csv {
                // Every byte after the header once, in order, blank lines included, up to the last batch's end.
                let end = expected.last?.end ?? headerEnd
                #expect(
                    String(decoding: bodies, as: UTF8.self) == String(decoding: text[headerEnd..<end], as: UTF8.self),
                    "\(context)"
                )
            }
        }
    }

    @Test func aRunOfBlankLinesLongerThanTheByteLimitDoesNotEndTheStream() throws {
        let text = Array(("x\n" + String(repeating: "\n", count: 100) + "1\n2\n").utf8)
        var reader = RecordBatchReader(ChunkedSource(bytes: text, chunk: 8), format: .csv, maxRows: 10, maxBytes: 16)
        var rows = 0
        while let batch = try reader.next() { rows += batch.rowCount }
        #expect(rows == 2)
    }

    @Test func jsonLinesBodiesHoldTheRecordsInAnEnvelope() throws {
        let text = Array("{\"a\": 1}\n\n  \n{\"a\": \"x\\ny\"}\n{\"a\": 3}".utf8)
        var reader = RecordBatchReader(ChunkedSource(bytes: text, chunk: 3), format: .json, maxRows: 2)
        let first = try #require(try reader.next())
        #expect(String(decoding: first.body, as: UTF8.self) == #"{"dataframe_records": [{"a": 1},{"a": "x\ny"}]}"#)
        let second = try #require(try reader.next())
        #expect(String(decoding: second.body, as: UTF8.self) == #"{"dataframe_records": [{"a": 3}]}"#)
        #expect(second.firstRow == 2)
        #expect(try reader.next() == nil)
    }
}

/// A record longer than the stream's limit (an unclosed quote, a runaway cell) is refused naming its
/// row and, for CSV, the column it had reached, instead of growing memory with the rest of the input.
@Suite struct RecordBatchReaderLimitTests {
    typealias Source = RecordBatchReaderTests.ChunkedSource

    static func batches(_ text: String, format: RequestFormat, limit: Int) -> (rows: Int, error: PredictionError?) {
        var reader = RecordBatchReader(
            Source(bytes: Array(text.utf8), chunk: 7),
            format: format,
            maxRows: 2,
            maxRecordBytes: limit
        )
        var rows = 0
        do {
            while let batch = try reader.next() { rows += batch.rowCount }
        } catch {
            return (rows, error)
        }
        return (rows, nil)
    }

    @Test func anUnclosedQuoteIsRefusedWithItsRowAndColumn() throws {
        let text = "a,b,c\n1,2,3\n4,5,6\n7,\"8,9\n" + String(repeating: "10,11,12\n", count: 40)
        let (rows, error) = Self.batches(text, format: .csv, limit: 100)
        let refused = try #require(error)
        #expect(rows == 2)
        #expect(refused.location.row == 2)
        #expect(refused.location.column == "b")
        #expect(refused.error.description.contains("row 2 (in column \"b\") is longer than 100 bytes"))
    }

    @Test func aLongRecordWithinTheLimitPasses() {
        let text = "a,b\n1,\"" + String(repeating: "x", count: 90) + "\"\n2,3\n"
        let (rows, error) = Self.batches(text, format: .csv, limit: 100)
        #expect(error == nil)
        #expect(rows == 2)
    }

    @Test func aLongJSONLineIsRefusedWithItsRow() throws {
        let text = "{\"a\": 1}\n{\"a\": \"" + String(repeating: "x", count: 300) + "\"}\n"
        let (rows, error) = Self.batches(text, format: .json, limit: 100)
        let refused = try #require(error)
        #expect(rows == 0)  // the first batch waits for its second row
        #expect(refused.location.row == 1)
        #expect(refused.location.column == nil)
    }

    @Test func aHeaderPastTheLimitIsNamedAsTheHeader() throws {
        let text = (0..<60).map { "column\($0)" }.joined(separator: ",") + "\n1\n"
        let (_, error) = Self.batches(text, format: .csv, limit: 100)
        let refused = try #require(error)
        #expect(refused.location.row == nil)
        #expect(refused.error.description.contains("the header row"))
    }
}
