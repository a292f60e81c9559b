import ModelBundle
import ModelRuntime
import Testing

@testable import ModelFlavors

/// A frame of numeric columns is read by the kernels a block of rows at a time (``NativeLinearRows``),
/// not copied into one row-major matrix first. Every output of every kernel must be bit for bit what
/// the row-major path gives for the same values (which ``KernelBlockingTests`` checks against a
/// scalar reference), across block and thread boundaries, for both scalar types and both
/// implementations; a frame that needs a check still gets the row-major path's refusal.
@Suite struct GatheredRowsTests {
    typealias Shape = KernelBlockingTests.Shape

    /// Around a gathered block (128 rows at 32 features, 120 at 33, 8 past 512 features) and past
    /// the 16,384 rows per core that split a batch across threads.
    static let shapes: [Shape] = [
        Shape(rows: 0, features: 3, classes: 3),
        Shape(rows: 1, features: 1, classes: 2),
        Shape(rows: 127, features: 32, classes: 3),
        Shape(rows: 129, features: 32, classes: 5),
        Shape(rows: 241, features: 33, classes: 4),
        Shape(rows: 32_777, features: 32, classes: 3),
        Shape(rows: 33_001, features: 5, classes: 9),
        Shape(rows: 77, features: 3_000, classes: 2),
    ]

    /// The shape's values as columns cycling through the four numeric types (integers where the
    /// column holds integers), and the same values row-major.
    static func frame(_ shape: Shape) throws -> (Frame, [Double]) {
        var generator = SplitMix(seed: UInt64(shape.rows * 7 + shape.features))
        var matrix = [Double](repeating: 0, count: shape.rows * shape.features)
        let columns = try (0..<shape.features).map { c -> Column in
            let raw = (0..<shape.rows).map { _ in (generator.next() * 2 - 1) * 6 }
            let values: ColumnValues
            switch c % 4 {
            case 0: values = .double(raw)
            case 1: values = .float(raw.map { Float($0) })
            case 2: values = .long(raw.map { Int64(($0 * 100).rounded()) })
            default: values = .integer(raw.map { Int32(($0 * 10).rounded()) })
            }
            for row in 0..<shape.rows {
                matrix[row * shape.features + c] =
                    switch values {
                    case .float(let v): Double(v[row])
                    case .long(let v): Double(v[row])
                    case .integer(let v): Double(v[row])
                    default: raw[row]
                    }
            }
            return try Column(name: "f\(c)", values: values)
        }
        return (try Frame(columns: columns), matrix)
    }

    static func weights<Scalar: KernelScalar>(_ shape: Shape, as: Scalar.Type) throws -> LinearModelWeights<Scalar> {
        var generator = SplitMix(seed: UInt64(shape.classes * 1_000 + shape.features))
        return try LinearModelWeights(
            coefficients: (0..<(shape.classes * shape.features)).map { _ in Scalar(generator.next() * 2 - 1) },
            intercepts: (0..<shape.classes).map { _ in Scalar(generator.next() - 0.5) },
            outputCount: shape.classes,
            featureCount: shape.features
        )
    }

    static func expectSameBits<Scalar: KernelScalar>(_ gathered: [Scalar], _ rowMajor: [Scalar], _ label: String) {
        #expect(gathered.count == rowMajor.count, "\(label): \(gathered.count) values, not \(rowMajor.count)")
        let first = zip(gathered, rowMajor).enumerated().first { !($0.element.0 == $0.element.1) }
        #expect(first == nil, "\(label): first difference at \(first?.offset ?? -1)")
    }

    func compare<Scalar: KernelScalar>(
        _ shape: Shape,
        _ implementation: KernelImplementation,
        _ type: Scalar.Type
    ) throws {
        let (frame, matrix) = try Self.frame(shape)
        let x = matrix.map { Scalar($0) }
        let rows = try NativeLinearRows<Scalar>(.frame(frame), featureCount: shape.features)
        #expect(rows.rowCount == shape.rows)
        let weights = try Self.weights(shape, as: Scalar.self)
        for strategy in [MultiClassStrategy.multinomial, .ovr] {
            let kernel = try LogisticRegressionKernel(
                weights: weights,
                strategy: strategy,
                implementation: implementation
            )
            let label = "\(shape.testDescription) \(strategy) \(Scalar.self) \(implementation)"
            Self.expectSameBits(
                rows.withKernelRows { kernel.predictProbabilities($0, rowCount: rows.rowCount) },
                try kernel.predictProbabilities(x),
                "\(label) probabilities"
            )
            Self.expectSameBits(
                rows.withKernelRows { kernel.decisionFunction($0, rowCount: rows.rowCount) },
                try kernel.decisionFunction(x),
                "\(label) decision function"
            )
            let indices = rows.withKernelRows { kernel.predictClassIndices($0, rowCount: rows.rowCount) }
            #expect(indices == (try kernel.predictClassIndices(x)), "\(label) class indices")
        }
        let regression = LinearRegressionKernel(weights: weights, implementation: implementation)
        Self.expectSameBits(
            rows.withKernelRows { regression.predict($0, rowCount: rows.rowCount) },
            try regression.predict(x),
            "\(shape.testDescription) regression \(Scalar.self) \(implementation)"
        )
    }

    @Test(arguments: shapes, KernelImplementation.allCases)
    func gatheredRowsPredictWhatRowMajorRowsPredict(_ shape: Shape, _ implementation: KernelImplementation) throws {
        try compare(shape, implementation, Double.self)
        try compare(shape, implementation, Float.self)
    }

    @Test func binaryModelsToo() throws {
        let shape = Shape(rows: 20_000, features: 7, classes: 1)
        let (frame, matrix) = try Self.frame(shape)
        let rows = try NativeLinearRows<Double>(.frame(frame), featureCount: shape.features)
        let kernel = try LogisticRegressionKernel(weights: try Self.weights(shape, as: Double.self), strategy: .binary)
        Self.expectSameBits(
            rows.withKernelRows { kernel.predictProbabilities($0, rowCount: rows.rowCount) },
            try kernel.predictProbabilities(matrix),
            "binary probabilities"
        )
        #expect(
            rows.withKernelRows { kernel.predictClassIndices($0, rowCount: rows.rowCount) }
                == (try kernel.predictClassIndices(matrix))
        )
    }

    /// Columns that need a check are not gathered: the refusal is the row-major path's, naming the
    /// column and row.
    @Test func aFrameThatNeedsACheckIsRefusedAsBefore() throws {
        let frame = try Frame(columns: [
            Column(name: "a", values: .double([1, 2, 3])),
            Column(name: "b", values: .double([1, 0, 3]), validity: ValidityMask([true, false, true])),
        ])
        let error = #expect(throws: ModelBundleError.self) {
            try NativeLinearRows<Double>(.frame(frame), featureCount: 2, rowOffset: 10)
        }
        #expect(error?.code == .schemaMismatch)
        #expect(error?.location == .init(column: "b", row: 11))
        let strings = try Frame(columns: [Column(name: "s", values: .string(["x"]))])
        #expect(throws: ModelBundleError.self) { try NativeLinearRows<Double>(.frame(strings), featureCount: 1) }
        #expect(throws: ModelBundleError.self) {
            try NativeLinearRows<Double>(
                .frame(try Self.frame(Shape(rows: 4, features: 3, classes: 2)).0),
                featureCount: 2
            )
        }
    }
}
