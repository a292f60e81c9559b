import Dispatch
import ModelBundle

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The batch evaluator: blocks of rows traverse one tree at a time (the tree's nodes stay in cache
/// while every row of the block walks it), each row's accumulator receives the trees in tree order
/// (so sums are bit-identical to the libraries'), and large batches split across cores.
///
/// Nodes are re-laid out as 24-byte records holding what a step needs: threshold, feature, both
/// children as global indices (a negative child is a leaf: `~child` indexes the leaf table). Most
/// numeric splits reduce to one comparison: float32 comparisons are done on inputs rounded to float
/// once per block, with thresholds pre-adjusted so that `x <= t'` decides (`x < t` on floats is
/// `x <= t.nextDown`); a NaN goes right through `x <= t` and left through `!(x > t)`, so a node's
/// default direction picks the form. Only categorical and LightGBM zero-as-missing nodes take the
/// general (reference) decision.
package struct TreeEnsembleKernel: Sendable {
    struct Node: Sendable {
        var threshold: Double
        var feature: Int32
        var left: Int32
        var right: Int32
        /// 0: `x <= t` goes left; 1: `!(x > t)` goes left; 2: the general decision.
        var kind: UInt8
        /// The node's global index in the ensemble (for the general decision).
        var source: Int32
    }

    let validated: ValidatedTreeEnsemble
    let nodes: [Node]
    let roots: [Int32]
    /// Leaf values: `leafWidth` per leaf, in leaf order.
    let leaves: [Double]
    let leavesFloat: [Float]
    let treeOutputs: [Int32]
    let outputCount: Int
    let leafWidth: Int
    let featureCount: Int
    let roundsInputsToFloat: Bool

    package init(_ validated: ValidatedTreeEnsemble) {
        let e = validated.ensemble
        self.validated = validated
        outputCount = e.outputCount
        leafWidth = e.leafWidth
        featureCount = e.featureCount
        treeOutputs = e.treeOutputs
        roundsInputsToFloat = e.comparison != .float64LessOrEqual
        var nodes: [Node] = []
        var leaves: [Double] = []
        var roots: [Int32] = []
        var leafIndex = [Int32](repeating: -1, count: e.nodeCount)
        // Leaves first get their table index; internal nodes keep their global position in `nodes`
        // (only reachable nodes matter; unreachable ones are harmless copies).
        for node in 0..<e.nodeCount where e.nodeLeft[node] < 0 {
            leafIndex[node] = Int32(leaves.count / e.leafWidth)
            leaves.append(contentsOf: e.leafValues[(node * e.leafWidth)..<((node + 1) * e.leafWidth)])
        }
        nodes.reserveCapacity(e.nodeCount)
        for tree in 0..<e.treeCount {
            let start = Int(e.treeStarts[tree])
            roots.append(e.nodeLeft[start] < 0 ? ~leafIndex[start] : Int32(start))
            for node in start..<Int(e.treeStarts[tree + 1]) {
                func child(_ local: Int32) -> Int32 {
                    let global = start + Int(local)
                    return e.nodeLeft[global] < 0 ? ~leafIndex[global] : Int32(global)
                }
                guard e.nodeLeft[node] >= 0 else {
                    nodes.append(Node(threshold: 0, feature: 0, left: -1, right: -1, kind: 2, source: Int32(node)))
                    continue
                }
                let flags = TreeEnsemble.NodeFlags(rawValue: e.nodeFlags[node])
                var threshold = e.nodeThreshold[node]
                var defaultLeft = flags.contains(.defaultLeft)
                var kind: UInt8 = 0
                if flags.contains(.categorical) || flags.contains(.zeroIsMissing) {
                    kind = 2
                } else {
                    switch e.comparison {
                    case .float32LessThan: threshold = Double(Float(threshold).nextDown)
                    case .float32LessOrEqual, .float64LessOrEqual: break
                    }
                    // LightGBM missing type None: NaN is compared as 0.
                    if flags.contains(.nanAsZero) { defaultLeft = 0 <= threshold }
                    kind = defaultLeft ? 1 : 0
                }
                nodes.append(
                    Node(
                        threshold: threshold,
                        feature: e.nodeFeature[node],
                        left: child(e.nodeLeft[node]),
                        right: child(e.nodeRight[node]),
                        kind: kind,
                        source: Int32(node)
                    )
                )
            }
        }
        self.nodes = nodes
        self.roots = roots
        self.leaves = leaves
        self.leavesFloat = leaves.map { Float($0) }
    }

    /// Rows per block: the accumulators and the block's features stay in L1/L2.
    static let blockRows = 64
    /// Below this many row × tree steps one core does the whole batch.
    static let parallelThreshold = 1 << 16

    /// Raw scores of `rows` rows of `values` (row-major, `featureCount` wide), [rows × outputCount].
    func raw<Acc: TreeAccumulator>(_: Acc.Type, _ values: [Double], rows: Int) -> [Acc] {
        var out = [Acc](repeating: 0, count: rows * outputCount)
        let blocks = (rows + Self.blockRows - 1) / Self.blockRows
        let workers = rows * roots.count >= Self.parallelThreshold ? min(TreeEnsembleKernel.coreCount, blocks) : 1
        values.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                let base = input.baseAddress
                let outBase = output.baseAddress
                if workers <= 1 {
                    runBlocks(Acc.self, input: base, output: outBase, rows: rows, blocks: 0..<blocks)
                } else {
                    nonisolated(unsafe) let sharedInput = base
                    nonisolated(unsafe) let sharedOutput = outBase
                    DispatchQueue.concurrentPerform(iterations: workers) { worker in
                        let lower = blocks * worker / workers
                        let upper = blocks * (worker + 1) / workers
                        runBlocks(Acc.self, input: sharedInput, output: sharedOutput, rows: rows, blocks: lower..<upper)
                    }
                }
            }
        }
        return out
    }

    static let coreCount: Int = max(1, min(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), 64))

    private func runBlocks<Acc: TreeAccumulator>(
        _: Acc.Type,
        input: UnsafePointer<Double>?,
        output: UnsafeMutablePointer<Acc>?,
        rows: Int,
        blocks: Range<Int>
    ) {
        guard let input, let output, !blocks.isEmpty else { return }
        let e = validated.ensemble
        let width = featureCount
        let k = outputCount
        let average = e.combination == .average
        var block = [Double](repeating: 0, count: Self.blockRows * width)
        let leafTable = Acc.leafTable(self)
        nodes.withUnsafeBufferPointer { nodes in
            leafTable.withUnsafeBufferPointer { leaves in
                block.withUnsafeMutableBufferPointer { block in
                    for blockIndex in blocks {
                        let first = blockIndex * Self.blockRows
                        let count = min(Self.blockRows, rows - first)
                        // The block's features, rounded once the way the library compares them.
                        let source = input + first * width
                        for i in 0..<(count * width) {
                            var x = source[i]
                            if e.tinyInputsAreZero && abs(x) <= ValidatedTreeEnsemble.lightGBMZeroThreshold { x = 0 }
                            block[i] = roundsInputsToFloat ? Double(Float(x)) : x
                        }
                        let acc = output + first * k
                        if !average {
                            for row in 0..<count {
                                for j in 0..<k { acc[row * k + j] = Acc(e.baseScores[j]) }
                            }
                        }
                        for tree in 0..<roots.count {
                            let root = roots[tree]
                            let firstOutput = Int(treeOutputs[tree])
                            for row in 0..<count {
                                let features = block.baseAddress! + row * width
                                var node = root
                                while node >= 0 {
                                    let n = nodes[Int(node)]
                                    let x = features[Int(n.feature)]
                                    let left: Bool
                                    switch n.kind {
                                    case 0: left = x <= n.threshold
                                    case 1: left = !(x > n.threshold)
                                    default:
                                        left = validated.goesLeft(
                                            node: Int(n.source),
                                            value: source[row * width + Int(n.feature)]
                                        )
                                    }
                                    node = left ? n.left : n.right
                                }
                                let leaf = Int(~node) * leafWidth
                                let target = acc + row * k + firstOutput
                                for j in 0..<leafWidth { target[j] += leaves[leaf + j] }
                            }
                        }
                        if average {
                            for row in 0..<count {
                                for j in 0..<k {
                                    acc[row * k + j] =
                                        acc[row * k + j] / Acc(validated.treesPerOutput[j]) + Acc(e.baseScores[j])
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// float32 (XGBoost) or float64 accumulators.
protocol TreeAccumulator: BinaryFloatingPoint, Sendable {
    static func leafTable(_ kernel: TreeEnsembleKernel) -> [Self]
    static func link(_ link: TreeEnsemble.Link, scale: Double, _ values: [Self]) -> [Self]
}

extension Float: TreeAccumulator {
    static func leafTable(_ kernel: TreeEnsembleKernel) -> [Float] { kernel.leavesFloat }
    static func link(_ link: TreeEnsemble.Link, scale: Double, _ values: [Float]) -> [Float] {
        TreeLink.apply(link, scale: scale, values)
    }
}

extension Double: TreeAccumulator {
    static func leafTable(_ kernel: TreeEnsembleKernel) -> [Double] { kernel.leaves }
    static func link(_ link: TreeEnsemble.Link, scale: Double, _ values: [Double]) -> [Double] {
        TreeLink.apply(link, scale: scale, values)
    }
}
