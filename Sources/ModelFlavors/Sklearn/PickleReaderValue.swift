import ModelBundle

/// A value on the restricted pickle machine's stack: plain data, or one of our own placeholders
/// for an allowlisted global. Nothing here can run code; a "call" only builds one of these.
indirect enum PickleReaderValue: Sendable {
    case none
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple([PickleReaderValue])
    case list([PickleReaderValue])
    case dict([(key: String, value: PickleReaderValue)])
    /// An allowlisted global, bound to a Swift constructor.
    case global(PickleReaderGlobal)
    /// `numpy.dtype(code, False, True)`, with the byte order its BUILD state sets.
    case dtype(code: String, byteOrder: String)
    /// `_reconstruct(ndarray, (0,), b'b')` before its BUILD state arrives.
    case emptyArray
    case array(WeightTensor)
    /// An object or unicode array of strings.
    case strings([String], shape: [Int])
    /// An object array holding more than str (None, NaN, numbers, nested arrays), C order.
    case objectArray([PickleReaderValue], shape: [Int])
    /// `slice(start, stop, step)`.
    case slice(start: Int64?, stop: Int64?, step: Int64?)
    /// An `SGDClassifier._loss_function_` object (REDUCE of an allowlisted loss class with its
    /// numeric arguments): kept as its name only; prediction reads the `loss` string instead.
    case lossFunction(PickleReaderGlobal)
    /// An allowlisted estimator; `state` is set by BUILD.
    case estimator(SklearnEstimator.Kind, state: [(key: String, value: PickleReaderValue)]?)
    /// A structured `numpy.dtype('V<n>')` before its BUILD state, and after it once the fields
    /// matched one of scikit-learn's node layouts (SklearnTrees/PickleNumpy+Records.swift).
    case voidDtype(itemSize: Int)
    case recordDtype(SklearnNodeLayout)
    /// A structured array of tree nodes.
    case records(SklearnNodeRecords)
    /// `functools.partial(check_array)` before its BUILD state (`built: false`), and after a state
    /// that ``SklearnNumericCheck`` recognised (`built: true`); nothing is ever called.
    case numericCheck(built: Bool)

    var kindName: String {
        switch self {
        case .none: "None"
        case .bool: "a bool"
        case .int: "an int"
        case .float: "a float"
        case .string: "a str"
        case .bytes: "bytes"
        case .tuple: "a tuple"
        case .list: "a list"
        case .dict: "a dict"
        case .global(let global): global.rawValue
        case .dtype: "a numpy dtype"
        case .emptyArray: "an unbuilt ndarray"
        case .array: "a numpy array"
        case .strings: "a string array"
        case .objectArray: "an object array"
        case .slice: "a slice"
        case .lossFunction(let global): global.rawValue
        case .estimator(let kind, _): kind.rawValue
        case .voidDtype, .recordDtype: "a structured numpy dtype"
        case .records: "a structured numpy array"
        case .numericCheck: SklearnNumericCheck.description
        }
    }
}

