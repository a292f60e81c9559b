import ModelBundle
import ModelFlavors
import Testing

/// The core representation: hand-built trees with hand-computed answers, and the hostile-model
/// catalogue the validator must refuse naming the tree and node.
@Suite struct TreeEnsembleCoreTests {
    typealias Node = TreeEnsemble.Node

    /// x0 < 0.5 ? (x1 < 2 ? 1 : 2) : 3, XGBoost semantics, NaN goes right at the root, left below.
    static func stump(comparison: TreeEnsemble.Comparison = .float32LessThan) throws -> TreeEnsemble {
        var e = TreeEnsemble(
            featureCount: 2,
            outputCount: 1,
            baseScores: [0.25],
            comparison: comparison,
            accumulation: .float32,
            task: .regression
        )
        try e.appendTree(
            output: 0,
            nodes: [
                .split(feature: 0, threshold: 0.5, left: 1, right: 2),
                .split(feature: 1, threshold: 2, left: 3, right: 4, flags: .defaultLeft),
                .leaf([3]),
                .leaf([1]),
                .leaf([2]),
            ]
        )
        return e
    }

    func raw(_ e: ValidatedTreeEnsemble, _ row: [Double]) -> Double {
        row.withUnsafeBufferPointer { e.rawScores(row: $0)[0] }
    }

    @Test func routesAndAccumulates() throws {
        let e = try Self.stump().validated()
        #expect(raw(e, [0, 0]) == 1.25)
        #expect(raw(e, [0, 2]) == 2.25)  // 2 < 2 is false: right
        #expect(raw(e, [0.5, 0]) == 3.25)
        #expect(raw(e, [.nan, 0]) == 3.25)  // root default is right
        #expect(raw(e, [0, .nan]) == 1.25)  // inner default is left
    }

    @Test func comparisonPrecision() throws {
        // 0.49999999 rounds to 0.5 in float32: XGBoost (float < float) goes right, float64 <= goes left.
        let x = 0.49999999
        #expect(raw(try Self.stump(comparison: .float32LessThan).validated(), [x, 0]) == 3.25)
        #expect(raw(try Self.stump(comparison: .float64LessOrEqual).validated(), [x, 0]) == 1.25)
        // float32 <= with a float64 threshold: Float(0.5000000001) == 0.5 <= 0.5: left.
        #expect(raw(try Self.stump(comparison: .float32LessOrEqual).validated(), [0.5000000001, 0]) == 1.25)
        #expect(raw(try Self.stump(comparison: .float64LessOrEqual).validated(), [0.5000000001, 0]) == 3.25)
    }

    @Test func categoricalRules() throws {
        var e = TreeEnsemble(
            featureCount: 1,
            outputCount: 1,
            baseScores: [0],
            comparison: .float32LessThan,
            accumulation: .float64,
            task: .regression
        )
        let set = try e.appendCategorySet([0b1010])  // categories 1 and 3
        try e.appendTree(
            output: 0,
            nodes: [
                .categorical(feature: 0, categorySet: set, left: 1, right: 2, flags: [.categoryOutOfRangeLeft]),
                .leaf([-1]),
                .leaf([1]),
            ]
        )
        // XGBoost: members go right; negative, huge, and beyond the bitset go left; 3.7 is 3.
        var v = try e.validated()
        #expect(raw(v, [1]) == 1)
        #expect(raw(v, [3.7]) == 1)
        #expect(raw(v, [2]) == -1)
        #expect(raw(v, [-0.5]) == -1)
        #expect(raw(v, [40]) == -1)
        #expect(raw(v, [.nan]) == 1)  // NaN: default side (right)
        // LightGBM: members go left, out of range and NaN right, -0.5 truncates to category 0.
        e.categoryRule = .lightgbm
        e.nodeFlags[0] = TreeEnsemble.NodeFlags([.categorical, .categoryMembersLeft]).rawValue
        v = try e.validated()
        #expect(raw(v, [1]) == -1)
        #expect(raw(v, [0]) == 1)
        #expect(raw(v, [-0.5]) == 1)
        #expect(raw(v, [-1]) == 1)
        #expect(raw(v, [3e10]) == 1)
        #expect(raw(v, [.nan]) == 1)
    }

    @Test func lightGBMMissingTypes() throws {
        var e = TreeEnsemble(
            featureCount: 1,
            outputCount: 1,
            baseScores: [0],
            comparison: .float64LessOrEqual,
            accumulation: .float64,
            tinyInputsAreZero: true,
            task: .regression
        )
        try e.appendTree(
            output: 0,
            nodes: [.split(feature: 0, threshold: -1, left: 1, right: 2, flags: .nanAsZero), .leaf([-1]), .leaf([1])]
        )
        try e.appendTree(
            output: 0,
            nodes: [
                .split(feature: 0, threshold: 5, left: 1, right: 2, flags: [.zeroIsMissing]), .leaf([10]),
                .leaf([20]),
            ]
        )
        let v = try e.validated()
        #expect(raw(v, [.nan]) == 21)  // None: NaN is 0 > -1; Zero: NaN is 0, missing, default right
        #expect(raw(v, [1e-36]) == 21)
        #expect(raw(v, [3]) == 11)
        #expect(raw(v, [-2]) == 9)
    }

