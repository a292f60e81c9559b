import ModelBundle
import ModelRuntime

/// A `TransformedTargetRegressor`'s `transformer_`, inverted on its regressor's predictions as
/// `predict` does (`transformer_.inverse_transform(pred.reshape(-1, 1))`, squeezed back to 1-D):
/// the `FunctionTransformer(func, inverse_func, validate=True)` it builds from `func`/`inverse_func`
/// (the identity when both are None), or a fitted `StandardScaler` given as `transformer`.
enum SklearnTargetTransform: Sendable {
    /// `inverse_func` (nil: the identity); `validate=True` refuses NaN and infinity first.
    case function(ElementwiseFunction?, finiteInput: Bool)
    /// `StandardScaler.inverse_transform`: × `scale_`, then + `mean_` (each nil when turned off).
    case scaler(scale: Double?, mean: Double?)

    /// The regressor_ to read and the inverse of transformer_.
    static func read(_ source: any SklearnAttributeSource, fileName: String) throws(ModelBundleError) -> (
        any SklearnAttributeSource, SklearnTargetTransform
    ) {
        func refuse(_ message: String) -> ModelBundleError {
            ModelBundleError(.flavorUnavailable, "\(fileName): a TransformedTargetRegressor \(message)", item: fileName)
        }
        guard case .object(let regressor)? = try source.data("regressor_") else {
            throw source.invalid("regressor_", "is missing; was the TransformedTargetRegressor fitted?")
        }
        // A 2-D target keeps 2-D predictions; only the common 1-D target is read.
        guard try source.data("_training_dim")?.int == 1 else {
            throw refuse("fitted on a 2-D target is not supported; fit it on a 1-D y")
        }
        guard case .object(let transformer)? = try source.data("transformer_") else {
            throw source.invalid("transformer_", "is missing; was the TransformedTargetRegressor fitted?")
        }
        let parts = transformer.source
        switch transformer.kind {
        case .functionTransformer:
            var inverse: ElementwiseFunction? = nil
            switch try parts.data("inverse_func") {
            case nil, .null?: break
            case .function(let name)?:
                guard let function = SklearnInertFunction.elementwise(name) else {
                    throw refuse(
                        "whose inverse_func is \(name) would run code from the model file; this build never does"
                    )
                }
                inverse = function
            case let value?:
                throw refuse("whose inverse_func is \(value.kindName) is not read")
            }
            switch try parts.data("inv_kw_args") {
            case nil, .null?: break
            case .dict(let entries)? where entries.isEmpty: break
            default: throw refuse("whose inverse_func takes inv_kw_args is not read")
            }
            return (regressor.source, .function(inverse, finiteInput: parts.bool("validate") ?? true))
        case .standardScaler:
            func single(_ name: String) throws(ModelBundleError) -> Double? {
                let value = try parts.data(name)
                if value == nil { return nil }
                if case .null? = value { return nil }
                guard case .array(let tensor)? = value, tensor.shape == [1], let number = tensor.float64Values().first,
                    number.isFinite
                else {
                    throw parts.invalid(name, "is not one finite value for a 1-D target")
                }
                return number
            }
            return (regressor.source, .scaler(scale: try single("scale_"), mean: try single("mean_")))
        default:
            throw refuse(
                "whose transformer is a \(transformer.kind.shortName) is not read; a StandardScaler, or func and "
                    + "inverse_func among the numpy functions \(ElementwiseFunction.allCases.map(\.rawValue).joined(separator: ", ")), is"
            )
        }
    }

    /// The inverse on one prediction; `row` names it when validation refuses it.
    func invert(_ value: Double, row: Int) throws(ModelBundleError) -> Double {
        switch self {
        case .function(let inverse, let finiteInput):
            if finiteInput, !value.isFinite {
                throw ModelBundleError(
                    .inputInvalid,
                    "row \(row): the regressor predicted \(value.isNaN ? "NaN" : "an infinity"), which the "
                        + "TransformedTargetRegressor's inverse transform refuses (scikit-learn: Input X contains "
                        + (value.isNaN ? "NaN)" : "infinity or a value too large for dtype('float64'))"),
                    item: "row \(row)"
                )
            }
            return inverse.map { $0(value) } ?? value
        case .scaler(let scale, let mean):
            var result = value
            if let scale { result *= scale }
            if let mean { result += mean }
            return result
        }
    }

    var description: String {
        switch self {
        case .function(let inverse, _): "inverse_func \(inverse.map { "numpy.\($0.rawValue)" } ?? "identity")"
        case .scaler: "a StandardScaler's inverse"
        }
    }
}

/// A model whose predictions pass through a TransformedTargetRegressor's inverse transform.
struct SklearnTargetTransformedModel: FlavorModel {
    let model: any FlavorModel
    let inverse: SklearnTargetTransform

    func predict(_ request: EnforcedRequest) throws(ModelBundleError) -> PredictionOutput {
        guard case .tensor(let tensor) = try model.predict(request), case .double(let values) = tensor.values else {
            throw ModelBundleError(
                .flavorUnavailable,
                "a TransformedTargetRegressor's regressor did not predict numbers",
                item: "predict"
            )
        }
        var inverted: [Double] = []
        inverted.reserveCapacity(values.count)
        for (index, value) in values.enumerated() {
            inverted.append(try inverse.invert(value, row: request.rowOffset + index))
        }
        return .tensor(try Tensor(shape: tensor.shape, values: .double(inverted)))
    }
}

extension SklearnModel {
    /// The native flavors have no field for a target transform: converting would drop it silently.
    func requireConvertible(fileName: String) throws(ModelBundleError) {
        guard let inverse = targetInverse else { return }
        throw ModelBundleError(
            .flavorUnavailable,
            "\(fileName) holds a TransformedTargetRegressor (\(inverse.description)); the native flavors have no "
                + "target transform, so it is not converted: serve or predict the MLflow bundle as it is",
            item: fileName
        )
    }
}
