import ArgumentParser
import ModelBundle
import ModelFlavors

/// `mbundle convert -m MLFLOW_MODEL -o DIR`: a native bundle from one `mlflow.sklearn` wrote.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert an MLflow scikit-learn bundle into a native bundle that predicts the same.",
        discussion: """
            Reads the sklearn flavor (skops, pickle or cloudpickle; nothing in it is executed) and writes \
            safetensors weights, the native flavor and a pure-numpy python_function flavor, keeping the \
            original signature, input example, predict_fn and metadata. An existing non-empty output \
            directory is refused and left untouched.
            """
    )

    @OptionGroup var model: ModelOption
    @OptionGroup var output: OutputOption

    func run() throws {
        try reportingErrors { () throws(ModelBundleError) in
            try SklearnBundleConverter.convert(modelPath: model.model, to: output.output)
        }
    }
}
