import Dispatch
import ModelBundle
import ModelRuntime
import SystemPlatform

/// Turns an enforced request into the one contiguous row-major buffer the kernels read: a frame
/// of numeric columns (in frame order, which enforcement puts in schema order) or a 2-D numeric
/// tensor (a 1-D tensor is one feature per row). Values are copied straight from the typed column
/// buffers; nothing is boxed per cell.
struct NativeLinearInput<Scalar: KernelScalar> {
    var values: [Scalar]
    var rowCount: Int

    /// `rowOffset`: rows before this request's first (a batch of a stream), added to the rows
    /// errors name. `nullsAsNaN`: read a null as NaN (tree models route missing values) instead of
    /// refusing it.
    init(_ input: RequestInput, featureCount: Int, rowOffset: Int = 0, nullsAsNaN: Bool = false)
        throws(ModelBundleError)
    {
        switch input {
        case .frame(let frame):
            guard frame.columns.count == featureCount else {
                throw ModelBundleError(
                    .schemaMismatch,
                    "The input has \(frame.columns.count) columns but the model takes \(featureCount) features",
                    item: "columns"
                )
            }
            let rows = frame.rowCount
            let (size, overflow) = rows.multipliedReportingOverflow(by: featureCount)
            guard !overflow else {
                throw ModelBundleError(.inputInvalid, "The input has too many rows", item: "rows")
            }
            // Every cell is written below (or the request is refused), so the buffer is not zero-filled
            // first: that pass cost a page fault and a memset per page of a large request.
            values = try LargeArray.uninitialized(count: size, preparesPages: false) {
                (out: UnsafeMutableBufferPointer<Scalar>) throws(ModelBundleError) in
                // The block copy prepares each thread's part of the pages itself.
                if Self.copyInRowBlocks(frame, into: out, nullsAsNaN: nullsAsNaN) { return }
                LargeArray.prepareForWriting(UnsafeMutableRawBufferPointer(out))
                for (position, column) in frame.columns.enumerated() {
                    try Self.copy(
                        column.values,
                        column.validity,
                        name: column.name,
                        into: out,
                        start: position,
                        stride: featureCount,
                        rowOffset: rowOffset,
                        nullsAsNaN: nullsAsNaN
                    )
                }
            }
            rowCount = rows
        case .tensor(let tensor):
            let rows: Int
            switch tensor.shape.count {
            case 2 where tensor.shape[1] == featureCount: rows = tensor.shape[0]
            case 1 where featureCount == 1: rows = tensor.shape[0]
            default:
                throw ModelBundleError(
                    .schemaMismatch,
                    "The input tensor has shape \(tensor.shape); the model takes [rows, \(featureCount)]",
                    item: tensor.name ?? "inputs"
                )
            }
            // A float64 tensor without nulls is already the buffer a float64 kernel reads (a
            // preprocessing stage's output is one): shared, not copied into fresh memory.
            if Scalar.self == Double.self, case .double(let doubles) = tensor.values, !tensor.validity.hasNulls,
                doubles.count == tensor.count
            {
                values = unsafeBitCast(doubles, to: [Scalar].self)
                rowCount = rows
                return
            }
            values = try LargeArray.uninitialized(count: tensor.count) {
                (out: UnsafeMutableBufferPointer<Scalar>) throws(ModelBundleError) in
                try Self.copy(
                    tensor.values,
                    tensor.validity,
                    name: tensor.name ?? "inputs",
                    into: out,
                    start: 0,
                    stride: 1,
                    rowOffset: rowOffset,
                    nullsAsNaN: nullsAsNaN,
                    tensorWidth: tensor.shape.count == 2 ? tensor.shape[1] : nil
                )
            }
            rowCount = rows
        case .namedTensors(let tensors):
            guard tensors.count == 1, let tensor = tensors.first else {
                throw ModelBundleError(
                    .schemaMismatch,
                    "The input has \(tensors.count) named tensors; the model takes one 2-D tensor of features",
                    item: "inputs"
                )
            }
            self = try Self(.tensor(tensor), featureCount: featureCount, rowOffset: rowOffset, nullsAsNaN: nullsAsNaN)
        }
    }

    /// Rows per block of ``copyInRowBlocks(_:into:nullsAsNaN:)``: a block of the row-major output
    /// (rows × features scalars) stays in the L2 cache while every column writes its part of it.
    private static var rowsPerBlock: Int { 512 }

    /// Matrices of at least this many cells are copied on every core.
    static var parallelCells: Int { 1 << 20 }

