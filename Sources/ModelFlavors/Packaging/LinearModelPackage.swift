public import ModelBundle

/// A linear model ready to be written as a bundle: its weights, how it predicts, an input example and
/// a signature (given, or inferred from the example).
///
/// ``checked()`` applies every rule `mbundle package` promises before anything touches the disk, so a
/// bundle that is written is one the runtime and the Python loader can run.
public struct LinearModelPackage: Sendable {
    /// `logistic_regression` or `linear_regression`.
    public var kind: LinearModelFlavorConfiguration.Kind
    /// `coef`: [k, n] (a 1-D [n] is read as one row, as scikit-learn stores a single-target regression).
    public var coef: WeightTensor
    /// `intercept`: [k] (a scalar is read as [1]).
    public var intercept: WeightTensor
    /// Class labels, logistic regression only (`classes_`).
    public var classes: LinearModelFlavorConfiguration.ClassLabels?
    /// `binary`, `multinomial` or `ovr`; `nil` infers binary for one row of `coef`, else multinomial.
    public var multiClass: MultiClassStrategy?
    /// `predict`, `predict_proba` or `decision_function` (linear regression: `predict` only).
    public var predictFunction: String
    /// The element type the weights are stored and computed in.
    public var dtype: LinearModelFlavorConfiguration.ScalarType
    /// The input example written beside the model.
    public var example: InputExample?
    /// The signature; `nil` parts are inferred (inputs from the example's schema, outputs from
    /// ``predictFunction`` and the classes).
    public var signature: ModelSignature?
    /// The input schema inferred from the example, used when ``signature`` has no inputs.
    public var exampleSchema: Schema?
    /// A preprocessing stage in front of the weights (written by `mbundle convert`): the signature
    /// then describes the stage's input columns and `coef` has the stage's output width.
    package var preprocessing: PreprocessingStage?

    public init(
        kind: LinearModelFlavorConfiguration.Kind,
        coef: WeightTensor,
        intercept: WeightTensor,
        classes: LinearModelFlavorConfiguration.ClassLabels? = nil,
        multiClass: MultiClassStrategy? = nil,
        predictFunction: String = "predict",
        dtype: LinearModelFlavorConfiguration.ScalarType = .float64,
        example: InputExample? = nil,
        exampleSchema: Schema? = nil,
        signature: ModelSignature? = nil
    ) {
        self.kind = kind
        self.coef = coef
        self.intercept = intercept
        self.classes = classes
        self.multiClass = multiClass
        self.predictFunction = predictFunction
        self.dtype = dtype
        self.example = example
        self.exampleSchema = exampleSchema
        self.signature = signature
    }

