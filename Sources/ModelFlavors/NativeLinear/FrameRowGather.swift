import ModelBundle

/// Rows of a frame of plain numeric columns (`double`, `float`, `long`, `integer`), transposed a
/// block at a time into a row-major destination: what ``NativeLinearInput`` copies a whole request
/// with, and what the kernels read a large request through (``NativeLinearRows``) without a
/// row-major copy of it.
struct FrameRowGather<Scalar: KernelScalar>: Sendable {
    let frame: Frame

    /// Whether every column is one this type reads without a check: numeric, and free of nulls
    /// unless they are read as NaN. Anything else goes through ``NativeLinearInput``'s
    /// column-by-column copy, which reports the first offending column and row.
    static func reads(_ frame: Frame, nullsAsNaN: Bool) -> Bool {
        frame.columns.allSatisfy { column in
            switch column.values {
            case .double, .float, .long, .integer: nullsAsNaN || !column.validity.hasNulls
            default: false
            }
        }
    }

    /// Writes rows `rows` (row `rows.lowerBound` first, one scalar per column) to `destination`;
    /// a null (only when ``reads(_:nullsAsNaN:)`` allowed it) becomes NaN. Specialised for the
    /// kernels' two scalar types so the per-cell conversion is one instruction.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    func write(_ rows: Range<Int>, into destination: UnsafeMutablePointer<Scalar>) {
        let stride = frame.columns.count
        @inline(__always) func fill<Element>(_ source: [Element], _ position: Int, _ convert: (Element) -> Scalar) {
            source.withUnsafeBufferPointer { source in
                var index = position
                for row in rows {
                    destination[index] = convert(source[row])
                    index += stride
                }
            }
        }
        for (position, column) in frame.columns.enumerated() {
            switch column.values {
            case .double(let v): fill(v, position) { Scalar($0) }
            case .float(let v): fill(v, position) { Scalar($0) }
            case .long(let v): fill(v, position) { Scalar($0) }
            case .integer(let v): fill(v, position) { Scalar($0) }
            default: preconditionFailure("checked by reads(_:nullsAsNaN:): only numeric columns are gathered")
            }
            if column.validity.hasNulls {
                for row in rows where !column.validity.isValid(row) {
                    destination[position + (row - rows.lowerBound) * stride] = .nan
                }
            }
        }
    }
}
