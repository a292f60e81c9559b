import ModelBundle

/// The skops nodes tree models carry beyond plain data and the allowlisted classes, each allowed
/// by its exact loader and class and never constructed: prediction derives everything from the
/// estimator's own attributes (`loss`, `learning_rate`, `init_`, the trees).
enum SklearnTreeSkopsParts {
    /// `sklearn.tree._tree.Tree` as skops writes it (a `TreeNode`: the class plus `__reduce__`
    /// arguments (n_features, n_classes, n_outputs) and a state dict of numbers and arrays).
    static let treeNode = "sklearn.tree._tree.Tree"
    /// `GradientBoosting._rng` (a `RandomStateNode`: a bit generator's name and state arrays).
    static let randomState = "numpy.random.mtrand.RandomState"
    /// HistGradientBoosting's `_feature_subsample_rng` (a `RandomGeneratorNode`).
    static let randomGenerator = "numpy.random._generator.Generator"
    /// The `_loss` objects of GradientBoosting and HistGradientBoosting and their links: ObjectNodes
    /// whose state is numbers, strings and nested parts of this list.
    static let lossObjects: Set<String> = [
        "sklearn._loss.loss.HalfSquaredError",
        "sklearn._loss.loss.AbsoluteError",
        "sklearn._loss.loss.PinballLoss",
        "sklearn._loss.loss.HuberLoss",
        "sklearn._loss.loss.HalfPoissonLoss",
        "sklearn._loss.loss.HalfGammaLoss",
        "sklearn._loss.loss.HalfBinomialLoss",
        "sklearn._loss.loss.HalfMultinomialLoss",
        "sklearn._loss.loss.ExponentialLoss",
        "sklearn._loss.link.IdentityLink",
        "sklearn._loss.link.LogLink",
        "sklearn._loss.link.LogitLink",
        "sklearn._loss.link.HalfLogitLink",
        "sklearn._loss.link.MultinomialLogit",
        "sklearn._loss.link.Interval",
        // HistGradientBoostingClassifier._label_encoder (classes_ is read from the estimator itself).
        "sklearn.preprocessing._label.LabelEncoder",
        // A ColumnTransformer's make_column_selector: never evaluated (SklearnValue.columnSelector).
        columnSelector,
    ]
    static let columnSelector = "sklearn.compose._column_transformer.make_column_selector"

    static func isColumnSelector(_ node: JSONObject) -> Bool {
        node["__module__"]?.stringValue == "sklearn.compose._column_transformer"
            && node["__class__"]?.stringValue == "make_column_selector"
    }
    /// Their Cython loss objects (`LossNode`: the class and numeric `__reduce__` arguments).
    static let cythonLosses: Set<String> = [
        "sklearn._loss._loss.CyHalfSquaredError",
        "sklearn._loss._loss.CyAbsoluteError",
        "sklearn._loss._loss.CyPinballLoss",
        "sklearn._loss._loss.CyHuberLoss",
        "sklearn._loss._loss.CyHalfPoissonLoss",
        "sklearn._loss._loss.CyHalfGammaLoss",
        "sklearn._loss._loss.CyHalfBinomialLoss",
        "sklearn._loss._loss.CyHalfMultinomialLoss",
        "sklearn._loss._loss.CyExponentialLoss",
    ]

    static func allows(loader: String, className: String) -> Bool {
        switch loader {
        case "TreeNode": className == treeNode
        case "RandomStateNode": className == randomState
        case "RandomGeneratorNode": className == randomGenerator
        case "ObjectNode": lossObjects.contains(className)
        case "LossNode": cythonLosses.contains(className)
        default: false
        }
    }
}
