import ModelBundle
import ModelRuntime
import TestSupport
import Testing

@testable import ModelFlavors

/// Linear models reading float64 columns lent from a request body: the predictions of the enforced
/// frame of the same columns, for every output, both kernels (the C column kernel and the Swift
/// row gather a float32 model or a processor without AVX2 takes), and `nil` for any NaN or infinity.
@Suite struct LentColumnsFlavorTests {
    static let rows = 1_037
    static let features = 6

    static func columns(seed: UInt64) -> [[Double]] {
        var generator = SeededGenerator(seed: seed)
        return (0..<features).map { _ in (0..<rows).map { _ in generator.nextUnit() * 6 - 3 } }
    }

    static func frame(_ columns: [[Double]]) throws -> Frame {
        try Frame(columns: columns.indices.map { try Column(name: "f\($0)", values: .double(columns[$0])) })
    }

    /// The model's predictions of `columns` read in place (the pointers live only in this call).
    static func lent(_ model: some LentColumnsPredicting, _ columns: [[Double]]) throws -> PredictionOutput? {
        func nest(_ index: Int, _ pointers: [UnsafeRawPointer]) throws -> PredictionOutput? {
            guard index < columns.count else {
                return try model.predict(lent: LentDoubleColumns(columns: pointers, rowCount: rows))
            }
            return try columns[index].withUnsafeBytes { try nest(index + 1, pointers + [$0.baseAddress!]) }
        }
        return try nest(0, [])
    }

    static func models<Scalar: KernelScalar>(_: Scalar.Type) throws -> [any LentColumnsPredicting] {
        var generator = SeededGenerator(seed: 9)
        let weights = try LinearModelWeights<Scalar>(
            coefficients: (0..<(3 * features)).map { _ in Scalar(generator.nextUnit() * 2 - 1) as Scalar },
            intercepts: [0.5, -0.25, 0.125],
            outputCount: 3,
            featureCount: features
        )
        var models: [any LentColumnsPredicting] = []
        for implementation in KernelImplementation.allCases {
            let kernel = try LogisticRegressionKernel<Scalar>(
                weights: weights,
                strategy: .multinomial,
                implementation: implementation
            )
            for output in [NativeLogisticRegressionModel<Scalar>.Output.predict, .predictProba, .decisionFunction] {
                models.append(
                    NativeLogisticRegressionModel<Scalar>(
                        kernel: kernel,
                        classes: .strings(["a", "b", "c"]),
                        output: output
                    )
                )
            }
            let regression = LinearRegressionKernel<Scalar>(weights: weights, implementation: implementation)
            models.append(NativeLinearRegressionModel<Scalar>(kernel: regression))
            models.append(SklearnRegressionModel<Scalar>(kernel: regression, flattens: false))
        }
        return models
    }

    @Test(arguments: [false, true]) func sameAsTheEnforcedFrame(float32: Bool) throws {
        let columns = Self.columns(seed: float32 ? 4 : 3)
        let request = EnforcedRequest(input: .frame(try Self.frame(columns)), params: JSONObject())
        let models = float32 ? try Self.models(Float.self) : try Self.models(Double.self)
        #expect(models.count == 10)
        for model in models {
            let lent = try #require(try Self.lent(model, columns))
            let expected = try model.predict(request)
            #expect(lent == expected, "\(type(of: model))")
        }
    }

    @Test(arguments: [false, true]) func nonFiniteValuesAreDeclined(float32: Bool) throws {
        let models = float32 ? try Self.models(Float.self) : try Self.models(Double.self)
        for (bad, column, row) in [(Double.nan, 0, 0), (.infinity, 5, Self.rows - 1), (-.infinity, 2, 517)] {
            var columns = Self.columns(seed: 5)
            columns[column][row] = bad
            for model in models {
                #expect(try Self.lent(model, columns) == nil, "\(bad) at \(column), \(row): \(type(of: model))")
            }
        }
        // One column short of the model's features: declined, not read.
        let short = Array(Self.columns(seed: 6).prefix(Self.features - 1))
        #expect(try Self.lent(models[0], short) == nil)
    }
}
