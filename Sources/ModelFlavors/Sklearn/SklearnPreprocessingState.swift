import ModelBundle

/// Maps the fitted attributes of allowlisted transformers (either reader's) onto a
/// ``PreprocessingStep``: the attributes scikit-learn 1.9's `transform` reads, checked for type and
/// bounded before anything is built from them. Widths, indices and limits are checked by
/// ``PreprocessingStage/init(root:)``.
enum SklearnPreprocessingState {
    static func step(_ source: any SklearnAttributeSource, name: String, depth: Int) throws(ModelBundleError)
        -> PreprocessingStep
    {
        var budget = PreprocessingLimits.maximumSteps
        return try step(source, name: name, depth: depth, budget: &budget)
    }

    /// `budget` counts the steps built over the whole stage, as they are built: a pickle can name one
    /// fitted object many times (memo references), so a small file could otherwise describe a tree of
    /// steps far larger than itself before the stage's own limits are checked.
    static func step(_ source: any SklearnAttributeSource, name: String, depth: Int, budget: inout Int)
        throws(ModelBundleError) -> PreprocessingStep
    {
        guard depth <= PreprocessingLimits.maximumDepth else {
            throw refuse(name, "nests deeper than \(PreprocessingLimits.maximumDepth) levels")
        }
        budget -= 1
        guard budget >= 0 else {
            throw refuse(name, "is past the \(PreprocessingLimits.maximumSteps) steps a stage may have")
        }
        // Pipeline and FeatureUnion take their width from their members.
        let composite = source.kind == .pipeline || source.kind == .featureUnion
        let width: Int
        if composite {
            width = 0
        } else if source.kind == .selectFromModel, case .object(let estimator)? = try source.data("estimator_") {
            // SelectFromModel's n_features_in_ is a property that reads its fitted estimator's.
            width = try count(estimator.source, "n_features_in_", name)
        } else {
            width = try count(source, "n_features_in_", name)
        }
        func build(_ kind: PreprocessingStep.Kind) -> PreprocessingStep {
            PreprocessingStep(name: name, inputWidth: width, kind: kind)
        }
        switch source.kind {
        case .pipeline:
            let steps = try namedSteps(source, "steps", name)
            var children: [PreprocessingStep] = []
            for (stepName, value) in steps {
                if let child = try child(value, name: "\(name)/\(stepName)", depth: depth + 1, budget: &budget) {
                    children.append(child)
                }
            }
            // A Pipeline of passthrough steps keeps its width; its n_features_in_ is its first step's.
            return PreprocessingStep(
                name: name,
                inputWidth: children.first?.inputWidth ?? width,
                kind: .sequence(children)
            )
        case .featureUnion:
            let weights = try source.data("transformer_weights")
            var branches: [PreprocessingStep.Branch] = []
            for (branchName, value) in try namedSteps(source, "transformer_list", name) {
                guard let child = try child(value, name: "\(name)/\(branchName)", depth: depth + 1, budget: &budget)
                else {
                    continue
                }
                branches.append(.init(step: child, columns: [], weight: weights?[branchName]?.double))
            }
            guard let first = branches.first else { throw refuse(name, "has no fitted transformer") }
            return PreprocessingStep(name: name, inputWidth: first.step.inputWidth, kind: .union(branches))
        case .columnTransformer:
            return build(
                .columns(try columnTransformer(source, name: name, width: width, depth: depth, budget: &budget))
            )
        case .functionTransformer:
            return build(try functionTransformer(source, name: name))
        case .pca, .incrementalPCA, .truncatedSVD:
            return build(.projection(try projection(source, name: name, width: width)))
        case .quantileTransformer:
            let output = source.text("output_distribution") ?? "uniform"
            guard output == "uniform" || output == "normal" else {
                throw source.invalid("output_distribution", "is '\(output)'; uniform or normal is read")
            }
            let knots = try source.array("quantiles_")
            guard knots.shape.count == 2, knots.shape[1] == width, knots.shape[0] >= 2,
                knots.shape[0] <= PreprocessingLimits.maximumProjectionWeights / max(width, 1)
            else {
                throw source.invalid("quantiles_", "is not a 2-D array of at least 2 quantiles by \(width) columns")
            }
            let flat = knots.float64Values()
            let count = knots.shape[0]
            // quantiles_ is [n_quantiles, n_features] in C order: column j is every width-th value.
            let columns = (0..<width).map { column in (0..<count).map { flat[$0 * width + column] } }
            return build(
                .quantile(
                    .init(
                        quantiles: columns,
                        references: try source.array("references_").float64Values(),
                        normalOutput: output == "normal"
                    )
                )
            )
        case .splineTransformer:
            return build(.spline(try spline(source, width: width)))
        case .powerTransformer:
            let methodText = source.text("method") ?? "yeo-johnson"
            guard let method = PreprocessingStep.PowerTransform.Method(rawValue: methodText) else {
                throw source.invalid("method", "is '\(methodText)'; yeo-johnson or box-cox is read")
            }
            let lambdas = try source.array("lambdas_")
            let power = build(
                .power(
                    .init(
                        method: method,
                        lambdas: lambdas.float64Values(),
                        float32Lambdas: lambdas.dtype == .float32,
                        powerFormula: source.fittedVersion.map { $0 < (1, 9) } ?? false
                    )
                )
            )
            guard source.bool("standardize") ?? true else { return power }
            // Its _scaler: a fitted StandardScaler, read as any scaler step.
            guard case .object(let scaler)? = try source.data("_scaler"), scaler.kind == .standardScaler else {
                throw source.invalid("_scaler", "is not the fitted StandardScaler of standardize=True")
            }
            let standardize = try step(scaler.source, name: "\(name)/_scaler", depth: depth + 1, budget: &budget)
            return PreprocessingStep(name: name, inputWidth: width, kind: .sequence([power, standardize]))
        case .simpleImputer:
            return build(.imputer(try imputer(source, name: name)))
        case .missingIndicator:
            return build(.imputer(try missingIndicator(source, width: width)))
        case .oneHotEncoder, .ordinalEncoder, .targetEncoder:
            return build(.encoder(try encoder(source, name: name)))
        case .standardScaler, .minMaxScaler, .maxAbsScaler, .robustScaler:
            return build(.scaler(try scaler(source, name: name)))
        case .polynomialFeatures:
            return build(
                .polynomial(
                    .init(
                        minDegree: try count(source, "_min_degree", name),
                        maxDegree: try count(source, "_max_degree", name),
                        interactionOnly: source.bool("interaction_only") ?? false,
                        includeBias: source.bool("include_bias") ?? true,
                        outputCount: try count(source, "n_output_features_", name)
                    )
                )
            )
        case .kBinsDiscretizer:
            let encode = source.text("encode") ?? "onehot"
            guard let edgeArrays = try source.data("bin_edges_")?.items else {
                throw source.invalid("bin_edges_", "is missing or not a list of arrays")
            }
            var edges: [[Double]] = []
            for value in edgeArrays.prefix(PreprocessingLimits.maximumWidth + 1) {
                guard case .array(let tensor) = value, tensor.shape.count == 1 else {
                    throw source.invalid("bin_edges_", "holds \(value.kindName), not a 1-D array")
                }
                edges.append(tensor.float64Values())
            }
            return build(.discretizer(.init(edges: edges, oneHot: encode != "ordinal")))
        case .varianceThreshold, .selectKBest, .selectPercentile, .rfe, .rfecv, .sequentialFeatureSelector,
            .selectFromModel:
            return build(.columns(try SklearnFeatureSelection.selection(source, name: name, width: width)))
        default:
            throw ModelBundleError(
                .flavorUnavailable,
                "\(name) is a \(source.kind.shortName), which is not a preprocessing step; supported steps: "
                    + supportedSteps,
                item: name
            )
        }
    }