/// The globals a pickle may name: compiled in, never taken from the bundle (security.md §4c).
enum PickleReaderGlobal: String, Sendable {
    case dtype = "numpy.dtype"
    case ndarray = "numpy.ndarray"
    case reconstruct = "numpy._core.multiarray._reconstruct"
    case reconstructLegacy = "numpy.core.multiarray._reconstruct"
    case frombuffer = "numpy._core.numeric._frombuffer"
    case frombufferLegacy = "numpy.core.numeric._frombuffer"
    case scalar = "numpy._core.multiarray.scalar"
    case scalarLegacy = "numpy.core.multiarray.scalar"
    // The estimator classes (NEWOBJ, then BUILD with their state dict): SklearnEstimator.Kind.
    case logisticRegression = "sklearn.linear_model._logistic.LogisticRegression"
    case linearRegression = "sklearn.linear_model._base.LinearRegression"
    case ridge = "sklearn.linear_model._ridge.Ridge"
    case lasso = "sklearn.linear_model._coordinate_descent.Lasso"
    case elasticNet = "sklearn.linear_model._coordinate_descent.ElasticNet"
    case sgdRegressor = "sklearn.linear_model._stochastic_gradient.SGDRegressor"
    case linearSVR = "sklearn.svm._classes.LinearSVR"
    case ridgeClassifier = "sklearn.linear_model._ridge.RidgeClassifier"
    case linearSVC = "sklearn.svm._classes.LinearSVC"
    case sgdClassifier = "sklearn.linear_model._stochastic_gradient.SGDClassifier"
    // The other linear models (SklearnEstimator.Kind), read as the ones above.
    case ridgeCV = "sklearn.linear_model._ridge.RidgeCV"
    case lassoCV = "sklearn.linear_model._coordinate_descent.LassoCV"
    case elasticNetCV = "sklearn.linear_model._coordinate_descent.ElasticNetCV"
    case multiTaskLasso = "sklearn.linear_model._coordinate_descent.MultiTaskLasso"
    case multiTaskElasticNet = "sklearn.linear_model._coordinate_descent.MultiTaskElasticNet"
    case multiTaskLassoCV = "sklearn.linear_model._coordinate_descent.MultiTaskLassoCV"
    case multiTaskElasticNetCV = "sklearn.linear_model._coordinate_descent.MultiTaskElasticNetCV"
    case lars = "sklearn.linear_model._least_angle.Lars"
    case larsCV = "sklearn.linear_model._least_angle.LarsCV"
    case lassoLars = "sklearn.linear_model._least_angle.LassoLars"
    case lassoLarsCV = "sklearn.linear_model._least_angle.LassoLarsCV"
    case lassoLarsIC = "sklearn.linear_model._least_angle.LassoLarsIC"
    case orthogonalMatchingPursuit = "sklearn.linear_model._omp.OrthogonalMatchingPursuit"
    case orthogonalMatchingPursuitCV = "sklearn.linear_model._omp.OrthogonalMatchingPursuitCV"
    case bayesianRidge = "sklearn.linear_model._bayes.BayesianRidge"
    case ardRegression = "sklearn.linear_model._bayes.ARDRegression"
    case huberRegressor = "sklearn.linear_model._huber.HuberRegressor"
    case theilSenRegressor = "sklearn.linear_model._theil_sen.TheilSenRegressor"
    case quantileRegressor = "sklearn.linear_model._quantile.QuantileRegressor"
    case passiveAggressiveRegressor = "sklearn.linear_model._passive_aggressive.PassiveAggressiveRegressor"
    case logisticRegressionCV = "sklearn.linear_model._logistic.LogisticRegressionCV"
    case ridgeClassifierCV = "sklearn.linear_model._ridge.RidgeClassifierCV"
    case perceptron = "sklearn.linear_model._perceptron.Perceptron"
    case passiveAggressiveClassifier = "sklearn.linear_model._passive_aggressive.PassiveAggressiveClassifier"
    case standardScaler = "sklearn.preprocessing._data.StandardScaler"
    case minMaxScaler = "sklearn.preprocessing._data.MinMaxScaler"
    case maxAbsScaler = "sklearn.preprocessing._data.MaxAbsScaler"
    case pipeline = "sklearn.pipeline.Pipeline"
    case labelBinarizer = "sklearn.preprocessing._label.LabelBinarizer"
    case columnTransformer = "sklearn.compose._column_transformer.ColumnTransformer"
    case featureUnion = "sklearn.pipeline.FeatureUnion"
    case simpleImputer = "sklearn.impute._base.SimpleImputer"
    case missingIndicator = "sklearn.impute._base.MissingIndicator"
    case oneHotEncoder = "sklearn.preprocessing._encoders.OneHotEncoder"
    case ordinalEncoder = "sklearn.preprocessing._encoders.OrdinalEncoder"
    case targetEncoder = "sklearn.preprocessing._target_encoder.TargetEncoder"
    case robustScaler = "sklearn.preprocessing._data.RobustScaler"
    case polynomialFeatures = "sklearn.preprocessing._polynomial.PolynomialFeatures"
    case kBinsDiscretizer = "sklearn.preprocessing._discretization.KBinsDiscretizer"
    case varianceThreshold = "sklearn.feature_selection._variance_threshold.VarianceThreshold"
    case selectKBest = "sklearn.feature_selection._univariate_selection.SelectKBest"
    case selectPercentile = "sklearn.feature_selection._univariate_selection.SelectPercentile"
    case rfe = "sklearn.feature_selection._rfe.RFE"
    case rfecv = "sklearn.feature_selection._rfe.RFECV"
    case sequentialFeatureSelector = "sklearn.feature_selection._sequential.SequentialFeatureSelector"
    case selectFromModel = "sklearn.feature_selection._from_model.SelectFromModel"
    // Their score_func, named by GLOBAL and kept as a name (SklearnInertFunction); a REDUCE on one is
    // refused like any other call.
    case fClassif = "sklearn.feature_selection._univariate_selection.f_classif"
    case fRegression = "sklearn.feature_selection._univariate_selection.f_regression"
    case rRegression = "sklearn.feature_selection._univariate_selection.r_regression"
    case chi2 = "sklearn.feature_selection._univariate_selection.chi2"
    case fOneway = "sklearn.feature_selection._univariate_selection.f_oneway"
    case mutualInfoClassif = "sklearn.feature_selection._mutual_info.mutual_info_classif"
    case mutualInfoRegression = "sklearn.feature_selection._mutual_info.mutual_info_regression"
    case functionTransformer = "sklearn.preprocessing._function_transformer.FunctionTransformer"
    // A FunctionTransformer's func/inverse_func when it is one of these numpy ufuncs: a name by GLOBAL
    // (SklearnInertFunction, ElementwiseFunction), never called; a REDUCE on one is refused.
    case numpyLog = "numpy.log"
    case numpyLog1p = "numpy.log1p"
    case numpyLog2 = "numpy.log2"
    case numpyLog10 = "numpy.log10"
    case numpyExp = "numpy.exp"
    case numpyExp2 = "numpy.exp2"
    case numpyExpm1 = "numpy.expm1"
    case numpySqrt = "numpy.sqrt"
    case numpyCbrt = "numpy.cbrt"
    case numpySquare = "numpy.square"
    case numpyAbsolute = "numpy.absolute"
    case numpyNegative = "numpy.negative"
    case numpySign = "numpy.sign"
    case numpyReciprocal = "numpy.reciprocal"
    case numpySinh = "numpy.sinh"
    case numpyCosh = "numpy.cosh"
    case numpyTanh = "numpy.tanh"
    case numpyArcsinh = "numpy.arcsinh"
    case numpyArctan = "numpy.arctan"
    // Projections (NEWOBJ + BUILD, like the estimators).
    case pca = "sklearn.decomposition._pca.PCA"
    case incrementalPCA = "sklearn.decomposition._incremental_pca.IncrementalPCA"
    case truncatedSVD = "sklearn.decomposition._truncated_svd.TruncatedSVD"
    case powerTransformer = "sklearn.preprocessing._data.PowerTransformer"
    case quantileTransformer = "sklearn.preprocessing._data.QuantileTransformer"
    // SplineTransformer and its bsplines_ (scipy BSpline objects, NEWOBJ + BUILD of their data);
    // a BSpline's _asarray names scipy's array-API asarray, kept as a name and never called.
    case splineTransformer = "sklearn.preprocessing._polynomial.SplineTransformer"
    case bSpline = "scipy.interpolate._bsplines.BSpline"
    case scipyAsarray = "scipy._lib.array_api_compat.numpy._aliases.asarray"
    case transformedTargetRegressor = "sklearn.compose._target.TransformedTargetRegressor"
    case votingClassifier = "sklearn.ensemble._voting.VotingClassifier"
    case votingRegressor = "sklearn.ensemble._voting.VotingRegressor"
    case stackingClassifier = "sklearn.ensemble._stacking.StackingClassifier"
    case stackingRegressor = "sklearn.ensemble._stacking.StackingRegressor"
    case calibratedClassifierCV = "sklearn.calibration.CalibratedClassifierCV"
    case calibratedClassifier = "sklearn.calibration._CalibratedClassifier"
    case sigmoidCalibration = "sklearn.calibration._SigmoidCalibration"
    case isotonicRegression = "sklearn.isotonic.IsotonicRegression"
    // A voting ensemble's named_estimators_: a dict subclass, built as a plain dict (NEWOBJ, SETITEM),
    // its BUILD state (_deprecated_key_to_warnings) dropped; nothing reads it to predict.
    case bunch = "sklearn.utils._bunch.Bunch"
    // Data only: slice(start, stop, step) of ints or None (ColumnTransformer.output_indices_), and
    // the numpy scalar types encoders take as their dtype parameter (kept as a name, never called).
    case slice = "builtins.slice"
    case float64Type = "numpy.float64"
    case float32Type = "numpy.float32"
    // Trees and forests (SklearnTrees): the estimators by NEWOBJ + BUILD, a Tree by REDUCE with
    // (n_features, n_classes, n_outputs) then BUILD with its node and value arrays.
    case decisionTreeClassifier = "sklearn.tree._classes.DecisionTreeClassifier"
    case decisionTreeRegressor = "sklearn.tree._classes.DecisionTreeRegressor"
    case isolationForest = "sklearn.ensemble._iforest.IsolationForest"
    case baggingClassifier = "sklearn.ensemble._bagging.BaggingClassifier"
    case baggingRegressor = "sklearn.ensemble._bagging.BaggingRegressor"
    case adaBoostClassifier = "sklearn.ensemble._weight_boosting.AdaBoostClassifier"
    case adaBoostRegressor = "sklearn.ensemble._weight_boosting.AdaBoostRegressor"
    case extraTreeClassifier = "sklearn.tree._classes.ExtraTreeClassifier"
    case extraTreeRegressor = "sklearn.tree._classes.ExtraTreeRegressor"
    case randomForestClassifier = "sklearn.ensemble._forest.RandomForestClassifier"
    case randomForestRegressor = "sklearn.ensemble._forest.RandomForestRegressor"
    case extraTreesClassifier = "sklearn.ensemble._forest.ExtraTreesClassifier"
    case extraTreesRegressor = "sklearn.ensemble._forest.ExtraTreesRegressor"
    case tree = "sklearn.tree._tree.Tree"
    case gradientBoostingClassifier = "sklearn.ensemble._gb.GradientBoostingClassifier"
    case gradientBoostingRegressor = "sklearn.ensemble._gb.GradientBoostingRegressor"
    case dummyClassifier = "sklearn.dummy.DummyClassifier"
    case dummyRegressor = "sklearn.dummy.DummyRegressor"
    // GradientBoosting's inert parts (isInertTreePart): its `_loss` object, link and interval, their
    // Cython losses, and `_rng`. Built as placeholders, their state never read.
    case halfSquaredError = "sklearn._loss.loss.HalfSquaredError"
    case absoluteError = "sklearn._loss.loss.AbsoluteError"
    case pinballLoss = "sklearn._loss.loss.PinballLoss"
    case huberLoss = "sklearn._loss.loss.HuberLoss"
    case halfBinomialLossObject = "sklearn._loss.loss.HalfBinomialLoss"
    case halfMultinomialLoss = "sklearn._loss.loss.HalfMultinomialLoss"
    case exponentialLoss = "sklearn._loss.loss.ExponentialLoss"
    case identityLink = "sklearn._loss.link.IdentityLink"
    case logitLink = "sklearn._loss.link.LogitLink"
    case halfLogitLink = "sklearn._loss.link.HalfLogitLink"
    case multinomialLogit = "sklearn._loss.link.MultinomialLogit"
    case interval = "sklearn._loss.link.Interval"
    case cyHalfSquaredError = "sklearn._loss._loss.CyHalfSquaredError"
    case cyAbsoluteError = "sklearn._loss._loss.CyAbsoluteError"
    case cyPinballLoss = "sklearn._loss._loss.CyPinballLoss"
    case cyHuberLoss = "sklearn._loss._loss.CyHuberLoss"
    case cyExponentialLoss = "sklearn._loss._loss.CyExponentialLoss"
    case cyHalfMultinomialLoss = "sklearn._loss._loss.CyHalfMultinomialLoss"
    case unpickleCyHalfMultinomialLoss = "sklearn._loss._loss.__pyx_unpickle_CyHalfMultinomialLoss"
    case randomStateConstructor = "numpy.random._pickle.__randomstate_ctor"
    case bitGeneratorConstructor = "numpy.random._pickle.__bit_generator_ctor"
    case mt19937 = "numpy.random._mt19937.MT19937"
    // HistGradientBoosting: estimators, trees and binner by NEWOBJ + BUILD; inert parts as above.
    case histGradientBoostingClassifier =
        "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier"
    case histGradientBoostingRegressor =
        "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingRegressor"
    case treePredictor = "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"
    case binMapper = "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper"
    case labelEncoder = "sklearn.preprocessing._label.LabelEncoder"
    case halfPoissonLoss = "sklearn._loss.loss.HalfPoissonLoss"
    case halfGammaLoss = "sklearn._loss.loss.HalfGammaLoss"
    case logLink = "sklearn._loss.link.LogLink"
    case cyHalfPoissonLoss = "sklearn._loss._loss.CyHalfPoissonLoss"
    case cyHalfGammaLoss = "sklearn._loss._loss.CyHalfGammaLoss"
    case generatorConstructor = "numpy.random._pickle.__generator_ctor"
    case pcg64 = "numpy.random._pcg64.PCG64"
    // A categorical HistGradientBoosting's _preprocessor: its numeric branch's func, only as
    // SklearnNumericCheck's exact partial(check_array, ...) (REDUCE then BUILD; never called).
    // make_column_selector in a ColumnTransformer's transformers_: an inert placeholder (the fitted
    // columns are read from _transformer_to_input_indices), with the dtypes its state may name.
    case columnSelector = "sklearn.compose._column_transformer.make_column_selector"
    case objectType = "builtins.object"
    case numberType = "numpy.number"
    case boolType = "builtins.bool"
    case floatType = "builtins.float"
    case intType = "builtins.int"
    case strType = "builtins.str"
    case numpyBoolType = "numpy.bool"
    case numpyBoolLegacyType = "numpy.bool_"
    case floatingType = "numpy.floating"
    case integerType = "numpy.integer"
    case numpyObjectType = "numpy.object_"
    case partial = "functools.partial"
    case checkArray = "sklearn.utils.validation.check_array"
    case unpickleSeedSequence = "numpy.random.bit_generator.__pyx_unpickle_SeedSequence"
    case seedSequence = "numpy.random.bit_generator.SeedSequence"
    // SGDClassifier's _loss_function_ (REDUCE with () or (threshold,)): hinge, modified_huber,
    // log_loss. Other losses' classes stay refused.
    case hingeLoss = "sklearn.linear_model._sgd_fast.Hinge"
    case modifiedHuberLoss = "sklearn.linear_model._sgd_fast.ModifiedHuber"
    case halfBinomialLoss = "sklearn._loss._loss.CyHalfBinomialLoss"
    // XGBoost's and LightGBM's scikit-learn wrappers (SklearnBoosters) and their Boosters, by
    // NEWOBJ + BUILD; the builtin containers their state holds, by REDUCE as plain data only
    // (PickleReaderGlobal.boosterContainer).
    case xgbClassifier = "xgboost.sklearn.XGBClassifier"
    case xgbRegressor = "xgboost.sklearn.XGBRegressor"
    case lgbmClassifier = "lightgbm.sklearn.LGBMClassifier"
    case lgbmRegressor = "lightgbm.sklearn.LGBMRegressor"
    case xgbRFClassifier = "xgboost.sklearn.XGBRFClassifier"
    case xgbRFRegressor = "xgboost.sklearn.XGBRFRegressor"
    case xgbRanker = "xgboost.sklearn.XGBRanker"
    case lgbmRanker = "lightgbm.sklearn.LGBMRanker"
    case xgboostBooster = "xgboost.core.Booster"
    case lightgbmBooster = "lightgbm.basic.Booster"
    case bytearray = "builtins.bytearray"
    case defaultDict = "collections.defaultdict"
    case orderedDict = "collections.OrderedDict"
    case dictType = "builtins.dict"

    var estimatorKind: SklearnEstimator.Kind? { SklearnEstimator.Kind(rawValue: rawValue) }
    var isLossFunction: Bool { SklearnEstimatorState.lossFunctions.contains(rawValue) }
    /// A part of a tree model's state that prediction never reads (placeholders only).
    var isInertTreePart: Bool {
        switch self {
        case .halfSquaredError, .absoluteError, .pinballLoss, .huberLoss, .halfBinomialLossObject, .halfMultinomialLoss,
            .exponentialLoss, .identityLink, .logitLink, .halfLogitLink, .multinomialLogit, .interval,
            .cyHalfSquaredError, .cyAbsoluteError, .cyPinballLoss, .cyHuberLoss, .cyExponentialLoss,
            .cyHalfMultinomialLoss, .unpickleCyHalfMultinomialLoss, .randomStateConstructor, .bitGeneratorConstructor,
            .mt19937, .labelEncoder, .halfPoissonLoss, .halfGammaLoss, .logLink, .cyHalfPoissonLoss, .cyHalfGammaLoss,
            .generatorConstructor, .pcg64, .unpickleSeedSequence, .seedSequence, .columnSelector:
            true
        default: false
        }
    }
}
