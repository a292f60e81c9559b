import Foundation
import ModelBundle
import ModelFlavors
import ModelRuntime
import Testing

/// The native flavors against scikit-learn's own outputs (Tests/Fixtures/native/cases.json).
@Suite struct NativeLinearFlavorTests {
    static let logisticCases = NativeGolden.cases.filter { $0.kind == "logistic_regression" }
    static let linearCases = NativeGolden.cases.filter { $0.kind == "linear_regression" }

    func load(_ path: String) throws -> LoadedModel {
        try ModelLoader(registry: .builtIn).load(path: path)
    }

    func tensorInput(_ golden: NativeGolden.Case) throws -> RequestInput {
        .tensor(try Tensor(shape: golden.X_shape, values: .double(golden.inputs)))
    }

    func doubles(_ output: PredictionOutput) -> (shape: [Int], values: [Double])? {
        guard case .tensor(let tensor) = output else { return nil }
        switch tensor.values {
        case .double(let v): return (tensor.shape, v)
        case .float(let v): return (tensor.shape, v.map(Double.init))
        default: return nil
        }
    }

    func expectClose(_ actual: [Double], _ expected: [Double], tolerance: Double, _ comment: Comment) {
        #expect(actual.count == expected.count, comment)
        for (a, e) in zip(actual, expected) {
            #expect(abs(a - e) <= tolerance * max(1, abs(e)), "\(comment): \(a) vs \(e)")
        }
    }

    @Test func goldenCasesArePresent() {
        #expect(Self.logisticCases.count == 4)
        #expect(Self.linearCases.count == 2)
    }

    @Test func sixPointSampleMatchesTheIssue() throws {
        let golden = try #require(NativeGolden.named("six_point"))
        let model = try load(try NativeBundleBuilder.write(golden))
        #expect(model.flavorName == "logistic_regression")
        let output = try model.predict(try tensorInput(golden))
        // Hand-checked against the issue: {"predictions": [0, 1, 0, 1, 0, 1]}.
        #expect(output == .tensor(try Tensor(shape: [6], values: .long([0, 1, 0, 1, 0, 1]))))
    }

    @Test(arguments: logisticCases)
    func logisticPredictMatchesScikitLearn(_ golden: NativeGolden.Case) throws {
        for dtype in [LinearModelFlavorConfiguration.ScalarType.float64, .float32] {
            let model = try load(try NativeBundleBuilder.write(golden, dtype: dtype))
            guard case .tensor(let tensor) = try model.predict(try tensorInput(golden)) else {
                Issue.record("not a tensor")
                return
            }
            #expect(tensor.shape == [golden.X_shape[0]])
            let expected = try #require(golden.predict)
            switch tensor.values {
            case .long(let labels): #expect(labels.map(NativeGolden.Label.integer) == expected, "\(dtype)")
            case .string(let labels): #expect(labels.map(NativeGolden.Label.string) == expected, "\(dtype)")
            default: Issue.record("labels are neither integers nor strings")
            }
        }
    }

    @Test(arguments: logisticCases)
    func logisticProbabilitiesAndScoresMatchScikitLearn(_ golden: NativeGolden.Case) throws {
        let rows = golden.X_shape[0]
        let classes = try #require(golden.classes).count
        for (dtype, tolerance) in [(LinearModelFlavorConfiguration.ScalarType.float64, 1e-12), (.float32, 1e-4)] {
            let proba = try load(try NativeBundleBuilder.write(golden, predictFunction: "predict_proba", dtype: dtype))
            let p = try #require(doubles(try proba.predict(try tensorInput(golden))))
            #expect(p.shape == [rows, classes])
            expectClose(
                p.values,
                NativeGolden.Case.doubles(try #require(golden.predict_proba)),
                tolerance: tolerance,
                "proba \(dtype)"
            )

            let scores = try load(
                try NativeBundleBuilder.write(golden, predictFunction: "decision_function", dtype: dtype)
            )
            let d = try #require(doubles(try scores.predict(try tensorInput(golden))))
            #expect(d.shape == (classes == 2 ? [rows] : [rows, classes]))
            expectClose(
                d.values,
                NativeGolden.Case.doubles(try #require(golden.decision_function)),
                tolerance: tolerance,
                "scores \(dtype)"
            )
        }
    }

    @Test(arguments: linearCases)
    func linearRegressionMatchesScikitLearn(_ golden: NativeGolden.Case) throws {
        for (dtype, tolerance) in [(LinearModelFlavorConfiguration.ScalarType.float64, 1e-12), (.float32, 1e-4)] {
            let model = try load(try NativeBundleBuilder.write(golden, dtype: dtype))
            let output = try #require(doubles(try model.predict(try tensorInput(golden))))
            #expect(output.shape == golden.predict_shape)
            // Regression predictions are stored as float hex strings.
            let expected = try #require(golden.predict).map { label -> Double in
                if case .string(let hex) = label { Double(hex) ?? .nan } else { .nan }
            }
            expectClose(output.values, expected, tolerance: tolerance, "predict \(dtype)")
        }
    }

    @Test func frameColumnsAreFeaturesInOrder() throws {
        let golden = try #require(NativeGolden.named("linear_single"))
        let model = try load(try NativeBundleBuilder.write(golden))
        let rows = golden.X_shape[0]
        let x = golden.inputs
        let columns = try (0..<3).map { c in
            try Column(name: "x\(c)", values: .double((0..<rows).map { x[$0 * 3 + c] }))
        }
        let fromFrame = try #require(doubles(try model.predict(.frame(try Frame(columns: columns)))))
        let fromTensor = try #require(doubles(try model.predict(try tensorInput(golden))))
        #expect(fromFrame.values == fromTensor.values)
    }

    @Test func wrongInputWidthIsASchemaMismatch() throws {
        let golden = try #require(NativeGolden.named("six_point"))
        let model = try load(try NativeBundleBuilder.write(golden))
        let error = try #require(throws: ModelBundleError.self) {
            try model.predict(.tensor(try Tensor(shape: [2, 2], values: .double([1, 2, 3, 4]))))
        }
        #expect(error.code == .schemaMismatch)
    }
}