    static var supportedSteps: String {
        SklearnEstimator.Kind.allCases.filter { $0.role == .transformer || $0.role == .scaler || $0 == .pipeline }
            .map(\.shortName).filter { $0 != "FunctionTransformer" }.joined(separator: ", ")
            + ", FunctionTransformer (the identity, or one of the numpy functions "
            + ElementwiseFunction.allCases.map(\.rawValue).joined(separator: ", ") + ")"
    }

    /// The identity scikit-learn fits for remainder="passthrough", the float64 check of a categorical
    /// HistGradientBoosting's numeric columns (SklearnNumericCheck), or `func` a numpy ufunc by name.
    /// `inverse_func` is never used by `transform`, but only a ufunc or None is read there too.
    private static func functionTransformer(_ source: any SklearnAttributeSource, name: String)
        throws(ModelBundleError) -> PreprocessingStep.Kind
    {
        func refuse(_ attribute: String, _ what: String) -> ModelBundleError {
            ModelBundleError(
                .flavorUnavailable,
                "\(name) is a FunctionTransformer whose \(attribute) is \(what), which would run code from the "
                    + "model file; this build never does. Supported steps: \(supportedSteps)",
                item: name
            )
        }
        var kind = PreprocessingStep.Kind.passthrough
        for attribute in ["func", "inverse_func"] {
            switch try source.data(attribute) {
            case nil, .null?: continue
            case .numericCheck? where attribute == "func": continue
            case .function(let qualified)?:
                guard let function = SklearnInertFunction.elementwise(qualified) else {
                    throw refuse(attribute, qualified)
                }
                if attribute == "func" {
                    kind = .elementwise(.init(function: function, finiteInput: source.bool("validate") ?? false))
                }
            case let value?:
                throw refuse(attribute, value.kindName)
            }
        }
        // kw_args would be passed to the function: numpy's ufuncs take out=, where=, dtype=.
        switch try source.data("kw_args") {
        case nil, .null?: break
        case .dict(let entries)? where entries.isEmpty: break
        default: throw refuse("kw_args", "set")
        }
        return kind
    }

