import ModelBundle
import ModelRuntime

/// The rows of an enforced request as the linear kernels read them. A frame of plain numeric
/// columns is read in place, a cache-sized block of rows at a time (``KernelRows/gathered(_:)``):
/// a 1,000,000 × 32 float64 request no longer makes a 256 MB row-major copy of itself first. Float64
/// columns lent from an Arrow body (``LentDoubleColumns``) are read the same way, in the body.
/// Anything else (a tensor, columns that need a check) becomes one row-major buffer by
/// ``NativeLinearInput``, whose checks and messages are the same either way.
struct NativeLinearRows<Scalar: KernelScalar> {
    let rowCount: Int
    private let source: Source

    private enum Source {
        case columns(FrameRowGather<Scalar>)
        case lent(LentRowGather<Scalar>)
        case matrix([Scalar])
    }

    /// As ``NativeLinearInput/init(_:featureCount:rowOffset:nullsAsNaN:)``.
    init(_ input: RequestInput, featureCount: Int, rowOffset: Int = 0) throws(ModelBundleError) {
        if case .frame(let frame) = input, frame.columns.count == featureCount,
            FrameRowGather<Scalar>.reads(frame, nullsAsNaN: false)
        {
            source = .columns(FrameRowGather(frame: frame))
            rowCount = frame.rowCount
            return
        }
        let matrix = try NativeLinearInput<Scalar>(input, featureCount: featureCount, rowOffset: rowOffset)
        source = .matrix(matrix.values)
        rowCount = matrix.rowCount
    }

    /// Lent columns, one per feature in order; `nil` when there are not `featureCount` of them.
    init?(lent columns: LentDoubleColumns, featureCount: Int) {
        guard columns.columns.count == featureCount else { return nil }
        source = .lent(LentRowGather(columns: columns, sawNonFinite: NonFiniteFlag()))
        rowCount = columns.rowCount
    }

    /// Whether a lent column held a value that is not finite, once the kernel has read the rows:
    /// the predictions are then discarded and the request takes the path that reports the value.
    var sawNonFinite: Bool {
        if case .lent(let gather) = source { return gather.sawNonFinite.isSet }
        return false
    }

    /// Runs `body` with the rows as the kernel driver reads them.
    func withKernelRows<Result>(_ body: (KernelRows<Scalar>) -> Result) -> Result {
        switch source {
        case .columns(let gather):
            body(
                .gathered(
                    KernelRowGather { rows, destination in
                        // The driver's scratch is allocated as `Scalar` (KernelDriver.process).
                        gather.write(rows, into: destination.assumingMemoryBound(to: Scalar.self))
                    }
                )
            )
        case .lent(let gather):
            body(
                .columns(
                    KernelColumns(
                        // Handed to the C kernel only, which reads them as the doubles they hold.
                        pointers: gather.columns.columns.map { $0.assumingMemoryBound(to: Double.self) },
                        nonFinite: gather.sawNonFinite,
                        gather: KernelRowGather { rows, destination in
                            gather.write(rows, into: destination.assumingMemoryBound(to: Scalar.self))
                        }
                    )
                )
            )
        case .matrix(let values):
            values.withUnsafeBufferPointer { body(.buffer($0)) }
        }
    }
}

/// A linear model that predicts from ``NativeLinearRows``: from an enforced request's input, and
/// from float64 columns lent from a request body.
protocol NativeLinearRowsModel: LentColumnsPredicting {
    associatedtype Scalar: KernelScalar
    var featureCount: Int { get }
    func predict(rows: NativeLinearRows<Scalar>) throws(ModelBundleError) -> PredictionOutput
    /// How the model's predictions are computed when they are float64 values a kernel operation
    /// writes (`nil` for class labels): what ``predict(lent:intoColumns:)`` runs.
    var floatPrediction: FloatPrediction<Scalar>? { get }
}

/// A linear model's float64 predictions as one kernel operation makes them, and their shape.
struct FloatPrediction<Scalar: KernelScalar> {
    let core: KernelCore<Scalar>
    let operation: KernelOperation
    let shape: LentOutputShape
}

extension NativeLinearRowsModel {
    func predict(_ request: EnforcedRequest) throws(ModelBundleError) -> PredictionOutput {
        try predict(rows: try NativeLinearRows(request.input, featureCount: featureCount, rowOffset: request.rowOffset))
    }

    func predict(lent columns: LentDoubleColumns) throws(ModelBundleError) -> PredictionOutput? {
        guard let rows = NativeLinearRows<Scalar>(lent: columns, featureCount: featureCount) else { return nil }
        let output = try predict(rows: rows)
        return rows.sawNonFinite ? nil : output
    }

    /// Only where the C column kernel runs the model (float64 weights, AVX2 and FMA), which is what
    /// writes column-major (``KernelDriver/runColumnMajor``).
    var lentOutputShape: LentOutputShape? {
        guard let prediction = floatPrediction, Scalar.self == Double.self, prediction.core.native != nil else {
            return nil
        }
        return prediction.shape
    }

    func predict(lent columns: LentDoubleColumns, intoColumns output: UnsafeMutablePointer<Double>)
        throws(ModelBundleError) -> Bool
    {
        guard let prediction = floatPrediction,
            let rows = NativeLinearRows<Scalar>(lent: columns, featureCount: featureCount)
        else { return false }
        let written = rows.withKernelRows { kernelRows in
            guard case .columns(let lent) = kernelRows else { return false }
            return KernelDriver.runColumnMajor(
                prediction.core,
                prediction.operation,
                lent,
                rowCount: rows.rowCount,
                into: output
            )
        }
        return written && !rows.sawNonFinite
    }
}
