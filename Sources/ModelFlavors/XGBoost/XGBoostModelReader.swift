package import ModelBundle
import SystemPlatform

/// An XGBoost model read from `model.json` or `model.ubj` bytes, as a ``TreeEnsemble`` with
/// XGBoost's semantics: float32 features compared with `<`, float32 sums from the base margin in
/// tree order, the objective's own transform.
package struct XGBoostModel: Sendable {
    package var ensemble: TreeEnsemble
    package var objective: String
    /// `[major, minor, patch]` of the xgboost that wrote the model.
    package var version: [Int]
    /// The scikit-learn wrapper's `_estimator_type` (`classifier`, `regressor`) when recorded.
    package var estimatorType: String?
    /// Number of classes for classification objectives (2 for binary).
    package var classCount: Int
    /// The `best_iteration` attribute early stopping records; the scikit-learn wrapper's predict
    /// then uses only the rounds up to it.
    package var bestIteration: Int? = nil
    /// Where each boosting round's trees start, [rounds + 1] (`iteration_indptr`).
    package var roundStarts: [Int] = []
    /// `learner.feature_names`, recorded when the model was fitted on a DataFrame (nil when absent or
    /// empty): xgboost refuses a DataFrame whose columns are other names or in another order.
    package var featureNames: [String]? = nil
    /// The categories of pandas `category` columns the model was fitted on (xgboost 3's
    /// `gradient_booster.model.cats`): its in-place predict then refuses a numeric column there.
    package var fittedOnCategoryColumns = false

    /// The ensemble the scikit-learn wrappers' predict evaluates: with a recorded `best_iteration`,
    /// the trees of rounds `0 ... best_iteration` only (xgboost's `_get_iteration_range`); a
    /// `Booster`'s own predict uses every tree.
    package var ensembleThroughBestIteration: TreeEnsemble {
        guard let bestIteration, bestIteration + 1 < roundStarts.count else { return ensemble }
        return ensemble.prefix(trees: roundStarts[bestIteration + 1])
    }
}

