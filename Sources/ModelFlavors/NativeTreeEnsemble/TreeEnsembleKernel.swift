import Dispatch
import ModelBundle
import SystemPlatform

/// The batch evaluator (Docs/tree-ensemble.md, "Kernel"). Blocks of rows traverse one tree at a time
/// (the tree's nodes stay in L1 while every row of the block walks it), each row's accumulator receives
/// the trees in tree order (so sums are bit-identical to the libraries'), and large batches split into
/// contiguous block ranges across cores.
///
/// Layout: each tree is re-laid out breadth-first into compact ``TreeKernelNode`` records (threshold in
/// the compare precision, feature with two flag bits, first child; the right child is always the next
/// record), so a step is branch-free: `node = child + goesRight`. A leaf points to itself and always
/// goes "left", so a row that reached its leaf stays there: a block walks a tree in lock step for the
/// tree's depth, every row independent of the others (the CPU overlaps their loads instead of waiting
/// on one row's chain and mispredicting its branches). Trees much deeper than their average leaf
/// (unbalanced scikit-learn trees) are walked row by row instead.
///
/// Numeric splits reduce to one comparison in the library's precision: float32 comparisons run on
/// inputs rounded to float once per block, with thresholds pre-adjusted so that `x <= t'` decides
/// (`x < t` on floats is `x <= t.nextDown`; `Double(x) <= t` is `x <= ` the largest float not above
/// `t`). Only categorical and LightGBM zero-as-missing nodes take the general (reference) decision.
package struct TreeEnsembleKernel: Sendable {
    let validated: ValidatedTreeEnsemble
    /// Compact nodes of every tree, in the compare precision (only the one in use is filled).
    let nodes32: [TreeKernelNode<Float>]
    let nodes64: [TreeKernelNode<Double>]
    /// Per tree: its root's index, its depth, whether it is walked in lock step, its first output
    /// (empty, like the other Swift-walk arrays, when the vector walk applies).
    let trees: [TreeKernelTree]
    let treeCount: Int
    /// Leaf values per compact node, `leafWidth` each (zeros at internal nodes), in both precisions.
    let leaves: [Double]
    let leavesFloat: [Float]
    /// The ensemble's global node index of each compact node (read by the general decision only).
    let sources: [Int32]
    let outputCount: Int
    let leafWidth: Int
    let featureCount: Int
    let comparesInFloat: Bool
    let tinyInputsAreZero: Bool
    let missingValue: Double?
    let average: Bool
    let baseScores: [Double]
    /// 1 / trees feeding each output is not what the libraries do: they divide; keep the divisor.
    let treesPerOutput: [Double]
    /// The AVX-512 walk's layout, when it applies (else blocks walk in Swift).
    let vector: TreeKernelVectorLayout?

    package init(_ validated: ValidatedTreeEnsemble) {
        self.init(validated, implementation: .automatic)
    }

    /// Tests build kernels with `.portable` as well, so the Swift walk stays covered on AVX-512 machines.
    init(_ validated: ValidatedTreeEnsemble, implementation: KernelImplementation) {
        let e = validated.ensemble
        self.validated = validated
        outputCount = e.outputCount
        leafWidth = e.leafWidth
        featureCount = e.featureCount
        comparesInFloat = e.comparison != .float64LessOrEqual
        tinyInputsAreZero = e.tinyInputsAreZero
        missingValue = e.missingValue
        average = e.combination == .average
        baseScores = e.baseScores
        treesPerOutput = validated.treesPerOutput.map { Double($0) }
        treeCount = e.treeCount
        if let vector = TreeKernelVectorLayout(e, implementation: implementation) {
            // The vector walk takes every batch, so the Swift layout is not built (see `raw`).
            self.vector = vector
            trees = []
            sources = []
            leaves = []
            leavesFloat = []
            nodes32 = []
            nodes64 = []
            return
        }
        vector = nil
        let layout = TreeKernelLayout(e)
        trees = layout.trees
        sources = layout.sources
        leaves = layout.leaves
        leavesFloat = layout.leaves.map { Float($0) }
        if comparesInFloat {
            // Exact: the layout rounded every numeric threshold to a float (general nodes ignore theirs).
            nodes32 = layout.nodes.map {
                TreeKernelNode(threshold: Float($0.threshold), word: $0.word, child: $0.child)
            }
            nodes64 = []
        } else {
            nodes32 = []
            nodes64 = layout.nodes
        }
    }

    /// Rows per block: the accumulators and the block's features stay in L1/L2. At most
    /// `MB_TK_BLOCK_ROWS` (the vector walk's block).
    static let blockRows = 64
    /// Values in one block's feature copy at most (very wide rows get smaller blocks).
    static let blockValues = 1 << 16
    /// Rows per block for rows of `featureCount` values: a power of two for the vector walk, whose
    /// column-major blocks put a feature's column `1 << shift` values after the previous one.
    static func blockRows(featureCount: Int, vector: Bool) -> Int {
        let rows = max(1, min(blockRows, blockValues / max(1, featureCount)))
        return vector ? 1 << (Int.bitWidth - 1 - rows.leadingZeroBitCount) : rows
    }

    /// A LightGBM input as its library compares it: values this close to zero are zero.
    @inline(__always)
    static func rounded<T: TreeCompareScalar>(_: T.Type, _ x: Double) -> T {
        T(abs(x) <= ValidatedTreeEnsemble.lightGBMZeroThreshold ? 0 : x)
    }

    /// Blocks of fewer rows than this walk several trees at once per row instead.
    static let interleavedBelow = 4
    static let interleavedTrees = 8
    /// Below this many row × tree steps one core does the whole batch.
    static let parallelThreshold = 1 << 16

    /// Raw scores of `rows` rows of `values` (row-major, `featureCount` wide), [rows × outputCount].
    func raw<Acc: TreeAccumulator>(_: Acc.Type, _ values: [Double], rows: Int) -> [Acc] {
        // Callers pass the ensemble's accumulation type, the one the vector layout was built for; any
        // other would find no Swift layout to walk, so it gets a kernel of its own (never taken today).
        if let vector, vector.accumulatesInFloat != (Acc.self == Float.self) {
            return TreeEnsembleKernel(validated, implementation: .portable).raw(Acc.self, values, rows: rows)
        }
        if let missing = missingValue {
            // A value that stands for missing becomes NaN once, before the walk (the rare case: only
            // XGBoost wrappers fitted with a `missing` other than NaN).
            let inFloat = comparesInFloat
            let masked = values.map { ValidatedTreeEnsemble.isMissing($0, missing, inFloat: inFloat) ? .nan : $0 }
            return walk(Acc.self, masked, rows: rows)
        }
        return walk(Acc.self, values, rows: rows)
    }

    private func walk<Acc: TreeAccumulator>(_: Acc.Type, _ values: [Double], rows: Int) -> [Acc] {
        var out = [Acc](repeating: 0, count: rows * outputCount)
        values.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                if comparesInFloat {
                    run(Acc.self, Float.self, nodes32, input: input, output: output, rows: rows)
                } else {
                    run(Acc.self, Double.self, nodes64, input: input, output: output, rows: rows)
                }
            }
        }
        return out
    }

    static let coreCount: Int = Processors.online

    private func run<Acc: TreeAccumulator, T: TreeCompareScalar>(
        _: Acc.Type,
        _: T.Type,
        _ nodes: [TreeKernelNode<T>],
        input: UnsafeBufferPointer<Double>,
        output: UnsafeMutableBufferPointer<Acc>,
        rows: Int
    ) {
        guard rows > 0, let inputBase = input.baseAddress, let outputBase = output.baseAddress else { return }
        let blockRows = Self.blockRows(featureCount: featureCount, vector: vector != nil)
        let blocks = (rows + blockRows - 1) / blockRows
        let workers = rows * treeCount >= Self.parallelThreshold ? min(Self.coreCount, blocks) : 1
        let leafTable = Acc.leafTable(self)
        nodes.withUnsafeBufferPointer { nodes in
            leafTable.withUnsafeBufferPointer { leaves in
                trees.withUnsafeBufferPointer { trees in
                    // An ensemble without trees has no nodes: any valid pointer will do, none is read.
                    let dummyNode = UnsafeMutablePointer<TreeKernelNode<T>>.allocate(capacity: 1)
                    let dummyLeaf = UnsafeMutablePointer<Acc>.allocate(capacity: 1)
                    defer {
                        dummyNode.deallocate()
                        dummyLeaf.deallocate()
                    }
                    // Unsafe pointers in the hot loop: every index was checked when the layout was built
                    // from the validated ensemble (children, features and leaves in range, depth bounded),
                    // so the per-step bounds checks of arrays would only cost time.
                    let context = TreeKernelContext(
                        nodes: nodes.baseAddress ?? UnsafePointer(dummyNode),
                        leaves: leaves.baseAddress ?? UnsafePointer(dummyLeaf),
                        trees: trees,
                        input: inputBase,
                        output: outputBase,
                        rows: rows,
                        blockRows: blockRows
                    )
                    if workers <= 1 {
                        runBlocks(context, 0..<blocks)
                    } else {
                        DispatchQueue.concurrentPerform(iterations: workers) { worker in
                            runBlocks(context, (blocks * worker / workers)..<(blocks * (worker + 1) / workers))
                        }
                    }
                }
            }
        }
    }

    private func runBlocks<Acc: TreeAccumulator, T: TreeCompareScalar>(
        _ context: TreeKernelContext<Acc, T>,
        _ blocks: Range<Int>
    ) {
        guard !blocks.isEmpty else { return }
        let width = featureCount
        let k = outputCount
        let blockRows = context.blockRows
        let nodes = context.nodes
        let leaves = context.leaves
        let base = baseScores.map { Acc($0) }
        // The vector walk's column-major blocks carry its padding (set: it scans the whole block).
        let blockCapacity = blockRows * width + TreeKernelVectorLayout.blockPadding
        let block = UnsafeMutablePointer<T>.allocate(capacity: blockCapacity)
        block.initialize(repeating: 0, count: blockCapacity)
        let positions = UnsafeMutablePointer<Int32>.allocate(capacity: max(blockRows, Self.interleavedTrees))
        // The vector walk's layout matches this call's precisions (`raw` saw to it); checked again,
        // because a mismatch would misread memory.
        let vector = self.vector.flatMap {
            $0.comparesInFloat == (T.self == Float.self) && $0.accumulatesInFloat == (Acc.self == Float.self)
                ? $0 : nil
        }
        let scratch = UnsafeMutablePointer<Acc>.allocate(capacity: vector?.scratchCount ?? 0)
        defer {
            block.deallocate()
            positions.deallocate()
            scratch.deallocate()
        }
        for blockIndex in blocks {
            let first = blockIndex * blockRows
            let count = min(blockRows, context.rows - first)
            // The block's features, rounded once the way the library compares them: column-major for the
            // vector block walk (rows past `count` zero), row-major otherwise.
            let source = context.input + first * width
            let columns = vector != nil && count >= Self.interleavedBelow
            if columns {
                let shift = blockRows.trailingZeroBitCount
                if count < blockRows {
                    for feature in 0..<width {
                        (block + feature << shift + count).update(repeating: 0, count: blockRows - count)
                    }
                }
                for row in 0..<count {
                    let values = source + row * width
                    if tinyInputsAreZero {
                        for feature in 0..<width {
                            block[feature << shift + row] = Self.rounded(T.self, values[feature])
                        }
                    } else {
                        for feature in 0..<width { block[feature << shift + row] = T(values[feature]) }
                    }
                }
            } else if tinyInputsAreZero {
                for i in 0..<(count * width) { block[i] = Self.rounded(T.self, source[i]) }
            } else {
                for i in 0..<(count * width) { block[i] = T(source[i]) }
            }
            let acc = context.output + first * k
            if !average {
                for row in 0..<count {
                    for j in 0..<k { acc[row * k + j] = base[j] }
                }
            }
            if let vector, columns {
                vector.walkBlock(
                    block: block,
                    width: width,
                    columnShift: blockRows.trailingZeroBitCount,
                    count: count,
                    accumulators: acc,
                    scratch: scratch
                )
            } else if let vector {
                vector.walkRows(features: block, width: width, count: count, accumulators: acc)
            } else if count < Self.interleavedBelow {
                walkInterleaved(context, block: block, source: source, accumulators: acc, rows: count, slots: positions)
            } else {
                for tree in context.trees {
                    if tree.lockStep {
                        for row in 0..<count { positions[row] = tree.root }
                        for _ in 0..<tree.depth {
                            for row in 0..<count {
                                positions[row] = step(
                                    nodes,
                                    positions[row],
                                    block + row * width,
                                    source + row * width
                                )
                            }
                        }
                    } else {
                        for row in 0..<count {
                            var node = tree.root
                            while true {
                                let next = step(nodes, node, block + row * width, source + row * width)
                                if next == node { break }
                                node = next
                            }
                            positions[row] = node
                        }
                    }
                    let target = acc + Int(tree.output)
                    if leafWidth == 1 {
                        for row in 0..<count { target[row * k] += leaves[Int(positions[row])] }
                    } else {
                        for row in 0..<count {
                            let leaf = leaves + Int(positions[row]) * leafWidth
                            for j in 0..<leafWidth { target[row * k + j] += leaf[j] }
                        }
                    }
                }
            }
            if average {
                for row in 0..<count {
                    for j in 0..<k { acc[row * k + j] = acc[row * k + j] / Acc(treesPerOutput[j]) + base[j] }
                }
            }
        }
    }

    /// A few rows (one-row latency): one row walks `interleavedTrees` trees in lock step, so their
    /// independent steps overlap as the rows of a block do; each row still adds the trees in order.
    private func walkInterleaved<Acc: TreeAccumulator, T: TreeCompareScalar>(
        _ context: TreeKernelContext<Acc, T>,
        block: UnsafeMutablePointer<T>,
        source: UnsafePointer<Double>,
        accumulators: UnsafeMutablePointer<Acc>,
        rows: Int,
        slots: UnsafeMutablePointer<Int32>
    ) {
        let trees = context.trees
        let k = outputCount
        var first = 0
        while first < trees.count {
            let end = min(first + Self.interleavedTrees, trees.count)
            var depth: Int32 = 0
            for tree in first..<end { depth = max(depth, trees[tree].depth) }
            for row in 0..<rows {
                let features = block + row * featureCount
                let raw = source + row * featureCount
                for tree in first..<end { slots[tree - first] = trees[tree].root }
                // Leaves point to themselves, so the group's deepest tree sets the step count.
                for _ in 0..<depth {
                    for slot in 0..<(end - first) {
                        slots[slot] = step(context.nodes, slots[slot], features, raw)
                    }
                }
                for tree in first..<end {
                    let leaf = context.leaves + Int(slots[tree - first]) * leafWidth
                    let target = accumulators + row * k + Int(trees[tree].output)
                    for j in 0..<leafWidth { target[j] += leaf[j] }
                }
            }
            first = end
        }
    }

    /// One step down a tree: the index of the child the row goes to (a leaf returns itself).
    @inline(__always)
    private func step<T: TreeCompareScalar>(
        _ nodes: UnsafePointer<TreeKernelNode<T>>,
        _ index: Int32,
        _ features: UnsafePointer<T>,
        _ raw: UnsafePointer<Double>
    ) -> Int32 {
        let node = nodes[Int(index)]
        let feature = Int(node.word & TreeKernelNode<T>.featureMask)
        let right: Int32
        if _fastPath(node.word & TreeKernelNode<T>.generalBit == 0) {
            right = node.goesRight(features[feature])
        } else {
            right = generalGoesRight(index, raw[feature])
        }
        return node.child + right
    }

    /// Categorical and zero-as-missing splits: the reference decision on the unrounded value.
    @inline(never)
    private func generalGoesRight(_ index: Int32, _ value: Double) -> Int32 {
        validated.goesLeft(node: Int(sources[Int(index)]), value: value) ? 0 : 1
    }
}

