import Foundation
import Testing

@testable import ModelFlavors

/// The blocked kernel paths (4-lane chunks with a feature tail, four-class register blocks with a class
/// tail, 8-row transposed softmax groups with a partial last group, multi-chunk parallel split) against a
/// plain scalar reference written here: textbook dot products in feature order, the C library's `exp`
/// and scikit-learn's formulas (softmax with the row maximum subtracted; OvR sigmoids normalised).
@Suite struct KernelBlockingTests {
    struct Shape: CustomTestStringConvertible, Sendable {
        var rows: Int
        var features: Int
        var classes: Int
        var testDescription: String { "\(rows)x\(features), k=\(classes)" }
    }

    /// Every row count around the 8-row group against every feature count around the 4-lane chunk, with
    /// the class count cycling through 2...9 (1...4 full class blocks plus each tail), then every class
    /// count on one awkward shape.
    static let shapes: [Shape] = {
        var result: [Shape] = []
        var index = 0
        for rows in [0, 1, 3, 7, 8, 9, 1023, 16385] {
            for features in [1, 2, 3, 5, 32, 33] {
                result.append(Shape(rows: rows, features: features, classes: 2 + index % 8))
                index += 1
            }
        }
        for classes in 2...9 {
            result.append(Shape(rows: 9, features: 5, classes: classes))
        }
        return result
    }()

    struct Model {
        var x: [Double]
        var coef: [Double]
        var intercept: [Double]
        var n: Int
        var k: Int
        var rows: Int { x.count / n }

        init(_ shape: Shape, seed: UInt64, spread: Double = 6) {
            var generator = SplitMix(seed: seed)
            n = shape.features
            k = shape.classes
            coef = (0..<(k * n)).map { _ in generator.next() * 2 - 1 }
            intercept = (0..<k).map { _ in generator.next() - 0.5 }
            x = (0..<(shape.rows * n)).map { _ in (generator.next() * 2 - 1) * spread }
        }

        func score(_ row: Int, _ c: Int) -> Double {
            var s = 0.0
            for j in 0..<n {
                s += x[row * n + j] * coef[c * n + j]
            }
            return s + intercept[c]
        }

        func scale(_ row: Int, _ c: Int) -> Double {
            var s = abs(intercept[c])
            for j in 0..<n {
                s += abs(x[row * n + j] * coef[c * n + j])
            }
            return s
        }

        func softmax(_ row: Int) -> [Double] {
            let raw = (0..<k).map { score(row, $0) }
            let top = raw.max() ?? 0
            let e = raw.map { exp($0 - top) }
            let sum = e.reduce(0, +)
            return e.map { $0 / sum }
        }

        func ovr(_ row: Int) -> [Double] {
            let p = (0..<k).map { 1 / (1 + exp(-score(row, $0))) }
            let sum = p.reduce(0, +)
            return p.map { $0 / sum }
        }
    }

    /// Probabilities agree to 1e-12 relative: the score error (different summation order) is ~1e-16 of
    /// the row's Σ|xⱼwⱼ|, and p = e^(s−max)/Σ carries it as a relative error of the same size.
    static func expectClose(_ actual: Double, _ expected: Double, _ label: @autoclosure () -> String) {
        #expect(abs(actual - expected) <= 1e-12 * abs(expected) + 1e-300, "\(label()): \(actual) vs \(expected)")
    }

    @Test(arguments: shapes, KernelImplementation.allCases)
    func multinomialMatchesScalarReference(_ shape: Shape, _ implementation: KernelImplementation) throws {
        let model = Model(shape, seed: UInt64(shape.rows * 100 + shape.features * 10 + shape.classes))
        let weights = try LinearModelWeights(
            coefficients: model.coef,
            intercepts: model.intercept,
            outputCount: model.k,
            featureCount: model.n
        )
        let kernel = try LogisticRegressionKernel(
            weights: weights,
            strategy: .multinomial,
            implementation: implementation
        )
        let probabilities = try kernel.predictProbabilities(model.x)
        let scores = try kernel.decisionFunction(model.x)
        let indices = try kernel.predictClassIndices(model.x)
        let regression = try LinearRegressionKernel(weights: weights, implementation: implementation).predict(model.x)
        #expect(probabilities.count == shape.rows * shape.classes)
        #expect(scores.count == shape.rows * shape.classes && regression.count == scores.count)
        #expect(indices.count == shape.rows)
        // Every row of small batches; a stride through the large ones (always including the last rows).
        let checked =
            shape.rows <= 1023
            ? Array(0..<shape.rows) : Array(stride(from: 0, to: shape.rows, by: 7)) + [shape.rows - 1]
        for row in checked {
            let expected = model.softmax(row)
            var raw: [Double] = []
            for c in 0..<model.k {
                let i = row * model.k + c
                Self.expectClose(probabilities[i], expected[c], "p[\(row), \(c)]")
                let s = model.score(row, c)
                raw.append(s)
                let tolerance = 1e-12 * max(abs(s), model.scale(row, c))
                #expect(abs(scores[i] - s) <= tolerance, "score[\(row), \(c)]: \(scores[i]) vs \(s)")
                #expect(regression[i] == scores[i], "regression[\(row), \(c)]")
            }
            let sorted = raw.sorted(by: >)
            if sorted[0] - sorted[1] > 1e-9 * model.scale(row, 0) {
                #expect(indices[row] == raw.firstIndex(of: sorted[0]), "class of row \(row)")
            }
        }
    }

