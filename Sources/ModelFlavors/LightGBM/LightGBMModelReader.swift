package import ModelBundle

/// A LightGBM text model (`model.lgb`, `Booster.save_model`) as a ``TreeEnsemble`` with
/// LightGBM's semantics: features compared as doubles with `<=`, per-node missing types (None: NaN
/// is 0; Zero: 0 and NaN take the default side; NaN: NaN takes it), categorical bitsets whose
/// members go left, double sums from 0 in tree order, `average_output` divides, then the
/// objective's `ConvertOutput`.
package struct LightGBMModel: Sendable {
    package var ensemble: TreeEnsemble
    /// The objective line (`binary sigmoid:1`).
    package var objective: String
    /// `v3` or `v4`.
    package var version: String
    package var featureNames: [String]
    /// The model was fitted on pandas `category` columns: the text ends in a `pandas_categorical`
    /// list that is not empty, and LightGBM's DataFrame reader then wants category columns.
    package var fittedOnCategoryColumns = false
}

/// Reads LightGBM's text format (`GBDT::SaveModelToString`, `Tree::ToString`) without executing
/// anything: every count is bounded before anything is allocated, every array's length is checked
/// against `num_leaves` and `num_cat`.
package enum LightGBMModelReader {
    package static let maximumFileSize = 1 << 30

    /// Fuzz entry point: text bytes in, a validated ensemble or a ``ModelBundleError`` out.
    package static func fuzz(_ bytes: UnsafeRawBufferPointer) throws(ModelBundleError) {
        _ = try read(Array(bytes)).ensemble.validated()
    }

    package static func read(_ bytes: [UInt8], fileName: String = "model.lgb") throws(ModelBundleError) -> LightGBMModel
    {
        func invalid(_ field: String, _ problem: String) -> ModelBundleError {
            ModelBundleError(.weightsInvalid, "\(fileName): \(field) \(problem)", item: "\(fileName):\(field)")
        }
        guard bytes.count <= maximumFileSize else { throw invalid("file", "is larger than \(maximumFileSize) bytes") }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw invalid("file", "is not UTF-8 text") }
        // Header (up to the first Tree=), then tree blocks, up to "end of trees".
        var header: [Substring: Substring] = [:]
        var trees: [[Substring: Substring]] = []
        var flags: Set<Substring> = []
        var inTrees = false
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line == "end of trees" { break }
            guard let equals = line.firstIndex(of: "=") else {
                if !inTrees { flags.insert(line) }
                continue
            }
            let key = line[..<equals]
            let value = line[line.index(after: equals)...]
            if key == "Tree" {
                guard trees.count < TreeEnsembleLimits.maximumTrees else {
                    throw invalid("Tree", "blocks exceed \(TreeEnsembleLimits.maximumTrees)")
                }
                trees.append([:])
                inTrees = true
                continue
            }
            if inTrees {
                guard trees[trees.count - 1].updateValue(value, forKey: key) == nil else {
                    throw invalid("Tree=\(trees.count - 1)", "repeats the key \(key)")
                }
            } else {
                guard header.updateValue(value, forKey: key) == nil else { throw invalid(String(key), "is repeated") }
            }
        }
        guard flags.contains("tree") else {
            throw invalid("header", "does not start with \"tree\"; is this a LightGBM text model?")
        }
        let version = String(header["version"] ?? "")
        guard version == "v3" || version == "v4" else {
            throw ModelBundleError(
                .unsupportedFormatVersion,
                "\(fileName) has model format version \"\(version)\"; this build reads v3 and v4 (LightGBM 3.0 and "
                    + "later) — load it with LightGBM and save it again",
                item: "\(fileName):version"
            )
        }
        func integer(_ key: Substring, in map: [Substring: Substring], limit: Int, field: String)
            throws(ModelBundleError) -> Int
        {
            guard let text = map[key], let value = Int(text), value >= 0, value <= limit else {
                throw invalid(field, "must be an integer from 0 to \(limit)")
            }
            return value
        }
        let numClass = try integer(
            "num_class",
            in: header,
            limit: TreeEnsembleLimits.maximumOutputs,
            field: "num_class"
        )
        let perIteration = try integer(
            "num_tree_per_iteration",
            in: header,
            limit: TreeEnsembleLimits.maximumOutputs,
            field: "num_tree_per_iteration"
        )
        let maxFeature = try integer(
            "max_feature_idx",
            in: header,
            limit: TreeEnsembleLimits.maximumFeatures - 1,
            field: "max_feature_idx"
        )
        guard perIteration >= 1, numClass >= 1 else { throw invalid("num_tree_per_iteration", "must be at least 1") }
        let objectiveLine = String(header["objective"] ?? "")
        let (link, scale, task) = try objective(objectiveLine, outputs: perIteration, invalid: invalid)
        let average = flags.contains("average_output")
        var ensemble = TreeEnsemble(
            featureCount: maxFeature + 1,
            outputCount: perIteration,
            baseScores: Array(repeating: 0, count: perIteration),
            comparison: .float64LessOrEqual,
            accumulation: .float64,
            combination: average ? .average : .sum,
            link: link,
            linkScale: scale,
            categoryRule: .lightgbm,
            tinyInputsAreZero: true,
            task: task
        )
        guard !trees.isEmpty else { throw invalid("Tree", "blocks are missing") }
        guard trees.count % perIteration == 0 else {
            throw invalid("Tree", "count \(trees.count) is not a multiple of num_tree_per_iteration \(perIteration)")
        }
        for (index, tree) in trees.enumerated() {
            try appendTree(tree, index: index, output: index % perIteration, to: &ensemble, fileName: fileName)
            if index == 0 { ensemble.reserveCapacity(afterFirstTreeOf: trees.count) }
        }
        let names = header["feature_names"].map { $0.split(separator: " ").map(String.init) } ?? []
        var model = LightGBMModel(ensemble: ensemble, objective: objectiveLine, version: version, featureNames: names)
        model.fittedOnCategoryColumns = Self.recordsPandasCategories(text)
        return model
    }

    /// Whether the `pandas_categorical:` line LightGBM appends last (`_dump_pandas_categorical`) lists
    /// any column: `null` and `[]` mean the model was fitted without category columns.
    static func recordsPandasCategories(_ text: String) -> Bool {
        var end = text.endIndex
        while end > text.startIndex, text[text.index(before: end)].isWhitespace { end = text.index(before: end) }
        let start = text[..<end].lastIndex(of: "\n").map { text.index(after: $0) } ?? text.startIndex
        let line = text[start..<end]
        let key = "pandas_categorical:"
        guard line.hasPrefix(key) else { return false }
        let value = line.dropFirst(key.count).filter { !$0.isWhitespace }
        return !value.isEmpty && value != "null" && value != "[]"
    }

    /// The objective's `ConvertOutput` as a link; names outside the supported list are refused.
    static func objective(
        _ line: String,
        outputs: Int,
        invalid: (String, String) -> ModelBundleError
    ) throws(ModelBundleError) -> (TreeEnsemble.Link, Double, TreeEnsemble.Task) {
        let parts = line.split(separator: " ")
        let name = parts.first.map(String.init) ?? ""
        var sigmoid = 1.0
        var squareRooted = false
        for part in parts.dropFirst() {
            if part.hasPrefix("sigmoid:") {
                guard let value = Double(part.dropFirst(8)), value.isFinite, value > 0 else {
                    throw invalid("objective", "has sigmoid parameter \(part.dropFirst(8)), not a positive number")
                }
                sigmoid = value
            }
            if part == "sqrt" { squareRooted = true }
        }
        // `reg_sqrt` fits the trees on sign(y)·sqrt(|y|); the regression objectives that write
        // " sqrt" (RegressionL2loss and those inheriting its ConvertOutput) square it back.
        let rootable = ["regression", "regression_l1", "fair", "quantile", "mape"]
        if squareRooted && !rootable.contains(name) {
            throw invalid("objective", "uses reg_sqrt with \(name), which LightGBM does not write")
        }
        switch name {
        case "regression", "regression_l1", "huber", "fair", "quantile", "mape":
            return (squareRooted ? .signedSquare : .identity, 1, .regression)
        case "lambdarank", "rank_xendcg":
            return (.identity, 1, .regression)
        case "cross_entropy_lambda":
            return (.softplus, 1, .regression)
        case "binary":
            return (.sigmoid, sigmoid, .classification)
        case "cross_entropy", "xentropy":
            return (.sigmoid, 1, .regression)
        case "multiclass", "softmax":
            guard outputs >= 2 else { throw invalid("objective", "multiclass needs num_tree_per_iteration >= 2") }
            return (.softmax, 1, .classification)
        case "multiclassova", "multiclass_ova", "ova", "ovr":
            return (.sigmoid, sigmoid, .classification)
        case "poisson", "gamma", "tweedie":
            return (.exp, 1, .regression)
        default:
            throw ModelBundleError(
                .weightsInvalid,
                "objective \"\(name)\" is not supported; supported: regression (l2, l1, huber, fair, quantile, mape; "
                    + "reg_sqrt), binary, multiclass, multiclassova, cross_entropy, cross_entropy_lambda, poisson, "
                    + "gamma, tweedie, lambdarank, rank_xendcg",
                item: "objective"
            )
        }
    }

    static func appendTree(
        _ tree: [Substring: Substring],
        index: Int,
        output: Int,
        to ensemble: inout TreeEnsemble,
        fileName: String
    ) throws(ModelBundleError) {
        if let linear = tree["is_linear"], linear != "0" {
            throw TreeEnsemble.invalid(
                "is a linear tree (linear_tree=true), which is not supported; retrain without linear_tree",
                tree: index
            )
        }
        guard let leavesText = tree["num_leaves"], let leaves = Int(leavesText), leaves >= 1,
            leaves <= TreeEnsembleLimits.maximumNodesPerTree / 2
        else {
            throw TreeEnsemble.invalid("has no valid num_leaves", tree: index)
        }
        func numbers(_ key: Substring, _ count: Int) throws(ModelBundleError) -> [Double] {
            guard let text = tree[key] else { throw TreeEnsemble.invalid("has no \(key)", tree: index) }
            // Bounded before parsing: `count` values need at least `count` fields.
            var values: [Double] = []
            values.reserveCapacity(count)
            for field in text.split(separator: " ", omittingEmptySubsequences: true) {
                guard values.count < count, let value = Double(field) else {
                    throw TreeEnsemble.invalid("has a malformed \(key) (expected \(count) numbers)", tree: index)
                }
                values.append(value)
            }
            guard values.count == count else {
                throw TreeEnsemble.invalid("has \(values.count) \(key) values; expected \(count)", tree: index)
            }
            return values
        }
        func integers(_ key: Substring, _ count: Int) throws(ModelBundleError) -> [Int] {
            var result: [Int] = []
            result.reserveCapacity(count)
            for value in try numbers(key, count) {
                guard value == value.rounded(), abs(value) <= Double(Int32.max) + 1 else {
                    throw TreeEnsemble.invalid("has a non-integer \(key) value", tree: index)
                }
                result.append(Int(value))
            }
            return result
        }
        let leafValues = try numbers("leaf_value", leaves)
        if leaves == 1 {
            try ensemble.appendTree(output: output, nodes: [.leaf([leafValues[0]])])
            return
        }
        let splitCount = leaves - 1
        let feature = try integers("split_feature", splitCount)
        let threshold = try numbers("threshold", splitCount)
        let decision = try integers("decision_type", splitCount)
        let left = try integers("left_child", splitCount)
        let right = try integers("right_child", splitCount)
        let categoryCount = Int(tree["num_cat"].map(String.init) ?? "0") ?? -1
        guard categoryCount >= 0, categoryCount <= splitCount else {
            throw TreeEnsemble.invalid("has num_cat outside 0...\(splitCount)", tree: index)
        }
        var setIndex: [Int32] = []
        if categoryCount > 0 {
            let boundaries = try integers("cat_boundaries", categoryCount + 1)
            guard let words = tree["cat_threshold"]?.split(separator: " "),
                words.count <= TreeEnsembleLimits.maximumTotalCategoryWords
            else {
                throw TreeEnsemble.invalid("has no valid cat_threshold", tree: index)
            }
            var bits: [UInt32] = []
            bits.reserveCapacity(words.count)
            for word in words {
                guard let value = UInt32(word) else {
                    throw TreeEnsemble.invalid("has a malformed cat_threshold", tree: index)
                }
                bits.append(value)
            }
            guard boundaries.first == 0, boundaries.last == bits.count,
                zip(boundaries, boundaries.dropFirst()).allSatisfy({ $0 <= $1 })
            else {
                throw TreeEnsemble.invalid("has cat_boundaries that do not delimit cat_threshold", tree: index)
            }
            for c in 0..<categoryCount {
                setIndex.append(try ensemble.appendCategorySet(Array(bits[boundaries[c]..<boundaries[c + 1]])))
            }
        }
        // Unified node numbering: splitCount node i is i, leaf j is splitCount + j; a LightGBM child
        // c < 0 is leaf ~c.
        func child(_ c: Int, node: Int) throws(ModelBundleError) -> Int32 {
            let mapped = c < 0 ? splitCount + ~c : c
            guard mapped >= 0, mapped < splitCount + leaves else {
                throw TreeEnsemble.invalid("has child \(c) outside the tree", tree: index, node: node)
            }
            return Int32(mapped)
        }
        var nodes: [TreeEnsemble.Node] = []
        nodes.reserveCapacity(splitCount + leaves)
        for i in 0..<splitCount {
            let type = decision[i]
            guard type >= 0, type < 16 else {
                throw TreeEnsemble.invalid("has decision_type \(type)", tree: index, node: i)
            }
            guard feature[i] >= 0 else {
                throw TreeEnsemble.invalid("splits on feature \(feature[i])", tree: index, node: i)
            }
            let l = try child(left[i], node: i)
            let r = try child(right[i], node: i)
            if type & 1 != 0 {
                let category = threshold[i]
                guard category >= 0, category < Double(setIndex.count), category == category.rounded() else {
                    throw TreeEnsemble.invalid(
                        "names category set \(category) but the tree has \(setIndex.count)",
                        tree: index,
                        node: i
                    )
                }
                // Members go left; NaN, negative and unlisted categories go right.
                nodes.append(
                    .categorical(
                        feature: Int32(feature[i]),
                        categorySet: setIndex[Int(category)],
                        left: l,
                        right: r,
                        flags: .categoryMembersLeft
                    )
                )
            } else {
                var flags: TreeEnsemble.NodeFlags = type & 2 != 0 ? .defaultLeft : []
                switch (type >> 2) & 3 {
                case 0: flags.insert(.nanAsZero)
                case 1: flags.insert(.zeroIsMissing)
                case 2: break
                default: throw TreeEnsemble.invalid("has missing type 3", tree: index, node: i)
                }
                nodes.append(
                    .split(feature: Int32(feature[i]), threshold: threshold[i], left: l, right: r, flags: flags)
                )
            }
        }
        for value in leafValues { nodes.append(.leaf([value])) }
        try ensemble.appendTree(output: output, nodes: nodes)
    }
}