/// A numeric split in the kernel's layout: 12 bytes for float32 thresholds, 16 for float64.
struct TreeKernelNode<T: TreeCompareScalar>: Sendable {
    /// `x <= threshold` goes left (a leaf: +infinity, so every value stays).
    var threshold: T
    /// The feature index (low 30 bits), ``nanLeftBit`` and ``generalBit``.
    var word: UInt32
    /// The left child's index; the right child follows it. A leaf holds its own index.
    var child: Int32

    static var featureMask: UInt32 { (1 << 30) - 1 }
    /// A missing value (NaN) goes left.
    static var nanLeftBit: UInt32 { 1 << 31 }
    /// The split needs the general decision (categorical, LightGBM zero-as-missing).
    static var generalBit: UInt32 { 1 << 30 }

    /// The split test of a numeric node, branch-free: 1 when `x` goes right. `x > t` goes right; a
    /// NaN compares false both ways and goes right unless ``nanLeftBit`` is set.
    @inline(__always)
    func goesRight(_ x: T) -> Int32 {
        let greater: UInt32 = x > threshold ? 1 : 0
        let missing: UInt32 = x.isNaN ? 1 : 0
        return Int32(bitPattern: greater | (missing & ~(word >> 31)))
    }
}

/// Per tree, what a block needs to walk it.
struct TreeKernelTree: Sendable {
    var root: Int32
    /// The deepest root-to-leaf path (edges): lock-step walks take exactly this many steps.
    var depth: Int32
    var output: Int32
    var lockStep: Bool
}

