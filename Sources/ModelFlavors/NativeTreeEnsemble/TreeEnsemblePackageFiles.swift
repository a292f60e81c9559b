package import ModelBundle

/// `mbundle package tree-ensemble` as one call: a raw XGBoost (`.json`/`.ubj`, recognised by
/// content) or LightGBM (text) model file trained outside MLflow, an example and optionally a
/// signature, read with bounds and written as a native `tree_ensemble` bundle.
package struct TreeEnsemblePackageFiles: Sendable {
    /// Which library wrote the model file.
    public enum Source: Sendable {
        case xgboost(path: String)
        case lightgbm(path: String)
    }

    public var source: Source
    /// `Booster`, `XGBClassifier` or `XGBRegressor`: how `predict` answers, as MLflow's wrappers do.
    public var modelClass: String
    /// `predict`, `predict_proba` or `predict_raw`.
    public var predictFunction: TreeEnsembleFlavorConfiguration.PredictFunction
    /// An input example: CSV with a header, or JSON.
    public var examplePath: String
    /// A JSON file `{"inputs": …, "outputs": …}` giving the signature instead of inferring it.
    public var signaturePath: String?

    /// A description; see the properties.
    public init(
        source: Source,
        modelClass: String,
        predictFunction: TreeEnsembleFlavorConfiguration.PredictFunction,
        examplePath: String,
        signaturePath: String?
    ) {
        self.source = source
        self.modelClass = modelClass
        self.predictFunction = predictFunction
        self.examplePath = examplePath
        self.signaturePath = signaturePath
    }

    /// Reads the files and writes the bundle at `output` (all or nothing).
    public func write(to output: String) throws(ModelBundleError) {
        let exampleFile = try PackagingExample(
            bytes: try LinearModelPackageFiles.readFile(
                examplePath,
                limit: PackagingExample.maximumFileSize,
                code: .inputInvalid
            ),
            fileName: examplePath
        )
        var signature = try signaturePath.map(LinearModelPackageFiles.signature(from:)) ?? ModelSignature()
        if signature.inputs == nil { signature.inputs = exampleFile.schema }
        let width = signature.inputs.flatMap { $0.isTensorBased ? nil : $0.columns.count }
        var package: TreeEnsemblePackage
        switch source {
        case .xgboost(let path):
            let bytes = try LinearModelPackageFiles.readFile(
                path,
                limit: XGBoostModelReader.maximumFileSize,
                code: .weightsInvalid
            )
            package = try BoosterBundleReader.xgboost(
                bytes,
                fileName: path,
                modelClass: modelClass,
                featureWidth: width
            )
        case .lightgbm(let path):
            let bytes = try LinearModelPackageFiles.readFile(
                path,
                limit: LightGBMModelReader.maximumFileSize,
                code: .weightsInvalid
            )
            package = try BoosterBundleReader.lightgbm(
                bytes,
                fileName: path,
                modelClass: modelClass,
                featureWidth: width
            )
        }
        package.configuration.predictFunction = predictFunction
        try TreeEnsembleBundleWriter.write(package, signature: signature, example: exampleFile.inputExample, to: output)
    }
}
