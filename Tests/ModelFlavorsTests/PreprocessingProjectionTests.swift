import Foundation
import ModelBundle
import ModelCodecs
import ModelFlavors
import Testing

/// PCA/TruncatedSVD projections, numpy-ufunc FunctionTransformers and PowerTransformer's power
/// step, on values computed by hand;
/// the fixtures of PipelinePreprocessingTests check them against real scikit-learn through MLflow.
@Suite struct PreprocessingProjectionTests {
    static func step(_ name: String, _ width: Int, _ kind: PreprocessingStep.Kind) -> PreprocessingStep {
        PreprocessingStep(name: name, inputWidth: width, kind: kind)
    }

    /// The stage's output columns for a `dataframe_split` request of columns a, b.
    static func run(_ root: PreprocessingStep, _ rows: String) throws -> [[Double]] {
        let body = #"{"dataframe_split": {"columns": ["a", "b"], "data": "# + rows + "}}"
        let request = try RequestDecoder().decode(Array(body.utf8), format: .json)
        let block = try PreprocessingStage(root: root).features(request.input, firstRow: 0)
        return block.columns.map { column in
            guard case .numbers(let values) = column else { return [] }
            return values
        }
    }

    static let whitened = PreprocessingStep.Projection(
        className: "PCA",
        components: [[1, 2], [0, 1]],
        mean: [1, 1],
        scale: [2, 1]
    )

    @Test("PCA projects, subtracts mean · components after, and divides by the whitening scale")
    func pca() throws {
        // Row (3, 4): (3 + 8 − 3) / 2 = 4 and (4 − 1) / 1 = 3; row (1, 1): 0 and 0; row (−1, 0.5):
        // (−1 + 1 − 3) / 2 = −1.5 and (0.5 − 1) = −0.5.
        let output = try Self.run(Self.step("pca", 2, .projection(Self.whitened)), "[[3, 4], [1, 1], [-1, 0.5]]")
        #expect(output == [[4, 0, -1.5], [3, 0, -0.5]])
        // TruncatedSVD: no centring, no scale.
        let svd = PreprocessingStep.Projection(className: "TruncatedSVD", components: [[1, 2]], mean: nil, scale: nil)
        #expect(try Self.run(Self.step("svd", 2, .projection(svd)), "[[3, 4], [1, 1]]") == [[11, 3]])
    }