    /// PCA and IncrementalPCA (`_BasePCA._transform`): components_, mean_, and when whitened
    /// sqrt(explained_variance_) raised to machine epsilon; TruncatedSVD: components_ alone.
    private static func projection(_ source: any SklearnAttributeSource, name: String, width: Int)
        throws(ModelBundleError) -> PreprocessingStep.Projection
    {
        let components = try source.array("components_")
        guard components.shape.count == 2, components.shape[1] == width, components.shape[0] >= 1 else {
            throw source.invalid("components_", "is not a 2-D array of rows of \(width) weights")
        }
        let rows = components.shape[0]
        guard rows <= PreprocessingLimits.maximumProjectionWeights / max(width, 1) else {
            throw source.invalid(
                "components_",
                "holds more than \(PreprocessingLimits.maximumProjectionWeights) weights"
            )
        }
        let flat = components.float64Values()
        var mean: [Double]? = nil
        var scale: [Double]? = nil
        if source.kind != .truncatedSVD {
            mean = try source.array("mean_").float64Values()
            if source.bool("whiten") ?? false {
                let variance = try source.array("explained_variance_").float64Values()
                let epsilon = Double.ulpOfOne
                scale = variance.map {
                    let root = $0.squareRoot()
                    return root < epsilon ? epsilon : root
                }
            }
        }
        return .init(
            className: source.kind.shortName,
            components: (0..<rows).map { Array(flat[$0 * width..<($0 + 1) * width]) },
            mean: mean,
            scale: scale
        )
    }

    /// A Pipeline or FeatureUnion member: a fitted transformer, or nil for "passthrough"/None/"drop".
    private static func child(_ value: SklearnValue, name: String, depth: Int, budget: inout Int)
        throws(ModelBundleError)
        -> PreprocessingStep?
    {
        switch value {
        case .object(let object): return try step(object.source, name: name, depth: depth, budget: &budget)
        case .null, .string("passthrough"), .string("drop"): return nil
        default: throw refuse(name, "is \(value.kindName), not a fitted transformer")
        }
    }

    /// `[(name, value), …]` of a Pipeline's `steps` or a FeatureUnion's `transformer_list`.
    static func namedSteps(_ source: any SklearnAttributeSource, _ attribute: String, _ name: String)
        throws(ModelBundleError) -> [(String, SklearnValue)]
    {
        guard let items = try source.data(attribute)?.items, items.count <= PreprocessingLimits.maximumSteps else {
            throw source.invalid(
                attribute,
                "is missing or not a list of at most \(PreprocessingLimits.maximumSteps) steps"
            )
        }
        var result: [(String, SklearnValue)] = []
        for item in items {
            guard let pair = item.items, pair.count >= 2, case .string(let stepName) = pair[0] else {
                throw source.invalid(attribute, "holds an entry that is not a (name, transformer) pair")
            }
            result.append((stepName, pair[1]))
        }
        return result
    }

    private static func columnTransformer(
        _ source: any SklearnAttributeSource,
        name: String,
        width: Int,
        depth: Int,
        budget: inout Int
    ) throws(ModelBundleError) -> PreprocessingStep.ColumnSelection {
        guard let entries = try source.data("transformers_")?.items,
            entries.count <= PreprocessingLimits.maximumSteps
        else {
            throw source.invalid("transformers_", "is missing; was the ColumnTransformer fitted?")
        }
        let indices = try source.data("_transformer_to_input_indices")
        let weights = try source.data("transformer_weights")
        var branches: [PreprocessingStep.Branch] = []
        for entry in entries {
            guard let triple = entry.items, triple.count == 3, case .string(let branchName) = triple[0] else {
                throw source.invalid("transformers_", "holds an entry that is not (name, transformer, columns)")
            }
            let branchPath = "\(name)/\(branchName)"
            guard let positions = indices?[branchName]?.items else {
                throw source.invalid("_transformer_to_input_indices", "has no columns for \(branchName)")
            }
            var columns: [Int] = []
            for position in positions.prefix(PreprocessingLimits.maximumWidth + 1) {
                guard let index = position.int, index >= 0, index < Int64(width) else {
                    throw refuse(
                        branchPath,
                        "selects column \(position.int.map(String.init) ?? position.kindName) of an input of \(width) columns"
                    )
                }
                columns.append(Int(index))
            }
            // "drop" and transformers given no columns add nothing (ColumnTransformer._iter).
            if case .string("drop") = triple[1] { continue }
            if columns.isEmpty { continue }
            let step: PreprocessingStep
            switch triple[1] {
            case .string("passthrough"):
                step = PreprocessingStep(name: branchPath, inputWidth: columns.count, kind: .passthrough)
            case .object(let child):
                step = try Self.step(child.source, name: branchPath, depth: depth + 1, budget: &budget)
            default:
                throw refuse(branchPath, "is \(triple[1].kindName), not a fitted transformer")
            }
            branches.append(.init(step: step, columns: columns, weight: weights?[branchName]?.double))
        }
        var names: [String]? = nil
        if case .strings(let strings)? = try source.data("feature_names_in_") { names = strings }
        return .init(branches: branches, inputNames: names)
    }