    /// The transpose of plain numeric columns into rows, a block of rows at a time: copying one
    /// whole column after another strides across the entire output once per column (a cache line
    /// read and written per cell: the largest single cost, under perf, of an in-memory 1,000,000 × 32
    /// Arrow request), while a block is written once. Returns `false`, having written nothing, when a column needs
    /// the per-column path's checks (mixed cells, a null to refuse, a non-numeric type), so that
    /// path reports the same first error as always.
    private static func copyInRowBlocks(_ frame: Frame, into out: UnsafeMutableBufferPointer<Scalar>, nullsAsNaN: Bool)
        -> Bool
    {
        guard FrameRowGather<Scalar>.reads(frame, nullsAsNaN: nullsAsNaN), let base = out.baseAddress else {
            return false
        }
        let gather = FrameRowGather<Scalar>(frame: frame)
        let stride = frame.columns.count
        let rows = frame.rowCount
        let output = SendablePointer(base: base)
        @Sendable func copy(_ part: Range<Int>) {
            let destination = output.base + part.lowerBound * stride
            LargeArray.prepareForWriting(
                UnsafeMutableRawBufferPointer(
                    start: destination,
                    count: part.count * stride * MemoryLayout<Scalar>.stride
                )
            )
            var blockStart = part.lowerBound
            while blockStart < part.upperBound {
                let block = blockStart..<min(part.upperBound, blockStart + rowsPerBlock)
                gather.write(block, into: output.base + block.lowerBound * stride)
                blockStart = block.upperBound
            }
        }
        // A large matrix is written by every core, each its own rows: the copy is bound by memory
        // bandwidth and first-touch page faults, which one core alone does not saturate.
        let parts = rows * stride >= parallelCells ? min(Processors.online, rows / rowsPerBlock) : 1
        if parts > 1 {
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                copy((rows * part / parts)..<(rows * (part + 1) / parts))
            }
        } else {
            copy(0..<rows)
        }
        return true
    }

    /// Copies one column (or a whole tensor with `stride` 1) into `out[start + row * stride]`.
    /// Specialised for the kernels' two scalar types so the per-cell conversion is a plain
    /// instruction, not a call through the generic witness table.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    private static func copy(
        _ values: ColumnValues,
        _ validity: ValidityMask,
        name: String,
        into out: UnsafeMutableBufferPointer<Scalar>,
        start: Int,
        stride: Int,
        rowOffset: Int,
        nullsAsNaN: Bool = false,
        tensorWidth: Int? = nil
    ) throws(ModelBundleError) {
        // A tensor's values are its rows one after another: a message names the row and the position.
        func place(_ index: Int) -> (row: Int, text: String) {
            guard let tensorWidth, tensorWidth > 0 else { return (index + rowOffset, "row \(index + rowOffset)") }
            let row = index / tensorWidth + rowOffset
            return (row, "row \(row) position \(index % tensorWidth)")
        }
        defer {
            if nullsAsNaN, validity.hasNulls {
                for row in 0..<validity.count where !validity.isValid(row) { out[start + row * stride] = .nan }
            }
        }
        if !nullsAsNaN, validity.hasNulls, let index = (0..<validity.count).first(where: { !validity.isValid($0) }) {
            let (row, text) = place(index)
            throw ModelBundleError(
                .schemaMismatch,
                "column '\(name)' \(text): a missing value (null); the model needs a number in every cell",
                item: name,
                location: .init(column: name, row: row)
            )
        }
        @inline(__always) func fill<Element>(_ source: [Element], _ convert: (Element) -> Scalar) {
            var index = start
            for value in source {
                out[index] = convert(value)
                index += stride
            }
        }
        switch values {
        case .double(let v): fill(v) { Scalar($0) }
        case .float(let v): fill(v) { Scalar($0) }
        case .long(let v): fill(v) { Scalar($0) }
        case .integer(let v): fill(v) { Scalar($0) }
        // A boolean column is 1 and 0, as scikit-learn's check_array, XGBoost's DMatrix and LightGBM's
        // pandas path read it.
        case .boolean(let v): fill(v) { $0 ? 1 : 0 }
        case .cells(let cells):
            // Mixed kinds (no schema to type the column): numbers exact per kind, and booleans 1 and 0,
            // as numpy's float cast of the `object` array MLflow builds from mixed rows
            // (`[[0.5, true]]`) or pandas' `object` column, which every library here reads.
            for row in 0..<cells.kinds.count {
                let value: Scalar
                switch cells.kinds[row] {
                case .integral, .boolean: value = Scalar(cells.integers[row])
                case .fractional, .largeIntegral: value = Scalar(cells.numbers[row])
                case _ where nullsAsNaN && !validity.isValid(row): value = .nan
                default:
                    let (at, text) = place(row)
                    throw ModelBundleError(
                        .schemaMismatch,
                        "column '\(name)' \(text): \(cells.describe(row)) is not a number; the model takes numbers only",
                        item: name,
                        location: .init(column: name, row: at)
                    )
                }
                out[start + row * stride] = value
            }
        default:
            let type = values.dtype.map { "\($0)" } ?? "mixed"
            throw ModelBundleError(
                .schemaMismatch,
                "Column \(name) holds \(type) values; the model takes numeric columns only",
                item: name
            )
        }
    }
}

/// The base of an output whose threads each write their own rows.
private struct SendablePointer<Scalar>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Scalar>
}
