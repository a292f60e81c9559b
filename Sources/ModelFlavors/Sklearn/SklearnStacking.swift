import ModelBundle
import ModelRuntime

/// `StackingClassifier` and `StackingRegressor`: their fitted `estimators_` (each an estimator this
/// build reads, a Pipeline ending in one, or a TransformedTargetRegressor) and `final_estimator_`,
/// combined as scikit-learn 1.9.1 combines them (`ensemble/_stacking.py`): each member answers the
/// method `stack_method_` names for it; `_concatenate_predictions` makes each answer 2-D, dropping
/// the first probability column of a binary classifier's `predict_proba` (the columns sum to one),
/// and appends the ensemble's input when `passthrough`; the final estimator predicts from that.
/// Members and the final estimator were fitted on class indices (`_label_encoder.transform(y)`), so
/// a classifier's labels are `classes_` at the final estimator's predicted index.
struct SklearnStacking: Sendable {
    enum Method: String, Sendable {
        case predictProbability = "predict_proba"
        case decisionFunction = "decision_function"
        case predict
    }

    var isClassifier: Bool
    var members: [SklearnModel]
    var methods: [Method]
    var finalEstimator: SklearnModel
    var passthrough: Bool
    /// `classes_` (classifiers only).
    var classes: LinearModelFlavorConfiguration.ClassLabels?

    /// Members of one ensemble, at most (each may be a whole pipeline).
    static let maximumMembers = 64

    static func read(_ source: any SklearnAttributeSource, fileName: String) throws(ModelBundleError) -> SklearnStacking
    {
        guard let fitted = try source.data("estimators_")?.items, !fitted.isEmpty, fitted.count <= maximumMembers else {
            throw source.invalid("estimators_", "is missing or not a list of 1 to \(maximumMembers) fitted estimators")
        }
        guard let names = try source.data("stack_method_")?.items, names.count == fitted.count else {
            throw source.invalid("stack_method_", "is missing or does not name one method per fitted estimator")
        }
        var methods: [Method] = []
        for (index, name) in names.enumerated() {
            guard case .string(let text) = name, let method = Method(rawValue: text) else {
                throw source.invalid(
                    "stack_method_",
                    "[\(index)] is \(name.kindName); predict_proba, decision_function or predict is read"
                )
            }
            methods.append(method)
        }
        var members: [SklearnModel] = []
        for (index, value) in fitted.enumerated() {
            guard case .object(let member) = value else {
                throw source.invalid("estimators_", "[\(index)] is \(value.kindName), not a fitted estimator")
            }
            members.append(
                try oneLevel(
                    try SklearnModelState.model(member.source, fileName: fileName),
                    "estimators_[\(index)]",
                    fileName
                )
            )
        }
        guard case .object(let final)? = try source.data("final_estimator_") else {
            throw source.invalid("final_estimator_", "is missing or not a fitted estimator")
        }
        let finalEstimator = try oneLevel(
            try SklearnModelState.model(final.source, fileName: fileName),
            "final_estimator_",
            fileName
        )
        let isClassifier = source.kind == .stackingClassifier
        var classes: LinearModelFlavorConfiguration.ClassLabels? = nil
        if isClassifier {
            // Multilabel targets leave classes_ a list of arrays, one per output (and _label_encoder a list).
            if case .list? = try source.data("classes_") {
                throw ModelBundleError(
                    .flavorUnavailable,
                    "\(fileName): this StackingClassifier was fitted on multilabel targets (one label encoder per "
                        + "output); only binary and multiclass ones are supported",
                    item: "\(fileName):classes_"
                )
            }
            classes = try source.labels("classes_")
        }
        return SklearnStacking(
            isClassifier: isClassifier,
            members: members,
            methods: methods,
            finalEstimator: finalEstimator,
            passthrough: source.bool("passthrough") ?? false,
            classes: classes
        )
    }

    /// One level only: a file can name one fitted object many times, so ensembles of ensembles could
    /// multiply into far more models than the file holds.
    private static func oneLevel(_ model: SklearnModel, _ what: String, _ fileName: String) throws(ModelBundleError)
        -> SklearnModel
    {
        switch model.estimator {
        case .voting, .stacking:
            throw ModelBundleError(
                .flavorUnavailable,
                "\(fileName): \(what) of the stacking ensemble is itself an ensemble; nested ensembles are not read",
                item: "\(fileName):\(what)"
            )
        default: return model
        }
    }
}

/// The runnable stacking ensemble: each member and the final estimator built as the sklearn flavor
/// builds a whole model.
struct SklearnStackingModel: FlavorModel {
    let stacking: SklearnStacking
    let members: [any FlavorModel]
    let finalModel: any FlavorModel
    let predictFunction: String