    /// A standalone `MissingIndicator`: one 0/1 column per `features_` entry, as an imputer that keeps
    /// no imputed column (``PreprocessingStep/Imputer``).
    private static func missingIndicator(_ source: any SklearnAttributeSource, width: Int) throws(ModelBundleError)
        -> PreprocessingStep.Imputer
    {
        guard let missing = try source.data("missing_values")?.cell else {
            throw source.invalid("missing_values", "is not NaN, None, a number or a str")
        }
        let features = try indicatorFeatures(source, "features_")
        let missingOnly = (source.text("features") ?? "missing-only") == "missing-only"
        return .init(
            missingValue: missing,
            statistics: Array(repeating: .nan, count: width),
            keepEmpty: false,
            indicator: features,
            indicatorOnly: true,
            refusesNewMissing: missingOnly && (source.bool("error_on_new") ?? true)
        )
    }

    /// A MissingIndicator's `features_`: the column indices it reports on.
    private static func indicatorFeatures(_ source: any SklearnAttributeSource, _ key: String) throws(ModelBundleError)
        -> [Int]
    {
        guard let features = try source.data(key)?.items else {
            throw source.invalid(key, "is missing; was the MissingIndicator fitted?")
        }
        return try features.prefix(PreprocessingLimits.maximumWidth + 1).map { (value) throws(ModelBundleError) in
            guard let index = value.int, index >= 0, index < Int64(PreprocessingLimits.maximumWidth) else {
                throw source.invalid(key, "holds \(value.kindName), not a column index")
            }
            return Int(index)
        }
    }

    private static func imputer(_ source: any SklearnAttributeSource, name: String) throws(ModelBundleError)
        -> PreprocessingStep.Imputer
    {
        guard let missing = try source.data("missing_values")?.cell else {
            throw source.invalid("missing_values", "is not NaN, None, a number or a str")
        }
        let statistics = try cells(source, "statistics_")
        var indicator: [Int]? = nil
        if case .object(let part)? = try source.data("indicator_") {
            guard part.kind == .missingIndicator else {
                throw source.invalid("indicator_", "is not a fitted MissingIndicator")
            }
            indicator = try indicatorFeatures(part.source, "features_")
        }
        return .init(
            missingValue: missing,
            statistics: statistics,
            keepEmpty: source.bool("keep_empty_features") ?? false,
            indicator: indicator
        )
    }

    private static func encoder(_ source: any SklearnAttributeSource, name: String) throws(ModelBundleError)
        -> PreprocessingStep.CategoricalEncoder
    {
        guard let categoryLists = try source.data("categories_")?.items,
            categoryLists.count <= PreprocessingLimits.maximumWidth
        else {
            throw source.invalid("categories_", "is missing; was the encoder fitted?")
        }
        var categories: [[PreprocessingCell]] = []
        for (column, list) in categoryLists.enumerated() {
            guard let items = list.items, items.count <= PreprocessingLimits.maximumCategories else {
                throw refuse(
                    name,
                    "categories_[\(column)] is not an array of at most \(PreprocessingLimits.maximumCategories) categories"
                )
            }
            categories.append(
                try items.map { (item) throws(ModelBundleError) in
                    guard let cell = item.cell else {
                        throw refuse(name, "categories_[\(column)] holds \(item.kindName), not a category")
                    }
                    return cell
                }
            )
        }
        let infrequentEnabled = source.bool("_infrequent_enabled") ?? false
        let infrequent = infrequentEnabled ? try optionalIndexLists(source, "_infrequent_indices") : []
        let mappings = infrequentEnabled ? try optionalIndexLists(source, "_default_to_infrequent_mappings") : []
        var names: [String]? = nil
        if case .strings(let strings)? = try source.data("feature_names_in_") { names = strings }
        let handleText = source.text("handle_unknown") ?? "error"
        guard var handleUnknown = PreprocessingStep.CategoricalEncoder.HandleUnknown(rawValue: handleText) else {
            throw source.invalid(
                "handle_unknown",
                "is '\(handleText)'; error, ignore, infrequent_if_exist, warn or use_encoded_value is read"
            )
        }
        let output: PreprocessingStep.CategoricalEncoder.Output
        switch source.kind {
        case .oneHotEncoder:
            var drop: [Int?] = Array(repeating: nil, count: categories.count)
            if let dropValue = try source.data("_drop_idx_after_grouping"), let items = dropValue.items {
                guard items.count == categories.count else {
                    throw source.invalid("_drop_idx_after_grouping", "does not have one entry per column")
                }
                drop = items.map { $0.int.map(Int.init) }
            }
            guard let outs = try source.data("_n_features_outs")?.items else {
                throw source.invalid("_n_features_outs", "is missing; was the encoder fitted?")
            }
            output = .oneHot(drop: drop, widths: outs.map { Int($0.int ?? -1) })
        case .ordinalEncoder:
            var missing: [Int: Int] = [:]
            if case .dict(let entries)? = try source.data("_missing_indices") {
                for entry in entries.prefix(PreprocessingLimits.maximumWidth + 1) {
                    guard let column = Int(entry.key), let index = entry.value.int, index >= 0, index < Int64(Int32.max)
                    else {
                        throw source.invalid("_missing_indices", "holds an entry that is not column: index")
                    }
                    missing[column] = Int(index)
                }
            }
            let unknown = try source.data("unknown_value")
            let encodedMissing = try source.data("encoded_missing_value")
            output = .ordinal(
                missingIndices: missing,
                encodedMissing: encodedMissing?.double ?? .nan,
                unknownValue: unknown?.double ?? (handleUnknown == .useEncodedValue ? .nan : nil)
            )
        default:
            let targetType = source.text("target_type_") ?? "(missing)"
            guard let encodingLists = try source.data("encodings_")?.items,
                encodingLists.count <= PreprocessingLimits.maximumWidth
            else {
                throw source.invalid("encodings_", "is missing; was the encoder fitted?")
            }
            var encodings: [[Double]] = []
            for value in encodingLists {
                guard case .array(let tensor) = value, tensor.shape.count == 1 else {
                    throw source.invalid("encodings_", "holds \(value.kindName), not a 1-D array")
                }
                encodings.append(tensor.float64Values())
            }
            let means: [Double]
            switch try source.data("target_mean_") {
            case .array(let tensor)?: means = tensor.float64Values()
            case let value?: means = value.double.map { [$0] } ?? []
            case nil: means = []
            }
            guard ["binary", "continuous", "multiclass"].contains(targetType) else {
                throw source.invalid("target_type_", "is \(targetType); binary, continuous or multiclass is read")
            }
            handleUnknown = .ignore
            output = .target(
                encodings: encodings,
                targetMean: means,
                classCount: targetType == "multiclass" ? means.count : 1
            )
        }
        // `dtype=np.float32` (the type, or np.dtype("float32")): a float32 output.
        var float32Output = false
        if source.kind != .targetEncoder, case .type(let type)? = try source.data("dtype") {
            float32Output = ["numpy.float32", "dtype(f4)", "dtype(<f4)"].contains(type)
        }
        return .init(
            categories: categories,
            handleUnknown: handleUnknown,
            infrequentIndices: infrequent,
            defaultToInfrequent: mappings,
            output: output,
            columnNames: names,
            float32Output: float32Output
        )
    }