/// Reads XGBoost's JSON and UBJSON model formats (`doc/model.schema`) without executing anything.
/// The format is recognised by content: `{` followed by `"` or whitespace is JSON; `{` followed by
/// a UBJSON type marker (`L`, `i`, `U`, `#`, `$`, …) is UBJSON; the legacy binary format (`binf`
/// header or raw `LearnerModelParam`) is refused by name with how to re-save it.
package enum XGBoostModelReader {
    /// The largest model file read (bytes).
    package static let maximumFileSize = 1 << 30

    /// Objectives read, with the transform `predict` applies and the inverse link for base_score.
    enum Objective: String, CaseIterable {
        case binaryLogistic = "binary:logistic"
        case binaryLogitRaw = "binary:logitraw"
        case multiSoftprob = "multi:softprob"
        case multiSoftmax = "multi:softmax"
        case squaredError = "reg:squarederror"
        case logistic = "reg:logistic"
        case absoluteError = "reg:absoluteerror"
        case pseudoHuber = "reg:pseudohubererror"
        case poisson = "count:poisson"
        case gamma = "reg:gamma"
        case tweedie = "reg:tweedie"
        case squaredLogError = "reg:squaredlogerror"
        case quantileError = "reg:quantileerror"
        case binaryHinge = "binary:hinge"
        case rankPairwise = "rank:pairwise"
        case rankNDCG = "rank:ndcg"
        case rankMAP = "rank:map"
        case survivalCox = "survival:cox"
        case survivalAFT = "survival:aft"
    }

    /// How the caller's library predicts, which changes a DART model's sums in the last bit:
    /// `Booster.predict` on a DMatrix adds each tree's leaf times its weight; the scikit-learn
    /// wrappers' `inplace_predict` adds `((base + leaf) − base) × weight`, all in float, with the
    /// base score of the tree's output group
    /// (`Dart::InplacePredict` removes the base score from each single-tree prediction).
    package enum PredictPath: Sendable {
        case dmatrix
        case inplace
    }

    /// Reads a model file's bytes (the fuzz entry point of the XGBoost reader).
    package static func read(
        _ bytes: [UInt8],
        fileName: String = "model",
        path: PredictPath = .dmatrix
    ) throws(ModelBundleError) -> XGBoostModel {
        let document = try parse(bytes, fileName: fileName)
        return try model(document, fileName: fileName, path: path)
    }

    /// A pickled Booster's `handle` (xgboost's `__getstate__`, `XGBoosterSerializeToBuffer`): a
    /// memory snapshot `{"Config": …, "Model": {…}}` whose `Model` is the model document `read`
    /// takes (the training configuration beside it is not needed to predict). A plain model
    /// document is read as well.
    package static func readSnapshot(
        _ bytes: [UInt8],
        fileName: String,
        path: PredictPath
    ) throws(ModelBundleError) -> XGBoostModel {
        let document = try parse(bytes, fileName: fileName)
        if document["learner"] == nil, let snapshot = document["Model"] {
            return try model(snapshot, fileName: fileName, path: path)
        }
        return try model(document, fileName: fileName, path: path)
    }

    /// Fuzz entry point: model bytes in, a validated ensemble or a ``ModelBundleError`` out.
    package static func fuzz(_ bytes: UnsafeRawBufferPointer) throws(ModelBundleError) {
        _ = try read(Array(bytes)).ensemble.validated()
    }

    /// JSON or UBJSON by content; anything else refused.
    static func parse(_ bytes: [UInt8], fileName: String) throws(ModelBundleError) -> UBJSONValue {
        guard bytes.count <= maximumFileSize else {
            throw ModelBundleError(
                .weightsInvalid,
                "\(fileName) is larger than \(maximumFileSize) bytes",
                item: fileName
            )
        }
        var first = 0
        while first < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[first]) { first += 1 }
        if bytes.count >= 4,
            bytes[0..<4].elementsEqual("binf".utf8) || (first < bytes.count && bytes[first] != UInt8(ascii: "{"))
        {
            throw ModelBundleError(
                .weightsInvalid,
                "\(fileName) is in XGBoost's legacy binary format, which this build does not read (xgboost 3.1 "
                    + "removed it too); load it with xgboost < 3.1 and re-save it with booster.save_model(\"model.ubj\")",
                item: fileName
            )
        }
        guard first + 1 < bytes.count else {
            throw ModelBundleError(.weightsInvalid, "\(fileName) is empty or truncated", item: fileName)
        }
        let next = bytes[first + 1]
        if next == UInt8(ascii: "\"") || next == UInt8(ascii: "}") || [0x20, 0x09, 0x0A, 0x0D].contains(next) {
            let json = try JSONParser(maximumDepth: 32, errorCode: .weightsInvalid, source: fileName).parse(bytes)
            return UBJSONValue(json: json)
        }
        return try UBJSONReader.parse(bytes, fileName: fileName)
    }

    static func model(
        _ document: UBJSONValue,
        fileName: String,
        path: PredictPath
    ) throws(ModelBundleError) -> XGBoostModel {
        func invalid(_ field: String, _ problem: String) -> ModelBundleError {
            ModelBundleError(.weightsInvalid, "\(fileName): \(field) \(problem)", item: "\(fileName):\(field)")
        }
        guard let versionArray = document["version"]?.numberArray, versionArray.count == 3,
            versionArray.allSatisfy({ $0 >= 0 && $0 < 10_000 && $0 == $0.rounded() })
        else {
            throw invalid("version", "is missing or not [major, minor, patch]; is this an XGBoost model?")
        }
        let version = versionArray.map { Int($0) }
        guard version[0] > 1 || (version[0] == 1 && version[1] >= 7) else {
            throw ModelBundleError(
                .unsupportedFormatVersion,
                "\(fileName) was written by xgboost \(version.map(String.init).joined(separator: ".")); this build reads "
                    + "models from xgboost 1.7 or later — load it with that xgboost and save it again",
                item: "\(fileName):version"
            )
        }
        guard let learner = document["learner"] else { throw invalid("learner", "is missing") }
        guard let objectiveName = learner["objective"]?["name"]?.string else {
            throw invalid("learner.objective.name", "is missing")
        }
        guard let objective = Objective(rawValue: objectiveName) else {
            let known = Objective.allCases.map(\.rawValue).joined(separator: ", ")
            throw ModelBundleError(
                .weightsInvalid,
                "\(fileName): objective \(objectiveName) is not supported; supported: \(known)",
                item: "\(fileName):learner.objective.name"
            )
        }
        guard let booster = learner["gradient_booster"], let boosterName = booster["name"]?.string else {
            throw invalid("learner.gradient_booster.name", "is missing")
        }
        guard boosterName == "gbtree" || boosterName == "dart" else {
            throw ModelBundleError(
                .weightsInvalid,
                "\(fileName): booster \(boosterName) is not supported (gbtree and dart are); retrain with "
                    + "booster=\"gbtree\"",
                item: "\(fileName):learner.gradient_booster.name"
            )
        }
        // DART keeps its trees in `gbtree` and scales each tree's output by its `weight_drop` at prediction.
        let treeBooster = boosterName == "dart" ? booster["gbtree"] : booster
        let dropWeights: [Double]?
        if boosterName == "dart" {
            guard let weights = booster["weight_drop"]?.numberArray else {
                throw invalid("learner.gradient_booster.weight_drop", "is missing or not a list of numbers")
            }
            dropWeights = weights
        } else {
            dropWeights = nil
        }
        guard let params = learner["learner_model_param"] else { throw invalid("learner_model_param", "is missing") }
        func intParam(_ key: String, default value: Int? = nil) throws(ModelBundleError) -> Int {
            if let text = params[key]?.string, let n = Int(text), n >= 0 { return n }
            if let n = params[key]?.number, n >= 0, n < 1e9, n == n.rounded() { return Int(n) }
            if let value, params[key] == nil { return value }
            throw invalid("learner_model_param.\(key)", "is not a non-negative integer")
        }
        let featureCount = try intParam("num_feature")
        let numClass = try intParam("num_class", default: 0)
        let numTarget = try intParam("num_target", default: 1)
        guard featureCount >= 1, featureCount <= TreeEnsembleLimits.maximumFeatures,
            numClass <= TreeEnsembleLimits.maximumOutputs, numTarget <= TreeEnsembleLimits.maximumOutputs
        else {
            throw invalid(
                "learner_model_param",
                "has num_feature \(featureCount), num_class \(numClass) and num_target \(numTarget) out of range"
            )
        }
        let multiclass = objective == .multiSoftprob || objective == .multiSoftmax
        guard multiclass == (numClass >= 2) else {
            throw invalid(
                "learner_model_param.num_class",
                "is \(numClass), which does not fit objective \(objective.rawValue)"
            )
        }
        // Several targets (a 2-D label, or reg:quantileerror with several quantile_alpha): one output
        // per target, each tree feeding the target its tree_info names (multi_strategy
        // "one_output_per_tree"; vector-leaf trees are refused per tree below).
        let targeted = [
            Objective.squaredError, .absoluteError, .pseudoHuber, .quantileError, .squaredLogError, .logistic,
        ]
        guard numTarget <= 1 || (!multiclass && targeted.contains(objective)) else {
            throw ModelBundleError(
                .weightsInvalid,
                "\(fileName): multi-target models (num_target \(numTarget)) are supported for "
                    + targeted.map(\.rawValue).joined(separator: ", ") + ", not \(objective.rawValue)",
                item: "\(fileName):learner_model_param.num_target"
            )
        }
        let outputCount = multiclass ? numClass : Swift.max(numTarget, 1)
        let baseScores = try baseMargins(
            params["base_score"],
            objective: objective,
            outputCount: outputCount,
            invalid: invalid
        )
        let (link, task): (TreeEnsemble.Link, TreeEnsemble.Task) =
            switch objective {
            case .binaryLogistic: (.xgboostSigmoid, .classification)
            case .binaryLogitRaw: (.identity, .classification)
            case .multiSoftprob: (.xgboostSoftmax, .classification)
            case .multiSoftmax: (.identity, .classification)
            case .binaryHinge: (.step, .classification)
            case .logistic: (.xgboostSigmoid, .regression)
            case .poisson, .gamma, .tweedie, .survivalCox, .survivalAFT: (.exp, .regression)
            case .squaredError, .absoluteError, .pseudoHuber, .squaredLogError, .quantileError, .rankPairwise,
                .rankNDCG, .rankMAP:
                (.identity, .regression)
            }
        var ensemble = TreeEnsemble(
            featureCount: featureCount,
            outputCount: outputCount,
            baseScores: baseScores,
            comparison: .float32LessThan,
            accumulation: .float32,
            link: link,
            categoryRule: .xgboost,
            task: task
        )
        guard let model = treeBooster?["model"], case .array(let trees) = model["trees"] ?? .null else {
            throw invalid("learner.gradient_booster.model.trees", "is missing")
        }
        if let dropWeights {
            guard dropWeights.count == trees.count, dropWeights.allSatisfy({ $0.isFinite && Float($0).isFinite })
            else {
                throw invalid(
                    "learner.gradient_booster.weight_drop",
                    "must hold one finite weight per tree (\(dropWeights.count) for \(trees.count) trees)"
                )
            }
        }
        guard let treeInfo = model["tree_info"]?.numberArray, treeInfo.count == trees.count else {
            throw invalid("learner.gradient_booster.model.tree_info", "must give one output group per tree")
        }
        guard trees.count <= TreeEnsembleLimits.maximumTrees else {
            throw invalid(
                "learner.gradient_booster.model.trees",
                "holds more than \(TreeEnsembleLimits.maximumTrees) trees"
            )
        }
        let dart = dropWeights.map { weights in
            DartScaling(
                weights: weights.map { Float($0) },
                inplaceBases: path == .inplace ? baseScores.map { Float($0) } : nil
            )
        }
        for (index, tree) in trees.enumerated() {
            let group = treeInfo[index]
            guard group >= 0, group < Double(outputCount), group == group.rounded() else {
                throw TreeEnsemble.invalid("has output group \(group) but the model has \(outputCount)", tree: index)
            }
            try appendTree(
                tree,
                index: index,
                group: Int(group),
                dart: dart,
                to: &ensemble,
                fileName: fileName
            )
            if index == 0 { ensemble.reserveCapacity(afterFirstTreeOf: trees.count) }
        }
        var estimatorType: String?
        if let text = learner["attributes"]?["scikit_learn"]?.string,
            let json = try? JSONParser(maximumDepth: 8).parse(text),
            let type = json["_estimator_type"]?.stringValue
        {
            estimatorType = type
        }
        let bestIteration = learner["attributes"]?["best_iteration"]?.string.flatMap { Int($0) }
        return XGBoostModel(
            ensemble: ensemble,
            objective: objective.rawValue,
            version: version,
            estimatorType: estimatorType,
            classCount: multiclass ? numClass : 2,
            bestIteration: bestIteration,
            roundStarts: try roundStarts(model, trees: trees.count, outputCount: outputCount, invalid: invalid),
            featureNames: featureNames(learner, count: featureCount),
            fittedOnCategoryColumns: recordsCategories(model)
        )
    }

    /// Whether `model.cats.enc` describes a categorical feature (an entry with a `type`; numeric
    /// features' entries have none).
    private static func recordsCategories(_ model: UBJSONValue) -> Bool {
        guard case .array(let encodings)? = model["cats"]?["enc"] else { return false }
        return encodings.contains { $0["type"] != nil }
    }

    /// `learner.feature_names` when it names every feature by text; anything else reads as none.
    private static func featureNames(_ learner: UBJSONValue, count: Int) -> [String]? {
        guard case .array(let items)? = learner["feature_names"], items.count == count, count > 0 else { return nil }
        let names = items.compactMap(\.string)
        return names.count == count ? names : nil
    }

    /// Where each round's trees start: `iteration_indptr` (xgboost 2 and later), else rounds of
    /// `num_parallel_tree` trees per output group, as xgboost 1.7 lays them out.
    private static func roundStarts(
        _ model: UBJSONValue,
        trees: Int,
        outputCount: Int,
        invalid: (String, String) -> ModelBundleError
    ) throws(ModelBundleError) -> [Int] {
        if let pointers = model["iteration_indptr"]?.numberArray {
            guard pointers.first == 0, pointers.last == Double(trees),
                pointers.allSatisfy({ $0 == $0.rounded() }),
                zip(pointers, pointers.dropFirst()).allSatisfy({ $0 <= $1 })
            else {
                throw invalid(
                    "learner.gradient_booster.model.iteration_indptr",
                    "must rise from 0 to the tree count \(trees)"
                )
            }
            return pointers.map { Int($0) }
        }
        let parallel = model["gbtree_model_param"]?["num_parallel_tree"]?.string.flatMap { Int($0) } ?? 1
        let perRound = max(1, min(parallel, TreeEnsembleLimits.maximumTrees)) * outputCount
        guard trees % perRound == 0 else {
            throw invalid(
                "learner.gradient_booster.model.trees",
                "holds \(trees) trees, not whole rounds of \(perRound)"
            )
        }
        return Array(stride(from: 0, through: trees, by: perRound))
    }

    /// `base_score` as margins: a number, a string (`"5E-1"`), or a list in a string (`"[5E-1]"`,
    /// `"[a,b,c]"` from xgboost 3.1+). One value serves every output; the objective's inverse link
    /// (`ProbToMargin`, in float32) turns it into a margin.
    static func baseMargins(
        _ value: UBJSONValue?,
        objective: Objective,
        outputCount: Int,
        invalid: (String, String) -> ModelBundleError
    ) throws(ModelBundleError) -> [Double] {
        var values: [Float] = []
        switch value {
        case .string(let text)?:
            var body = Substring(text)
            if body.hasPrefix("[") && body.hasSuffix("]") { body = body.dropFirst().dropLast() }
            guard body.utf8.count <= 64 * outputCount + 64 else {
                throw invalid("learner_model_param.base_score", "is too long")
            }
            for part in body.split(separator: ",", omittingEmptySubsequences: false) {
                guard let v = Float(part.trimmingPrefix(" ")), v.isFinite else {
                    throw invalid("learner_model_param.base_score", "holds \"\(part)\", not a finite number")
                }
                values.append(v)
            }
        case let number? where number.number != nil:
            values = [Float(number.number ?? 0)]
        default:
            throw invalid("learner_model_param.base_score", "is missing or not a number")
        }
        if values.count == 1 && outputCount > 1 { values = Array(repeating: values[0], count: outputCount) }
        guard values.count == outputCount else {
            throw invalid("learner_model_param.base_score", "has \(values.count) values for \(outputCount) outputs")
        }
        let margins: [Float] =
            switch objective {
            case .binaryLogistic, .logistic:
                values.map { v in
                    let clamped = Swift.min(Swift.max(v, Float(1e-6)), 1 - Float(1e-6))
                    return -logf(1 / clamped - 1)
                }
            case .poisson, .gamma, .tweedie, .survivalCox, .survivalAFT: values.map { logf($0) }
            default: values
            }
        guard margins.allSatisfy(\.isFinite) else {
            throw invalid("learner_model_param.base_score", "gives a non-finite margin for \(objective.rawValue)")
        }
        return margins.map { Double($0) }
    }

    /// DART's per-tree weights as they reach the sum (see ``PredictPath``).
    struct DartScaling {
        var weights: [Float]
        /// The margin-space base score of each output group, which `inplace_predict` adds to a tree's
        /// leaf and removes again; nil for a DMatrix.
        var inplaceBases: [Float]?

        func leaf(_ value: Float, tree: Int, group: Int) -> Float {
            guard let bases = inplaceBases else { return value * weights[tree] }
            return ((bases[group] + value) - bases[group]) * weights[tree]
        }
    }

    /// One `RegTree` in its JSON/UBJSON form.
    static func appendTree(
        _ tree: UBJSONValue,
        index: Int,
        group: Int,
        dart: DartScaling? = nil,
        to ensemble: inout TreeEnsemble,
        fileName: String
    ) throws(ModelBundleError) {
        func array(_ key: String) throws(ModelBundleError) -> [Double] {
            guard let values = tree[key]?.numberArray else {
                throw TreeEnsemble.invalid("has no numeric array \(key)", tree: index)
            }
            return values
        }
        if let size = tree["tree_param"]?["size_leaf_vector"]?.string, size != "1", size != "0" {
            throw TreeEnsemble.invalid(
                "has vector leaves (size_leaf_vector \(size), multi_strategy=\"multi_output_tree\"), which are not "
                    + "supported; retrain with multi_strategy=\"one_output_per_tree\" (the default)",
                tree: index
            )
        }
        let left = try array("left_children")
        let right = try array("right_children")
        let feature = try array("split_indices")
        let condition = try array("split_conditions")
        let defaultLeft = try array("default_left")
        let count = left.count
        guard count >= 1, count <= TreeEnsembleLimits.maximumNodesPerTree, right.count == count, feature.count == count,
            condition.count == count, defaultLeft.count == count
        else {
            throw TreeEnsemble.invalid("has node arrays of different lengths (or none)", tree: index)
        }
        let splitType = tree["split_type"] == nil ? [Double](repeating: 0, count: count) : try array("split_type")
        guard splitType.count == count else {
            throw TreeEnsemble.invalid("has split_type of the wrong length", tree: index)
        }
        // Categorical splits: categories_nodes[i] has categories[segments[i] ..< segments[i] + sizes[i]].
        var categorySets: [Int: Int32] = [:]
        if splitType.contains(1) {
            let categories = try array("categories")
            let nodes = try array("categories_nodes")
            let segments = try array("categories_segments")
            let sizes = try array("categories_sizes")
            guard nodes.count == segments.count, nodes.count == sizes.count else {
                throw TreeEnsemble.invalid(
                    "has categories_nodes, _segments and _sizes of different lengths",
                    tree: index
                )
            }
            for i in 0..<nodes.count {
                let node = nodes[i]
                let start = segments[i]
                let size = sizes[i]
                guard node >= 0, node < Double(count), start >= 0, size >= 0, start + size <= Double(categories.count)
                else {
                    throw TreeEnsemble.invalid("has category segment \(i) outside its arrays", tree: index)
                }
                var words: [UInt32] = []
                for c in categories[Int(start)..<Int(start + size)] {
                    guard c >= 0, c < Double(TreeEnsembleLimits.maximumCategoryWords * 32), c == c.rounded() else {
                        throw TreeEnsemble.invalid(
                            "lists category \(c), outside 0..<2^24",
                            tree: index,
                            node: Int(node)
                        )
                    }
                    let word = Int(c) >> 5
                    if word >= words.count { words.append(contentsOf: repeatElement(0, count: word + 1 - words.count)) }
                    words[word] |= 1 << UInt32(Int(c) & 31)
                }
                categorySets[Int(node)] = try ensemble.appendCategorySet(words)
            }
        }
        var nodes: [TreeEnsemble.Node] = []
        nodes.reserveCapacity(count)
        for i in 0..<count {
            let l = left[i]
            let r = right[i]
            guard l >= -1, r >= -1, l < Double(count), r < Double(count), l == l.rounded(), r == r.rounded() else {
                throw TreeEnsemble.invalid("has children \(l), \(r) outside the tree", tree: index, node: i)
            }
            if l == -1 {
                let value =
                    dart.map { $0.leaf(Float(condition[i]), tree: index, group: group) }
                    ?? Float(condition[i])
                nodes.append(.leaf([Double(value)]))
                continue
            }
            let f = feature[i]
            guard f >= 0, f < Double(Int32.max), f == f.rounded() else {
                throw TreeEnsemble.invalid("splits on feature \(f)", tree: index, node: i)
            }
            var flags: TreeEnsemble.NodeFlags = defaultLeft[i] != 0 ? .defaultLeft : []
            if splitType[i] == 1 {
                guard let set = categorySets[i] else {
                    throw TreeEnsemble.invalid("is a categorical split without categories", tree: index, node: i)
                }
                // Listed categories go right; invalid (negative, >= 2^24) and unlisted ones go left.
                flags.insert(.categoryOutOfRangeLeft)
                nodes.append(
                    .categorical(feature: Int32(f), categorySet: set, left: Int32(l), right: Int32(r), flags: flags)
                )
            } else {
                // Split conditions are float32 values in the model.
                nodes.append(
                    .split(
                        feature: Int32(f),
                        threshold: Double(Float(condition[i])),
                        left: Int32(l),
                        right: Int32(r),
                        flags: flags
                    )
                )
            }
        }
        try ensemble.appendTree(output: group, nodes: nodes)
    }
}
