import ArgumentParser
import ModelBundle
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

    @Option(name: .shortAndLong, help: "The MLflow bundle: a directory, or a .tar.gz/.zip of one.")
    var model: String

    @Option(name: .shortAndLong, help: "The bundle directory to create.")
    var output: String

    func run() throws {
        try reportingErrors { () throws(ModelBundleError) in
            let opened = try OpenedModel(model)
            // An archive's extracted copy must outlive the reading of its files.
            defer { withExtendedLifetime(opened) {} }
            if BoosterBundleReader.flavorNames.contains(where: { opened.bundle.manifest.flavor($0) != nil }) {
                try TreeEnsembleBundleWriter.convert(opened.bundle, to: output)
            } else {
                try SklearnBundleConverter.convert(opened.bundle, to: output)
            }
        }
    }
}
