public import ModelBundle
public import ModelRuntime

/// MLflow's `xgboost` flavor (`model.ubj`, `model.json`), run natively.
public enum XGBoostInteropFlavor: ModelFlavor {
    public static var name: String { "xgboost" }

    public static func load(from bundle: OpenedBundle, configuration: ManifestMap) throws(ModelBundleError)
        -> any FlavorModel
    {
        let package = try BoosterBundleReader.package(flavor: name, configuration: configuration, bundle: bundle)
        let model = BoosterFrameCheck(
            model: try TreeEnsembleModel(ensemble: package.ensemble, configuration: package.configuration),
            library: .xgboost,
            fittedOnCategoryColumns: package.fittedOnCategoryColumns
        )
        // xgboost's DMatrix and inplace_predict refuse a DataFrame whose columns are not the fitted names
        // in their order (`validate_features`), as scikit-learn does.
        guard let names = package.featureNames else { return model }
        var check = FeatureNameCheck(model: model, names: names, library: .xgboost)
        check.refusesUnnamedRows = package.configuration.inputCheck == .xgboostDMatrix
        return check
    }
}

/// MLflow's `lightgbm` flavor (a Booster as `model.lgb` text), run natively.
public enum LightGBMInteropFlavor: ModelFlavor {
    public static var name: String { "lightgbm" }

    public static func load(from bundle: OpenedBundle, configuration: ManifestMap) throws(ModelBundleError)
        -> any FlavorModel
    {
        let package = try BoosterBundleReader.package(flavor: name, configuration: configuration, bundle: bundle)
        return BoosterFrameCheck(
            model: try TreeEnsembleModel(ensemble: package.ensemble, configuration: package.configuration),
            library: .lightgbm,
            fittedOnCategoryColumns: package.fittedOnCategoryColumns
        )
    }
}
