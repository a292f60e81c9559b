import ModelBundle

/// What the tree readers need from one allowlisted object's attributes, beyond the linear models'
/// ``SklearnAttributeSource``: integers and floats, nested objects (a `Tree`, an `init_`), lists
/// of them (`estimators_`), and structured node arrays. The skops reader conforms; values are
/// only ever read as data.
protocol SklearnTreeSource: SklearnAttributeSource {
    /// An int attribute (a Python int or a numpy integer scalar).
    func integer(_ name: String) throws(ModelBundleError) -> Int
    /// A float attribute (a Python float or int, or a numpy scalar).
    func number(_ name: String) throws(ModelBundleError) -> Double
    /// Whether the attribute is absent or None.
    func isNone(_ name: String) -> Bool
    /// A nested allowlisted object (an estimator's `tree_`, a `GradientBoosting.init_`).
    func object(_ name: String) throws(ModelBundleError) -> any SklearnTreeSource
    /// The allowlisted objects of a list, a list of lists, or an object ndarray, in C order.
    func objects(_ name: String, limit: Int) throws(ModelBundleError) -> [any SklearnTreeSource]
    /// Raw bytes (a `bytes` or `bytearray` attribute: an XGBoost Booster's model).
    func rawBytes(_ name: String) throws(ModelBundleError) -> [UInt8]
    /// A structured node array of `layout`.
    func records(_ name: String, layout: SklearnNodeLayout) throws(ModelBundleError) -> SklearnNodeRecords
    /// The `__reduce__` arguments of a `Tree` (n_features, n_classes, n_outputs): only their count
    /// and integer kinds are checked; the state carries what prediction needs.
    var describes: String { get }
}
