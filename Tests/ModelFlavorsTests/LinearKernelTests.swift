import Foundation
import ModelBundle
import TestSupport
import Testing

@testable import ModelFlavors

/// Golden outputs of scikit-learn 1.9.1 on the same coefficients and inputs (Scripts/make-linear-golden.py).
enum LinearFixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/linear")

    struct Logistic: Decodable, CustomTestStringConvertible, Sendable {
        var name: String
        var strategy: String
        var n_features: Int
        var n_outputs: Int
        var coef: [String]
        var intercept: [String]
        var X: [String]
        var decision_function: [String]
        var predict_proba: [String]
        var predict: [Int]
        var testDescription: String { name }
    }

    struct Regression: Decodable, CustomTestStringConvertible, Sendable {
        var name: String
        var n_features: Int
        var n_outputs: Int
        var coef: [String]
        var intercept: [String]
        var X: [String]
        var predict: [String]
        var testDescription: String { name }
    }

    static func load<T: Decodable>(_ name: String) -> [T] {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent(name)),
            let cases = try? JSONDecoder().decode([T].self, from: data)
        else { return [] }
        return cases
    }

    static let logistic: [Logistic] = load("logistic.json")
    static let regression: [Regression] = load("regression.json")
}

func doubles(_ values: [String]) -> [Double] { values.map { Double($0) ?? .nan } }

/// 1e-12 relative to the dot product's natural scale Σ|xⱼwⱼ| + |b| (summation order differs from BLAS,
/// so that is the bound both results are accurate to).
func expectScoresClose(_ actual: [Double], _ expected: [Double], scales: [Double], _ label: String) {
    #expect(actual.count == expected.count, "\(label)")
    for (index, (a, e)) in zip(actual, expected).enumerated() {
        let tolerance = 1e-12 * max(abs(e), scales[index])
        #expect(abs(a - e) <= tolerance, "\(label)[\(index)]: \(a) vs \(e)")
    }
}

/// 1e-12 relative; so exact agreement is required for 0 (extreme logits).
func expectProbabilitiesClose(_ actual: [Double], _ expected: [Double], _ label: String) {
    #expect(actual.count == expected.count, "\(label)")
    for (index, (a, e)) in zip(actual, expected).enumerated() {
        #expect(abs(a - e) <= 1e-12 * abs(e), "\(label)[\(index)]: \(a) vs \(e)")
    }
}

func scales(x: [Double], coef: [Double], intercept: [Double], n: Int, k: Int) -> [Double] {
    let rows = x.count / n
    var result: [Double] = []
    for r in 0..<rows {
        for c in 0..<k {
            var s = abs(intercept[c])
            for j in 0..<n { s += abs(x[r * n + j] * coef[c * n + j]) }
            result.append(s)
        }
    }
    return result
}

@Suite struct LinearKernelTests {
    @Test func fixturesArePresent() {
        #expect(LinearFixtures.logistic.count == 9)
        #expect(LinearFixtures.regression.count == 2)
    }

    /// Both implementations (the AVX2/FMA C kernels when this processor has them, and the Swift kernels)
    /// against the same scikit-learn outputs.
    @Test(arguments: LinearFixtures.logistic, KernelImplementation.allCases)
    func logisticMatchesScikitLearn(_ golden: LinearFixtures.Logistic, _ implementation: KernelImplementation) throws {
        let weights = try LinearModelWeights<Double>(
            coefficients: doubles(golden.coef),
            intercepts: doubles(golden.intercept),
            outputCount: golden.n_outputs,
            featureCount: golden.n_features
        )
        let strategy = try #require(MultiClassStrategy(rawValue: golden.strategy))
        let kernel = try LogisticRegressionKernel(weights: weights, strategy: strategy, implementation: implementation)
        let x = doubles(golden.X)
        let scale = scales(
            x: x,
            coef: weights.coefficients,
            intercept: weights.intercepts,
            n: golden.n_features,
            k: golden.n_outputs
        )
        expectScoresClose(try kernel.decisionFunction(x), doubles(golden.decision_function), scales: scale, golden.name)
        expectProbabilitiesClose(try kernel.predictProbabilities(x), doubles(golden.predict_proba), golden.name)
        #expect(try kernel.predictClassIndices(x) == golden.predict, "\(golden.name)")
    }