    init(_ stacking: SklearnStacking, predictFunction: String, featureWidth: Int?, fileName: String)
        throws(ModelBundleError)
    {
        let supported = stacking.isClassifier ? ["predict", "predict_proba", "decision_function"] : ["predict"]
        guard supported.contains(predictFunction) else {
            throw SklearnEstimatorModelBuilder.unsupportedFunction(
                predictFunction,
                stacking.isClassifier ? "a StackingClassifier" : "a StackingRegressor",
                supported
            )
        }
        var members: [any FlavorModel] = []
        for (index, (member, method)) in zip(stacking.members, stacking.methods).enumerated() {
            do {
                members.append(
                    try SklearnInteropFlavor.flavorModel(
                        member,
                        predictFunction: method.rawValue,
                        featureWidth: featureWidth,
                        fileName: fileName
                    )
                )
            } catch  where error.item == "flavors.python_function.predict_fn" {
                // The method is the member's stack_method_, not the bundle's predict_fn.
                let prefix = "MLmodel field flavors.python_function.predict_fn is "
                let detail =
                    error.message.hasPrefix(prefix) ? String(error.message.dropFirst(prefix.count)) : error.message
                throw ModelBundleError(
                    .flavorUnavailable,
                    "\(fileName): estimators_[\(index)] of the stacking ensemble answers \(method.rawValue) "
                        + "(its stack_method_), which this build does not compute for it: \(detail)",
                    item: "\(fileName):stack_method_"
                )
            }
        }
        // The final estimator's width is the meta-features', known once the members answer; its own
        // input check compares them.
        finalModel = try SklearnInteropFlavor.flavorModel(
            stacking.finalEstimator,
            predictFunction: predictFunction,
            featureWidth: nil,
            fileName: fileName
        )
        self.stacking = stacking
        self.members = members
        self.predictFunction = predictFunction
    }

    func predict(_ request: EnforcedRequest) throws(ModelBundleError) -> PredictionOutput {
        try SklearnLinearInputCheck.requireFinite(request, reachingMembersOf: members, "stacking")
        var blocks: [(width: Int, values: [Double])] = []
        var rows = -1
        for (index, member) in members.enumerated() {
            guard case .tensor(let tensor) = try member.predict(request) else {
                throw Self.unexpected("estimators_[\(index)] did not answer an array")
            }
            let values = try Self.numbers(tensor.values, index)
            let memberRows = tensor.shape.first ?? 0
            var width = tensor.shape.count == 2 ? tensor.shape[1] : 1
            guard tensor.shape.count <= 2, memberRows * width == values.count, rows < 0 || memberRows == rows else {
                throw Self.unexpected("estimators_[\(index)] answered shape \(tensor.shape)")
            }
            rows = memberRows
            if stacking.methods[index] == .predictProbability, stacking.classes?.count == 2, width == 2 {
                // Binary probabilities: only the second column (the first is one minus it).
                blocks.append((1, stride(from: 1, to: values.count, by: 2).map { values[$0] }))
                continue
            }
            width = max(width, 1)
            blocks.append((width, values))
        }
        if stacking.passthrough {
            let width = Self.inputWidth(request.input)
            let input = try NativeLinearInput<Double>(
                request.input,
                featureCount: width,
                rowOffset: request.rowOffset,
                nullsAsNaN: true
            )
            guard input.rowCount == rows else {
                throw Self.unexpected("the passthrough input has \(input.rowCount) rows")
            }
            blocks.append((width, input.values))
        }
        let width = blocks.reduce(0) { $0 + $1.width }
        var meta = [Double](repeating: 0, count: rows * width)
        var column = 0
        for block in blocks {
            for row in 0..<rows {
                for offset in 0..<block.width {
                    meta[row * width + column + offset] = block.values[row * block.width + offset]
                }
            }
            column += block.width
        }
        if finalModel is any LinearFoldable {
            try SklearnLinearInputCheck.requireFinite(
                meta,
                width: width,
                rowOffset: request.rowOffset,
                reaching: "the stacking ensemble's linear final estimator"
            )
        }
        let output = try finalModel.predict(
            EnforcedRequest(
                input: .tensor(try Tensor(shape: [rows, width], values: .double(meta))),
                params: request.params,
                rowOffset: request.rowOffset
            )
        )
        guard stacking.isClassifier, predictFunction == "predict" else { return output }
        // The final estimator predicts class indices; classes_ names them.
        guard let classes = stacking.classes, case .tensor(let labels) = output,
            case .long(let indices) = labels.values,
            indices.allSatisfy({ $0 >= 0 && $0 < Int64(classes.count) })
        else {
            throw Self.unexpected("the final estimator's labels are not the encoded classes")
        }
        return .tensor(try Tensor(shape: labels.shape, values: classes.values(at: indices.map { Int($0) })))
    }

    /// Columns of a frame, or the width of a [rows, width] tensor (one for a 1-D tensor).
    private static func inputWidth(_ input: RequestInput) -> Int {
        switch input {
        case .frame(let frame): frame.columns.count
        case .tensor(let tensor): tensor.shape.count == 2 ? tensor.shape[1] : 1
        case .namedTensors(let tensors): tensors.count
        }
    }

    /// A member's answer as numbers: probabilities and scores, or labels (the encoded classes of a
    /// classifier's predict, stacked as floats as numpy's hstack makes them).
    private static func numbers(_ values: ColumnValues, _ index: Int) throws(ModelBundleError) -> [Double] {
        switch values {
        case .double(let numbers): return numbers
        case .float(let numbers): return numbers.map(Double.init)
        case .long(let labels): return labels.map(Double.init)
        case .integer(let labels): return labels.map(Double.init)
        case .boolean(let labels): return labels.map { $0 ? 1 : 0 }
        default: throw unexpected("estimators_[\(index)] answered values that are not numbers")
        }
    }

    private static func unexpected(_ message: String) -> ModelBundleError {
        ModelBundleError(.flavorUnavailable, "stacking ensemble: \(message)", item: "estimators_")
    }
}
