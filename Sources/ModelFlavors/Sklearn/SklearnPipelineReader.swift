package import ModelBundle

/// The pipeline reader as one entry point over untrusted bytes, for the libFuzzer target
/// (`Fuzz/`) and tests: a skops file (a zip, `PK` first) or a pickle, read by the allowlisted
/// readers into an estimator and its validated preprocessing stage. Nothing is executed; every
/// failure is a ``ModelBundleError``.
package enum SklearnPipelineReader {
    /// What a model file holds, summarised: its validated preprocessing stage (nil without one)
    /// and the kind of estimator behind it.
    package struct Summary: Sendable {
        package var stage: PreprocessingStage?
        package var estimator: String
    }

    package static func read(bytes: [UInt8], fileName: String = "model") throws(ModelBundleError) -> Summary {
        guard bytes.count <= SklearnInteropFlavor.maximumModelFileSize else {
            throw ModelBundleError(
                .archiveLimitExceeded,
                "\(fileName) is larger than the model file limit",
                item: fileName
            )
        }
        let model =
            bytes.starts(with: [0x50, 0x4B])
            ? try SkopsReader.read(bytes: bytes, fileName: fileName)
            : try PickleReader.read(bytes: bytes, fileName: fileName)
        let name: String
        switch model.estimator {
        case .logisticRegression: name = "logistic regression"
        case .linearRegression: name = "linear regression"
        case .linearClassifier: name = "linear classifier"
        case .trees(let trees): name = trees.estimator
        case .voting(let voting): name = voting.voting == .regression ? "VotingRegressor" : "VotingClassifier"
        case .stacking(let stacking): name = stacking.isClassifier ? "StackingClassifier" : "StackingRegressor"
        case .calibrated: name = "CalibratedClassifierCV"
        }
        // A stage of scalers folded into linear weights is still the pipeline's stage.
        return Summary(stage: model.stage ?? model.unfolded?.stage, estimator: name)
    }
}
