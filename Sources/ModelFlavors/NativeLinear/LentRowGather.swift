import ModelRuntime
import Synchronization

/// Rows of float64 columns lent in place from a request body (``LentDoubleColumns``), transposed a
/// block at a time into a row-major destination as ``FrameRowGather`` does for a frame, noting
/// whether any value is not finite: enforcement refuses NaN and ±infinity in a `double` column,
/// and the model reads every value anyway, so the check costs no pass of its own.
struct LentRowGather<Scalar: KernelScalar>: Sendable {
    let columns: LentDoubleColumns
    /// Set by any thread that gathers a value that is not finite.
    let sawNonFinite: NonFiniteFlag

    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    func write(_ rows: Range<Int>, into destination: UnsafeMutablePointer<Scalar>) {
        let stride = columns.columns.count
        let exponent: UInt64 = 0x7FF0_0000_0000_0000
        // All-ones exponent bits (infinity or NaN) in any value; or-ed without a branch per value.
        var nonFinite: UInt64 = 0
        for (position, column) in columns.columns.enumerated() {
            var index = position
            for row in rows {
                let value = column.load(fromByteOffset: row &* 8, as: Double.self)
                destination[index] = Scalar(value)
                nonFinite |= (value.bitPattern & exponent) == exponent ? 1 : 0
                index &+= stride
            }
        }
        if nonFinite != 0 { sawNonFinite.set() }
    }
}

/// Whether a gather met a value that is not finite, shared by the kernel's threads.
final class NonFiniteFlag: Sendable {
    private let seen = Atomic<Bool>(false)

    /// Read once the threads are done (the driver joins them first).
    var isSet: Bool { seen.load(ordering: .relaxed) }

    func set() { seen.store(true, ordering: .relaxed) }
}
