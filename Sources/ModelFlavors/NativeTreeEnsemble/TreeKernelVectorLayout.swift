import CTreeKernels

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
    init?(
        _ layout: TreeKernelLayout,
        ensemble: TreeEnsemble,
        leavesFloat: [Float],
        implementation: KernelImplementation
    ) {
        let comparesInFloat = ensemble.comparison != .float64LessOrEqual
        let accumulatesInFloat = ensemble.accumulation == .float32
        guard implementation == .automatic, Self.available,
            comparesInFloat || !accumulatesInFloat,
            ensemble.featureCount <= Int(MB_TK_MAX_FEATURES),
            !layout.nodes.contains(where: { $0.word & TreeKernelNode<Double>.generalBit != 0 })
        else { return nil }
        let treeCount = layout.trees.count
        // Each tree's nodes run from its root to the next tree's root.
        let ends = layout.trees.dropFirst().map { Int($0.root) } + [layout.nodes.count]
        for (tree, end) in zip(layout.trees, ends) where end - Int(tree.root) > Int(MB_TK_MAX_TREE_NODES) {
            return nil
        }
        meta = .allocate(capacity: layout.nodes.count)
        thresholds = .allocate(
            byteCount: layout.nodes.count * (comparesInFloat ? 4 : 8),
            alignment: MemoryLayout<Double>.alignment
        )
        roots = .allocate(capacity: treeCount)
        depths = .allocate(capacity: treeCount)
        outputs = .allocate(capacity: treeCount)
        for (index, tree) in layout.trees.enumerated() {
            roots[index] = tree.root
            depths[index] = tree.depth
            outputs[index] = tree.output
            for node in Int(tree.root)..<ends[index] {
                let record = layout.nodes[node]
                let nanLeft = record.word & TreeKernelNode<Double>.nanLeftBit != 0 ? MB_TK_NAN_LEFT : 0
                let feature = record.word & TreeKernelNode<Double>.featureMask
                meta[node] = UInt32(Int(record.child) - Int(tree.root)) << 16 | nanLeft | feature
                if comparesInFloat {
                    // Exact: the layout already rounded every numeric threshold to a float.
                    thresholds.storeBytes(of: Float(record.threshold), toByteOffset: node * 4, as: Float.self)
                } else {
                    thresholds.storeBytes(of: record.threshold, toByteOffset: node * 8, as: Double.self)
                }
            }
        }
        leaves = accumulatesInFloat ? .float(leavesFloat) : .double(layout.leaves)
        self.comparesInFloat = comparesInFloat
        outputCount = ensemble.outputCount
        leafWidth = ensemble.leafWidth
    }

    deinit {
        meta.deallocate()
        thresholds.deallocate()
        roots.deallocate()
        depths.deallocate()
        outputs.deallocate()
    }

    /// Accumulators the walk needs as scratch (one column of a block's rows per output).
    var scratchCount: Int { outputCount * Int(MB_TK_BLOCK_ROWS) }

    /// Adds every tree's leaf values to the accumulators of `count` rows of `block` (`width` values each,
    /// in the compare precision): sixteen rows of one tree per step when `treesAcrossLanes` is false
    /// (blocks of at most `MB_TK_BLOCK_ROWS` rows), trees across the lanes, 64 at a time, when it is true (a
    /// few rows).
    /// `Acc` and `T` must be this layout's precisions.
    func walk<Acc: TreeAccumulator, T: TreeCompareScalar>(
        block: UnsafePointer<T>,
        width: Int,
        count: Int,
        treesAcrossLanes: Bool,
        accumulators: UnsafeMutablePointer<Acc>,
        scratch: UnsafeMutablePointer<Acc>
    ) {
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
            mb_tk_walk(
                &model,
                Int32(precisions),
                treesAcrossLanes ? 1 : 0,
                UnsafeRawPointer(block),
                width,
                count,
                UnsafeMutableRawPointer(accumulators),
                UnsafeMutableRawPointer(scratch)
            )
        }
        switch leaves {
        case .float(let table): table.withUnsafeBytes { if let base = $0.baseAddress { run(base) } }
        case .double(let table): table.withUnsafeBytes { if let base = $0.baseAddress { run(base) } }
        }
    }
}
