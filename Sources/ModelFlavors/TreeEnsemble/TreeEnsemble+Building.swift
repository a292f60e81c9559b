package import ModelBundle

extension TreeEnsemble {
    /// One node as a reader produces it, before it joins the flat arrays.
    package struct Node: Sendable, Hashable {
        package var feature: Int32
        package var threshold: Double
        package var left: Int32
        package var right: Int32
        package var flags: NodeFlags
        package var categorySet: Int32
        /// ``TreeEnsemble/leafWidth`` values at a leaf; empty (read as zeros) at an internal node.
        package var leaf: [Double]

        /// A numeric split.
        package static func split(
            feature: Int32,
            threshold: Double,
            left: Int32,
            right: Int32,
            flags: NodeFlags = []
        ) -> Node {
            Node(
                feature: feature,
                threshold: threshold,
                left: left,
                right: right,
                flags: flags,
                categorySet: -1,
                leaf: []
            )
        }

        /// A categorical split on set `categorySet` (from ``TreeEnsemble/appendCategorySet(_:)``).
        package static func categorical(
            feature: Int32,
            categorySet: Int32,
            left: Int32,
            right: Int32,
            flags: NodeFlags
        ) -> Node {
            Node(
                feature: feature,
                threshold: 0,
                left: left,
                right: right,
                flags: flags.union(.categorical),
                categorySet: categorySet,
                leaf: []
            )
        }

        /// A leaf holding `values`.
        package static func leaf(_ values: [Double]) -> Node {
            Node(feature: -1, threshold: 0, left: -1, right: -1, flags: [], categorySet: -1, leaf: values)
        }
    }

    /// Adds a category bitset and returns its index for ``Node/categorical(feature:categorySet:left:right:flags:)``.
    ///
    /// - Throws: `weightsInvalid` when the set is larger than ``TreeEnsembleLimits/maximumCategoryWords``.
    package mutating func appendCategorySet(_ words: [UInt32]) throws(ModelBundleError) -> Int32 {
        guard words.count <= TreeEnsembleLimits.maximumCategoryWords,
            categoryWords.count + words.count <= TreeEnsembleLimits.maximumTotalCategoryWords
        else {
            throw ModelBundleError(
                .weightsInvalid,
                "a category set of \(words.count) words exceeds the limit of "
                    + "\(TreeEnsembleLimits.maximumCategoryWords) words per set "
                    + "(\(TreeEnsembleLimits.maximumTotalCategoryWords) in all)",
                item: "category set \(categoryOffsets.count - 1)"
            )
        }
        categoryWords.append(contentsOf: words)
        categoryOffsets.append(Int32(categoryWords.count))
        return Int32(categoryOffsets.count - 2)
    }

    /// Appends a tree feeding outputs `output ..< output + leafWidth`.
    ///
    /// - Throws: `weightsInvalid` when the tree or the ensemble grows beyond ``TreeEnsembleLimits``
    ///   (checked before the arrays grow), or a leaf has the wrong number of values.
    package mutating func appendTree(output: Int, nodes: [Node]) throws(ModelBundleError) {
        try checkNewTree(output: output, nodeCount: nodes.count)
        for (index, node) in nodes.enumerated() where !node.leaf.isEmpty && node.leaf.count != leafWidth {
            throw ModelBundleError(
                .weightsInvalid,
                "tree \(treeCount) node \(index) holds \(node.leaf.count) leaf values; the model's leaves hold \(leafWidth)",
                item: "tree \(treeCount) node \(index)"
            )
        }
        appendNodes(nodes)
        for node in nodes {
            if node.leaf.isEmpty {
                leafValues.append(contentsOf: repeatElement(0, count: leafWidth))
            } else {
                leafValues.append(contentsOf: node.leaf)
            }
        }
        treeStarts.append(Int32(nodeCount))
        treeOutputs.append(Int32(output))
    }