    @Test(arguments: LinearFixtures.logistic, KernelImplementation.allCases)
    func float32KernelAgreesWithinSinglePrecision(
        _ golden: LinearFixtures.Logistic,
        _ implementation: KernelImplementation
    ) throws {
        let weights = try LinearModelWeights<Float>(
            coefficients: doubles(golden.coef).map { Float($0) },
            intercepts: doubles(golden.intercept).map { Float($0) },
            outputCount: golden.n_outputs,
            featureCount: golden.n_features
        )
        let strategy = try #require(MultiClassStrategy(rawValue: golden.strategy))
        let kernel = try LogisticRegressionKernel(weights: weights, strategy: strategy, implementation: implementation)
        let x = doubles(golden.X)
        let probabilities = try kernel.predictProbabilities(x.map { Float($0) })
        for (a, e) in zip(probabilities, doubles(golden.predict_proba)) {
            #expect(abs(Double(a) - e) <= 1e-4, "\(golden.name): \(a) vs \(e)")
        }
        #expect(probabilities.count == doubles(golden.predict_proba).count)
    }

    @Test(arguments: LinearFixtures.regression, KernelImplementation.allCases)
    func regressionMatchesScikitLearn(_ golden: LinearFixtures.Regression, _ implementation: KernelImplementation)
        throws
    {
        let weights = try LinearModelWeights<Double>(
            coefficients: doubles(golden.coef),
            intercepts: doubles(golden.intercept),
            outputCount: golden.n_outputs,
            featureCount: golden.n_features
        )
        let kernel = LinearRegressionKernel(weights: weights, implementation: implementation)
        let x = doubles(golden.X)
        let scale = scales(
            x: x,
            coef: weights.coefficients,
            intercept: weights.intercepts,
            n: golden.n_features,
            k: golden.n_outputs
        )
        expectScoresClose(try kernel.predict(x), doubles(golden.predict), scales: scale, golden.name)
    }

    /// A batch large enough to be split across cores, against a plain scalar reference written here
    /// (textbook dot products and the C library's exp), so the parallel and SIMD paths are both covered.
    @Test(arguments: KernelImplementation.allCases)
    func largeBatchMatchesScalarReference(_ implementation: KernelImplementation) throws {
        let n = 13
        let k = 3
        let rows = 40_000
        var generator = SplitMix(seed: 7)
        let coef = (0..<(k * n)).map { _ in generator.next() * 2 - 1 }
        let intercept = (0..<k).map { _ in generator.next() }
        let x = (0..<(rows * n)).map { _ in generator.next() * 20 - 10 }
        let kernel = try LogisticRegressionKernel(
            weights: try LinearModelWeights(coefficients: coef, intercepts: intercept, outputCount: k, featureCount: n),
            strategy: .multinomial,
            implementation: implementation
        )
        let probabilities = try kernel.predictProbabilities(x)
        let indices = try kernel.predictClassIndices(x)
        for r in stride(from: 0, to: rows, by: 97) {
            let raw = (0..<k).map { c in (0..<n).reduce(intercept[c]) { $0 + x[r * n + $1] * coef[c * n + $1] } }
            let top = raw.max() ?? 0
            let scores = raw.map { exp($0 - top) }
            let sum = scores.reduce(0, +)
            for c in 0..<k {
                let expected = scores[c] / sum
                #expect(abs(probabilities[r * k + c] - expected) <= 1e-12 * expected + 1e-300, "row \(r)")
            }
            #expect(indices[r] == raw.firstIndex(of: top), "row \(r)")
        }
    }

