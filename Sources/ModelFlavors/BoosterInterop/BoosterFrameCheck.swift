import ModelBundle
import ModelRuntime

/// What XGBoost's and LightGBM's DataFrame readers refuse, where MLflow then answers 400.
///
/// A column of dtype `object` ("DataFrame.dtypes for data must be int, float, bool or category";
/// "pandas dtypes must be int, float or bool"). Without a signature nothing casts a request's
/// columns first, and pandas makes an `object` column of:
/// - a JSON column whose every value is null (pandas cannot type it; in CSV it is float64 NaN);
/// - booleans with a missing value (JSON null or an empty CSV field);
/// - booleans, numbers or text mixed in one column.
///
/// scikit-learn converts such a column to float, so its estimators are not wrapped. With a signature
/// MLflow casts each column to its type first, which never leaves these kinds for this check to see.
///
/// Any frame, when the model was fitted on pandas `category` columns (``fittedOnCategoryColumns``):
/// LightGBM records their categories (`pandas_categorical`) and refuses a frame without that many
/// category columns ("train and valid dataset categorical_feature do not match"); XGBoost's
/// scikit-learn wrappers record them (`cats`) and refuse a numeric column there ("The data type
/// doesn't match the one used in the training dataset"). A JSON or CSV request never makes a
/// category column, so MLflow refuses every frame; reading the values as category codes instead
/// would answer neither MLflow's nor the library's result.
struct BoosterFrameCheck: FlavorModel {
    enum Library: String {
        case xgboost, lightgbm

        var refusal: String {
            switch self {
            case .xgboost: "xgboost: DataFrame.dtypes for data must be int, float, bool or category"
            case .lightgbm: "lightgbm: pandas dtypes must be int, float or bool"
            }
        }

        var categoryRefusal: String {
            switch self {
            case .xgboost: "xgboost: The data type doesn't match the one used in the training dataset"
            case .lightgbm: "lightgbm: train and valid dataset categorical_feature do not match"
            }
        }
    }

    let model: any FlavorModel
    let library: Library
    var fittedOnCategoryColumns = false

    func predict(_ request: EnforcedRequest) throws(ModelBundleError) -> PredictionOutput {
        if case .frame(let frame) = request.input {
            if fittedOnCategoryColumns {
                throw ModelBundleError(
                    .schemaMismatch,
                    "the model was fitted on pandas category columns, and \(library.rawValue) refuses a frame "
                        + "whose columns are not category columns with those categories (\(library.categoryRefusal)); "
                        + "a JSON or CSV request never makes one, so MLflow refuses it too. Refit on integer "
                        + "codes marked categorical (LightGBM's categorical_feature, XGBoost's feature_types)",
                    item: "columns"
                )
            }
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
