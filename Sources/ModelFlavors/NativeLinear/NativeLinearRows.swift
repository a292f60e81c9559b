import ModelBundle
import ModelRuntime

/// The rows of an enforced request as the linear kernels read them. A frame of plain numeric
/// columns is read in place, a cache-sized block of rows at a time (``KernelRows/gathered(_:)``):
/// a 1,000,000 × 32 float64 request no longer makes a 256 MB row-major copy of itself first. Anything
/// else (a tensor, columns that need a check) becomes one row-major buffer by ``NativeLinearInput``,
/// whose checks and messages are the same either way.
struct NativeLinearRows<Scalar: KernelScalar> {
    let rowCount: Int
    private let source: Source

    private enum Source {
        case columns(FrameRowGather<Scalar>)
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
        case .matrix(let values):
            values.withUnsafeBufferPointer { body(.buffer($0)) }
        }
    }
}