/// What every worker reads (borrowed for the duration of one `raw` call).
struct TreeKernelContext<Acc: TreeAccumulator, T: TreeCompareScalar>: @unchecked Sendable {
    let nodes: UnsafePointer<TreeKernelNode<T>>
    let leaves: UnsafePointer<Acc>
    let trees: UnsafeBufferPointer<TreeKernelTree>
    let input: UnsafePointer<Double>
    /// Workers write disjoint row ranges.
    let output: UnsafeMutablePointer<Acc>
    let rows: Int
    let blockRows: Int
}

/// The breadth-first re-layout of a validated ensemble (thresholds still as doubles).
struct TreeKernelLayout {
    var nodes: [TreeKernelNode<Double>] = []
    var sources: [Int32] = []
    var leaves: [Double] = []
    var trees: [TreeKernelTree] = []

    init(_ e: TreeEnsemble) {
        nodes.reserveCapacity(e.nodeCount)
        sources.reserveCapacity(e.nodeCount)
        leaves.reserveCapacity(e.nodeCount * e.leafWidth)
        var depths: [Int32] = []
        for tree in 0..<e.treeCount {
            let start = Int(e.treeStarts[tree])
            let root = Int32(nodes.count)
            depths.removeAll(keepingCapacity: true)
            var deepest: Int32 = 0
            var leafCount = 0
            var leafDepths = 0
            // The validator accepted every tree as a tree, so this queue visits each node once.
            appendNode(e, global: start, depth: 0, depths: &depths)
            var head = Int(root)
            while head < nodes.count {
                let global = Int(sources[head])
                let depth = depths[head - Int(root)]
                deepest = max(deepest, depth)
                if e.nodeLeft[global] < 0 {
                    nodes[head].child = Int32(head)
                    leafCount += 1
                    leafDepths += Int(depth)
                } else {
                    nodes[head].child = Int32(nodes.count)
                    appendNode(e, global: start + Int(e.nodeLeft[global]), depth: depth + 1, depths: &depths)
                    appendNode(e, global: start + Int(e.nodeRight[global]), depth: depth + 1, depths: &depths)
                }
                head += 1
            }
            // Lock step costs the deepest path for every row; walking row by row costs about the
            // average path but stalls on each step. Lock step wins unless the tree is very unbalanced.
            let lockStep = Int(deepest) * leafCount <= 2 * leafDepths + 4 * leafCount
            trees.append(TreeKernelTree(root: root, depth: deepest, output: e.treeOutputs[tree], lockStep: lockStep))
        }
    }

