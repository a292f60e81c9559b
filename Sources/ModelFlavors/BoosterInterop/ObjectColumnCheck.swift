import ModelBundle
import ModelRuntime

/// XGBoost's and LightGBM's DataFrame readers refuse a column of dtype `object` ("DataFrame.dtypes
/// for data must be int, float, bool or category"; "pandas dtypes must be int, float or bool"), and
/// MLflow answers 400. Without a signature nothing casts a request's columns first, and pandas makes
/// an `object` column of:
/// - a JSON column whose every value is null (pandas cannot type it; in CSV it is float64 NaN);
/// - booleans with a missing value (JSON null or an empty CSV field);
/// - booleans, numbers or text mixed in one column.
///
/// scikit-learn converts such a column to float, so its estimators are not wrapped. With a signature
/// MLflow casts each column to its type first, which never leaves these kinds for this check to see.
struct ObjectColumnCheck: FlavorModel {
    enum Library: String {
        case xgboost, lightgbm

        var refusal: String {
            switch self {
            case .xgboost: "xgboost: DataFrame.dtypes for data must be int, float, bool or category"
            case .lightgbm: "lightgbm: pandas dtypes must be int, float or bool"
            }
        }
    }

    let model: any FlavorModel
    let library: Library

    func predict(_ request: EnforcedRequest) throws(ModelBundleError) -> PredictionOutput {
        if case .frame(let frame) = request.input {
            for column in frame.columns {
                guard let reason = Self.objectReason(column, fromJSON: request.envelope != nil) else { continue }
                throw ModelBundleError(
                    .schemaMismatch,
                    "column '\(column.name)' reaches the model as a pandas object column (\(reason)), which "
                        + "\(library.rawValue) refuses (\(library.refusal)); send it as numbers, or log the model "
                        + "with a signature",
                    item: column.name,
                    location: .init(column: column.name)
                )
            }
        }
        return try model.predict(request)
    }

    /// Why pandas would hold `column` as `object`, or nil when it would not.
    static func objectReason(_ column: Column, fromJSON: Bool) -> String? {
        switch column.values {
        case .boolean:
            return column.validity.hasNulls ? "booleans with a missing value" : nil
        case .cells(let cells):
            var numbers = 0
            var others = 0
            for kind in cells.kinds {
                switch kind {
                case .null: continue
                case .integral, .largeIntegral, .fractional: numbers += 1
                case .boolean, .string, .nested: others += 1
                }
            }
            if others > 0 { return "values of more than one kind" }
            return numbers == 0 && fromJSON ? "every value is null" : nil
        default:
            return nil
        }
    }
}