    private static func scaler(_ source: any SklearnAttributeSource, name: String) throws(ModelBundleError)
        -> PreprocessingStep.AffineScaler
    {
        func values(_ attribute: String) throws(ModelBundleError) -> [Double]? {
            switch try source.data(attribute) {
            case .null?, nil: return nil
            case .array(let tensor)?: return tensor.float64Values()
            case let value?: throw source.invalid(attribute, "is \(value.kindName), not an array")
            }
        }
        var scaler = PreprocessingStep.AffineScaler(className: source.kind.shortName)
        switch source.kind {
        case .standardScaler:
            scaler.subtract = source.bool("with_mean") ?? true ? try values("mean_") : nil
            scaler.divide = source.bool("with_std") ?? true ? try values("scale_") : nil
            if let version = source.fittedVersion, version >= (1, 8) { scaler.castsToInputType = true }
        case .robustScaler:
            scaler.subtract = try values("center_")
            scaler.divide = try values("scale_")
        case .minMaxScaler:
            scaler.multiply = try values("scale_")
            scaler.add = try values("min_")
            if source.bool("clip") == true, let range = try source.data("feature_range")?.items, range.count == 2,
                let low = range[0].double, let high = range[1].double, low <= high
            {
                scaler.clip = low...high
            }
        default:
            scaler.divide = try values("scale_")
            if source.bool("clip") == true { scaler.clip = -1...1 }
        }
        return scaler
    }

    private static func cells(_ source: any SklearnAttributeSource, _ attribute: String) throws(ModelBundleError)
        -> [PreprocessingCell]
    {
        guard let items = try source.data(attribute)?.items, items.count <= PreprocessingLimits.maximumWidth else {
            throw source.invalid(attribute, "is missing; was the step fitted?")
        }
        return try items.map { (item) throws(ModelBundleError) in
            guard let cell = item.cell else { throw source.invalid(attribute, "holds \(item.kindName)") }
            return cell
        }
    }

    /// A list of int arrays or None (`_infrequent_indices`, `_default_to_infrequent_mappings`).
    private static func optionalIndexLists(_ source: any SklearnAttributeSource, _ attribute: String)
        throws(ModelBundleError) -> [[Int]?]
    {
        guard let items = try source.data(attribute)?.items, items.count <= PreprocessingLimits.maximumWidth else {
            throw source.invalid(attribute, "is missing or not a list")
        }
        return try items.map { (item) throws(ModelBundleError) -> [Int]? in
            if case .null = item { return nil }
            guard let values = item.items, values.count <= PreprocessingLimits.maximumCategories else {
                throw source.invalid(attribute, "holds \(item.kindName), not an index array")
            }
            return try values.map { (value) throws(ModelBundleError) in
                guard let index = value.int, index >= 0, index < Int64(PreprocessingLimits.maximumCategories) else {
                    throw source.invalid(attribute, "holds an index out of range")
                }
                return Int(index)
            }
        }
    }