    @Test func averageAndLinks() throws {
        var e = TreeEnsemble(
            featureCount: 1,
            outputCount: 2,
            leafWidth: 2,
            baseScores: [0, 0],
            comparison: .float32LessOrEqual,
            accumulation: .float64,
            combination: .average,
            task: .classification
        )
        for value in [0.25, 0.75] {
            try e.appendTree(output: 0, nodes: [.leaf([value, 1 - value])])
        }
        let v = try e.validated()
        let scores = [1.0].withUnsafeBufferPointer { v.rawScores(row: $0) }
        #expect(scores == [0.5, 0.5])
        #expect(v.classIndex(scores) == 0)
        #expect(TreeLink.apply(.softmax, scale: 1, [0.0, 0.0]) == [0.5, 0.5])
        #expect(TreeLink.apply(.sigmoid, scale: 2, [0.0]) == [0.5])
        #expect(TreeLink.xgboostSigmoid(0) == 0.5)
        #expect(TreeLink.xgboostSoftmax([1, 1, 1]) == [Float(1) / 3, Float(1) / 3, Float(1) / 3])
    }

    // MARK: Hostile models

    func refusal(_ edit: (inout TreeEnsemble) -> Void, featureWidth: Int? = nil) throws -> ModelBundleError {
        var e = try Self.stump()
        edit(&e)
        return try #require(throws: ModelBundleError.self) { try e.validated(featureWidth: featureWidth) }
    }

    @Test func refusesCycles() throws {
        let error = try refusal { $0.nodeLeft[1] = 1 }
        #expect(error.item == "tree 0 node 1")
        #expect(error.message.contains("second time"))
        let root = try refusal { $0.nodeLeft[1] = 0 }
        #expect(root.item == "tree 0 node 1")
    }

    @Test func refusesSharedChildren() throws {
        let error = try refusal { $0.nodeRight[1] = 2 }
        #expect(error.item == "tree 0 node 1")
    }

    @Test func refusesChildrenOutOfRange() throws {
        #expect(try refusal { $0.nodeRight[0] = 5 }.item == "tree 0 node 0")
        #expect(try refusal { $0.nodeRight[0] = -3 }.item == "tree 0 node 0")
        #expect(try refusal { $0.nodeLeft[2] = -7 }.item == "tree 0 node 2")  // half a leaf
    }

    @Test func refusesBadFeaturesAndThresholds() throws {
        #expect(try refusal { $0.nodeFeature[1] = 2 }.item == "tree 0 node 1")
        #expect(try refusal { $0.nodeFeature[1] = -1 }.item == "tree 0 node 1")
        #expect(try refusal { $0.nodeThreshold[0] = .nan }.item == "tree 0 node 0")
        #expect(try refusal { $0.nodeThreshold[0] = -.infinity }.item == "tree 0 node 0")
        #expect(try refusal({ _ in }, featureWidth: 3).item == "feature_count")
        #expect(try refusal { $0.leafValues[3] = .infinity }.item == "tree 0 node 3")
        #expect(try refusal { $0.nodeFlags[0] = 0x80 }.item == "tree 0 node 0")
    }

