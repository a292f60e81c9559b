import SystemPlatform

/// One fitted step of a preprocessing stage, in the representation every native flavor carries
/// (Docs/preprocessing.md): the fitted state scikit-learn's `transform` reads, nothing else, so the
/// stage computes what scikit-learn computes without any of its code.
///
/// `name` is the step's path in the pipeline (`pre/cat/onehot`), used by every error about it.
/// `inputWidth` is the number of columns the step takes (`n_features_in_`); ``outputWidth`` the
/// number it produces, checked against the next step when the stage is built.
package struct PreprocessingStep: Sendable {
    package var name: String
    package var inputWidth: Int
    package var kind: Kind

    package init(name: String, inputWidth: Int, kind: Kind) {
        self.name = name
        self.inputWidth = inputWidth
        self.kind = kind
    }

    package indirect enum Kind: Sendable {
        /// `Pipeline` (or a stage's own step list): each step feeds the next.
        case sequence([PreprocessingStep])
        /// `ColumnTransformer`: branches on column subsets, outputs side by side.
        case columns(ColumnSelection)
        /// `FeatureUnion`: every branch on all columns, outputs side by side.
        case union([Branch])
        /// `"passthrough"`, and the identity `FunctionTransformer` scikit-learn puts in place of
        /// `remainder="passthrough"` when it fits (func and inverse_func None).
        case passthrough
        case imputer(Imputer)
        case encoder(CategoricalEncoder)
        /// StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler.
        case scaler(AffineScaler)
        case polynomial(Polynomial)
        case discretizer(Discretizer)
        /// PCA, IncrementalPCA, TruncatedSVD.
        case projection(Projection)
        /// A `FunctionTransformer` whose `func` is one of the numpy ufuncs of ``ElementwiseFunction``.
        case elementwise(Elementwise)
        /// `PowerTransformer`'s power step (its `_scaler`, when standardizing, follows as a scaler step).
        case power(PowerTransform)
        /// `QuantileTransformer` (``QuantileTransform``).
        case quantile(QuantileTransform)
        /// `SplineTransformer` (``SplineBasis``).
        case spline(SplineBasis)
    }

    /// A `FeatureUnion` branch, or a `ColumnTransformer` branch with its input columns.
    package struct Branch: Sendable {
        package var step: PreprocessingStep
        /// Positions in the parent's input (ColumnTransformer only; a FeatureUnion takes all).
        package var columns: [Int]
        /// `transformer_weights[name]`: the branch's output is multiplied by it (nil: 1).
        package var weight: Double?

        package init(
            step: PreprocessingStep,
            columns: [Int],
            weight: Double? = nil
        ) {
            self.step = step
            self.columns = columns
            self.weight = weight
        }
    }

    /// A `ColumnTransformer`: its branches in `transformers_` order ("drop" branches and
    /// branches without columns left out), the remainder as a last passthrough branch.
    package struct ColumnSelection: Sendable {
        package var branches: [Branch]
        /// `feature_names_in_`, when it was fitted on a DataFrame: its columns are then chosen
        /// by name at the top of a stage.
        package var inputNames: [String]?
        /// Whether the selection refuses NaN and infinity in its input, as a feature selector's
        /// `transform` does when its tags do not allow NaN (``SklearnFeatureSelection``).
        package var refusesNonFinite: Bool

        package init(
            branches: [Branch],
            inputNames: [String]?,
            refusesNonFinite: Bool = false
        ) {
            self.branches = branches
            self.inputNames = inputNames
            self.refusesNonFinite = refusesNonFinite
        }
    }

    /// `SimpleImputer`: missing cells of column j become `statistics[j]`; columns whose
    /// statistic is NaN are dropped (unless `keepEmpty`); `indicator` columns (the
    /// `MissingIndicator`'s `features_`) add one 0/1 column each, after the imputed ones.
    ///
    /// A standalone `MissingIndicator` is the same step with every statistic NaN (no imputed column
    /// is kept) and `indicatorOnly`: its `_validate_input` refuses infinity in any numeric column, and
    /// with `refusesNewMissing` (`error_on_new` with `features="missing-only"`) a missing value in a
    /// column outside `indicator` is refused, as its `transform` raises.
    package struct Imputer: Sendable {
        package var missingValue: PreprocessingCell
        package var statistics: [PreprocessingCell]
        package var keepEmpty: Bool
        package var indicator: [Int]?
        package var indicatorOnly = false
        package var refusesNewMissing = false

        package init(
            missingValue: PreprocessingCell,
            statistics: [PreprocessingCell],
            keepEmpty: Bool,
            indicator: [Int]?,
            indicatorOnly: Bool = false,
            refusesNewMissing: Bool = false
        ) {
            self.missingValue = missingValue
            self.statistics = statistics
            self.keepEmpty = keepEmpty
            self.indicator = indicator
            self.indicatorOnly = indicatorOnly
            self.refusesNewMissing = refusesNewMissing
        }
    }

    /// OneHotEncoder, OrdinalEncoder and TargetEncoder share scikit-learn's `_BaseEncoder._transform`:
    /// each input column is looked up in its categories; unknown values follow `handleUnknown`;
    /// infrequent categories are grouped by `defaultToInfrequent`. `output` says how codes become
    /// numbers.
    package struct CategoricalEncoder: Sendable {
        package enum HandleUnknown: String, Sendable {
            case error, ignore
            case infrequentIfExist = "infrequent_if_exist"
            case warn
            case useEncodedValue = "use_encoded_value"
        }

        package enum Output: Sendable {
            /// One column per (grouped) category; `drop[j]` is the dropped code after grouping.
            case oneHot(drop: [Int?], widths: [Int])
            /// The code as a number; `missingIndices[j]` is the code of column j's missing
            /// category, written as `encodedMissing`; unknown values become `unknownValue`.
            case ordinal(missingIndices: [Int: Int], encodedMissing: Double, unknownValue: Double?)
            /// `encodings[e][code]` (unknown: `targetMean[e % classes]`); multiclass targets give
            /// `classCount` columns per input column, binary and continuous one.
            case target(encodings: [[Double]], targetMean: [Double], classCount: Int)
        }

        package var categories: [[PreprocessingCell]]
        package var handleUnknown: HandleUnknown
        /// `_infrequent_indices` (nil: infrequent grouping off, or none in that column).
        package var infrequentIndices: [[Int]?]
        /// `_default_to_infrequent_mappings`: category code → grouped code.
        package var defaultToInfrequent: [[Int]?]
        package var output: Output
        /// Input column names for errors (`feature_names_in_`), when known.
        package var columnNames: [String]?
        /// A one-hot or ordinal encoder's `dtype=np.float32`: its output is float32 (ordinal values
        /// rounded to it), which keeps a block of float32 columns float32 (``PreprocessingBlock/isFloat32``).
        package var float32Output: Bool

        package init(
            categories: [[PreprocessingCell]],
            handleUnknown: HandleUnknown,
            infrequentIndices: [[Int]?],
            defaultToInfrequent: [[Int]?],
            output: Output,
            columnNames: [String]?,
            float32Output: Bool = false
        ) {
            self.categories = categories
            self.handleUnknown = handleUnknown
            self.infrequentIndices = infrequentIndices
            self.defaultToInfrequent = defaultToInfrequent
            self.output = output
            self.columnNames = columnNames
            self.float32Output = float32Output
        }
    }

    /// z = ((x − subtract) / divide) × multiply + add, each part optional, then clipped to `clip`;
    /// the order of operations is each scaler's own, so results are bit-identical.
    package struct AffineScaler: Sendable {
        package var className: String
        package var subtract: [Double]?
        package var divide: [Double]?
        package var multiply: [Double]?
        package var add: [Double]?
        package var clip: ClosedRange<Double>?
        /// Whether the parameters are cast to the input's type before they are applied: scikit-learn
        /// 1.8's StandardScaler (`X -= xp.astype(self.mean_, X.dtype)`) shifts and scales a float32
        /// input by float32 parameters; the others, and earlier StandardScalers, by the stored ones.
        package var castsToInputType: Bool

        package init(
            className: String,
            subtract: [Double]? = nil,
            divide: [Double]? = nil,
            multiply: [Double]? = nil,
            add: [Double]? = nil,
            clip: ClosedRange<Double>? = nil,
            castsToInputType: Bool = false
        ) {
            self.className = className
            self.subtract = subtract
            self.divide = divide
            self.multiply = multiply
            self.add = add
            self.clip = clip
            self.castsToInputType = castsToInputType
        }
    }

    /// `PolynomialFeatures` (dense, C order), products built as its transform builds them.
    package struct Polynomial: Sendable {
        package var minDegree: Int
        package var maxDegree: Int
        package var interactionOnly: Bool
        package var includeBias: Bool
        /// `n_output_features_`, checked against the degrees when the stage is built.
        package var outputCount: Int

        package init(
            minDegree: Int,
            maxDegree: Int,
            interactionOnly: Bool,
            includeBias: Bool,
            outputCount: Int
        ) {
            self.minDegree = minDegree
            self.maxDegree = maxDegree
            self.interactionOnly = interactionOnly
            self.includeBias = includeBias
            self.outputCount = outputCount
        }
    }

    /// `KBinsDiscretizer`: code = number of inner edges ≤ x; `oneHot` spreads codes over
    /// `binCounts[j]` columns.
    package struct Discretizer: Sendable {
        package var edges: [[Double]]
        package var oneHot: Bool

        package init(
            edges: [[Double]],
            oneHot: Bool
        ) {
            self.edges = edges
            self.oneHot = oneHot
        }
    }

    /// `PCA`, `IncrementalPCA` and `TruncatedSVD`: output j = x · components[j] − offset[j], divided by
    /// `scale[j]` when whitened. `offset` is `mean_ · components_ᵀ` (PCA centres after projecting, as its
    /// `_transform` does; TruncatedSVD has none). scikit-learn refuses NaN and infinity here.
    package struct Projection: Sendable {
        package var className: String
        /// `components_`: one row of `inputWidth` weights per output column.
        package var components: [[Double]]
        package var mean: [Double]?
        /// `sqrt(explained_variance_)`, raised to machine epsilon where smaller (whiten=True only).
        package var scale: [Double]?

        package init(className: String, components: [[Double]], mean: [Double]?, scale: [Double]?) {
            self.className = className
            self.components = components
            self.mean = mean
            self.scale = scale
        }
    }

    /// `FunctionTransformer(func=np.<ufunc>)`: the ufunc applied to every cell, by name. The file only
    /// names the function; nothing in it is called. `finiteInput` is `validate=True`, whose
    /// `check_array` refuses NaN and infinity first.
    package struct Elementwise: Sendable {
        package var function: ElementwiseFunction
        package var finiteInput: Bool

        package init(function: ElementwiseFunction, finiteInput: Bool) {
            self.function = function
            self.finiteInput = finiteInput
        }
    }
}

