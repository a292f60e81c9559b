import ModelBundle
import ModelRuntime

/// A loaded `tree_ensemble`, answering with the function `predict_fn` names.
struct TreeEnsembleModel: FlavorModel {
    let ensemble: ValidatedTreeEnsemble
    let kernel: TreeEnsembleKernel
    let output: TreeEnsembleFlavorConfiguration.PredictFunction
    let classes: LinearModelFlavorConfiguration.ClassLabels?
    /// The source library's refusal of values float32 cannot hold, when it has one (`input_check`).
    let float32InputCheck: Float32InputCheck?
    /// `float_labels`: class indices answered as float32 numbers.
    let floatLabels: Bool

    init(ensemble: ValidatedTreeEnsemble, configuration: TreeEnsembleFlavorConfiguration) throws(ModelBundleError) {
        let e = ensemble.ensemble
        let field = "flavors.\(TreeEnsembleFlavorConfiguration.name)"
        switch e.task {
        case .classification:
            let classCount = e.outputCount == 1 ? 2 : e.outputCount
            if let classes = configuration.classes, classes.count != classCount {
                throw ModelBundleError(
                    .manifestInvalid,
                    "MLmodel field \(field).classes lists \(classes.count) labels but the trees score \(classCount) classes",
                    item: "\(field).classes"
                )
            }
            classes = configuration.classes ?? .integers((0..<Int64(classCount)).map { $0 })
        case .regression:
            guard configuration.predictFunction != .predictProba else {
                throw ModelBundleError(
                    .manifestInvalid,
                    "MLmodel field \(field).predict_fn is predict_proba but the ensemble is a regressor",
                    item: "\(field).predict_fn"
                )
            }
            classes = nil
        }
        self.ensemble = ensemble
        self.kernel = TreeEnsembleKernel(ensemble)
        self.output = configuration.predictFunction
        self.floatLabels = configuration.floatLabels
        switch configuration.inputCheck {
        case .scikitLearn?:
            // The estimator's class name, as the sklearn bundle's refusal names it.
            let estimator = configuration.source?.split(separator: " ").last.map(String.init) ?? "the model"
            float32InputCheck = .scikitLearn(estimator: estimator)
        case .xgboostDMatrix?: float32InputCheck = .xgboostDMatrix
        case nil: float32InputCheck = nil
        }
    }

    func predict(_ request: EnforcedRequest) throws(ModelBundleError) -> PredictionOutput {
        // Trees route missing values, so a null is read as NaN rather than refused.
        let input = try NativeLinearInput<Double>(
            request.input,
            featureCount: ensemble.ensemble.featureCount,
            rowOffset: request.rowOffset,
            nullsAsNaN: true
        )
        try float32InputCheck?.check(input.values, width: ensemble.ensemble.featureCount, rowOffset: request.rowOffset)
        let result = try TreeEnsemblePrediction.compute(kernel, input.values, rows: input.rowCount, output: output)
        if floatLabels, case .labels(let indices, let rows) = result {
            return try NativeLinearOutput.tensor(shape: [rows], values: .float(indices.map { Float($0) }))
        }
        return try result.output(classes: classes)
    }
}