    /// The package with every rule checked and every inferred part filled in: `coef` is [k, n] and
    /// `intercept` [k] in ``dtype``, named `coef` and `intercept`; ``multiClass`` is set for logistic
    /// regression; ``signature`` has inputs (when known) and outputs.
    ///
    /// - Throws: `weightsInvalid` naming `coef` or `intercept` (shapes, dtypes, NaN or infinite values,
    ///   rows that do not fit the classes), `manifestInvalid` naming the flavor field for options that do
    ///   not fit the kind, `schemaMismatch` naming the column when the inputs do not fit the weights.
    public func checked() throws(ModelBundleError) -> LinearModelPackage {
        try LinearModelFlavorConfiguration.ClassLabels.requireNativeLabels(classes)
        var result = self
        let (rows, columns) = try Self.matrixShape(of: coef)
        result.coef = try Self.converted(coef, to: dtype, name: "coef", shape: [rows, columns])
        let interceptCount = intercept.shape.isEmpty ? 1 : intercept.shape.reduce(1, *)
        guard intercept.shape.count <= 1, interceptCount == rows else {
            throw ModelBundleError(
                .weightsInvalid,
                "intercept has shape \(intercept.shape) but coef has \(rows) row\(rows == 1 ? "" : "s"); "
                    + "intercept must hold one value per row of coef",
                item: "intercept"
            )
        }
        result.intercept = try Self.converted(intercept, to: dtype, name: "intercept", shape: [rows])

        let supported = LinearModelFlavorConfiguration.supportedPredictFunctions(for: kind)
        guard supported.contains(predictFunction) else {
            throw ModelBundleError(
                .manifestInvalid,
                "predict function \(predictFunction) is not available for \(kind.rawValue); "
                    + "use one of \(supported.joined(separator: ", "))",
                item: "flavors.\(kind.rawValue).predict_fn"
            )
        }
        switch kind {
        case .linearRegression:
            guard classes == nil, multiClass == nil else {
                throw ModelBundleError(
                    .manifestInvalid,
                    "a linear regression has no classes or multi-class strategy; leave them out",
                    item: "flavors.linear_regression.classes"
                )
            }
        case .logisticRegression:
            result.multiClass = try checkClasses(rows: rows)
        }

        var signature = self.signature ?? ModelSignature()
        if signature.inputs == nil { signature.inputs = exampleSchema }
        if let stage = preprocessing {
            guard stage.outputWidth == columns else {
                throw ModelBundleError(
                    .weightsInvalid,
                    "coef has \(columns) features but the preprocessing stage produces \(stage.outputWidth)",
                    item: "coef"
                )
            }
        } else if let inputs = signature.inputs {
            try Self.checkInputs(inputs, featureCount: columns)
        }
        if signature.outputs == nil {
            signature.outputs = try result.outputSchema(rows: rows)
        }
        result.signature = signature
        return result
    }

    /// The flavor configuration written to `MLmodel` (of a ``checked()`` package).
    public var flavorConfiguration: LinearModelFlavorConfiguration {
        var configuration = LinearModelFlavorConfiguration(
            kind: kind,
            classes: classes,
            multiClass: kind == .logisticRegression ? multiClass : nil,
            predictFunction: predictFunction,
            dtype: dtype
        )
        if preprocessing != nil { configuration.preprocessing = PreprocessingBundleFormat.fileName }
        return configuration
    }

    // MARK: - Rules

    /// Rows and columns of `coef`: [k, n], or [n] as one row; both at least 1.
    static func matrixShape(of coef: WeightTensor) throws(ModelBundleError) -> (rows: Int, columns: Int) {
        let shape = coef.shape.count == 1 ? [1] + coef.shape : coef.shape
        guard shape.count == 2, shape[0] >= 1, shape[1] >= 1 else {
            throw ModelBundleError(
                .weightsInvalid,
                "coef has shape \(coef.shape); it must be [k, n] with k ≥ 1 rows (targets or classes) "
                    + "and n ≥ 1 features",
                item: "coef"
            )
        }
        return (shape[0], shape[1])
    }

    /// The tensor as `dtype` with the given name and shape, refusing non-numeric and non-finite values.
    static func converted(
        _ tensor: WeightTensor,
        to dtype: LinearModelFlavorConfiguration.ScalarType,
        name: String,
        shape: [Int]
    ) throws(ModelBundleError) -> WeightTensor {
        guard tensor.dtype.isFloatingPoint || tensor.dtype.isInteger else {
            throw ModelBundleError(
                .weightsInvalid,
                "\(name) has dtype \(tensor.dtype); weights must be floating point or integer numbers",
                item: name
            )
        }
        if let index = tensor.firstNonFiniteIndex() {
            let columns = shape.count == 2 ? shape[1] : 0
            let place = columns > 0 ? "row \(index / columns), column \(index % columns)" : "index \(index)"
            throw ModelBundleError(
                .weightsInvalid,
                "\(name) holds NaN or infinity at \(place); every weight must be a finite number",
                item: name
            )
        }
        let values = tensor.float64Values()
        switch dtype {
        case .float64:
            return try WeightTensor(name: name, shape: shape, float64: values)
        case .float32:
            let narrowed = values.map { Float($0) }
            if let index = narrowed.firstIndex(where: { !$0.isFinite }) {
                throw ModelBundleError(
                    .weightsInvalid,
                    "\(name) value at index \(index) is too large for float32; package it as float64",
                    item: name
                )
            }
            return try WeightTensor(name: name, shape: shape, float32: narrowed)
        }
    }

