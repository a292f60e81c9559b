import ModelBundle
import ModelRuntime
import SystemPlatform

/// `CalibratedClassifierCV` with `method='sigmoid'` or `'isotonic'`, as scikit-learn 1.9.1's
/// `calibration.py` predicts: each of `calibrated_classifiers_` (an `_CalibratedClassifier`) takes
/// its estimator's `decision_function` (or `predict_proba` when it has none; a binary one's second
/// column), maps each class's column through its calibrator (`_SigmoidCalibration`:
/// `expit(−(a·x + b))`; `IsotonicRegression(out_of_bounds='clip')`: `np.interp` of the clipped
/// value), normalises (binary: `1 − p`; else divided by the row sum, uniform when that is 0), sets
/// values within 1e-5 above 1 to 1; `predict_proba` is the mean over the calibrated classifiers, in
/// order, and `predict` its first largest class.
struct SklearnCalibrated: Sendable {
    enum Calibrator: Sendable {
        case sigmoid(a: Double, b: Double)
        /// `X_thresholds_`, `y_thresholds_`, `X_min_`, `X_max_`.
        case isotonic(knots: [Double], values: [Double], low: Double, high: Double)

        func callAsFunction(_ x: Double) -> Double {
            switch self {
            case .sigmoid(let a, let b):
                // scipy's expit(t) = 1 / (1 + exp(−t)) at t = −(a·x + b).
                return 1 / (1 + SystemPlatform.exp(a * x + b))
            case .isotonic(let knots, let values, let low, let high):
                if x.isNaN { return .nan }
                if values.count == 1 { return values[0] }
                let clipped = Swift.min(Swift.max(x, low), high)
                return PreprocessingStep.QuantileTransform.interpolate(clipped, knots, values, reversed: false)
            }
        }
    }

    struct Member: Sendable {
        var model: SklearnModel
        var calibrators: [Calibrator]
        /// Whether the estimator answers `decision_function` (else `predict_proba`).
        var usesDecisionFunction: Bool
    }

    var members: [Member]
    var classes: LinearModelFlavorConfiguration.ClassLabels

    static let maximumMembers = 64
    static let maximumKnots = 1 << 20

    static func read(_ source: any SklearnAttributeSource, fileName: String) throws(ModelBundleError)
        -> SklearnCalibrated
    {
        guard let fitted = try source.data("calibrated_classifiers_")?.items, !fitted.isEmpty,
            fitted.count <= maximumMembers
        else {
            throw source.invalid(
                "calibrated_classifiers_",
                "is missing or not a list of 1 to \(maximumMembers) calibrated classifiers"
            )
        }
        let classes = try source.labels("classes_")
        var members: [Member] = []
        for (index, value) in fitted.enumerated() {
            guard case .object(let calibrated) = value, calibrated.kind == .calibratedClassifier else {
                throw source.invalid(
                    "calibrated_classifiers_",
                    "[\(index)] is \(value.kindName), not a _CalibratedClassifier"
                )
            }
            members.append(try member(calibrated.source, index: index, classes: classes, fileName: fileName))
        }
        return SklearnCalibrated(members: members, classes: classes)
    }

    private static func member(
        _ source: any SklearnAttributeSource,
        index: Int,
        classes: LinearModelFlavorConfiguration.ClassLabels,
        fileName: String
    ) throws(ModelBundleError) -> Member {
        let method = source.text("method") ?? ""
        guard method == "sigmoid" || method == "isotonic" else {
            throw ModelBundleError(
                .flavorUnavailable,
                "\(fileName): CalibratedClassifierCV with method='\(method)' is not read; sigmoid and isotonic are",
                item: "\(fileName):calibrated_classifiers_[\(index)].method"
            )
        }
        guard case .object(let estimator)? = try source.data("estimator") else {
            throw source.invalid("estimator", "is not a fitted estimator")
        }
        let model = try SklearnModelState.model(estimator.source, fileName: fileName)
        let estimatorClasses: LinearModelFlavorConfiguration.ClassLabels?
        let decision: Bool
        switch model.estimator {
        case .logisticRegression(_, _, let labels, _): (estimatorClasses, decision) = (labels, true)
        case .linearClassifier(_, _, let labels, _, _): (estimatorClasses, decision) = (labels, true)
        case .trees(let trees) where trees.isClassifier && !trees.isOutlierDetector:
            (estimatorClasses, decision) = (trees.classes, trees.offersDecisionFunction)
        default:
            throw ModelBundleError(
                .flavorUnavailable,
                "\(fileName): calibrated_classifiers_[\(index)].estimator is not a classifier this build reads "
                    + "(ensembles are not read inside CalibratedClassifierCV)",
                item: "\(fileName):calibrated_classifiers_[\(index)].estimator"
            )
        }
        // LabelEncoder().fit(classes).transform(estimator.classes_): the same sorted classes in every fold
        // that saw them all; a fold that missed a class is refused rather than guessed.
        guard estimatorClasses?.count == classes.count else {
            throw source.invalid(
                "estimator",
                "was fitted on \(estimatorClasses?.count ?? 0) of the \(classes.count) classes; refit with folds that "
                    + "hold every class"
            )
        }
        guard let items = try source.data("calibrators")?.items,
            items.count == (classes.count == 2 ? 1 : classes.count)
        else {
            throw source.invalid("calibrators", "must hold one calibrator per class (one for two classes)")
        }
        var calibrators: [Calibrator] = []
        for item in items {
            guard case .object(let calibrator) = item else {
                throw source.invalid("calibrators", "holds \(item.kindName), not a calibrator")
            }
            calibrators.append(try self.calibrator(calibrator.source))
        }
        return Member(model: model, calibrators: calibrators, usesDecisionFunction: decision)
    }