    /// `SplineTransformer`: its `bsplines_` (one scipy `BSpline` per column, all sharing the
    /// coefficient matrix scikit-learn fits: `_c`, or `c` in scipy before 1.15), and the parameters
    /// its `transform` reads. A BSpline along another axis, or columns with different coefficients,
    /// are refused.
    private static func spline(_ source: any SklearnAttributeSource, width: Int) throws(ModelBundleError)
        -> PreprocessingStep.SplineBasis
    {
        let extrapolationText = source.text("extrapolation") ?? "constant"
        guard let extrapolation = PreprocessingStep.SplineBasis.Extrapolation(rawValue: extrapolationText) else {
            throw source.invalid(
                "extrapolation",
                "is '\(extrapolationText)'; "
                    + PreprocessingStep.SplineBasis.Extrapolation.allCases.map(\.rawValue).joined(separator: ", ")
                    + " are read"
            )
        }
        let missing = source.text("handle_missing") ?? "error"
        guard missing == "error" || missing == "zeros" else {
            throw source.invalid("handle_missing", "is '\(missing)'; error or zeros is read")
        }
        guard let items = try source.data("bsplines_")?.items, items.count == width else {
            throw source.invalid("bsplines_", "is not a list of \(width) BSplines")
        }
        var knots: [[Double]] = []
        var coefficients: [Double] = []
        var splineCount = 0
        var degree = 0
        var extrapolate = PreprocessingStep.SplineBasis.BSplineExtrapolate.no
        for (index, item) in items.enumerated() {
            guard let part = item.object, part.kind == .bSpline else {
                throw source.invalid("bsplines_", "holds \(item.kindName) at \(index), not a scipy BSpline")
            }
            let spline = part.source
            func array(_ names: [String]) throws(ModelBundleError) -> WeightTensor {
                for name in names {
                    if case .array(let tensor)? = try spline.data(name) { return tensor }
                }
                throw source.invalid("bsplines_", "[\(index)] has no \(names[0]) array")
            }
            let t = try array(["_t", "t"])
            let c = try array(["_c", "c"])
            guard t.shape.count == 1, c.shape.count == 2, c.shape[1] >= 1,
                t.shape[0] <= PreprocessingLimits.maximumProjectionWeights,
                c.shape[0] <= PreprocessingLimits.maximumProjectionWeights / c.shape[1]
            else {
                throw source.invalid("bsplines_", "[\(index)] has knots that are not 1-D or coefficients not 2-D")
            }
            guard let k = try spline.data("k")?.int, k >= 0, k <= Int64(PreprocessingLimits.maximumSplineDegree),
                (try spline.data("axis")?.int ?? 0) == 0
            else {
                throw source.invalid("bsplines_", "[\(index)] has a degree k beyond the limits or an axis other than 0")
            }
            let flag: PreprocessingStep.SplineBasis.BSplineExtrapolate
            switch try spline.data("extrapolate") {
            case .bool(true)?: flag = .yes
            case .bool(false)?, nil: flag = .no
            case .string("periodic")?: flag = .periodic
            case let value?: throw source.invalid("bsplines_", "[\(index)].extrapolate is \(value.kindName)")
            }
            let values = c.float64Values()
            if index == 0 {
                coefficients = values
                splineCount = c.shape[1]
                degree = Int(k)
                extrapolate = flag
            } else if values != coefficients || c.shape[1] != splineCount || Int(k) != degree || flag != extrapolate {
                throw source.invalid(
                    "bsplines_",
                    "[\(index)] differs from bsplines_[0] in its coefficients, degree or extrapolate"
                )
            }
            knots.append(t.float64Values())
        }
        return .init(
            knots: knots,
            coefficients: coefficients,
            splineCount: splineCount,
            degree: degree,
            extrapolation: extrapolation,
            bsplineExtrapolate: extrapolate,
            includeBias: source.bool("include_bias") ?? true,
            missingAsZeros: missing == "zeros"
        )
    }

    private static func count(_ source: any SklearnAttributeSource, _ attribute: String, _ name: String)
        throws(ModelBundleError) -> Int
    {
        guard let value = try source.data(attribute)?.int, value >= 0, value <= Int64(PreprocessingLimits.maximumWidth)
        else {
            throw refuse(name, "\(attribute) is missing or not a count up to \(PreprocessingLimits.maximumWidth)")
        }
        return Int(value)
    }

    private static func refuse(_ name: String, _ message: String) -> ModelBundleError {
        ModelBundleError(.weightsInvalid, "preprocessing step \(name): \(message)", item: name)
    }
}