    /// Checks the classes against the rows of `coef` and returns the strategy (given or inferred).
    func checkClasses(rows: Int) throws(ModelBundleError) -> MultiClassStrategy {
        let field = "flavors.logistic_regression.classes"
        guard let classes else {
            throw ModelBundleError(
                .manifestInvalid,
                "a logistic regression needs its class labels (scikit-learn's classes_), e.g. 0,1",
                item: field
            )
        }
        guard classes.isUnique else {
            throw ModelBundleError(.manifestInvalid, "the class labels list a label twice", item: field)
        }
        guard classes.count >= 2 else {
            throw ModelBundleError(
                .manifestInvalid,
                "a logistic regression needs at least two classes, got \(classes.count)",
                item: field
            )
        }
        let strategy = multiClass ?? (rows == 1 ? .binary : .multinomial)
        switch strategy {
        case .binary:
            guard rows == 1, classes.count == 2 else {
                throw ModelBundleError(
                    .weightsInvalid,
                    "binary logistic regression needs 1 row of coef and 2 classes; got \(rows) rows "
                        + "and \(classes.count) classes",
                    item: "coef"
                )
            }
        case .multinomial, .ovr:
            guard rows == classes.count, rows >= 2 else {
                throw ModelBundleError(
                    .weightsInvalid,
                    "coef has \(rows) row\(rows == 1 ? "" : "s") but there are \(classes.count) classes; "
                        + "\(strategy.rawValue) needs one row per class",
                    item: "coef"
                )
            }
        }
        return strategy
    }

    /// The inputs must give exactly `featureCount` numeric features.
    static func checkInputs(_ inputs: Schema, featureCount: Int) throws(ModelBundleError) {
        if inputs.isTensorBased {
            guard inputs.tensors.count == 1, let spec = inputs.tensors.first, spec.shape.count == 2,
                spec.shape[1] == featureCount, spec.dtype.isFloatingPoint || spec.dtype.isInteger
            else {
                let spec = inputs.tensors.first
                throw ModelBundleError(
                    .schemaMismatch,
                    "the input tensor must be a 2-D numeric tensor [-1, \(featureCount)] to fit coef; "
                        + "got \(spec.map { "\($0.dtype) \($0.shape)" } ?? "none")",
                    item: spec?.name ?? "inputs"
                )
            }
            return
        }
        guard inputs.columns.count == featureCount else {
            throw ModelBundleError(
                .schemaMismatch,
                "the example has \(inputs.columns.count) column\(inputs.columns.count == 1 ? "" : "s") "
                    + "but coef has \(featureCount) feature\(featureCount == 1 ? "" : "s")",
                item: "inputs"
            )
        }
        for (index, column) in inputs.columns.enumerated() {
            guard case .scalar(let type) = column.type, type.isNumeric || type == .boolean else {
                let name = column.name ?? "column \(index)"
                throw ModelBundleError(
                    .schemaMismatch,
                    "column \(name) is \(column.type.displayName); a linear model takes numeric columns only",
                    item: name
                )
            }
        }
    }

    /// The output schema scikit-learn's result would infer: labels as a 1-D tensor of the class type,
    /// probabilities and multi-output scores as [-1, k] float64, single scores as [-1] float64.
    func outputSchema(rows: Int) throws(ModelBundleError) -> Schema {
        let spec: TensorSpec
        switch (kind, predictFunction) {
        case (.logisticRegression, "predict"):
            spec = TensorSpec(dtype: classes?.tensorDType ?? .int64, shape: [-1])
        case (.logisticRegression, "predict_proba"):
            spec = TensorSpec(dtype: resultDType, shape: [-1, classes?.count ?? 2])
        default:
            spec = TensorSpec(dtype: resultDType, shape: rows == 1 ? [-1] : [-1, rows])
        }
        return try Schema(tensors: [spec])
    }

    /// The dtype of computed values: the weights' (numpy keeps float32 × float32 in float32).
    var resultDType: TensorDType { dtype == .float32 ? .float32 : .float64 }
}
