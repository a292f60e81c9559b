import CLinearKernels
import Testing

@testable import ModelFlavors

/// The C kernel that reads float64 columns where they lie (an Arrow request's buffers) must give
/// every result the bits the row kernel gives the same rows, so a request's predictions do not
/// depend on the format it arrived in; and it must notice every NaN and infinity it reads.
@Suite(.enabled(if: NativeKernels.available, "the processor has no AVX2/FMA"))
struct ColumnKernelTests {
    struct Case {
        let weights: LinearModelWeights<Double>
        let native: NativeWeights<Double>
        let rows: [Double]
        let columns: [[Double]]
        let rowCount: Int
    }

    static func makeCase(features: Int, classes: Int, rowCount: Int, seed: UInt64) throws -> Case {
        var generator = SplitMix(seed: seed)
        func value() -> Double {
            let u = generator.next()
            // Exact zeros, negative zeros and wide magnitudes, where the order of additions shows.
            if u < 0.05 { return 0 }
            if u < 0.1 { return -0.0 }
            return (generator.next() * 2 - 1) * [1e-3, 1, 1e3, 1e8][Int(generator.next() * 4) % 4]
        }
        let weights = try LinearModelWeights<Double>(
            coefficients: (0..<(classes * features)).map { _ in value() },
            intercepts: (0..<classes).map { _ in value() },
            outputCount: classes,
            featureCount: features
        )
        let native = try #require(KernelCore(weights: weights, implementation: .automatic).native)
        let rows = (0..<(rowCount * features)).map { _ in value() }
        let columns = (0..<features).map { f in (0..<rowCount).map { rows[$0 * features + f] } }
        return Case(weights: weights, native: native, rows: rows, columns: columns, rowCount: rowCount)
    }

    /// Runs `operation` both ways over rows `range`; the results, bit for bit, and the column
    /// kernel's non-finite flag. With a `columnStride`, the column kernel's results are read back
    /// row-major from its column-major output (result c of row r at `c × columnStride + r`; the
    /// values between columns must stay as they were, a sentinel).
    static func run(
        _ c: Case,
        _ operation: Int32,
        width: Int,
        range: Range<Int>,
        columnStride: Int = 0
    ) -> ([UInt64], [UInt64], Bool) {
        let n = c.weights.featureCount
        let sentinel = -123.0
        var byRows = [Double](repeating: 0, count: range.count * width)
        var byColumns = [Double](
            repeating: sentinel,
            count: columnStride == 0 ? range.count * width : columnStride * width
        )
        var scratch = [Double](repeating: 0, count: NativeWeights<Double>.scratchCount(classes: c.weights.outputCount))
        c.rows.withUnsafeBufferPointer { rows in
            byRows.withUnsafeMutableBufferPointer { out in
                scratch.withUnsafeMutableBufferPointer { s in
                    c.native.run(
                        operation,
                        c.weights,
                        rows.baseAddress! + range.lowerBound * n,
                        rowCount: range.count,
                        into: out.baseAddress!,
                        scratch: s.baseAddress!
                    )
                }
            }
        }
        var nonFinite = false
        withColumnPointers(c.columns) { pointers in
            byColumns.withUnsafeMutableBufferPointer { out in
                scratch.withUnsafeMutableBufferPointer { s in
                    nonFinite = c.native.runColumns(
                        operation,
                        c.weights,
                        pointers,
                        rows: range,
                        into: out.baseAddress!,
                        columnStride: columnStride,
                        scratch: s.baseAddress!
                    )
                }
            }
        }
        guard columnStride != 0 else { return (byRows.map(\.bitPattern), byColumns.map(\.bitPattern), nonFinite) }
        // Row-major again; a value written past a column's rows breaks the sentinel and shows as a NaN.
        var rowMajor: [UInt64] = []
        for row in 0..<range.count {
            for column in 0..<width { rowMajor.append(byColumns[column * columnStride + row].bitPattern) }
        }
        let gapsKept = (0..<width).allSatisfy { column in
            byColumns[(column * columnStride + range.count)..<((column + 1) * columnStride)].allSatisfy {
                $0 == sentinel
            }
        }
        return (byRows.map(\.bitPattern), gapsKept ? rowMajor : rowMajor + [Double.nan.bitPattern], nonFinite)
    }

