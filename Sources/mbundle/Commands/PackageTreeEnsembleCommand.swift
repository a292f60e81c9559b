import ArgumentParser
import ModelBundle
import ModelFlavors

/// `mbundle package tree-ensemble --xgboost FILE | --lightgbm FILE --example F -o DIR`: a native
/// tree bundle from a raw XGBoost (`.json`/`.ubj`, recognised by content) or LightGBM (text) model
/// trained outside MLflow.
struct PackageTreeEnsembleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tree-ensemble",
        abstract: "Package an XGBoost or LightGBM model file into a bundle MLflow can load.",
        discussion: """
            Nothing in the model file is executed. --model-class says how predict answers, as MLflow's \
            wrappers do: Booster (default; the transformed scores), XGBClassifier (class labels; \
            --predict-fn predict_proba for probabilities) or XGBRegressor. The signature is inferred from \
            --example unless --signature gives it. An existing non-empty output directory is refused.
            """
    )

    @Option(help: "An XGBoost model file (model.json or model.ubj).")
    var xgboost: String?

    @Option(help: "A LightGBM text model file (Booster.save_model).")
    var lightgbm: String?

    @Option(name: .customLong("model-class"), help: "Booster, XGBClassifier or XGBRegressor.")
    var modelClass: String = "Booster"

    @Option(name: .customLong("predict-fn"), help: "predict, predict_proba or predict_raw.")
    var predictFunction: String = "predict"

    @Option(help: "An input example: CSV with a header, or JSON.")
    var example: String

    @Option(help: "A JSON file {\"inputs\": …, \"outputs\": …} giving the signature instead of inferring it.")
    var signature: String?

    @Option(name: .shortAndLong, help: "The bundle directory to create.")
    var output: String

    func validate() throws {
        guard (xgboost == nil) != (lightgbm == nil) else {
            throw ValidationError("give exactly one of --xgboost FILE and --lightgbm FILE")
        }
        guard TreeEnsembleFlavorConfiguration.PredictFunction(rawValue: predictFunction) != nil else {
            throw ValidationError("--predict-fn must be predict, predict_proba or predict_raw")
        }
    }

    func run() throws {
        let source: TreeEnsemblePackageFiles.Source =
            if let xgboost { .xgboost(path: xgboost) } else { .lightgbm(path: lightgbm ?? "") }
        let files = TreeEnsemblePackageFiles(
            source: source,
            modelClass: modelClass,
            predictFunction: TreeEnsembleFlavorConfiguration.PredictFunction(rawValue: predictFunction) ?? .predict,
            examplePath: example,
            signaturePath: signature
        )
        try reportingErrors { () throws(ModelBundleError) in try files.write(to: output) }
    }
}