    @Test(arguments: shapes.filter { $0.rows <= 1023 }, KernelImplementation.allCases)
    func ovrAndBinaryMatchScalarReference(_ shape: Shape, _ implementation: KernelImplementation) throws {
        let model = Model(shape, seed: UInt64(shape.rows * 31 + shape.features * 7 + shape.classes))
        let weights = try LinearModelWeights(
            coefficients: model.coef,
            intercepts: model.intercept,
            outputCount: model.k,
            featureCount: model.n
        )
        let ovr = try LogisticRegressionKernel(weights: weights, strategy: .ovr, implementation: implementation)
            .predictProbabilities(model.x)
        for row in 0..<shape.rows {
            let expected = model.ovr(row)
            for c in 0..<model.k {
                Self.expectClose(ovr[row * model.k + c], expected[c], "ovr p[\(row), \(c)]")
            }
        }
        // Binary: the first class's coefficients alone.
        let first = try LinearModelWeights(
            coefficients: Array(model.coef[0..<model.n]),
            intercepts: [model.intercept[0]],
            outputCount: 1,
            featureCount: model.n
        )
        let binaryKernel = try LogisticRegressionKernel(
            weights: first,
            strategy: .binary,
            implementation: implementation
        )
        let binary = try binaryKernel.predictProbabilities(model.x)
        let binaryScores = try binaryKernel.decisionFunction(model.x)
        let binaryClasses = try binaryKernel.predictClassIndices(model.x)
        #expect(binary.count == 2 * shape.rows && binaryClasses.count == shape.rows)
        for row in 0..<shape.rows {
            #expect(binaryClasses[row] == (binaryScores[row] > 0 ? 1 : 0), "binary class of row \(row)")
            let p = 1 / (1 + exp(-model.score(row, 0)))
            Self.expectClose(binary[2 * row + 1], p, "binary p[\(row)]")
            Self.expectClose(binary[2 * row], 1 - p, "binary 1-p[\(row)]")
        }
    }