/// What a model file holds: an estimator, optionally behind a preprocessing stage.
struct SklearnModel: Sendable {
    var stage: PreprocessingStage?
    var estimator: SklearnEstimator
    /// A TransformedTargetRegressor's `transformer_`, inverted on the estimator's predictions.
    var targetInverse: SklearnTargetTransform? = nil
    /// When `estimator` holds scalers folded into its weights: the stage they came from and the
    /// estimator before the fold. A float32 input runs them instead, since scikit-learn rounds each
    /// scaler's output to float32 and folded weights cannot (``unfoldedForFloat32Input(_:)``).
    var unfolded: (stage: PreprocessingStage, estimator: SklearnEstimator)? = nil
    /// `feature_names_in_` of the object that first sees the input (the estimator, or a pipeline's
    /// first step unless it is a ColumnTransformer, which selects its columns by name): scikit-learn
    /// refuses a frame whose columns differ from them or come in another order.
    var featureNames: [String]? = nil
    /// Whose check ``featureNames`` follow: xgboost's wrappers name a frame's columns by their
    /// labels' text even when those are numbers.
    var featureNamesLibrary: FeatureNameCheck.Library = .scikitLearn
    /// The booster library whose wrapper is the first object to see the input (a bare
    /// `XGBClassifier`, or a pipeline's first step), which refuses `object` columns.
    var objectColumnsRefusedBy: BoosterFrameCheck.Library? = nil
    /// That wrapper was fitted on pandas `category` columns, and refuses every frame.
    var fittedOnCategoryColumns = false

    /// The model to run when the signature's inputs are float32 (MLflow then casts every request to
    /// float32): the unfolded stage and estimator, when the scalers were folded; else the model.
    func unfoldedForFloat32Input(_ manifest: ModelManifest) throws(ModelBundleError) -> SklearnModel {
        guard let unfolded, let inputs = try manifest.signature()?.inputs else { return self }
        let float32 =
            inputs.isTensorBased
            ? inputs.tensors.contains { $0.dtype == .float32 }
            : inputs.columns.contains { $0.type == .scalar(.float) }
        guard float32 else { return self }
        return SklearnModel(
            stage: unfolded.stage,
            estimator: unfolded.estimator,
            targetInverse: targetInverse,
            featureNames: featureNames,
            featureNamesLibrary: featureNamesLibrary,
            objectColumnsRefusedBy: objectColumnsRefusedBy,
            fittedOnCategoryColumns: fittedOnCategoryColumns
        )
    }
}

extension SklearnEstimator.Kind {
    /// The booster library of an XGBoost or LightGBM scikit-learn wrapper, whose DataFrame reader
    /// decides what a frame it is given first may hold (``BoosterFrameCheck``, ``FeatureNameCheck``).
    var boosterLibrary: BoosterFrameCheck.Library? {
        switch self {
        case .xgbClassifier, .xgbRegressor, .xgbRFClassifier, .xgbRFRegressor, .xgbRanker: .xgboost
        case .lgbmClassifier, .lgbmRegressor, .lgbmRanker: .lightgbm
        default: nil
        }
    }
}

extension SklearnEstimator {
    /// The preprocessing an estimator fitted inside itself (a categorical HistGradientBoosting's
    /// `_preprocessor`), which the model's stage runs just before it.
    var ownPreprocessor: PreprocessingStep? {
        if case .trees(let model) = self { model.preprocessor } else { nil }
    }
}

/// The top of a model file, for both readers: a bare estimator, or a Pipeline whose last step is
/// one. Steps before it become a ``PreprocessingStage``; when they are only plain scalers, the
/// stage is folded into the linear weights instead (the same affine maps, computed once at load).
enum SklearnModelState {
    static func model(_ source: any SklearnAttributeSource, fileName: String) throws(ModelBundleError)
        -> SklearnModel
    {
        var model = try unnamedModel(source, fileName: fileName)
        let first = try firstObject(source, fileName: fileName)
        if model.featureNames == nil, let (names, library) = try featureNames(first) {
            model.featureNames = names
            model.featureNamesLibrary = library
        }
        if model.objectColumnsRefusedBy == nil {
            model.objectColumnsRefusedBy = first.kind.boosterLibrary
            if model.objectColumnsRefusedBy != nil, model.stage == nil, case .trees(let trees) = model.estimator {
                model.fittedOnCategoryColumns = trees.fittedOnCategoryColumns
            }
        }
        return model
    }

    /// The object that first sees the input: the estimator, or a pipeline's first step.
    private static func firstObject(_ source: any SklearnAttributeSource, fileName: String) throws(ModelBundleError)
        -> any SklearnAttributeSource
    {
        guard source.kind == .pipeline else { return source }
        let steps: [(name: String, value: SklearnValue)] = try SklearnPreprocessingState.namedSteps(
            source,
            "steps",
            fileName
        )
        return steps.first(where: { !$0.value.isPassthrough })?.value.object?.source ?? source
    }

    /// The names the object that first sees the input (`first`) checks a frame's columns against
    /// (``SklearnModel/featureNames``).
    private static func featureNames(_ first: any SklearnAttributeSource) throws(ModelBundleError)
        -> (names: [String], library: FeatureNameCheck.Library)?
    {
        guard first.kind != .pipeline else { return nil }  // a pipeline of passthrough steps only
        // LightGBM's wrappers record feature_names_in_ but predict by position whatever the names.
        let library = first.kind.boosterLibrary
        guard first.kind != .columnTransformer, first.kind != .transformedTargetRegressor, library != .lightgbm,
            case .strings(let names)? = try first.data("feature_names_in_")
        else { return nil }
        return (names, library == .xgboost ? .xgboost : .scikitLearn)
    }

