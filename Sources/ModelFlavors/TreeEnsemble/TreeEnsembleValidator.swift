package import ModelBundle

/// A tree ensemble the validator accepted: every index in range, every tree a tree (no cycle, no
/// shared child, depth bounded), every value finite. Evaluators take only this type, so nothing
/// traverses unchecked arrays.
package struct ValidatedTreeEnsemble: Sendable {
    package let ensemble: TreeEnsemble
    /// Number of trees feeding each output (the divisor of ``TreeEnsemble/Combination/average``).
    package let treesPerOutput: [Int]
    /// The deepest root-to-leaf path over all trees (edges).
    package let maximumDepth: Int

    fileprivate init(ensemble: TreeEnsemble, treesPerOutput: [Int], maximumDepth: Int) {
        self.ensemble = ensemble
        self.treesPerOutput = treesPerOutput
        self.maximumDepth = maximumDepth
    }
}

extension TreeEnsemble {
    /// Checks everything an evaluator relies on and returns the ensemble as a
    /// ``ValidatedTreeEnsemble``.
    ///
    /// - Parameter featureWidth: the row width the signature declares, when it declares one: a
    ///   split on a feature beyond it is refused.
    /// - Throws: `weightsInvalid` naming the tree and node (`tree 3 node 17`), or the ensemble
    ///   field at fault.
    package func validated(featureWidth: Int? = nil) throws(ModelBundleError) -> ValidatedTreeEnsemble {
        try validateSettings(featureWidth: featureWidth)
        try validateArrays()
        var treesPerOutput = [Int](repeating: 0, count: outputCount)
        var deepest = 0
        // One scratch for every tree, as large as the largest tree: the visit marks and the explicit DFS
        // stack (a node is pushed at most once). Raw buffers: array appends and pops, with their
        // uniqueness checks, were about half of validating a large ensemble.
        var largest = 0
        for tree in 0..<treeCount { largest = max(largest, Int(treeStarts[tree + 1]) - Int(treeStarts[tree])) }
        let scratch = TreeWalkScratch(capacity: largest)
        defer { scratch.deallocate() }
        for tree in 0..<treeCount {
            let output = Int(treeOutputs[tree])
            guard output >= 0, output <= outputCount - leafWidth else {
                throw Self.invalid(
                    "tree \(tree) feeds outputs \(output)..<\(output + leafWidth) but the model has \(outputCount)",
                    tree: tree
                )
            }
            for k in output..<(output + leafWidth) { treesPerOutput[k] += 1 }
            deepest = max(deepest, try validateTree(tree, scratch))
        }
        if combination == .average, let empty = treesPerOutput.firstIndex(of: 0) {
            throw ModelBundleError(
                .weightsInvalid,
                "output \(empty) is fed by no tree, so its average is undefined",
                item: "tree_outputs"
            )
        }
        return ValidatedTreeEnsemble(ensemble: self, treesPerOutput: treesPerOutput, maximumDepth: deepest)
    }

    private func validateSettings(featureWidth: Int?) throws(ModelBundleError) {
        guard featureCount >= 1, featureCount <= TreeEnsembleLimits.maximumFeatures else {
            throw ModelBundleError(
                .weightsInvalid,
                "the ensemble declares \(featureCount) features; expected 1 to \(TreeEnsembleLimits.maximumFeatures)",
                item: "feature_count"
            )
        }
        if let featureWidth, featureWidth != featureCount {
            throw ModelBundleError(
                .weightsInvalid,
                "the ensemble takes \(featureCount) features but the signature's inputs have \(featureWidth)",
                item: "feature_count"
            )
        }
        guard outputCount >= 1, outputCount <= TreeEnsembleLimits.maximumOutputs else {
            throw ModelBundleError(
                .weightsInvalid,
                "the ensemble declares \(outputCount) outputs; expected 1 to \(TreeEnsembleLimits.maximumOutputs)",
                item: "output_count"
            )
        }
        guard leafWidth == 1 || leafWidth == outputCount else {
            throw ModelBundleError(
                .weightsInvalid,
                "leaves hold \(leafWidth) values; expected 1 or the output count \(outputCount)",
                item: "leaf_width"
            )
        }
        guard baseScores.count == outputCount else {
            throw ModelBundleError(
                .weightsInvalid,
                "there are \(baseScores.count) base scores for \(outputCount) outputs (inconsistent output groups)",
                item: "base_scores"
            )
        }
        if let bad = baseScores.firstIndex(where: { !$0.isFinite }) {
            throw ModelBundleError(.weightsInvalid, "base score \(bad) is not finite", item: "base_scores")
        }
        if accumulation == .float32, let bad = baseScores.firstIndex(where: { Double(Float($0)) != $0 }) {
            throw ModelBundleError(
                .weightsInvalid,
                "base score \(bad) is not a float32 value but the ensemble accumulates in float32",
                item: "base_scores"
            )
        }
        guard linkScale.isFinite else {
            throw ModelBundleError(.weightsInvalid, "the link scale is not finite", item: "link_scale")
        }
        if (link == .softmax || link == .xgboostSoftmax) && outputCount < 2 {
            throw ModelBundleError(
                .weightsInvalid,
                "a softmax link needs at least 2 outputs; this ensemble has \(outputCount)",
                item: "link"
            )
        }
    }

