import ModelBundle
import ModelRuntime

/// scikit-learn's `_check_feature_names` (and xgboost's `validate_features`): a model fitted on a
/// DataFrame refuses a frame whose column names are not its `feature_names_in_` in the same order
/// ("The feature names should match those that were passed during fit"), and MLflow answers 400.
/// A signature already puts a frame's columns in its order; without one, this is what keeps a
/// reordered or renamed frame from being read by position. LightGBM reads by position and is not
/// checked.
struct FeatureNameCheck: FlavorModel {
    /// Whose check this is, for the message.
    enum Library {
        case scikitLearn, xgboost
        var refusal: String {
            switch self {
            case .scikitLearn: "scikit-learn: The feature names should match those that were passed during fit"
            case .xgboost: "xgboost: feature_names mismatch"
            }
        }
    }

    let model: any FlavorModel
    let names: [String]
    let library: Library

    func predict(_ request: EnforcedRequest) throws(ModelBundleError) -> PredictionOutput {
        if case .frame(let frame) = request.input {
            let given = frame.columns.map(\.name)
            if given != names {
                let unseen = given.filter { !names.contains($0) }
                let missing = names.filter { !given.contains($0) }
                var detail: [String] = []
                if !unseen.isEmpty { detail.append("unseen at fit time: \(unseen.joined(separator: ", "))") }
                if !missing.isEmpty { detail.append("missing: \(missing.joined(separator: ", "))") }
                if detail.isEmpty { detail.append("the same names in another order") }
                throw ModelBundleError(
                    .schemaMismatch,
                    "the input's columns (\(given.joined(separator: ", "))) are not the ones the model was fitted on, "
                        + "in their order (\(names.joined(separator: ", "))): \(detail.joined(separator: "; ")) "
                        + "(\(library.refusal))",
                    item: (unseen + missing).first ?? "columns"
                )
            }
        }
        return try model.predict(request)
    }
}
