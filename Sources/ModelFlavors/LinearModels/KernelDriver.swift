import CLinearKernels
import Dispatch
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

/// Base addresses of one batch, shared read-only (input) or by disjoint row ranges (outputs) across
/// the worker threads — which is why sending them is sound.
struct KernelBatch<Scalar: KernelScalar>: @unchecked Sendable {
    let input: UnsafePointer<Scalar>
    let output: UnsafeMutablePointer<Scalar>?
    let indices: UnsafeMutablePointer<Int>?
    let rowCount: Int
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
                input: UnsafeRawPointer(batch.input).assumingMemoryBound(to: Double.self),
                output: batch.output.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: Double.self) },
                indices: batch.indices,
                rowCount: batch.rowCount
            )
            runDouble(concrete, operation, rebound)
        } else if let concrete = core as? KernelCore<Float> {
            let rebound = KernelBatch<Float>(
                input: UnsafeRawPointer(batch.input).assumingMemoryBound(to: Float.self),
                output: batch.output.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: Float.self) },
                indices: batch.indices,
                rowCount: batch.rowCount
            )
            runFloat(concrete, operation, rebound)
        } else {
            parallel(core, operation, batch)
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

    private static func process<Scalar: KernelScalar>(
        _ core: KernelCore<Scalar>,
        _ operation: KernelOperation,
        _ batch: KernelBatch<Scalar>,
        rows: Range<Int>
    ) {
        let k = core.outputCount
        let n = core.featureCount
        if let native = core.native {
            processNative(core, native, operation, batch, rows: rows)
            return
        }
        withUnsafeTemporaryAllocation(of: Scalar.self, capacity: blockRows * k) { scratchBuffer in
            guard let scratch = scratchBuffer.baseAddress else { return }
            var start = rows.lowerBound
            while start < rows.upperBound {
                let count = min(blockRows, rows.upperBound - start)
                let input = batch.input + start * n
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
        _ batch: KernelBatch<Scalar>,
        rows: Range<Int>
    ) {
        let k = core.outputCount
        let n = core.featureCount
        let groupScratch = NativeWeights<Scalar>.scratchCount(classes: k)
        withUnsafeTemporaryAllocation(of: Scalar.self, capacity: blockRows * k + groupScratch) { scratchBuffer in
            guard let blockScratch = scratchBuffer.baseAddress else { return }
            let scratch = blockScratch + blockRows * k
            let input = batch.input + rows.lowerBound * n
            let count = rows.count
            func run(_ code: Int32, width: Int) {
                guard let output = batch.output else { return }
                native.run(
                    code,
                    core.weights,
                    input,
                    rowCount: count,
                    into: output + rows.lowerBound * width,
                    scratch: scratch
                )
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
                    native.run(
                        Int32(MB_LK_SCORES),
                        core.weights,
                        batch.input + start * n,
                        rowCount: blockCount,
                        into: blockScratch,
                        scratch: scratch
                    )
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