    private func validateArrays() throws(ModelBundleError) {
        let nodes = nodeFeature.count
        guard treeStarts.count >= 2, treeStarts.count - 1 <= TreeEnsembleLimits.maximumTrees else {
            throw ModelBundleError(
                .weightsInvalid,
                "the ensemble has \(treeStarts.count - 1) trees; expected 1 to \(TreeEnsembleLimits.maximumTrees)",
                item: "tree_starts"
            )
        }
        guard treeOutputs.count == treeStarts.count - 1 else {
            throw ModelBundleError(
                .weightsInvalid,
                "tree_outputs has \(treeOutputs.count) entries for \(treeStarts.count - 1) trees",
                item: "tree_outputs"
            )
        }
        guard nodes <= TreeEnsembleLimits.maximumNodes,
            nodeThreshold.count == nodes, nodeLeft.count == nodes, nodeRight.count == nodes,
            nodeFlags.count == nodes, nodeCategorySet.count == nodes
        else {
            throw ModelBundleError(
                .weightsInvalid,
                "the node arrays disagree in length or exceed \(TreeEnsembleLimits.maximumNodes) nodes",
                item: "node_feature"
            )
        }
        let (leafCount, overflow) = nodes.multipliedReportingOverflow(by: leafWidth)
        guard !overflow, leafValues.count == leafCount else {
            throw ModelBundleError(
                .weightsInvalid,
                "leaf_values holds \(leafValues.count) values; \(nodes) nodes × \(leafWidth) expected",
                item: "leaf_values"
            )
        }
        guard treeStarts.first == 0, treeStarts.last.map(Int.init) == nodes else {
            throw ModelBundleError(
                .weightsInvalid,
                "tree_starts must start at 0 and end at the node count \(nodes)",
                item: "tree_starts"
            )
        }
        for tree in 0..<(treeStarts.count - 1) {
            let size = Int(treeStarts[tree + 1]) - Int(treeStarts[tree])
            guard size >= 1, size <= TreeEnsembleLimits.maximumNodesPerTree else {
                throw Self.invalid(
                    "tree \(tree) has \(size) nodes; expected 1 to \(TreeEnsembleLimits.maximumNodesPerTree)",
                    tree: tree
                )
            }
        }
        guard categoryOffsets.first == 0, categoryWords.count <= TreeEnsembleLimits.maximumTotalCategoryWords,
            categoryOffsets.last.map(Int.init) == categoryWords.count
        else {
            throw ModelBundleError(
                .weightsInvalid,
                "category_offsets must start at 0 and end at the word count \(categoryWords.count) "
                    + "(at most \(TreeEnsembleLimits.maximumTotalCategoryWords))",
                item: "category_offsets"
            )
        }
        for set in 0..<(categoryOffsets.count - 1) {
            let size = Int(categoryOffsets[set + 1]) - Int(categoryOffsets[set])
            guard size >= 0, size <= TreeEnsembleLimits.maximumCategoryWords else {
                throw ModelBundleError(
                    .weightsInvalid,
                    "category set \(set) has \(size) words; expected 0 to \(TreeEnsembleLimits.maximumCategoryWords)",
                    item: "category set \(set)"
                )
            }
        }
    }