    /// Appends a tree of `nodeCount` nodes that `write` adds one by one to a ``NodeColumns``,
    /// straight into the ensemble's arrays (no ``Node`` per node, no second copy), and whose leaf
    /// values `write` returns in one array (``leafWidth`` per node, zeros at internal nodes). A
    /// reader of fixed-size node records (scikit-learn's `Tree`) so converts a tree in one pass.
    ///
    /// - Throws: `weightsInvalid` as ``appendTree(output:nodes:)`` (the limits are checked before
    ///   `write` runs) or when `write` leaves other counts of nodes or leaf values than declared;
    ///   or whatever `write` throws. After a throw the ensemble holds part of the tree and must be
    ///   discarded.
    package mutating func appendTree(
        output: Int,
        nodeCount count: Int,
        writingNodes write: (inout NodeColumns) throws(ModelBundleError) -> [Double]
    ) throws(ModelBundleError) {
        try checkNewTree(output: output, nodeCount: count)
        let tree = treeCount
        // The arrays move into the columns and back (swaps, not copies), so appending stays in place.
        var columns = NodeColumns()
        exchangeColumns(&columns)
        let start = columns.feature.count
        let leaves: [Double]
        do {
            defer { exchangeColumns(&columns) }
            leaves = try write(&columns)
        }
        let written = nodeCount - start
        guard written == count, leaves.count == count * leafWidth else {
            throw ModelBundleError(
                .weightsInvalid,
                "tree \(tree) has \(written) nodes and \(leaves.count) leaf values; expected \(count) nodes "
                    + "holding \(leafWidth) values each",
                item: "tree \(tree)"
            )
        }
        leafValues.append(contentsOf: leaves)
        treeStarts.append(Int32(nodeCount))
        treeOutputs.append(Int32(output))
    }

    private mutating func exchangeColumns(_ columns: inout NodeColumns) {
        swap(&columns.feature, &nodeFeature)
        swap(&columns.threshold, &nodeThreshold)
        swap(&columns.left, &nodeLeft)
        swap(&columns.right, &nodeRight)
        swap(&columns.flags, &nodeFlags)
        swap(&columns.categorySet, &nodeCategorySet)
    }

    /// The split fields of the nodes being appended by ``appendTree(output:nodeCount:writingNodes:)``.
    package struct NodeColumns {
        fileprivate var feature: [Int32] = []
        fileprivate var threshold: [Double] = []
        fileprivate var left: [Int32] = []
        fileprivate var right: [Int32] = []
        fileprivate var flags: [UInt8] = []
        fileprivate var categorySet: [Int32] = []

        /// A numeric split, as ``Node/split(feature:threshold:left:right:flags:)``.
        package mutating func appendSplit(
            feature: Int32,
            threshold: Double,
            left: Int32,
            right: Int32,
            flags: NodeFlags = []
        ) {
            self.feature.append(feature)
            self.threshold.append(threshold)
            self.left.append(left)
            self.right.append(right)
            self.flags.append(flags.rawValue)
            categorySet.append(-1)
        }

        /// A leaf, as ``Node/leaf(_:)`` (its values are the tree's `leafValues`).
        package mutating func appendLeaf() {
            appendSplit(feature: -1, threshold: 0, left: -1, right: -1)
        }
    }

    /// Called once the first of `trees` trees is in: makes room for the others' nodes and leaf
    /// values in one allocation per array, estimating each at half as many again as the first
    /// (a forest's or a boosting's trees are alike in size).
    ///
    /// An ensemble appended tree by tree otherwise doubles and copies each array a dozen times,
    /// touching about twice the final memory (a 100-tree forest: 230 more page faults, 1 ms of its
    /// 18 ms `predict`). Room never used stays untouched, so an estimate on the high side costs
    /// address space, not memory; it is capped at ``reservedNodesCap`` so that a huge first tree
    /// followed by small ones reserves at most ~70 MB (beyond, the arrays grow as before).
    package mutating func reserveCapacity(afterFirstTreeOf trees: Int) {
        let first = nodeCount
        let (estimate, overflow) = (first + first / 2).multipliedReportingOverflow(by: max(trees - 1, 0))
        let nodes = first + min(overflow ? .max : estimate, Self.reservedNodesCap)
        guard treeCount == 1, nodes > nodeFeature.capacity else { return }
        nodeFeature.reserveCapacity(nodes)
        nodeThreshold.reserveCapacity(nodes)
        nodeLeft.reserveCapacity(nodes)
        nodeRight.reserveCapacity(nodes)
        nodeFlags.reserveCapacity(nodes)
        nodeCategorySet.reserveCapacity(nodes)
        // leafWidth is bounded by the outputs limit, so the product cannot overflow; a model with
        // many classes reserves at most four values per capped node beyond its first tree's.
        leafValues.reserveCapacity(min(nodes * leafWidth, leafValues.count + 4 * Self.reservedNodesCap))
    }

