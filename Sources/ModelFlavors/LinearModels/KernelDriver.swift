import CLinearKernels
import Dispatch
import ModelBundle
import SystemPlatform

/// What a batch computes; each case fixes the number of outputs per row.
enum KernelOperation: Sendable {
    /// Raw scores, k per row (decision function, regression).
    case scores
    /// Binary logistic: `[1 - p, p]` per row from a single score.
    case binaryProbability
    /// Softmax over k scores.
    case softmaxProbability
    /// One-vs-rest: sigmoid per class, normalised.
    case ovrProbability
    /// Class index per row (written to the integer output).
    case classIndex(binary: Bool)
}

/// Where a batch's rows are read from.
enum KernelRows<Scalar: KernelScalar>: @unchecked Sendable {
    /// `rowCount × featureCount` values, row-major.
    case buffer(UnsafeBufferPointer<Scalar>)
    /// Rows written on demand, a block at a time, into scratch each worker thread owns: a frame's
    /// columns are transposed in cache instead of into a row-major copy of the whole request (whose
    /// fresh pages were half of a 1,000,000-row Arrow request's time).
    case gathered(KernelRowGather)
    /// float64 columns read where they lie by the C kernels (``KernelColumns``); through `gather`
    /// when those do not run this model.
    case columns(KernelColumns)
}

/// float64 columns lent from a request body, one per feature, and the row gather of the same rows
/// for a model the C column kernel does not run (a float32 model, or no AVX2). Whether any value
/// read was not finite is noted in `nonFinite` either way.
struct KernelColumns: @unchecked Sendable {
    // Sendable by construction: read-only pointers into a body that outlives the batch.
    let pointers: [UnsafePointer<Double>?]
    let nonFinite: NonFiniteFlag
    let gather: KernelRowGather
}

/// Writes rows `rows` of a batch, `rows.count × featureCount` scalars row-major, to the start of the
/// destination (row `rows.lowerBound` first). Called concurrently by the driver's threads, each with
/// its own rows and its own destination.
struct KernelRowGather: Sendable {
    let write: @Sendable (_ rows: Range<Int>, _ destination: UnsafeMutableRawPointer) -> Void
}

/// Base addresses of one batch, shared read-only (input) or by disjoint row ranges (outputs) across
/// the worker threads — which is why sending them is sound.
struct KernelBatch<Scalar: KernelScalar>: @unchecked Sendable {
    let input: KernelRows<Scalar>
    let output: UnsafeMutablePointer<Scalar>?
    let indices: UnsafeMutablePointer<Int>?
    let rowCount: Int
    /// 0: `output` is row-major. Otherwise result c of row r is at `output[c * outputColumnStride + r]`
    /// (only for ``KernelRows/columns(_:)`` run by the C column kernel: ``KernelDriver/runColumnMajor``).
    var outputColumnStride = 0
}

/// Splits a batch into cache-sized blocks and, for large batches, across the processor cores.
enum KernelDriver {
    /// Rows per block: 256 rows × k scores stay in L1 between the dot products and the transform.
    /// A multiple of ``KernelCore/groupRows``; the scratch it sizes also holds one softmax group.
    static let blockRows = 256
    /// Batches below this many rows per core run on the calling thread; thread hand-off costs
    /// more than it saves below ~16k rows.
    static let rowsPerCore = 16_384
    /// Chunks handed out per core for large batches (load balancing on a shared machine).
    static let chunksPerCore = 8

