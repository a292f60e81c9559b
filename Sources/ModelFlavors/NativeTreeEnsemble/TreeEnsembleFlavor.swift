public import ModelBundle
public import ModelRuntime

/// The native `tree_ensemble` flavor: scikit-learn trees and forests, XGBoost and LightGBM models
/// in one node-array form, evaluated with each source library's arithmetic.
public enum TreeEnsembleFlavor: ModelFlavor {
    public static var name: String { TreeEnsembleFlavorConfiguration.name }

    public static func load(
        from bundle: OpenedBundle,
        configuration map: ManifestMap
    ) throws(ModelBundleError) -> any FlavorModel {
        let configuration = try TreeEnsembleFlavorConfiguration(configuration: map)
        let field = "flavors.\(name).weights"
        let path = try BundlePath(configuration.weights, field: field)
        let bytes: [UInt8]
        do {
            bytes = try bundle.read(path, limit: SafeTensorsFile.defaultFileSizeLimit, field: field)
        } catch  where error.code == .fileMissing {
            throw ModelBundleError(
                .fileMissing,
                "\(configuration.weights), named by MLmodel field \(field), is missing from the bundle",
                item: field
            )
        }
        guard let stageFile = configuration.preprocessing else {
            let width = try NativeLinearFlavorLoader.signatureWidth(bundle.manifest)
            let ensemble = try TreeEnsembleArrays.decode(
                bytes: bytes,
                fileName: configuration.weights,
                featureWidth: width
            )
            return try TreeEnsembleModel(ensemble: ensemble, configuration: configuration)
        }
        // A preprocessing stage: the signature describes its input, the trees read its output.
        let file = try SafeTensorsFile(bytes: bytes, fileName: configuration.weights, allowNonFinite: true)
        let stage = try PreprocessingBundleReader.read(stageFile, of: name, in: bundle, tensors: file)
        let ensemble = try TreeEnsembleArrays.decode(file, fileName: configuration.weights)
            .validated(featureWidth: stage.outputWidth)
        guard ensemble.ensemble.featureCount == stage.outputWidth else {
            throw ModelBundleError(
                .weightsInvalid,
                "\(configuration.weights): the trees take \(ensemble.ensemble.featureCount) features but the "
                    + "preprocessing stage produces \(stage.outputWidth)",
                item: "flavors.\(name).preprocessing"
            )
        }
        let model = try TreeEnsembleModel(ensemble: ensemble, configuration: configuration)
        return PreprocessedModel(stage: stage, model: model)
    }
}
