import ModelBundle
import ModelRuntime

/// Features an ensemble hands a linear model it holds (a voting member behind a stage, a stacking
/// final estimator): a NaN or infinity is refused naming its row and feature, as the model's
/// `check_array` refuses it, instead of being predicted as NaN or turned into a label.
enum SklearnLinearInputCheck {
    /// `values`: row-major, `width` per row; `what` names the model, as "a linear member of the
    /// voting ensemble".
    static func requireFinite(_ values: [Double], width: Int, rowOffset: Int, reaching what: String)
        throws(ModelBundleError)
    {
        guard let index = values.firstIndex(where: { !$0.isFinite }) else { return }
        let width = max(width, 1)
        let value = values[index]
        let row = rowOffset + index / width
        throw ModelBundleError(
            .schemaMismatch,
            "row \(row) feature \(index % width): \(value.isNaN ? "NaN" : "an infinity") reaches \(what), which "
                + "refuses it (scikit-learn: Input X contains "
                + (value.isNaN ? "NaN)" : "infinity or a value too large for dtype('float64'))"),
            item: "row \(row)"
        )
    }

    /// Behind a pipeline's stage an ensemble's members read the stage's features: when one of them is a
    /// linear model, a NaN or infinity there is refused (a member with its own stage checks its own
    /// output). `ensemble` names it in the message ("voting", "stacking").
    static func requireFinite(
        _ request: EnforcedRequest,
        reachingMembersOf members: [any FlavorModel],
        _ ensemble: String
    )
        throws(ModelBundleError)
    {
        guard members.contains(where: { $0 is any LinearFoldable }), case .tensor(let features) = request.input,
            case .double(let values) = features.values, features.shape.count == 2
        else { return }
        try requireFinite(
            values,
            width: features.shape[1],
            rowOffset: request.rowOffset,
            reaching: "a linear member of the \(ensemble) ensemble"
        )
    }
}
