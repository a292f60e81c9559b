import CTreeKernels
import ModelBundle

/// The AVX-512 block walk's structure-of-arrays copy of a kernel layout (CTreeKernels, Docs/tree-ensemble.md
/// "Kernel"): one meta word per node (child offset from the tree's root, NaN side, feature), the
/// thresholds in the compare precision, and the layout's leaf table.
///
/// Built only when the walk applies: the processor has AVX-512, the ensemble has numeric splits only
/// (categorical and zero-as-missing nodes need the general decision), every tree has at most 65,536 nodes
/// and the rows at most 32,768 features (the meta word's fields), and the precisions are a pair the C
/// kernels cover. Otherwise the Swift walk runs, with identical results.
///
/// A class owning its buffers: the C kernel reads them through plain pointers for as long as the kernel
/// lives, and nothing writes them after `init`.
final class TreeKernelVectorLayout: @unchecked Sendable {
    private let meta: UnsafeMutableBufferPointer<UInt32>
    private let thresholds: UnsafeMutableRawBufferPointer
    private let roots: UnsafeMutableBufferPointer<Int32>
    private let depths: UnsafeMutableBufferPointer<Int32>
    private let outputs: UnsafeMutableBufferPointer<Int32>
    /// The kernel's leaf table in the accumulation precision (the same array storage, not a copy).
    private let leaves: LeafTable
    let comparesInFloat: Bool
    let outputCount: Int
    let leafWidth: Int

    enum LeafTable {
        case float([Float])
        case double([Double])
    }

    var accumulatesInFloat: Bool {
        if case .float = leaves { return true }
        return false
    }

    /// Whether this processor runs the AVX-512 walk; asked once (an immutable, lazily set global).
    static let available: Bool = mb_tree_kernels_have_avx512() != 0

    /// `nil` when the vector walk does not apply (see the type's documentation).
    ///
    /// Built straight from the validated ensemble, breadth-first per tree (the right child follows the
    /// left), with the splits of ``TreeKernelLayout/split(_:_:)``: when this walk applies the Swift layout
    /// is never built, which was most of a large ensemble's kernel set-up at load.
    init?(_ e: TreeEnsemble, implementation: KernelImplementation) {
        let comparesInFloat = e.comparison != .float64LessOrEqual
        let accumulatesInFloat = e.accumulation == .float32
        guard implementation == .automatic, Self.available,
            comparesInFloat || !accumulatesInFloat,
            e.featureCount <= Int(MB_TK_MAX_FEATURES)
        else { return nil }
        let general = TreeEnsemble.NodeFlags([.categorical, .zeroIsMissing]).rawValue
        var largestTree = 0
        for tree in 0..<e.treeCount {
            let start = Int(e.treeStarts[tree])
            let end = Int(e.treeStarts[tree + 1])
            // A tree's reachable nodes are at most its node range, so the range bounds the meta word's offset.
            guard end - start <= Int(MB_TK_MAX_TREE_NODES) else { return nil }
            largestTree = max(largestTree, end - start)
            for global in start..<end where e.nodeLeft[global] >= 0 && e.nodeFlags[global] & general != 0 {
                return nil
            }
        }
        let nodeCapacity = e.nodeCount
        let width = e.leafWidth
        let treeCount = e.treeCount
        // The C walk reads each tree's first MB_TK_TABLE_NODES entries whatever its size: the last trees'
        // reads reach into this padding (zeroed after the trees are laid out, never selected).
        let padded = nodeCapacity + Int(MB_TK_TABLE_NODES)
        let thresholdSize = comparesInFloat ? 4 : 8
        meta = .allocate(capacity: padded)
        thresholds = .allocate(byteCount: padded * thresholdSize, alignment: MemoryLayout<Double>.alignment)
        LargeArray.prepareForWriting(UnsafeMutableRawBufferPointer(meta))
        LargeArray.prepareForWriting(thresholds)
        roots = .allocate(capacity: treeCount)
        depths = .allocate(capacity: treeCount)
        outputs = .allocate(capacity: treeCount)
        // The leaf table in the accumulation precision only, written once (zeros at internal nodes).
        let leafCount = nodeCapacity * width
        var leafDoubles: [Double] =
            accumulatesInFloat ? [] : LargeArray.uninitialized(count: leafCount) { $0.initialize(repeating: 0) }
        var leafFloats: [Float] =
            accumulatesInFloat ? LargeArray.uninitialized(count: leafCount) { $0.initialize(repeating: 0) } : []
        // Per position of the tree being laid out: its node in the ensemble and its depth.
        var sources = [Int32](repeating: 0, count: largestTree)
        var levels = [Int32](repeating: 0, count: largestTree)
        var count = 0
        for tree in 0..<treeCount {
            let start = Int(e.treeStarts[tree])
            let root = count
            sources[0] = 0
            levels[0] = 0
            var queued = 1
            var head = 0
            var deepest: Int32 = 0
            // The validator accepted every tree as a tree (no cycle, no shared child), so this queue
            // visits each reachable node once and `queued` never passes the tree's node range.
            while head < queued {
                let global = start + Int(sources[head])
                let position = root + head
                let depth = levels[head]
                let left = e.nodeLeft[global]
                var threshold = Double.infinity
                var word = MB_TK_NAN_LEFT
                if left < 0 {
                    // A leaf keeps every row: +infinity, NaN left, its own position as child.
                    deepest = max(deepest, depth)
                    for k in 0..<width {
                        let value = e.leafValues[global * width + k]
                        if accumulatesInFloat {
                            leafFloats[position * width + k] = Float(value)
                        } else {
                            leafDoubles[position * width + k] = value
                        }
                    }
                    word |= UInt32(head) << 16
                } else {
                    let split = TreeKernelLayout.split(e, global)
                    threshold = split.threshold
                    word = UInt32(queued) << 16 | UInt32(split.feature)
                    if split.nanLeft { word |= MB_TK_NAN_LEFT }
                    sources[queued] = left
                    sources[queued + 1] = e.nodeRight[global]
                    levels[queued] = depth + 1
                    levels[queued + 1] = depth + 1
                    queued += 2
                }
                meta[position] = word
                if comparesInFloat {
                    // Exact: `split` already rounded the threshold to a float.
                    thresholds.storeBytes(of: Float(threshold), toByteOffset: position * 4, as: Float.self)
                } else {
                    thresholds.storeBytes(of: threshold, toByteOffset: position * 8, as: Double.self)
                }
                head += 1
            }
            roots[tree] = Int32(root)
            depths[tree] = deepest
            outputs[tree] = e.treeOutputs[tree]
            count += queued
        }
        // Past the laid-out nodes (unreachable nodes leave the range short of `nodeCapacity`): zeros.
        meta.extracting(count...).initialize(repeating: 0)
        thresholds[(count * thresholdSize)...].initializeMemory(as: UInt8.self, repeating: 0)
        leaves = accumulatesInFloat ? .float(leafFloats) : .double(leafDoubles)
        self.comparesInFloat = comparesInFloat
        outputCount = e.outputCount
        leafWidth = width
    }