    @Test("Nodes written column by column with their leaves apart build the same ensemble; wrong counts are refused")
    func nodesWrittenInPlace() throws {
        func stumpEnsemble() -> TreeEnsemble {
            TreeEnsemble(
                featureCount: 2,
                outputCount: 1,
                baseScores: [0.25],
                comparison: .float32LessThan,
                accumulation: .float32,
                task: .regression
            )
        }
        func write(_ columns: inout TreeEnsemble.NodeColumns, leaves: Int = 3) {
            columns.appendSplit(feature: 0, threshold: 0.5, left: 1, right: 2)
            columns.appendSplit(feature: 1, threshold: 2, left: 3, right: 4, flags: .defaultLeft)
            for _ in 0..<leaves { columns.appendLeaf() }
        }
        var written = stumpEnsemble()
        try written.appendTree(output: 0, nodeCount: 5) { columns in
            write(&columns)
            return [0, 0, 3, 1, 2]
        }
        #expect(written == (try Self.stump()))
        #expect(raw(try written.validated(), [0, 3]) == 2.25)

        func refusal(
            _ body: (inout TreeEnsemble.NodeColumns) throws(ModelBundleError) -> [Double]
        ) -> ModelBundleError? {
            var ensemble = stumpEnsemble()
            do throws(ModelBundleError) {
                try ensemble.appendTree(output: 0, nodeCount: 5, writingNodes: body)
                return nil
            } catch {
                return error
            }
        }
        let fewLeaves = refusal { columns in
            write(&columns)
            return [0, 0, 3, 1]
        }
        #expect(fewLeaves?.item == "tree 0")
        #expect(fewLeaves?.message.contains("4 leaf values; expected 5 nodes") == true)
        let fewNodes = refusal { columns in
            write(&columns, leaves: 2)
            return [0, 0, 3, 1, 2]
        }
        #expect(fewNodes?.message.contains("has 4 nodes and 5 leaf values") == true)
        let thrown = refusal { (columns) throws(ModelBundleError) in
            write(&columns)
            throw ModelBundleError(.weightsInvalid, "bad node", item: "node 4")
        }
        #expect(thrown?.item == "node 4")
        // Limits are checked before anything is written.
        var tooMany = stumpEnsemble()
        #expect(throws: ModelBundleError.self) {
            try tooMany.appendTree(output: 1, nodeCount: 5) { columns in
                Issue.record("written despite an output outside the model")
                write(&columns)
                return [0, 0, 3, 1, 2]
            }
        }
    }

    /// Room for the other trees is made once, after the first, from its size: half as many again
    /// per tree, capped; the ensemble itself is unchanged, and a later call does nothing.
    @Test func reservesRoomAfterTheFirstTree() throws {
        var ensemble = try Self.stump()  // one tree of 5 nodes, leaf width 1
        let before = ensemble
        ensemble.reserveCapacity(afterFirstTreeOf: 101)  // 100 more trees × 7 nodes
        #expect(ensemble == before)
        for capacity in [
            ensemble.nodeFeature.capacity, ensemble.nodeThreshold.capacity, ensemble.nodeLeft.capacity,
            ensemble.nodeRight.capacity, ensemble.nodeFlags.capacity, ensemble.nodeCategorySet.capacity,
            ensemble.leafValues.capacity,
        ] {
            #expect(capacity >= 705)
        }
        var huge = try Self.stump()
        huge.reserveCapacity(afterFirstTreeOf: TreeEnsembleLimits.maximumTrees)
        #expect(huge.nodeThreshold.capacity >= 5 + TreeEnsemble.reservedNodesCap)
        #expect(huge.nodeThreshold.capacity < 2 * TreeEnsemble.reservedNodesCap)
        try ensemble.appendTree(output: 0, nodes: [.leaf([1])])
        let capacity = ensemble.nodeThreshold.capacity
        ensemble.reserveCapacity(afterFirstTreeOf: 1_000_000)
        #expect(ensemble.nodeThreshold.capacity == capacity)
    }

    @Test func refusesInconsistentOutputs() throws {
        #expect(try refusal { $0.baseScores = [0, 0] }.item == "base_scores")
        #expect(try refusal { $0.treeOutputs[0] = 1 }.item == "tree 0")
        #expect(try refusal { $0.link = .softmax }.item == "link")
        #expect(try refusal { $0.baseScores = [0.1] }.item == "base_scores")  // not a float32 value
        #expect(try refusal { $0.nodeLeft.removeLast() }.item == "node_feature")
        #expect(try refusal { $0.treeStarts = [0, 2, 5] }.item == "tree_outputs")
    }

    @Test func refusesBadCategorySets() throws {
        let missing = try refusal {
            $0.nodeFlags[0] = TreeEnsemble.NodeFlags.categorical.rawValue
            $0.nodeCategorySet[0] = 0
        }
        #expect(missing.item == "tree 0 node 0")
        var e = try Self.stump()
        #expect(throws: ModelBundleError.self) {
            _ = try e.appendCategorySet([UInt32](repeating: 0, count: TreeEnsembleLimits.maximumCategoryWords + 1))
        }
        let offsets = try refusal { $0.categoryOffsets = [0, 4] }
        #expect(offsets.item == "category_offsets")
    }

    @Test func refusesDepthBeyondTheLimit() throws {
        var e = TreeEnsemble(
            featureCount: 1,
            outputCount: 1,
            baseScores: [0],
            comparison: .float64LessOrEqual,
            accumulation: .float64,
            task: .regression
        )
        // A chain: node 2i splits into leaf 2i+1 and node 2i+2.
        let depth = TreeEnsembleLimits.maximumDepth + 1
        var nodes: [Node] = []
        for level in 0..<depth {
            nodes.append(.split(feature: 0, threshold: 0, left: Int32(2 * level + 1), right: Int32(2 * level + 2)))
            nodes.append(.leaf([0]))
        }
        nodes.append(.leaf([0]))
        try e.appendTree(output: 0, nodes: nodes)
        let error = try #require(throws: ModelBundleError.self) { try e.validated() }
        #expect(error.item == "tree 0 node \(2 * TreeEnsembleLimits.maximumDepth)")
    }
}
