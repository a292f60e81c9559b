import ArgumentParser
import ModelBundle
import ModelBundleArchive
import ModelFlavors

/// `mbundle convert -m MLFLOW_MODEL -o DIR`: a native bundle from one `mlflow.sklearn`, `mlflow.xgboost` or
/// `mlflow.lightgbm` wrote.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract:
            "Convert an MLflow scikit-learn, XGBoost or LightGBM bundle into a native bundle that predicts the same.",
        discussion: """
            Reads the sklearn flavor (skops, pickle or cloudpickle; nothing in it is executed) and writes \
            safetensors weights, the native flavor and a pure-numpy python_function flavor, keeping the \
            original signature, input example, predict_fn and metadata. An existing non-empty output \
            directory is refused and left untouched.
            """
    )

    @OptionGroup var model: ModelOption
    @OptionGroup var output: OutputOption
    @OptionGroup var registry: RegistryOptions

    func run() throws {
        try reportingErrors { () throws(ModelBundleError) in
            let source = try RegistryOptions.localPath(for: model.model)
            try SklearnBundleConverter.convert(modelPath: source, to: output.output)
            // The converted bundle is new files: a signature of the source cannot carry over.
            if BundleSignature.isPresent(modelPath: source) {
                printNote(
                    "note: \(model.model) is signed; \(output.output) is a new bundle and unsigned "
                        + "(sign it with mbundle sign)"
                )
            }
        }
    }
}
