public import ModelBundle

/// What a flavor's loader returns: the model itself, called only with requests that already
/// passed schema enforcement (``LoadedModel`` guarantees that).
///
/// Immutable and `Sendable` (tract's `Runnable`). If a flavor ever needs per-call scratch state,
/// it should hand out a separate non-`Sendable` session value rather than mutate the model.
public protocol FlavorModel: Sendable {
    /// Predicts for an enforced request.
    ///
    /// - Throws: ``ModelBundleError`` with ``ModelBundleError/Code/schemaMismatch`` or
    ///   ``ModelBundleError/Code/inputInvalid`` when the data cannot be fed to the model (naming
    ///   the column or tensor), never a trap.
    func predict(_ request: EnforcedRequest) throws(ModelBundleError) -> PredictionOutput
}