    /// Walks tree `tree` from its root with an explicit stack; returns its depth.
    private func validateTree(_ tree: Int, _ scratch: TreeWalkScratch) throws(ModelBundleError) -> Int {
        let start = Int(treeStarts[tree])
        let size = Int(treeStarts[tree + 1]) - start
        let visited = scratch.visited
        let stackNodes = scratch.nodes
        let stackDepths = scratch.depths
        UnsafeMutableBufferPointer(rebasing: visited[0..<size]).update(repeating: false)
        stackNodes[0] = 0
        stackDepths[0] = 0
        var top = 1
        visited[0] = true
        var deepest = 0
        let setCount = categoryOffsets.count - 1
        while top > 0 {
            top -= 1
            let local = stackNodes[top]
            let depth = stackDepths[top]
            let node = Int(local)
            let global = start + node
            let left = nodeLeft[global]
            let right = nodeRight[global]
            let flags = NodeFlags(rawValue: nodeFlags[global])
            guard NodeFlags.known.isSuperset(of: flags) else {
                throw Self.invalid("has unknown flag bits \(flags.rawValue)", tree: tree, node: node)
            }
            if left == -1 && right == -1 {
                deepest = max(deepest, Int(depth))
                for k in 0..<leafWidth where !leafValues[global * leafWidth + k].isFinite {
                    throw Self.invalid("leaf value \(k) is not finite", tree: tree, node: node)
                }
                continue
            }
            guard Int(depth) < TreeEnsembleLimits.maximumDepth else {
                throw Self.invalid(
                    "lies deeper than the limit of \(TreeEnsembleLimits.maximumDepth) levels",
                    tree: tree,
                    node: node
                )
            }
            let feature = nodeFeature[global]
            guard feature >= 0, Int(feature) < featureCount else {
                throw Self.invalid(
                    "splits on feature \(feature) but the model takes \(featureCount) features",
                    tree: tree,
                    node: node
                )
            }
            if flags.contains(.categorical) {
                let set = nodeCategorySet[global]
                guard set >= 0, Int(set) < setCount else {
                    throw Self.invalid(
                        "names category set \(set) but there are \(setCount)",
                        tree: tree,
                        node: node
                    )
                }
            } else {
                // +inf is a real threshold: scikit-learn splits "missing vs everything" with it.
                let threshold = nodeThreshold[global]
                // A threshold that is -inf as a float32 would make `x < t` and `x <= t.nextDown` differ.
                let negativeInfinity =
                    threshold == -.infinity || (comparison != .float64LessOrEqual && Float(threshold) == -.infinity)
                guard !threshold.isNaN, !negativeInfinity else {
                    throw Self.invalid("has threshold \(threshold)", tree: tree, node: node)
                }
            }
            // Both children, without an array literal per node (an allocation each).
            for child in (0..<2).lazy.map({ $0 == 0 ? left : right }) {
                guard child > 0, Int(child) < size else {
                    throw Self.invalid(
                        "has child \(child) outside the tree's \(size) nodes (or a root reference)",
                        tree: tree,
                        node: node
                    )
                }
                guard !visited[Int(child)] else {
                    throw Self.invalid(
                        "reaches node \(child) a second time (a cycle or a shared child)",
                        tree: tree,
                        node: node
                    )
                }
                visited[Int(child)] = true
                // At most `size` pushes in all (each marks a new node), so `top` stays in the scratch.
                stackNodes[top] = child
                stackDepths[top] = depth + 1
                top += 1
            }
        }
        return deepest
    }

    package static func invalid(_ message: String, tree: Int, node: Int? = nil) -> ModelBundleError {
        if let node {
            return ModelBundleError(
                .weightsInvalid,
                "tree \(tree) node \(node) \(message)",
                item: "tree \(tree) node \(node)"
            )
        }
        return ModelBundleError(.weightsInvalid, message, item: "tree \(tree)")
    }
}

/// The validator's per-tree scratch, allocated once for the largest tree.
private struct TreeWalkScratch {
    let visited: UnsafeMutableBufferPointer<Bool>
    let nodes: UnsafeMutableBufferPointer<Int32>
    let depths: UnsafeMutableBufferPointer<Int32>

    init(capacity: Int) {
        visited = .allocate(capacity: max(capacity, 1))
        nodes = .allocate(capacity: max(capacity, 1))
        depths = .allocate(capacity: max(capacity, 1))
    }

    func deallocate() {
        visited.deallocate()
        nodes.deallocate()
        depths.deallocate()
    }
}