    static func run<Scalar: KernelScalar>(
        _ core: KernelCore<Scalar>,
        _ operation: KernelOperation,
        _ batch: KernelBatch<Scalar>
    ) {
        // Specialize the hot loops for the two concrete types: callers in other modules reach this
        // through unspecialized generic code, which would otherwise run the SIMD loops through witness tables.
        if let concrete = core as? KernelCore<Double> {
            let rebound = KernelBatch<Double>(
                input: batch.input.rebound(to: Double.self),
                output: batch.output.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: Double.self) },
                indices: batch.indices,
                rowCount: batch.rowCount
            )
            runDouble(concrete, operation, rebound)
        } else if let concrete = core as? KernelCore<Float> {
            let rebound = KernelBatch<Float>(
                input: batch.input.rebound(to: Float.self),
                output: batch.output.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: Float.self) },
                indices: batch.indices,
                rowCount: batch.rowCount
            )
            runFloat(concrete, operation, rebound)
        } else {
            parallel(core, operation, batch)
        }
    }

    /// Runs `operation` (not class indices) over `rowCount` rows of lent `columns` into column-major
    /// `output` (result c of row r at `output[c * rowCount + r]`) when the C column kernel runs this
    /// core (float64 weights, a processor with AVX2 and FMA); `false`, with nothing written, otherwise.
    static func runColumnMajor<Scalar: KernelScalar>(
        _ core: KernelCore<Scalar>,
        _ operation: KernelOperation,
        _ columns: KernelColumns,
        rowCount: Int,
        into output: UnsafeMutablePointer<Double>
    ) -> Bool {
        if case .classIndex = operation { return false }
        guard let concrete = core as? KernelCore<Double>, concrete.native != nil, rowCount > 0 else { return false }
        let batch = KernelBatch<Double>(
            input: .columns(columns),
            output: output,
            indices: nil,
            rowCount: rowCount,
            outputColumnStride: rowCount
        )
        parallel(concrete, operation, batch)
        return true
    }

    /// Runs `operation` over `rowCount` rows into a new array of `width` values per row.
    static func collect<Scalar: KernelScalar>(
        _ core: KernelCore<Scalar>,
        _ operation: KernelOperation,
        _ rows: KernelRows<Scalar>,
        rowCount: Int,
        width: Int
    ) -> [Scalar] {
        // Zeroed as bytes (0.0 either way): `Array(repeating:count:)` is generic over `Scalar` here
        // and copied each element through a value witness.
        LargeArray.uninitialized(count: rowCount * width) { (output: UnsafeMutableBufferPointer<Scalar>) in
            UnsafeMutableRawBufferPointer(output).initializeMemory(as: UInt8.self, repeating: 0)
            guard rowCount > 0 else { return }
            run(core, operation, KernelBatch(input: rows, output: output.baseAddress, indices: nil, rowCount: rowCount))
        }
    }

    private static func runDouble(
        _ core: KernelCore<Double>,
        _ operation: KernelOperation,
        _ batch: KernelBatch<Double>
    ) {
        parallel(core, operation, batch)
    }

    private static func runFloat(_ core: KernelCore<Float>, _ operation: KernelOperation, _ batch: KernelBatch<Float>) {
        parallel(core, operation, batch)
    }

    private static func parallel<Scalar: KernelScalar>(
        _ core: KernelCore<Scalar>,
        _ operation: KernelOperation,
        _ batch: KernelBatch<Scalar>
    ) {
        let cores = Processors.online
        let parts = batch.rowCount / rowsPerCore
        if cores == 1 || parts <= 1 {
            process(core, operation, batch, rows: 0..<batch.rowCount)
            return
        }
        // Several chunks per core, not one: a core slowed by another process then takes fewer chunks
        // instead of holding up the whole batch (concurrentPerform hands chunks out as cores free up).
        let chunks = min(parts, cores * chunksPerCore)
        // Whole softmax groups per chunk, so only the batch's last group can be partial.
        let group = KernelCore<Scalar>.groupRows
        let perChunk = ((batch.rowCount + chunks - 1) / chunks + group - 1) / group * group
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = chunk * perChunk
            let end = min(batch.rowCount, start + perChunk)
            if start < end {
                process(core, operation, batch, rows: start..<end)
            }
        }
    }

    /// Rows per gathered block: a multiple of ``KernelCore/groupRows``, at most ``blockRows``, and
    /// about 32 KiB of float64 values (past 512 features, one softmax group), so the block is still
    /// in L1 when the kernel reads it: 128 rows of 32 features ran the 1,000,000-row Arrow request
    /// in 71–75 ms against 78–86 ms for 256 rows (best of 7, three alternating rounds).
    static func gatheredRows(featureCount: Int) -> Int {
        let group = KernelCore<Double>.groupRows
        return max(group, min(blockRows, 4_096 / max(1, featureCount) / group * group))
    }

    private static func process<Scalar: KernelScalar>(
        _ core: KernelCore<Scalar>,
        _ operation: KernelOperation,
        _ batch: KernelBatch<Scalar>,
        rows: Range<Int>
    ) {
        let n = core.featureCount
        switch batch.input {
        case .buffer(let input):
            guard let base = input.baseAddress else { return }
            processRows(core, operation, base + rows.lowerBound * n, batch, rows: rows)
        case .columns(let columns):
            if let native = core.native, Scalar.self == Double.self {
                processNative(core, native, operation, .columns(columns), batch, rows: rows)
            } else {
                process(core, operation, batch, rows: rows, gather: columns.gather)
            }
        case .gathered(let gather):
            process(core, operation, batch, rows: rows, gather: gather)
        }
    }

    /// Rows written a block at a time into per-thread scratch by `gather`, then run from there.
    private static func process<Scalar: KernelScalar>(
        _ core: KernelCore<Scalar>,
        _ operation: KernelOperation,
        _ batch: KernelBatch<Scalar>,
        rows: Range<Int>,
        gather: KernelRowGather
    ) {
        let n = core.featureCount
        let blockCount = gatheredRows(featureCount: n)
        withUnsafeTemporaryAllocation(of: Scalar.self, capacity: blockCount * max(1, n)) { buffer in
            guard let block = buffer.baseAddress else { return }
            var start = rows.lowerBound
            while start < rows.upperBound {
                let end = min(rows.upperBound, start + blockCount)
                gather.write(start..<end, UnsafeMutableRawPointer(block))
                processRows(core, operation, UnsafePointer(block), batch, rows: start..<end)
                start = end
            }
        }
    }

    /// Runs `rows` of the batch whose values start at `rowsInput` (row `rows.lowerBound` first);
    /// outputs go to the batch's outputs at the same rows.
    private static func processRows<Scalar: KernelScalar>(
        _ core: KernelCore<Scalar>,
        _ operation: KernelOperation,
        _ rowsInput: UnsafePointer<Scalar>,
        _ batch: KernelBatch<Scalar>,
        rows: Range<Int>
    ) {
        let k = core.outputCount
        let n = core.featureCount
        if let native = core.native {
            processNative(core, native, operation, .rows(rowsInput), batch, rows: rows)
            return
        }
        withUnsafeTemporaryAllocation(of: Scalar.self, capacity: blockRows * k) { scratchBuffer in
            guard let scratch = scratchBuffer.baseAddress else { return }
            var start = rows.lowerBound
            while start < rows.upperBound {
                let count = min(blockRows, rows.upperBound - start)
                let input = rowsInput + (start - rows.lowerBound) * n
                switch operation {
                case .scores:
                    guard let output = batch.output else { return }
                    core.scores(input, rowCount: count, into: output + start * k)
                case .softmaxProbability:
                    guard let output = batch.output else { return }
                    core.softmaxProbabilities(input, rowCount: count, into: output + start * k, scratch: scratch)
                case .ovrProbability:
                    guard let output = batch.output else { return }
                    let block = output + start * k
                    core.scores(input, rowCount: count, into: block)
                    KernelCore<Scalar>.sigmoid(block, count: count * k)
                    KernelCore<Scalar>.normalizeRows(block, rowCount: count, width: k)
                case .binaryProbability:
                    guard let output = batch.output else { return }
                    core.scores(input, rowCount: count, into: scratch)
                    KernelCore<Scalar>.sigmoid(scratch, count: count)
                    let block = output + start * 2
                    for row in 0..<count {
                        let p = scratch[row]
                        block[2 * row] = 1 - p
                        block[2 * row + 1] = p
                    }
                case .classIndex(let binary):
                    guard let indices = batch.indices else { return }
                    core.scores(input, rowCount: count, into: scratch)
                    if binary {
                        // scikit-learn: class 1 exactly when the score is > 0 (NaN and 0 give class 0).
                        for row in 0..<count {
                            indices[start + row] = scratch[row] > 0 ? 1 : 0
                        }
                    } else {
                        KernelCore<Scalar>.argmax(scratch, rowCount: count, width: k, into: indices + start)
                    }
                }
                start += count
            }
        }
    }

    /// The C kernels take a whole range in one call (they block by vector-width groups themselves), except
    /// class indices, whose scores go block by block through the scratch to the Swift argmax.
    private static func processNative<Scalar: KernelScalar>(
        _ core: KernelCore<Scalar>,
        _ native: NativeWeights<Scalar>,
        _ operation: KernelOperation,
        _ input: NativeInput<Scalar>,
        _ batch: KernelBatch<Scalar>,
        rows: Range<Int>
    ) {
        let k = core.outputCount
        let n = core.featureCount
        let groupScratch = NativeWeights<Scalar>.scratchCount(classes: k)
        withUnsafeTemporaryAllocation(of: Scalar.self, capacity: blockRows * k + groupScratch) { scratchBuffer in
            guard let blockScratch = scratchBuffer.baseAddress else { return }
            let scratch = blockScratch + blockRows * k
            /// Runs `code` on rows `range` (inside `rows`) into `output` (column-major with a
            /// `columnStride`, which only columns read by the C column kernel are given).
            func runNative(
                _ code: Int32,
                _ range: Range<Int>,
                into output: UnsafeMutablePointer<Scalar>,
                columnStride: Int = 0
            ) {
                switch input {
                case .rows(let rowsInput):
                    precondition(columnStride == 0, "column-major output is written from columns only")
                    native.run(
                        code,
                        core.weights,
                        rowsInput + (range.lowerBound - rows.lowerBound) * n,
                        rowCount: range.count,
                        into: output,
                        scratch: scratch
                    )
                case .columns(let columns):
                    if native.runColumns(
                        code,
                        core.weights,
                        columns.pointers,
                        rows: range,
                        into: output,
                        columnStride: columnStride,
                        scratch: scratch
                    ) {
                        columns.nonFinite.set()
                    }
                }
            }
            func run(_ code: Int32, width: Int) {
                guard let output = batch.output else { return }
                let stride = batch.outputColumnStride
                if stride != 0 {
                    runNative(code, rows, into: output + rows.lowerBound, columnStride: stride)
                } else {
                    runNative(code, rows, into: output + rows.lowerBound * width)
                }
            }
            switch operation {
            case .scores: run(Int32(MB_LK_SCORES), width: k)
            case .softmaxProbability: run(Int32(MB_LK_SOFTMAX), width: k)
            case .ovrProbability: run(Int32(MB_LK_OVR), width: k)
            case .binaryProbability: run(Int32(MB_LK_BINARY), width: 2)
            case .classIndex(let binary):
                guard let indices = batch.indices else { return }
                var start = rows.lowerBound
                while start < rows.upperBound {
                    let blockCount = min(blockRows, rows.upperBound - start)
                    runNative(Int32(MB_LK_SCORES), start..<(start + blockCount), into: blockScratch)
                    if binary {
                        // scikit-learn: class 1 exactly when the score is > 0 (NaN and 0 give class 0).
                        for row in 0..<blockCount {
                            indices[start + row] = blockScratch[row] > 0 ? 1 : 0
                        }
                    } else {
                        KernelCore<Scalar>.argmax(blockScratch, rowCount: blockCount, width: k, into: indices + start)
                    }
                    start += blockCount
                }
            }
        }
    }
}

/// Where the C kernels read a range's rows: row-major, starting at the range's first row, or
/// columns indexed by row.
private enum NativeInput<Scalar: KernelScalar> {
    case rows(UnsafePointer<Scalar>)
    case columns(KernelColumns)
}

extension KernelRows {
    /// The same rows typed as `Other`, which is `Scalar` itself (the driver's specialisation).
    fileprivate func rebound<Other: KernelScalar>(to: Other.Type) -> KernelRows<Other> {
        switch self {
        case .buffer(let input):
            .buffer(UnsafeRawBufferPointer(input).assumingMemoryBound(to: Other.self))
        case .gathered(let gather): .gathered(gather)
        case .columns(let columns): .columns(columns)
        }
    }
}
