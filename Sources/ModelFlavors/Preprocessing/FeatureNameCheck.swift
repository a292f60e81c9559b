import ModelBundle
import ModelRuntime

/// scikit-learn's `_check_feature_names` (and xgboost's `validate_features`): a model fitted on a
/// DataFrame refuses a frame whose column names are not its `feature_names_in_` in the same order
/// ("The feature names should match those that were passed during fit"), and MLflow answers 400.
/// A signature already puts a frame's columns in its order; without one, this is what keeps a
/// reordered or renamed frame from being read by position. LightGBM reads by position and is not
/// checked.
struct FeatureNameCheck: FlavorModel {
    /// Whose check this is: they differ on frames without text labels.
    enum Library {
        /// scikit-learn checks only a frame whose labels are all text; numbers or none (a
        /// `dataframe_split` without `columns`) are read by position, with a warning.
        case scikitLearn
        /// xgboost names a frame's columns by their labels' text (`0`, `1`) and compares those.
        case xgboost
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
    /// An xgboost Booster scored on a DMatrix: MLflow builds it from the request, and a numpy array
    /// (`instances` or `inputs` rows) has no names, which `validate_features` refuses ("data did not
    /// contain feature names"). The scikit-learn wrappers' in-place predict takes unnamed rows.
    var refusesUnnamedRows = false

    func predict(_ request: EnforcedRequest) throws(ModelBundleError) -> PredictionOutput {
        switch request.input {
        case .frame(let frame):
            if library == .scikitLearn && request.unnamedColumns { break }
            try check(frame.columns.map(\.name))
        case .tensor, .namedTensors:
            if refusesUnnamedRows {
                throw ModelBundleError(
                    .schemaMismatch,
                    "the input is rows without column names, but the model was fitted on named columns "
                        + "(\(names.joined(separator: ", "))) and checks them (xgboost: data did not contain "
                        + "feature names); send 'dataframe_split' with 'columns', or 'dataframe_records'",
                    item: "columns"
                )
            }
        }
        return try model.predict(request)
    }

    private func check(_ given: [String]) throws(ModelBundleError) {
        guard given != names else { return }
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