    @Test func vectorExpMatchesTheCLibrary() {
        var generator = SplitMix(seed: 11)
        for _ in 0..<2_000 {
            let lanes = SIMD8<Double>((0..<8).map { _ in generator.next() * 1_500 - 750 })
            let actual = Double.kernelExp(lanes)
            for lane in 0..<8 {
                let expected = exp(lanes[lane])
                if expected.isInfinite {
                    #expect(actual[lane] == expected, "exp(\(lanes[lane]))")
                } else {
                    #expect(abs(actual[lane] - expected) <= 4.5e-16 * expected, "exp(\(lanes[lane]))")
                }
            }
        }
        let edges = SIMD8<Double>(800, -800, .nan, .infinity, -.infinity, 0, -745.2, 709.5)
        let result = Double.kernelExp(edges)
        #expect(result[0] == .infinity && result[1] == 0 && result[2].isNaN && result[3] == .infinity)
        #expect(result[4] == 0 && result[5] == 1 && result[6] == exp(-745.2) && result[7] == exp(709.5))
    }

    @Test func refusesMismatchedShapesAndValues() throws {
        #expect(throws: ModelBundleError.self) {
            try LinearModelWeights<Double>(coefficients: [1, 2, 3], intercepts: [0], outputCount: 1, featureCount: 2)
        }
        do {
            _ = try LinearModelWeights<Double>(
                coefficients: [1, .nan],
                intercepts: [0],
                outputCount: 1,
                featureCount: 2
            )
            Issue.record("accepted NaN")
        } catch {
            #expect(error.code == .weightsInvalid && error.item == "coef")
        }
        let two = try LinearModelWeights<Double>(
            coefficients: [1, 2],
            intercepts: [0, 0],
            outputCount: 2,
            featureCount: 1
        )
        #expect(throws: ModelBundleError.self) { try LogisticRegressionKernel(weights: two, strategy: .binary) }
        let one = try LinearModelWeights<Double>(
            coefficients: [1, 2],
            intercepts: [0],
            outputCount: 1,
            featureCount: 2
        )
        #expect(throws: ModelBundleError.self) { try LogisticRegressionKernel(weights: one, strategy: .ovr) }
        let kernel = try LogisticRegressionKernel(weights: one, strategy: .binary)
        do {
            _ = try kernel.predictProbabilities([1, 2, 3])
            Issue.record("accepted 3 values for 2 features")
        } catch {
            #expect(error.code == .schemaMismatch)
        }
        let input: [Double] = [1, 2]
        var small = [Double](repeating: 0, count: 1)
        input.withUnsafeBufferPointer { (input) -> Void in
            small.withUnsafeMutableBufferPointer { (output) -> Void in
                #expect(throws: ModelBundleError.self) { try kernel.predictProbabilities(input, into: output) }
            }
        }
        #expect(try kernel.predictProbabilities([]) == [])
    }

    @Test func weightsFromWeightTensors() throws {
        let coef = try WeightTensor(name: "coef", shape: [2, 3], float32: [1, 2, 3, 4, 5, 6])
        let intercept = try WeightTensor(name: "intercept", shape: [2], float32: [0.5, -0.5])
        let weights = try LinearModelWeights<Double>(coef: coef, intercept: intercept)
        #expect(weights.outputCount == 2 && weights.featureCount == 3)
        // By hand: [1,1,1]·[1,2,3] + 0.5 = 6.5; [1,1,1]·[4,5,6] − 0.5 = 14.5.
        #expect(try LinearRegressionKernel(weights: weights).predict([1, 1, 1]) == [6.5, 14.5])
        let single = try LinearModelWeights<Double>(
            coef: try WeightTensor(name: "coef", shape: [3], float64: [1, 1, 1]),
            intercept: try WeightTensor(name: "intercept", shape: [], float64: [2])
        )
        #expect(try LinearRegressionKernel(weights: single).predict([1, 2, 3, 0, 0, 0]) == [8, 2])
        let wrong = try WeightTensor(name: "intercept", shape: [3], float64: [0, 0, 0])
        #expect(throws: ModelBundleError.self) { try LinearModelWeights<Double>(coef: coef, intercept: wrong) }
    }
}

/// Deterministic uniform [0, 1) numbers for test data.
struct SplitMix {
    var generator: SeededGenerator
    init(seed: UInt64) { generator = SeededGenerator(seed: seed) }
    mutating func next() -> Double { generator.nextUnit() }
}