    private static func unnamedModel(_ source: any SklearnAttributeSource, fileName: String) throws(ModelBundleError)
        -> SklearnModel
    {
        if source.kind == .transformedTargetRegressor {
            // Its regressor_ (an estimator or a Pipeline ending in one), then its inverse.
            let (regressor, inverse) = try SklearnTargetTransform.read(source, fileName: fileName)
            var model = try model(regressor, fileName: fileName)
            guard model.targetInverse == nil else {
                throw ModelBundleError(
                    .flavorUnavailable,
                    "\(fileName): a TransformedTargetRegressor inside another is not read; fit one with the "
                        + "composed transform",
                    item: fileName
                )
            }
            model.targetInverse = inverse
            return model
        }
        guard source.kind == .pipeline else {
            if source.kind.role == .transformer {
                throw SklearnEstimator.loneScalerError(fileName: fileName, kind: source.kind)
            }
            switch try SklearnEstimatorState.step(source, fileName: fileName) {
            case .estimator(let estimator):
                guard let own = estimator.ownPreprocessor else { return SklearnModel(stage: nil, estimator: estimator) }
                return SklearnModel(stage: try PreprocessingStage(root: own), estimator: estimator)
            case .scaler(let scaler): throw SklearnEstimator.loneScalerError(fileName: fileName, kind: scaler.kind)
            }
        }
        let steps: [(name: String, value: SklearnValue)] = try SklearnPreprocessingState.namedSteps(
            source,
            "steps",
            fileName
        )
        guard let lastEntry = steps.last, var finalStep = lastEntry.value.object,
            [.estimator, .treeModel, .targetWrapper].contains(finalStep.kind.role)
        else {
            throw ModelBundleError(
                .flavorUnavailable,
                "\(fileName): the pipeline does not end in a supported estimator; supported: "
                    + SklearnEstimator.supportedList,
                item: "\(fileName):steps"
            )
        }
        // A TransformedTargetRegressor as the last step: its regressor_ must be a plain estimator here.
        var targetInverse: SklearnTargetTransform? = nil
        if finalStep.kind == .transformedTargetRegressor {
            let (regressor, inverse) = try SklearnTargetTransform.read(finalStep.source, fileName: fileName)
            let object = SklearnObject(regressor)
            guard [.estimator, .treeModel].contains(object.kind.role) else {
                throw ModelBundleError(
                    .flavorUnavailable,
                    "\(fileName): the pipeline's TransformedTargetRegressor wraps a \(regressor.kind.shortName); "
                        + "inside a Pipeline only an estimator is read there",
                    item: "\(fileName):steps"
                )
            }
            finalStep = object
            targetInverse = inverse
        }
        guard case .estimator(let estimator) = try SklearnEstimatorState.step(finalStep.source, fileName: fileName)
        else {
            throw ModelBundleError(
                .flavorUnavailable,
                "\(fileName): the pipeline's last step is not an estimator",
                item: fileName
            )
        }
        let front = steps.dropLast()
        var children: [PreprocessingStep] = []
        var budget = PreprocessingLimits.maximumSteps
        for entry in front {
            let stepName = entry.name
            let value = entry.value
            if let step = value.object {
                children.append(
                    try SklearnPreprocessingState.step(step.source, name: stepName, depth: 1, budget: &budget)
                )
            } else if !value.isPassthrough {
                throw ModelBundleError(
                    .weightsInvalid,
                    "\(fileName): pipeline step \(stepName) is \(value.kindName), not a fitted transformer",
                    item: stepName
                )
            }
        }
        // An estimator's own fitted preprocessing (HistGradientBoosting's _preprocessor) runs last.
        if let own = estimator.ownPreprocessor { children.append(own) }
        guard let first = children.first else {
            return SklearnModel(stage: nil, estimator: estimator, targetInverse: targetInverse)
        }
        let root = PreprocessingStep(name: "pipeline", inputWidth: first.inputWidth, kind: .sequence(children))
        let stage = try PreprocessingStage(root: root)
        // The optimisation of a stage of plain scalers (no clipping): folded into the linear
        // weights, w·z + b with z affine in x, so the kernels read the frame directly. Trees compare
        // the scaled values themselves (cast to float32), so their stage always runs.
        if estimator.foldsScalers, let scalers = stage.foldableScalers {
            var folded: [SklearnEstimator.Step] = []
            for scaler in scalers {
                let kind = SklearnEstimator.Kind.allCases.first { $0.shortName == scaler.className } ?? .standardScaler
                folded.append(
                    .scaler(
                        SklearnEstimator.Scaler(
                            kind: kind,
                            subtract: scaler.subtract,
                            divide: scaler.divide,
                            multiply: scaler.multiply,
                            add: scaler.add
                        )
                    )
                )
            }
            folded.append(.estimator(estimator))
            return SklearnModel(
                stage: nil,
                estimator: try SklearnEstimator.pipeline(folded, item: "\(fileName):steps"),
                targetInverse: targetInverse,
                unfolded: (stage, estimator)
            )
        }
        return SklearnModel(stage: stage, estimator: estimator, targetInverse: targetInverse)
    }
}
