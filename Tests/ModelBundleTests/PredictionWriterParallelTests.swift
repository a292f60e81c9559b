import Testing

@testable import ModelBundle
@testable import ModelCodecs

/// Outputs of at least `PredictionWriter.parallelCells` cells are written by several threads, each a
/// range of rows joined in order. The expected text is built here by hand: every value is `i + 0.5`
/// or `-(i + 0.25)`, whose Python `repr` is its integer part then `.5` or `.25`, so any row lost,
/// repeated or joined out of order, and any separator at a seam, shows.
@Suite struct PredictionWriterParallelTests {
    static let rows = PredictionWriter.parallelCells + 12_345

    static func text(_ row: Int, negative: Bool) -> String { negative ? "-\(row).25" : "\(row).5" }

    @Test func aLargeMatrixIsWrittenAsOneThreadWouldWriteIt() throws {
        var values: [Double] = []
        values.reserveCapacity(Self.rows * 2)
        for row in 0..<Self.rows { values += [Double(row) + 0.5, -(Double(row) + 0.25)] }
        let tensor = try Tensor(shape: [Self.rows, 2], values: .double(values))
        let expected =
            "{\"predictions\": ["
            + (0..<Self.rows).map { "[\(Self.text($0, negative: false)), \(Self.text($0, negative: true))]" }
            .joined(separator: ", ") + "]}"
        #expect(String(decoding: try PredictionWriter.json(.tensor(tensor)), as: UTF8.self) == expected)
    }

    @Test func aLargeVectorWithNullsIsWrittenInRowOrder() throws {
        let values = (0..<Self.rows).map { Double($0) + 0.5 }
        // Nulls on both sides of every seam a 2-, 3- or 4-way split makes, and at both ends.
        let nulls: Set<Int> = [0, Self.rows / 2 - 1, Self.rows / 2, Self.rows / 3, Self.rows / 4, Self.rows - 1]
        let mask = ValidityMask((0..<Self.rows).map { !nulls.contains($0) })
        let tensor = try Tensor(shape: [Self.rows], values: .double(values), validity: mask)
        let expected =
            "{\"predictions\": ["
            + (0..<Self.rows).map { nulls.contains($0) ? "null" : Self.text($0, negative: false) }
            .joined(separator: ", ") + "]}"
        #expect(String(decoding: try PredictionWriter.json(.tensor(tensor)), as: UTF8.self) == expected)
    }

    @Test func aLargeFrameKeepsItsRecordsInOrder() throws {
        let scores = try Column(name: "score", values: .double((0..<Self.rows).map { Double($0) + 0.5 }))
        let labels = try Column(name: "label", values: .long((0..<Self.rows).map { Int64($0) }))
        let frame = try Frame(columns: [scores, labels])
        let expected =
            "{\"predictions\": ["
            + (0..<Self.rows).map { "{\"score\": \(Self.text($0, negative: false)), \"label\": \($0)}" }
            .joined(separator: ", ") + "]}"
        #expect(String(decoding: try PredictionWriter.json(.frame(frame)), as: UTF8.self) == expected)
    }

    @Test func smallAndEmptyOutputsAreUnchanged() throws {
        let empty = try Tensor(shape: [0, 3], values: .double([]))
        #expect(String(decoding: try PredictionWriter.json(.tensor(empty)), as: UTF8.self) == "{\"predictions\": []}")
        let hollow = try Tensor(shape: [2, 0], values: .double([]))
        #expect(
            String(decoding: try PredictionWriter.json(.tensor(hollow)), as: UTF8.self) == "{\"predictions\": [[], []]}"
        )
        let wide = try Tensor(shape: [1, Self.rows], values: .double((0..<Self.rows).map { Double($0) + 0.5 }))
        let expected =
            "{\"predictions\": [[" + (0..<Self.rows).map { Self.text($0, negative: false) }.joined(separator: ", ")
            + "]]}"
        #expect(String(decoding: try PredictionWriter.json(.tensor(wide)), as: UTF8.self) == expected)
    }
}