    private mutating func appendNode(_ e: TreeEnsemble, global: Int, depth: Int32, depths: inout [Int32]) {
        depths.append(depth)
        sources.append(Int32(global))
        // Zeros at internal nodes, appended one by one: a zero slice per node would allocate each time
        // (it was a tenth of a large ensemble's load time).
        if e.nodeLeft[global] < 0 {
            leaves.append(contentsOf: e.leafValues[(global * e.leafWidth)..<((global + 1) * e.leafWidth)])
        } else {
            for _ in 0..<e.leafWidth { leaves.append(0) }
        }
        guard e.nodeLeft[global] >= 0 else {
            nodes.append(TreeKernelNode(threshold: .infinity, word: TreeKernelNode<Double>.nanLeftBit, child: 0))
            return
        }
        let split = Self.split(e, global)
        var word = UInt32(split.feature)
        if split.general { word |= TreeKernelNode<Double>.generalBit }
        if split.nanLeft { word |= TreeKernelNode<Double>.nanLeftBit }
        nodes.append(TreeKernelNode(threshold: split.threshold, word: word, child: 0))
    }

    /// The split of internal node `global` as both walks take it: a numeric threshold adjusted so that
    /// `x <= threshold` (in the compare precision) decides, and the side a NaN takes. Categorical and
    /// zero-as-missing splits are `general`: they need the reference decision (their threshold is unused).
    static func split(_ e: TreeEnsemble, _ global: Int) -> (
        threshold: Double, feature: Int32, nanLeft: Bool, general: Bool
    ) {
        let flags = TreeEnsemble.NodeFlags(rawValue: e.nodeFlags[global])
        var threshold = e.nodeThreshold[global]
        var nanLeft = flags.contains(.defaultLeft)
        if flags.contains(.categorical) || flags.contains(.zeroIsMissing) {
            return (threshold, e.nodeFeature[global], nanLeft, true)
        }
        switch e.comparison {
        case .float32LessThan: threshold = Double(Float(threshold).nextDown)
        case .float32LessOrEqual:
            // Double(x) <= t for a float x is x <= the largest float not above t.
            var rounded = Float(threshold)
            if Double(rounded) > threshold { rounded = rounded.nextDown }
            threshold = Double(rounded)
        case .float64LessOrEqual: break
        }
        // LightGBM missing type None: NaN is compared as 0.
        if flags.contains(.nanAsZero) { nanLeft = 0 <= threshold }
        return (threshold, e.nodeFeature[global], nanLeft, false)
    }
}

