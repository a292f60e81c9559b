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

    /// `body` with `columns` lent in place (the pointers live only in this call).
    static func withLent<R>(_ columns: [[Double]], _ body: (LentDoubleColumns) throws -> R) throws -> R {
        func nest(_ index: Int, _ pointers: [UnsafeRawPointer]) throws -> R {
            guard index < columns.count else { return try body(LentDoubleColumns(columns: pointers, rowCount: rows)) }
            return try columns[index].withUnsafeBytes { try nest(index + 1, pointers + [$0.baseAddress!]) }
        }
        return try nest(0, [])
    }

    /// The model's predictions of `columns` read in place.
    static func lent(_ model: some LentColumnsPredicting, _ columns: [[Double]]) throws -> PredictionOutput? {
        try withLent(columns) { try model.predict(lent: $0) }
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

    /// The model's predictions of `columns` written column-major into a new buffer (`nil` when it
    /// declines), and the buffer.
    static func lentColumnMajor(_ model: some LentColumnsPredicting, _ columns: [[Double]], width: Int) throws
        -> [Double]?
    {
        var output = [Double](repeating: .nan, count: rows * width)
        let written = try withLent(columns) { lent in
            try output.withUnsafeMutableBufferPointer { try model.predict(lent: lent, intoColumns: $0.baseAddress!) }
        }
        return written ? output : nil
    }

    /// Binary and one-vs-rest classifiers besides ``models(_:)``'s multinomial one: the kernel's
    /// other probability transforms, and a one-column decision function.
    static func otherClassifiers() throws -> [any LentColumnsPredicting] {
        var generator = SeededGenerator(seed: 12)
        func weights(_ outputs: Int) throws -> LinearModelWeights<Double> {
            try LinearModelWeights<Double>(
                coefficients: (0..<(outputs * features)).map { _ in generator.nextUnit() * 2 - 1 },
                intercepts: (0..<outputs).map { _ in generator.nextUnit() - 0.5 },
                outputCount: outputs,
                featureCount: features
            )
        }
        let binary = try LogisticRegressionKernel<Double>(weights: try weights(1), strategy: .binary)
        let ovr = try LogisticRegressionKernel<Double>(weights: try weights(4), strategy: .ovr)
        return [
            NativeLogisticRegressionModel(kernel: binary, classes: .strings(["n", "y"]), output: .predictProba),
            NativeLogisticRegressionModel(kernel: binary, classes: .strings(["n", "y"]), output: .decisionFunction),
            NativeLogisticRegressionModel(kernel: ovr, classes: .strings(["a", "b", "c", "d"]), output: .predictProba),
            SklearnRegressionModel(
                kernel: LinearRegressionKernel<Double>(weights: try weights(1)),
                flattens: true
            ),
        ]
    }

    /// Written column-major (into an Arrow batch's value buffers), the predictions are the values of
    /// the tensor the enforced frame gives, bit for bit, transposed, in the shape they say; only a
    /// float64 model the C column kernel runs offers to, and never for class labels.
    @Test func columnMajorPredictionsAreTheTensorTransposed() throws {
        let columns = Self.columns(seed: 8)
        let request = EnforcedRequest(input: .frame(try Self.frame(columns)), params: JSONObject())
        var written = 0
        for model in try Self.models(Double.self) + (try Self.otherClassifiers()) {
            guard case .tensor(let tensor) = try model.predict(request), case .double(let values) = tensor.values,
                let shape = model.lentOutputShape
            else {
                #expect(model.lentOutputShape == nil, "\(type(of: model)) offers columns of what is not float64")
                continue
            }
            let width = tensor.shape.count == 1 ? 1 : tensor.shape[1]
            #expect(shape == LentOutputShape(width: width, isVector: tensor.shape.count == 1), "\(type(of: model))")
            let output = try #require(try Self.lentColumnMajor(model, columns, width: width))
            let transposed = (0..<(Self.rows * width)).map { values[($0 % Self.rows) * width + $0 / Self.rows] }
            let same = output.map(\.bitPattern) == transposed.map(\.bitPattern)
            #expect(same, "\(type(of: model)), \(tensor.shape)")
            written += 1
        }
        // Probabilities, decision functions and regressions, where the processor runs the C kernels.
        #expect(written == (NativeKernels.available ? 8 : 0))
        for model in try Self.models(Float.self) {
            #expect(model.lentOutputShape == nil)
            #expect(try Self.lentColumnMajor(model, columns, width: 3) == nil)
        }
    }

    @Test(arguments: [false, true]) func nonFiniteValuesAreDeclined(float32: Bool) throws {
        let models = float32 ? try Self.models(Float.self) : try Self.models(Double.self)
        for (bad, column, row) in [(Double.nan, 0, 0), (.infinity, 5, Self.rows - 1), (-.infinity, 2, 517)] {
            var columns = Self.columns(seed: 5)
            columns[column][row] = bad
            for model in models {
                #expect(try Self.lent(model, columns) == nil, "\(bad) at \(column), \(row): \(type(of: model))")
                #expect(try Self.lentColumnMajor(model, columns, width: 3) == nil, "column-major: \(type(of: model))")
            }
        }
        // One column short of the model's features: declined, not read.
        let short = Array(Self.columns(seed: 6).prefix(Self.features - 1))
        #expect(try Self.lent(models[0], short) == nil)
    }
}