    private static func calibrator(_ source: any SklearnAttributeSource) throws(ModelBundleError) -> Calibrator {
        func number(_ name: String) throws(ModelBundleError) -> Double {
            guard let value = try source.data(name)?.double, value.isFinite else {
                throw source.invalid(name, "is not a finite number")
            }
            return value
        }
        switch source.kind {
        case .sigmoidCalibration:
            return .sigmoid(a: try number("a_"), b: try number("b_"))
        case .isotonicRegression:
            guard source.text("out_of_bounds") == "clip" else {
                throw source.invalid("out_of_bounds", "is not 'clip', which CalibratedClassifierCV sets")
            }
            let knots = try source.array("X_thresholds_").float64Values()
            let values = try source.array("y_thresholds_").float64Values()
            guard !knots.isEmpty, knots.count == values.count, knots.count <= maximumKnots,
                knots.allSatisfy(\.isFinite), values.allSatisfy(\.isFinite),
                zip(knots, knots.dropFirst()).allSatisfy({ $0 < $1 })
            else {
                throw source.invalid(
                    "X_thresholds_",
                    "and y_thresholds_ must be finite, of one length, with X ascending"
                )
            }
            return .isotonic(knots: knots, values: values, low: try number("X_min_"), high: try number("X_max_"))
        default:
            throw source.invalid(
                "calibrators",
                "holds a \(source.kind.shortName), not a sigmoid or isotonic calibrator"
            )
        }
    }
}

/// The runnable calibrated classifier: each member's estimator built as the sklearn flavor builds a
/// whole model, answering its decision function or probabilities.
struct SklearnCalibratedModel: FlavorModel {
    let calibrated: SklearnCalibrated
    let members: [any FlavorModel]
    let predictFunction: String

    init(_ calibrated: SklearnCalibrated, predictFunction: String, featureWidth: Int?, fileName: String)
        throws(ModelBundleError)
    {
        let supported = ["predict", "predict_proba"]
        guard supported.contains(predictFunction) else {
            throw SklearnEstimatorModelBuilder.unsupportedFunction(
                predictFunction,
                "a CalibratedClassifierCV",
                supported
            )
        }
        var members: [any FlavorModel] = []
        for member in calibrated.members {
            members.append(
                try SklearnInteropFlavor.flavorModel(
                    member.model,
                    predictFunction: member.usesDecisionFunction ? "decision_function" : "predict_proba",
                    featureWidth: featureWidth,
                    fileName: fileName
                )
            )
        }
        self.calibrated = calibrated
        self.members = members
        self.predictFunction = predictFunction
    }

    func predict(_ request: EnforcedRequest) throws(ModelBundleError) -> PredictionOutput {
        try SklearnLinearInputCheck.requireFinite(request, reachingMembersOf: members, "calibrated")
        let width = calibrated.classes.count
        var mean: [Double] = []
        var rows = 0
        for (member, model) in zip(calibrated.members, members) {
            guard case .tensor(let tensor) = try model.predict(request), case .double(let scores) = tensor.values
            else {
                throw Self.unexpected("an estimator did not answer numbers")
            }
            rows = tensor.shape.first ?? 0
            // Binary: one column (the decision function, or predict_proba's second column).
            let columns = tensor.shape.count == 2 ? tensor.shape[1] : 1
            guard scores.count == rows * columns,
                columns == (width == 2 ? (member.usesDecisionFunction ? 1 : 2) : width)
            else {
                throw Self.unexpected("an estimator answered \(columns) columns for \(width) classes")
            }
            if mean.isEmpty { mean = [Double](repeating: 0, count: rows * width) }
            var proba = [Double](repeating: 0, count: width)
            for row in 0..<rows {
                if width == 2 {
                    let score = columns == 1 ? scores[row] : scores[row * 2 + 1]
                    proba[1] = member.calibrators[0](score)
                    proba[0] = 1.0 - proba[1]
                } else {
                    for k in 0..<width {
                        proba[k] = member.calibrators[k](scores[row * width + k])
                    }
                    let total = SklearnTreeReading.numpySum(proba[...])
                    for k in 0..<width { proba[k] = total != 0 ? proba[k] / total : 1 / Double(width) }
                }
                for k in 0..<width {
                    var p = proba[k]
                    if p > 1.0 && p <= 1.0 + 1e-5 { p = 1.0 }
                    mean[row * width + k] += p
                }
            }
        }
        let count = Double(members.count)
        for index in mean.indices { mean[index] /= count }
        if predictFunction == "predict_proba" {
            return .tensor(try Tensor(shape: [rows, width], values: .double(mean)))
        }
        let indices = (0..<rows).map { SklearnVotingModel.firstLargest(mean[$0 * width..<($0 + 1) * width]) }
        return .tensor(try Tensor(shape: [rows], values: calibrated.classes.values(at: indices)))
    }

    private static func unexpected(_ message: String) -> ModelBundleError {
        ModelBundleError(.flavorUnavailable, "CalibratedClassifierCV: \(message)", item: "calibrated_classifiers_")
    }
}