    /// The most nodes ``reserveCapacity(afterFirstTreeOf:)`` reserves beyond the first tree's.
    package static let reservedNodesCap = 1 << 20

    /// Refuses a tree that would take the ensemble beyond its limits, before anything grows.
    private func checkNewTree(output: Int, nodeCount count: Int) throws(ModelBundleError) {
        let tree = treeCount
        guard tree < TreeEnsembleLimits.maximumTrees else {
            throw ModelBundleError(
                .weightsInvalid,
                "the ensemble has more than \(TreeEnsembleLimits.maximumTrees) trees",
                item: "tree \(tree)"
            )
        }
        guard count >= 1, count <= TreeEnsembleLimits.maximumNodesPerTree,
            nodeCount + count <= TreeEnsembleLimits.maximumNodes
        else {
            throw ModelBundleError(
                .weightsInvalid,
                "tree \(tree) has \(count) nodes; a tree needs 1 to \(TreeEnsembleLimits.maximumNodesPerTree) "
                    + "and the ensemble at most \(TreeEnsembleLimits.maximumNodes)",
                item: "tree \(tree)"
            )
        }
        guard output >= 0, output < outputCount else {
            throw ModelBundleError(
                .weightsInvalid,
                "tree \(tree) feeds output \(output) but the model has \(outputCount) outputs",
                item: "tree \(tree)"
            )
        }
    }

    /// The nodes' split fields, without their leaves. No reserveCapacity here: an exact reservation
    /// per tree reallocated the arrays for every tree (quadratic over an ensemble); the readers
    /// reserve once, after the first tree (``reserveCapacity(afterFirstTreeOf:)``), and appending
    /// grows the arrays geometrically beyond that.
    private mutating func appendNodes(_ nodes: [Node]) {
        // By index: the fields are read in place, without copying each node (and retaining its leaf).
        for index in nodes.indices {
            nodeFeature.append(nodes[index].feature)
            nodeThreshold.append(nodes[index].threshold)
            nodeLeft.append(nodes[index].left)
            nodeRight.append(nodes[index].right)
            nodeFlags.append(nodes[index].flags.rawValue)
            nodeCategorySet.append(nodes[index].categorySet)
        }
    }
}

extension TreeEnsemble {
    /// The ensemble of its first `count` trees: what a boosting library's predict answers when it
    /// stops at an earlier round (early stopping's best iteration). Category sets are kept whole;
    /// the ones only later trees name are simply not reached.
    package func prefix(trees count: Int) -> TreeEnsemble {
        guard count >= 0, count < treeCount else { return self }
        var result = self
        let nodes = Int(treeStarts[count])
        result.treeStarts = Array(treeStarts[...count])
        result.treeOutputs = Array(treeOutputs[..<count])
        result.nodeFeature = Array(nodeFeature[..<nodes])
        result.nodeThreshold = Array(nodeThreshold[..<nodes])
        result.nodeLeft = Array(nodeLeft[..<nodes])
        result.nodeRight = Array(nodeRight[..<nodes])
        result.nodeFlags = Array(nodeFlags[..<nodes])
        result.nodeCategorySet = Array(nodeCategorySet[..<nodes])
        result.leafValues = Array(leafValues[..<(nodes * leafWidth)])
        return result
    }
}