    /// A row's output is a function of that row alone: batch position, the partial last group, the
    /// parallel split and neighbours with extreme logits (which send their exponentials to the C
    /// library) never change a bit of it. Checked for all three probability paths and the scores.
    @Test(arguments: [(1023, 5, 3), (41_000, 33, 4), (40_000, 3, 9), (1021, 9, 1)], KernelImplementation.allCases)
    func rowsAreIndependentOfTheirNeighbours(_ shape: (Int, Int, Int), _ implementation: KernelImplementation) throws {
        let (rows, n, k) = shape
        var model = Model(Shape(rows: rows, features: n, classes: k), seed: UInt64(rows + n + k), spread: 3)
        // Every 5th row has huge features: logits of ±1e3 whose exponentials are 0 or overflow.
        for row in stride(from: 0, to: rows, by: 5) {
            for j in 0..<n {
                model.x[row * n + j] *= 400
            }
        }
        let weights = try LinearModelWeights(
            coefficients: model.coef,
            intercepts: model.intercept,
            outputCount: k,
            featureCount: n
        )
        // k = 1 is the binary model (its probabilities are [1 - p, p]); otherwise multinomial and OvR.
        let kernels =
            k == 1
            ? [try LogisticRegressionKernel(weights: weights, strategy: .binary, implementation: implementation)]
            : [
                try LogisticRegressionKernel(weights: weights, strategy: .multinomial, implementation: implementation),
                try LogisticRegressionKernel(weights: weights, strategy: .ovr, implementation: implementation),
            ]
        for kernel in kernels {
            let batch = try kernel.predictProbabilities(model.x)
            let scores = try kernel.decisionFunction(model.x)
            for row in Set(Array(0..<40) + Array(stride(from: 0, to: rows, by: rows / 50)) + [rows - 1]).sorted() {
                let alone = Array(model.x[(row * n)..<((row + 1) * n)])
                let single = try kernel.predictProbabilities(alone)
                let width = kernel.classCount
                #expect(Array(batch[(row * width)..<((row + 1) * width)]) == single, "\(kernel.strategy) row \(row)")
                #expect(
                    Array(scores[(row * k)..<((row + 1) * k)]) == (try kernel.decisionFunction(alone)),
                    "row \(row)"
                )
            }
            // Rows with extreme logits still match the reference (exact 0s included). Their scores reach
            // ~1e4, so p = e^(s−max)/Σ carries the dot products' rounding error: the classic bound
            // n·u·Σ|xⱼwⱼ| for each of s and max, as a relative error of p.
            if kernel.strategy == .multinomial {
                for row in stride(from: 0, to: min(rows, 200), by: 5) {
                    let expected = model.softmax(row)
                    let top = (0..<k).max { model.score(row, $0) < model.score(row, $1) } ?? 0
                    for c in 0..<k {
                        let bound = Double(n) * 0x1p-53 * (model.scale(row, c) + model.scale(row, top)) + 1e-14
                        let p = batch[row * k + c]
                        #expect(
                            abs(p - expected[c]) <= bound * expected[c] + 1e-300,
                            "extreme p[\(row), \(c)]: \(p) vs \(expected[c])"
                        )
                    }
                }
            }
        }
    }

    /// Large batches split into many chunks across cores give bit-for-bit the serial result (sub-batches
    /// below the split threshold run on the calling thread).
    @Test(arguments: KernelImplementation.allCases)
    func parallelSplitEqualsSerialSubBatches(_ implementation: KernelImplementation) throws {
        let rows = 200_003
        let model = Model(Shape(rows: rows, features: 7, classes: 3), seed: 99)
        let weights = try LinearModelWeights(
            coefficients: model.coef,
            intercepts: model.intercept,
            outputCount: 3,
            featureCount: 7
        )
        let kernel = try LogisticRegressionKernel(
            weights: weights,
            strategy: .multinomial,
            implementation: implementation
        )
        let whole = try kernel.predictProbabilities(model.x)
        let indices = try kernel.predictClassIndices(model.x)
        var pieces: [Double] = []
        var piecesIndices: [Int] = []
        var start = 0
        while start < rows {
            let end = min(rows, start + 10_001)
            let slice = Array(model.x[(start * 7)..<(end * 7)])
            pieces += try kernel.predictProbabilities(slice)
            piecesIndices += try kernel.predictClassIndices(slice)
            start = end
        }
        #expect(whole == pieces)
        #expect(indices == piecesIndices)
    }

    /// A NaN feature makes its own row all NaN (as scikit-learn's softmax would) and leaves the rest of
    /// its 8-row group untouched.
    @Test(arguments: KernelImplementation.allCases)
    func nanRowStaysInItsRow(_ implementation: KernelImplementation) throws {
        var model = Model(Shape(rows: 16, features: 6, classes: 3), seed: 5)
        model.x[3 * 6 + 2] = .nan
        let weights = try LinearModelWeights(
            coefficients: model.coef,
            intercepts: model.intercept,
            outputCount: 3,
            featureCount: 6
        )
        let kernel = try LogisticRegressionKernel(
            weights: weights,
            strategy: .multinomial,
            implementation: implementation
        )
        let probabilities = try kernel.predictProbabilities(model.x)
        for row in 0..<16 {
            for c in 0..<3 {
                if row == 3 {
                    #expect(probabilities[row * 3 + c].isNaN)
                } else {
                    Self.expectClose(probabilities[row * 3 + c], model.softmax(row)[c], "p[\(row), \(c)]")
                }
            }
        }
        // The same in float32 (8-row groups on the C path): the NaN stays in row 3.
        let single = try LogisticRegressionKernel(
            weights: try LinearModelWeights(
                coefficients: model.coef.map { Float($0) },
                intercepts: model.intercept.map { Float($0) },
                outputCount: 3,
                featureCount: 6
            ),
            strategy: .multinomial,
            implementation: implementation
        ).predictProbabilities(model.x.map { Float($0) })
        for row in 0..<16 {
            for c in 0..<3 {
                let p = single[row * 3 + c]
                if row == 3 {
                    #expect(p.isNaN, "float32 p[\(row), \(c)]")
                } else {
                    #expect(abs(Double(p) - model.softmax(row)[c]) <= 1e-4, "float32 p[\(row), \(c)]: \(p)")
                }
            }
        }
    }

    @Test(arguments: [(1, 1, 2), (9, 5, 3), (1023, 33, 7), (17, 8, 2)], KernelImplementation.allCases)
    func float32MatchesDoubleReference(_ shape: (Int, Int, Int), _ implementation: KernelImplementation) throws {
        let (rows, n, k) = shape
        let model = Model(Shape(rows: rows, features: n, classes: k), seed: 17, spread: 2)
        let weights = try LinearModelWeights<Float>(
            coefficients: model.coef.map { Float($0) },
            intercepts: model.intercept.map { Float($0) },
            outputCount: k,
            featureCount: n
        )
        let probabilities = try LogisticRegressionKernel(
            weights: weights,
            strategy: .multinomial,
            implementation: implementation
        ).predictProbabilities(model.x.map { Float($0) })
        for row in 0..<rows {
            let expected = model.softmax(row)
            for c in 0..<k {
                #expect(abs(Double(probabilities[row * k + c]) - expected[c]) <= 1e-4, "p[\(row), \(c)]")
            }
        }
    }
}