    @Test("a projection refuses NaN and infinity as check_array does, naming the cell")
    func projectionNeedsFiniteInput() throws {
        for (cell, words) in [("null", "contains NaN"), ("Infinity", "contains infinity")] {
            let error = #expect(throws: ModelBundleError.self) {
                _ = try Self.run(Self.step("pca", 2, .projection(Self.whitened)), "[[3, 4], [1, \(cell)]]")
            }
            #expect(error?.code == .schemaMismatch)
            #expect(error?.item == "b")
            let message = error?.message ?? ""
            #expect(
                message.contains("column 'b' row 1") && message.contains("a PCA") && message.contains(words),
                "\(message)"
            )
        }
    }

    /// numpy's SIMD loops and the C library differ by an ulp here and there (at most 4e-16 relative
    /// over 100,000 normal values on this machine), so values are compared to 1e-15 relative.
    @Test("numpy ufuncs are computed as numpy computes them on float64")
    func ufuncs() throws {
        let cases: [(ElementwiseFunction, Double, Double)] = [
            (.log1p, 0, 0), (.log1p, -1, -.infinity), (.log, -1, .nan), (.log, 0, -.infinity), (.log2, 8, 3),
            (.log10, 1000, 3), (.exp, 0, 1), (.exp2, 10, 1024), (.expm1, 0, 0), (.sqrt, 9, 3), (.sqrt, -1, .nan),
            (.cbrt, -27, -3), (.square, -3, 9), (.absolute, -2.5, 2.5), (.negative, 2, -2), (.sign, -0.5, -1),
            (.sign, 0, 0), (.sign, .nan, .nan), (.reciprocal, 4, 0.25), (.reciprocal, 0, .infinity),
            (.sinh, 0, 0), (.cosh, 0, 1), (.tanh, .infinity, 1), (.arcsinh, 0, 0), (.arctan, .infinity, .pi / 2),
        ]
        for (function, input, want) in cases {
            let got = function(input)
            let close = got == want || abs(got - want) <= 1e-15 * abs(want) || (got.isNaN && want.isNaN)
            #expect(close, "\(function)(\(input)) = \(got), not \(want)")
        }
        let root = Self.step("log", 2, .elementwise(.init(function: .log1p, finiteInput: false)))
        let output = try Self.run(root, "[[0, null], [1, -1]]")
        #expect(output[0] == [0, log1p(1)])
        #expect(output[1][0].isNaN && output[1][1] == -.infinity)
    }

    @Test("a FunctionTransformer with validate=True refuses NaN first, naming the cell")
    func validatedFunction() throws {
        let root = Self.step("sqrt", 2, .elementwise(.init(function: .sqrt, finiteInput: true)))
        #expect(try Self.run(root, "[[4, 9]]") == [[2], [3]])
        let error = #expect(throws: ModelBundleError.self) { _ = try Self.run(root, "[[4, null]]") }
        #expect(
            error?.item == "b" && error?.message.contains("column 'b' row 0") == true,
            "\(String(describing: error))"
        )
    }

    @Test("Yeo-Johnson and Box-Cox compute scipy's formulas, with their λ = 0 and λ = 2 branches")
    func powerTransforms() throws {
        let yeoJohnson = PreprocessingStep.PowerTransform(method: .yeoJohnson, lambdas: [])
        let boxCox = PreprocessingStep.PowerTransform(method: .boxCox, lambdas: [])
        let e = exp(1.0)
        let cases: [(PreprocessingStep.PowerTransform, Double, Double, Double)] = [
            // ((1 + 3)^0.5 − 1) / 0.5 = 2; −((1 + 3)^1.5 − 1) / 1.5 = −14 / 3.
            (yeoJohnson, 3, 0.5, 2), (yeoJohnson, -3, 0.5, -14.0 / 3), (yeoJohnson, e - 1, 0, 1),
            (yeoJohnson, -(e - 1), 2, -1), (yeoJohnson, .nan, 0.5, .nan), (yeoJohnson, 0, 1.3, 0),
            // (4^0.5 − 1) / 0.5 = 2; log(e) = 1; (1e200)² / 2 overflows to infinity, as in scipy.
            (boxCox, 4, 0.5, 2), (boxCox, e, 0, 1), (boxCox, 1e200, 2, .infinity), (boxCox, .nan, 0.5, .nan),
        ]
        for (power, x, lambda, want) in cases {
            let got = power(x, lambda)
            let close = got == want || abs(got - want) <= 1e-15 * abs(want) || (got.isNaN && want.isNaN)
            #expect(close, "\(power.method)(\(x), λ \(lambda)) = \(got), not \(want)")
        }
        let root = Self.step("power", 2, .power(.init(method: .boxCox, lambdas: [0.5, 0])))
        #expect(try Self.run(root, "[[4, 1]]") == [[2], [0]])
        let error = #expect(throws: ModelBundleError.self) { _ = try Self.run(root, "[[4, 1], [1, 0]]") }
        #expect(error?.item == "b", "\(String(describing: error))")
        #expect(error?.message.contains("row 1") == true && error?.message.contains("strictly positive") == true)
    }

    @Test("QuantileTransformer: np.interp up and down the quantiles, exact bounds, the normal quantile clipped")
    func quantiles() throws {
        // Quantiles 0, 1, 1, 1, 2 over references 0, .25, .5, .75, 1: x = 1 is hit by the repeated
        // quantiles, up gives .75 and down .25, so their mean .5; x = 0.5 lies between 0 and 1 (.125
        // both ways); x = 2 and x = 0 are the bounds; −3 and 5 lie beyond them.
        let uniform = PreprocessingStep.QuantileTransform(
            quantiles: [[0, 1, 1, 1, 2]],
            references: [0, 0.25, 0.5, 0.75, 1],
            normalOutput: false
        )
        for (x, want) in [(1.0, 0.5), (0.5, 0.125), (1.5, 0.875), (2, 1), (0, 0), (-3, 0), (5, 1)] {
            #expect(uniform(x, feature: 0) == want, "uniform(\(x))")
        }
        #expect(uniform(.nan, feature: 0).isNaN)
        var normal = uniform
        normal.normalOutput = true
        // Values from scikit-learn 1.9.1's QuantileTransformer fitted on 0, 1, 1, 1, 2 and from
        // scipy.special.ndtri.
        #expect(normal(1, feature: 0) == 0)
        #expect(abs(normal(1.5, feature: 0) - 1.1503493803760079) <= 1e-15 * 1.15)
        #expect(abs(normal(0, feature: 0) - -5.199337582605575) <= 1e-15 * 5.2)
        // The upper clip is ndtri(1 − (1e-7 − eps)), whose argument rounds: not the lower one negated.
        #expect(abs(normal(2, feature: 0) - 5.19933758270342) <= 1e-15 * 5.2)
        let knownQuantiles: [(Double, Double)] = [
            (0.975, 1.959963984540054), (0.3, -0.5244005127080409), (1e-300, -37.0470962993612),
        ]
        for (p, want) in knownQuantiles {
            let got = PreprocessingStep.QuantileTransform.normalQuantile(p)
            #expect(abs(got - want) <= 1e-15 * abs(want), "ndtri(\(p)) = \(got), not \(want)")
        }
    }

    @Test("each step refuses the non-finite values its check_array refuses, naming cell and step")
    func stepsValidateTheirInput() throws {
        let exp = Self.step("exp", 2, .elementwise(.init(function: .exp, finiteInput: false)))
        let scaler = Self.step(
            "scale",
            2,
            .scaler(.init(className: "StandardScaler", subtract: [0, 0], divide: [1, 1]))
        )
        let polynomial = Self.step(
            "poly",
            2,
            .polynomial(.init(minDegree: 0, maxDegree: 2, interactionOnly: false, includeBias: false, outputCount: 5))
        )
        let sentinel = Self.step(
            "impute",
            2,
            .imputer(
                .init(
                    missingValue: .number(-1),
                    statistics: [.number(0), .number(0)],
                    keepEmpty: false,
                    indicator: nil
                )
            )
        )
        // exp(1000) overflows: the StandardScaler after it refuses the infinity (allow-nan), and
        // passes a NaN; PolynomialFeatures refuses NaN too; a sentinel imputer refuses NaN.
        let cases: [(PreprocessingStep, String, String)] = [
            (Self.step("pipe", 2, .sequence([exp, scaler])), "[[1, 2], [1, 1000]]", "reaches scale, a StandardScaler"),
            (polynomial, "[[1, 2], [1, null]]", "reaches poly, a PolynomialFeatures"),
            (sentinel, "[[1, 2], [1, null]]", "reaches impute, a SimpleImputer"),
            (Self.step("pipe", 2, .sequence([exp, polynomial])), "[[1, 2], [1, 1000]]", "contains infinity"),
        ]
        for (root, rows, words) in cases {
            let error = #expect(throws: ModelBundleError.self, "\(words)") { _ = try Self.run(root, rows) }
            #expect(error?.item == "b", "\(String(describing: error))")
            #expect(
                error?.message.contains(words) == true && error?.message.contains("row 1") == true,
                "\(String(describing: error))"
            )
        }
        // NaN passes a scaler, and a NaN-missing imputer fills it.
        #expect(try Self.run(Self.step("pipe", 2, .sequence([exp, scaler])), "[[0, 1], [0, null]]")[0] == [1, 1])
    }

    @Test("hostile projections are refused naming the step")
    func hostileProjections() throws {
        func refusal(_ projection: PreprocessingStep.Projection, width: Int = 2) -> ModelBundleError? {
            do {
                _ = try PreprocessingStage(root: Self.step("pca", width, .projection(projection)))
                return nil
            } catch { return error }
        }
        #expect(refusal(Self.whitened) == nil)
        var bad = Self.whitened
        bad.components = [[1, .nan], [0, 1]]
        #expect(refusal(bad)?.item == "pca")
        bad = Self.whitened
        bad.components = [[1, 2, 3], [0, 1, 2]]
        #expect(refusal(bad)?.message.contains("components_[0]") == true)
        bad = Self.whitened
        bad.scale = [0, 1]
        #expect(refusal(bad)?.message.contains("whitening scale") == true)
        bad = Self.whitened
        bad.mean = [1]
        #expect(refusal(bad)?.message.contains("mean_") == true)
        bad = Self.whitened
        bad.components = []
        #expect(refusal(bad)?.code == .weightsInvalid)
        // More weights than the limit: refused before the rows are looked at.
        let wide = PreprocessingLimits.maximumWidth
        bad = .init(className: "PCA", components: Array(repeating: [], count: 161), mean: nil, scale: nil)
        #expect(refusal(bad, width: wide)?.message.contains("weights are read") == true)
    }

    @Test("projection and function steps round-trip through the bundle form")
    func bundleForm() throws {
        let root = Self.step(
            "pipe",
            2,
            .sequence([
                Self.step("log", 2, .elementwise(.init(function: .arcsinh, finiteInput: true))),
                Self.step("pca", 2, .projection(Self.whitened)),
            ])
        )
        let stage = try PreprocessingStage(root: root)
        let (json, tensors) = try PreprocessingBundleFormat.encode(stage)
        let again = try PreprocessingBundleFormatTests.read(json, tensors)
        #expect(try PreprocessingBundleFormat.encode(again).json == json)
        guard case .sequence(let steps) = again.root.kind, case .projection(let projection) = steps[1].kind,
            case .elementwise(let elementwise) = steps[0].kind
        else {
            Issue.record("steps did not read back")
            return
        }
        #expect(projection.components == Self.whitened.components && projection.scale == [2, 1])
        #expect(elementwise.function == .arcsinh && elementwise.finiteInput)
        let text = String(decoding: json, as: UTF8.self)
        let unknown = Array(text.replacingOccurrences(of: "\"arcsinh\"", with: "\"system\"").utf8)
        #expect(throws: ModelBundleError.self) { _ = try PreprocessingBundleFormatTests.read(unknown, tensors) }
        let rows = Array(text.replacingOccurrences(of: "\"component_count\": 2", with: "\"component_count\": 3").utf8)
        #expect(throws: ModelBundleError.self) { _ = try PreprocessingBundleFormatTests.read(rows, tensors) }
    }
}