/// The compare precisions: float32 (XGBoost, scikit-learn trees) or float64.
protocol TreeCompareScalar: BinaryFloatingPoint, Sendable {
    init(_ value: Double)
}

extension Float: TreeCompareScalar {}
extension Double: TreeCompareScalar {}

/// float32 (XGBoost) or float64 accumulators.
protocol TreeAccumulator: BinaryFloatingPoint, Sendable {
    static func leafTable(_ kernel: TreeEnsembleKernel) -> [Self]
    static func link(_ link: TreeEnsemble.Link, scale: Double, _ values: UnsafeMutableBufferPointer<Self>)
}

extension Float: TreeAccumulator {
    static func leafTable(_ kernel: TreeEnsembleKernel) -> [Float] { kernel.leavesFloat }
    static func link(_ link: TreeEnsemble.Link, scale: Double, _ values: UnsafeMutableBufferPointer<Float>) {
        TreeLink.apply(link, scale: scale, values)
    }
}

extension Double: TreeAccumulator {
    static func leafTable(_ kernel: TreeEnsembleKernel) -> [Double] { kernel.leaves }
    static func link(_ link: TreeEnsemble.Link, scale: Double, _ values: UnsafeMutableBufferPointer<Double>) {
        TreeLink.apply(link, scale: scale, values)
    }
}
