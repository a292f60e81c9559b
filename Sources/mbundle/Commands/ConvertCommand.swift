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

    @Option(name: .shortAndLong, help: "The MLflow bundle: a directory, or a .tar.gz/.zip of one.")
    var model: String

    @Option(name: .shortAndLong, help: "The bundle directory to create.")
    var output: String

    func run() throws {
        try reportingErrors { () throws(ModelBundleError) in
            let opened = try OpenedModel(model)
            // An archive's extracted copy must outlive the reading of its files.
            defer { withExtendedLifetime(opened) {} }
            try SklearnBundleConverter.convert(opened.bundle, to: output)
            // The converted bundle is new files: a signature of the source cannot carry over.
            if opened.bundle.directory.containsFile(try BundlePath(BundleSignature.fileName)) {
                printError(
                    "note: \(model) is signed; \(output) is a new bundle and unsigned (sign it with mbundle sign)"
                )
            }
        }
    }
}