extension PreprocessingStep {
    /// `PowerTransformer`: each column through Yeo-Johnson (`scipy.stats.yeojohnson`) or Box-Cox
    /// (`scipy.special.boxcox`) with its fitted `lambdas_[j]`, as scipy computes them; NaN stays NaN.
    /// Box-Cox refuses values ≤ 0 as scikit-learn does.
    package struct PowerTransform: Sendable {
        package enum Method: String, Sendable {
            case yeoJohnson = "yeo-johnson"
            case boxCox = "box-cox"
        }

        package var method: Method
        package var lambdas: [Double]
        /// Whether `lambdas_` is float32 (the transformer was fitted on float32 data): a float32 input
        /// is then transformed in float32 throughout (``float32Value(_:_:)``).
        package var float32Lambdas: Bool
        /// scikit-learn before 1.9 computes Yeo-Johnson itself, `((x + 1)^λ − 1) / λ` with `np.power`;
        /// from 1.9 it calls scipy's `expm1(λ·log1p(x)) / λ`.
        package var powerFormula: Bool

        package init(method: Method, lambdas: [Double], float32Lambdas: Bool = false, powerFormula: Bool = false) {
            self.method = method
            self.lambdas = lambdas
            self.float32Lambdas = float32Lambdas
            self.powerFormula = powerFormula
        }

        /// scipy's `_yeojohnson_transform` (eps: float64's machine epsilon), or scikit-learn's own before
        /// 1.9, and scipy's `boxcox` kernel, on a float64 input.
        package func callAsFunction(_ x: Double, _ lambda: Double) -> Double {
            switch method {
            case .yeoJohnson where powerFormula:
                if x >= 0 { return abs(lambda) < .ulpOfOne ? log1p(x) : (pow(x + 1, lambda) - 1) / lambda }
                return abs(lambda - 2) > .ulpOfOne ? -(pow(-x + 1, 2 - lambda) - 1) / (2 - lambda) : -log1p(-x)
            case .yeoJohnson:
                // NaN fails `x >= 0` and takes the second branch, giving NaN, as in scipy.
                if x >= 0 {
                    return abs(lambda) < .ulpOfOne ? log1p(x) : expm1(lambda * log1p(x)) / lambda
                }
                return abs(lambda - 2) > .ulpOfOne ? -expm1((2 - lambda) * log1p(-x)) / (2 - lambda) : -log1p(-x)
            case .boxCox:
                if abs(lambda) < 1e-19 { return log(x) }
                let scaled = lambda * log(x)
                if scaled < 709.78 { return expm1(scaled) / lambda }
                return (lambda > 0 ? 1 : -1) * exp(scaled - log(abs(lambda))) - 1 / lambda
            }
        }

        /// The transform of a float32 input, as stored back into scikit-learn's float32 array. Box-Cox:
        /// scipy's float32 loop computes in float64. Yeo-Johnson with a float32 λ: every operation in
        /// float32 (its `log1p`, `expm1` and `pow` the C library's, where numpy has SIMD loops that round
        /// differently now and then); with a float64 λ: `log1p` of the float32 value (scipy) or its
        /// `x + 1` (`np.power`) in float32, the rest in float64.
        package func float32Value(_ x: Double, _ lambda: Double) -> Double {
            guard method == .yeoJohnson else { return roundedToFloat32(self(x, lambda)) }
            let value = Float(x)
            guard float32Lambdas else {
                if powerFormula {
                    if value >= 0 {
                        return roundedToFloat32(
                            abs(lambda) < .ulpOfOne
                                ? Double(log1pf(value)) : (pow(Double(value + 1), lambda) - 1) / lambda
                        )
                    }
                    return roundedToFloat32(
                        abs(lambda - 2) > .ulpOfOne
                            ? -(pow(Double(-value + 1), 2 - lambda) - 1) / (2 - lambda) : -Double(log1pf(-value))
                    )
                }
                if value >= 0 {
                    let logarithm = Double(log1pf(value))
                    return roundedToFloat32(abs(lambda) < .ulpOfOne ? logarithm : expm1(lambda * logarithm) / lambda)
                }
                let logarithm = Double(log1pf(-value))
                return roundedToFloat32(
                    abs(lambda - 2) > .ulpOfOne ? -expm1((2 - lambda) * logarithm) / (2 - lambda) : -logarithm
                )
            }
            let single = Float(lambda)
            let other = 2 - single
            let result: Float
            if powerFormula {
                // `abs(lmbda) < np.spacing(1.0)`: float64's epsilon.
                if value >= 0 {
                    result = abs(lambda) < .ulpOfOne ? log1pf(value) : (powf(value + 1, single) - 1) / single
                } else {
                    result = abs(lambda - 2) > .ulpOfOne ? -(powf(-value + 1, other) - 1) / other : -log1pf(-value)
                }
            } else if value >= 0 {
                // scipy's eps is the float32 one here (`finfo(result_type(x, lmbda)).eps`).
                result = abs(single) < .ulpOfOne ? log1pf(value) : expm1f(single * log1pf(value)) / single
            } else {
                result = abs(single - 2) > .ulpOfOne ? -expm1f(other * log1pf(-value)) / other : -log1pf(-value)
            }
            return Double(result)
        }
    }
}