    static func withColumnPointers<R>(_ columns: [[Double]], _ body: ([UnsafePointer<Double>?]) -> R) -> R {
        func nest(_ index: Int, _ pointers: [UnsafePointer<Double>?]) -> R {
            guard index < columns.count else { return body(pointers) }
            return columns[index].withUnsafeBufferPointer { nest(index + 1, pointers + [$0.baseAddress]) }
        }
        return nest(0, [])
    }

    /// Every feature count's remainder (n % 4), class counts around the kernels' groups of three,
    /// partial groups of rows, ranges that start part-way: the same bits as the row kernel, written
    /// row-major or column-major.
    @Test func sameBitsAsTheRowKernel() throws {
        var compared = 0
        for features in [1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 32] {
            for classes in [1, 2, 3, 4, 5, 7] {
                let c = try Self.makeCase(
                    features: features,
                    classes: classes,
                    rowCount: 333,
                    seed: UInt64(features * 31 + classes)
                )
                var operations: [(Int32, Int)] = [(Int32(MB_LK_SCORES), classes)]
                if classes == 1 { operations.append((Int32(MB_LK_BINARY), 2)) }
                if classes >= 2 {
                    operations.append((Int32(MB_LK_SOFTMAX), classes))
                    operations.append((Int32(MB_LK_OVR), classes))
                }
                for (operation, width) in operations {
                    for range in [0..<333, 3..<333, 0..<1, 5..<38, 300..<333] {
                        let (rows, columns, nonFinite) = Self.run(c, operation, width: width, range: range)
                        let same = rows == columns
                        #expect(same, "features \(features), classes \(classes), operation \(operation), rows \(range)")
                        #expect(!nonFinite)
                        compared += rows.count
                        // Column-major output, as into an Arrow batch's value buffers (with a gap
                        // between columns here, which must stay untouched).
                        let (_, transposed, _) = Self.run(
                            c,
                            operation,
                            width: width,
                            range: range,
                            columnStride: range.count + 5
                        )
                        let sameTransposed = rows == transposed
                        #expect(
                            sameTransposed,
                            "column-major: features \(features), classes \(classes), operation \(operation), rows \(range)"
                        )
                    }
                }
            }
        }
        #expect(compared > 20_000)
    }

    /// A NaN or an infinity anywhere in the rows read is reported, whatever its column and row
    /// (also in the last, partial group); values outside the range read are not.
    @Test func reportsEveryNonFiniteValueItReads() throws {
        let base = try Self.makeCase(features: 9, classes: 3, rowCount: 23, seed: 5)
        for bad in [Double.nan, .infinity, -.infinity, -Double.nan] {
            for (feature, row) in [(0, 0), (8, 22), (4, 21), (3, 9), (7, 20)] {
                var columns = base.columns
                columns[feature][row] = bad
                let c = Case(
                    weights: base.weights,
                    native: base.native,
                    rows: base.rows,
                    columns: columns,
                    rowCount: base.rowCount
                )
                let (_, _, seen) = Self.run(c, Int32(MB_LK_SOFTMAX), width: 3, range: 0..<23)
                #expect(seen, "\(bad) at feature \(feature), row \(row)")
                let (_, _, outside) = Self.run(
                    c,
                    Int32(MB_LK_SOFTMAX),
                    width: 3,
                    range: row < 11 ? 12..<23 : 0..<11
                )
                #expect(!outside, "\(bad) at row \(row) lies outside the rows read")
            }
        }
    }
}