    /// Trees in the layout.
    var treeCount: Int { roots.count }

    deinit {
        meta.deallocate()
        thresholds.deallocate()
        roots.deallocate()
        depths.deallocate()
        outputs.deallocate()
    }

    /// Values a block for ``walkBlock(block:width:columnShift:count:accumulators:scratch:)`` carries past
    /// its last column.
    static let blockPadding = Int(MB_TK_BLOCK_PADDING)

    /// Accumulators the walk needs as scratch (one column of a block's rows per output).
    var scratchCount: Int { outputCount * Int(MB_TK_BLOCK_ROWS) }

    /// Adds every tree's leaf values to the accumulators of the `count` rows of `block` (column-major,
    /// feature `f` of row `r` at `f << columnShift + r`, `width` columns plus `MB_TK_BLOCK_PADDING` values,
    /// all set; `count` at most `MB_TK_BLOCK_ROWS` and `1 << columnShift`): sixteen rows of one tree per step.
    /// `Acc` and `T` must be this layout's precisions.
    func walkBlock<Acc: TreeAccumulator, T: TreeCompareScalar>(
        block: UnsafePointer<T>,
        width: Int,
        columnShift: Int,
        count: Int,
        accumulators: UnsafeMutablePointer<Acc>,
        scratch: UnsafeMutablePointer<Acc>
    ) {
        withModel { model, precisions in
            mb_tk_walk_block(
                model,
                precisions,
                UnsafeRawPointer(block),
                width,
                columnShift,
                count,
                UnsafeMutableRawPointer(accumulators),
                UnsafeMutableRawPointer(scratch)
            )
        }
    }

    /// Adds every tree's leaf values to the accumulators of `count` rows of `features` (row-major, `width`
    /// values each): trees across the lanes, 64 at a time (a few rows).
    /// `Acc` and `T` must be this layout's precisions.
    func walkRows<Acc: TreeAccumulator, T: TreeCompareScalar>(
        features: UnsafePointer<T>,
        width: Int,
        count: Int,
        accumulators: UnsafeMutablePointer<Acc>
    ) {
        withModel { model, precisions in
            mb_tk_walk_rows(
                model,
                precisions,
                UnsafeRawPointer(features),
                width,
                count,
                UnsafeMutableRawPointer(accumulators)
            )
        }
    }

    private func withModel(_ body: (UnsafePointer<mb_tk_model>, Int32) -> Void) {
        // An ensemble without trees adds nothing (and has no leaf table to point at).
        guard roots.count > 0 else { return }
        func run(_ leafTable: UnsafeRawPointer) {
            var model = mb_tk_model(
                meta: meta.baseAddress,
                thresholds: UnsafeRawPointer(thresholds.baseAddress),
                leaves: leafTable,
                roots: roots.baseAddress,
                depths: depths.baseAddress,
                outputs: outputs.baseAddress,
                trees: roots.count,
                leaf_width: leafWidth,
                output_count: outputCount
            )
            let precisions = comparesInFloat ? (accumulatesInFloat ? MB_TK_F32_F32 : MB_TK_F32_F64) : MB_TK_F64_F64
            body(&model, Int32(precisions))
        }
        switch leaves {
        case .float(let table): table.withUnsafeBytes { if let base = $0.baseAddress { run(base) } }
        case .double(let table): table.withUnsafeBytes { if let base = $0.baseAddress { run(base) } }
        }
    }
}