/// The numpy ufuncs a `FunctionTransformer` may name (as `func` or `inverse_func`), by their numpy
/// name; each is computed here as numpy computes it on float64.
package enum ElementwiseFunction: String, Sendable, CaseIterable {
    case log, log1p, log2, log10, exp, exp2, expm1, sqrt, cbrt, square, absolute, negative, sign
    case reciprocal, sinh, cosh, tanh, arcsinh, arctan

    /// The C library's functions: numpy's float64 loops (SIMD on this machine) differ from them by an
    /// ulp here and there, at most 6e-16 relative over 100,000 values, far inside the interop checks'
    /// 1e-12; square, absolute, negative, sign and reciprocal are exact.
    package func callAsFunction(_ x: Double) -> Double {
        switch self {
        case .log: SystemPlatform.log(x)
        case .log1p: SystemPlatform.log1p(x)
        case .log2: SystemPlatform.log2(x)
        case .log10: SystemPlatform.log10(x)
        case .exp: SystemPlatform.exp(x)
        case .exp2: SystemPlatform.exp2(x)
        case .expm1: SystemPlatform.expm1(x)
        case .sqrt: x.squareRoot()
        case .cbrt: SystemPlatform.cbrt(x)
        case .square: x * x
        case .absolute: abs(x)
        case .negative: -x
        // np.sign: NaN stays NaN, ±0 gives 0.
        case .sign: x.isNaN ? x : (x > 0 ? 1 : (x < 0 ? -1 : 0))
        case .reciprocal: 1 / x
        case .sinh: SystemPlatform.sinh(x)
        case .cosh: SystemPlatform.cosh(x)
        case .tanh: SystemPlatform.tanh(x)
        case .arcsinh: SystemPlatform.asinh(x)
        case .arctan: SystemPlatform.atan(x)
        }
    }
}
