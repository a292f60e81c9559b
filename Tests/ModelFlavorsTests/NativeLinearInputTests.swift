import ModelBundle
import ModelRuntime
import Testing

@testable import ModelFlavors

/// The frame-to-rows transpose the kernels read: the row-block copy of plain numeric columns must
/// lay out every cell where the column-by-column copy does, across block boundaries, and leave the
/// refusals to the per-column path (same first error as before).
@Suite struct NativeLinearInputTests {
    /// 1,300 rows: two full blocks of 512 and a partial one.
    static let rows = 1_300

    static func frame(nullAt nullRows: [Int: Int] = [:]) throws -> Frame {
        let doubles = (0..<rows).map { Double($0) * 0.5 }
        let longs = (0..<rows).map { Int64($0) - 600 }
        let floats = (0..<rows).map { Float($0) / 4 }
        func validity(_ column: Int) -> ValidityMask? {
            guard let row = nullRows[column] else { return nil }
            return ValidityMask((0..<rows).map { $0 != row })
        }
        return try Frame(columns: [
            Column(name: "a", values: .double(doubles), validity: validity(0)),
            Column(name: "b", values: .long(longs), validity: validity(1)),
            Column(name: "c", values: .float(floats), validity: validity(2)),
        ])
    }

    @Test func numericColumnsBecomeRowsAcrossBlockBoundaries() throws {
        let input = try NativeLinearInput<Double>(.frame(Self.frame()), featureCount: 3)
        #expect(input.rowCount == Self.rows)
        for row in [0, 1, 511, 512, 513, 1023, 1024, 1299] {
            #expect(input.values[row * 3] == Double(row) * 0.5)
            #expect(input.values[row * 3 + 1] == Double(row - 600))
            #expect(input.values[row * 3 + 2] == Double(Float(row) / 4))
        }
    }

    /// A boolean column is 1 and 0 (scikit-learn's check_array, XGBoost's DMatrix and LightGBM read
    /// pandas bools so); a string column is still refused, naming it.
    @Test func booleanColumnsAreOneAndZero() throws {
        let frame = try Frame(columns: [
            Column(name: "a", values: .double([0.5, -1, 2])),
            Column(name: "flag", values: .boolean([true, false, true])),
        ])
        let input = try NativeLinearInput<Double>(.frame(frame), featureCount: 2)
        #expect(input.values == [0.5, 1, -1, 0, 2, 1])
        let text = try Frame(columns: [
            Column(name: "a", values: .double([0.5])), Column(name: "city", values: .string(["x"])),
        ])
        let error = try #require(throws: ModelBundleError.self) {
            try NativeLinearInput<Double>(.frame(text), featureCount: 2)
        }
        #expect(error.message.contains("city"))
    }

    /// A matrix past ``NativeLinearInput/parallelCells`` is written by every core: cell (r, c) holds
    /// r × 32 + c, so the row-major output must count 0, 1, 2, … with nothing missed or doubled,
    /// across the boundary between the threads' row ranges.
    @Test func aLargeMatrixIsCopiedOnEveryCoreInPlace() throws {
        let columns = 32
        let rows = NativeLinearInput<Double>.parallelCells / columns + 7_777
        let frame = try Frame(
            columns: try (0..<columns).map { c in
                c % 2 == 0
                    ? try Column(name: "f\(c)", values: .double((0..<rows).map { Double($0 * columns + c) }))
                    : try Column(name: "f\(c)", values: .long((0..<rows).map { Int64($0 * columns + c) }))
            }
        )
        let input = try NativeLinearInput<Double>(.frame(frame), featureCount: columns)
        #expect(input.rowCount == rows)
        #expect(input.values.count == rows * columns)
        let misplaced = input.values.indices.first { input.values[$0] != Double($0) }
        #expect(misplaced == nil)
    }

    @Test func nullsReadAsNaNForTreesInEveryBlock() throws {
        let frame = try Self.frame(nullAt: [0: 3, 2: 1_100])
        let input = try NativeLinearInput<Float>(.frame(frame), featureCount: 3, nullsAsNaN: true)
        #expect(input.values[3 * 3].isNaN)
        #expect(input.values[1_100 * 3 + 2].isNaN)
        #expect(input.values[1_100 * 3] == 550)
        #expect(input.values.filter(\.isNaN).count == 2)
    }

    @Test func theFirstNullInColumnOrderIsRefused() throws {
        // Column b's null comes first by row, column a's first by column: the error names column a,
        // as the column-by-column check always has.
        let frame = try Self.frame(nullAt: [0: 900, 1: 10])
        let error = #expect(throws: ModelBundleError.self) {
            try NativeLinearInput<Double>(.frame(frame), featureCount: 3, rowOffset: 100)
        }
        #expect(error?.message.contains("column 'a' row 1000") == true)
    }
}
