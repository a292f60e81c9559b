import Foundation
import ModelBundle
import ModelCodecs
import ModelFlavors
import ModelRuntime
import TestSupport
import Testing

/// Real scikit-learn pipelines (ColumnTransformer, imputers, encoders, scalers, PolynomialFeatures,
/// KBinsDiscretizer, TargetEncoder, FeatureUnion, feature selectors, PCA, TruncatedSVD, numpy-ufunc
/// FunctionTransformers, PowerTransformer, QuantileTransformer) saved by real mlflow.sklearn as skops and pickle
/// (Tests/Fixtures/pipelines, Scripts/make-pipeline-fixtures.py), run on mixed requests with missing
/// values and unseen categories; expected outputs are MLflow's own scoring path on the same JSON.
@Suite struct PipelinePreprocessingTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent("pipelines")

    static let names = [
        "onehot_logistic", "ordinal_ridge", "infrequent_multiclass", "strict_unknown", "variance_selected",
        "scored_selection", "pca_whitened", "log_svd_ridge", "incremental_forest", "power_logistic", "power_hgb",
        "quantile_mixed", "log_quantile_forest", "log_ridge", "target_log_ridge", "target_scaled_forest",
        "voting_soft", "voting_hard", "voting_regressor", "voting_passthrough", "dropped_columns", "union_dropped",
        "stacking_classifier", "stacking_passthrough", "stacking_predict", "stacking_regressor", "stacking_decision",
        "stacking_linear_member", "calibrated_sigmoid", "calibrated_isotonic",
        // Selectors: RFE, RFECV and SequentialFeatureSelector by support_; SelectFromModel by coef_.
        "rfe_selected", "rfecv_selected", "sequential_selected", "model_selected", "forest_selected",
        // make_column_selector by type, standalone MissingIndicators, a NaN score in SelectKBest.
        "typed_selectors",
        // OrdinalEncoder's infrequent mapping without its missing category.
        "ordinal_infrequent_missing",
        // float32 columns kept float32 through imputers, scalers, PolynomialFeatures and a QuantileTransformer.
        "float32_columns", "float32_folded", "float32_forest", "float32_encoded",
        // Numbers passed through to a SelectKBest before a forest.
        "selected_nan",
        // KBinsDiscretizer's edges [-inf, inf] for PolynomialFeatures' constant bias column.
        "constant_binned",
        // SplineTransformer: linear and periodic extrapolation, handle_missing='zeros' before a forest.
        "spline_ridge", "spline_missing_forest",
    ]

    static let cases: [(String, String)] = names.flatMap { name in
        ["skops", "pickle"].flatMap { format in
            let functions =
                [
                    "ordinal_ridge", "strict_unknown", "log_svd_ridge", "power_hgb", "log_ridge",
                    "ordinal_infrequent_missing", "spline_ridge",
                ]
                .contains(name)
                    || name.hasPrefix("target_") || name == "voting_hard" || name == "voting_regressor"
                    || name == "stacking_regressor"
                ? ["predict"] : ["predict", "predict_proba"]
            return functions.map { ("\(name)_\(format)", $0) }
        }
    }

    static func expected(_ bundle: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(
            with: Data(contentsOf: fixtures.appendingPathComponent("expected.json"))
        )
        return try #require((object as? [String: Any])?[bundle] as? [String: Any])
    }

    /// A copy of a fixture bundle with `predict_fn` set; the caller removes it.
    static func copy(_ bundle: String, predictFunction: String) throws -> URL {
        let target = TestScratch.url("mbundle-pp")
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent(bundle), to: target)
        let manifestURL = target.appendingPathComponent("MLmodel")
        let manifest = try String(contentsOf: manifestURL, encoding: .utf8)
            .replacingOccurrences(of: "predict_fn: predict\n", with: "predict_fn: \(predictFunction)\n")
        try manifest.write(to: manifestURL, atomically: true, encoding: .utf8)
        return target
    }

    static func predict(_ bundle: URL, body: [UInt8]) throws -> PredictionOutput {
        let model = try ModelLoader(registry: .builtIn).load(path: bundle.path)
        let request = try RequestDecoder(schema: model.requestSchema).decode(body, format: .json)
        return try model.predict(request)
    }

    /// float64 scores within 1e-12 relative or 1e-14 absolute; labels identical.
    static func check(_ output: PredictionOutput, _ want: Any, _ what: String) {
        guard case .tensor(let tensor) = output else {
            Issue.record("\(what): not a tensor")
            return
        }
        let expected = (want as? [Any]) ?? []
        switch tensor.values {
        case .string(let labels):
            #expect(labels == expected.compactMap { $0 as? String }, "\(what)")
        case .long(let labels):
            #expect(labels == expected.compactMap { ($0 as? NSNumber)?.int64Value }, "\(what)")
        case .double(let values):
            checkNumbers(values, expected, what)
        case .float(let values):
            // A float32 model's answer (MLflow writes each float32 as the double it is).
            checkNumbers(values.map(Double.init), expected, what)
        default:
            Issue.record("\(what): unexpected values \(tensor.values)")
        }
    }

    static func checkNumbers(_ values: [Double], _ expected: [Any], _ what: String) {
        let flat = expected.flatMap { ($0 as? [Any]) ?? [$0] }.compactMap { ($0 as? NSNumber)?.doubleValue }
        #expect(values.count == flat.count, "\(what): \(values.count) values, expected \(flat.count)")
        for (index, (got, wanted)) in zip(values, flat).enumerated() {
            let close = abs(got - wanted) <= max(1e-14, 1e-12 * abs(wanted))
            #expect(close, "\(what)[\(index)]: \(got) vs \(wanted)")
        }
    }

    /// A null reaches scikit-learn as MLflow hands it over, which depends on the envelope and the
    /// column: None for a string column null in every row of a `dataframe_split`/`dataframe_records`
    /// request, the text "None" from `instances`/`inputs`, False in a boolean column, NaN in a
    /// string column that holds strings too. Against MLflow's answers in
    /// Tests/Fixtures/pipelines/null_requests.json (Scripts/make-null-request-fixture.py), for the
    /// original bundle and its conversion.
    @Test(
        "nulls reach the pipeline as MLflow hands them over",
        arguments: ["onehot_logistic_skops", "onehot_logistic_pickle"]
    )
    func nullsByEnvelope(_ bundle: String) throws {
        let object = try JSONSerialization.jsonObject(
            with: Data(contentsOf: Self.fixtures.appendingPathComponent("null_requests.json"))
        )
        let functions = try #require((object as? [String: Any])?[bundle] as? [String: Any])
        #expect(functions.count == 2)
        for (function, requests) in functions {
            let copy = try Self.copy(bundle, predictFunction: function)
            let converted = TestScratch.url("mbundle-nulls")
            defer {
                try? FileManager.default.removeItem(at: copy)
                try? FileManager.default.removeItem(at: converted)
            }
            _ = try SklearnBundleConverter.convert(try BundleReader(path: copy.path).read(), to: converted.path)
            let entries = try #require(requests as? [String: [String: Any]])
            #expect(entries.count == 6)
            for (name, entry) in entries {
                let body = Array(try #require(entry["body"] as? String).utf8)
                for target in [copy, converted] {
                    Self.check(
                        try Self.predict(target, body: body),
                        entry["predictions"] as Any,
                        "\(bundle) \(function) \(name)\(target == converted ? " (converted)" : "")"
                    )
                }
            }
        }
    }

    /// SelectorMixin.transform validates with `ensure_all_finite=not allow_nan`: a SelectKBest refuses
    /// NaN though the forest after it would take it (MLflow answers "Input X contains NaN"), in the
    /// bundle and in its conversion.
    @Test("NaN reaching a SelectKBest is refused", arguments: ["skops", "pickle"])
    func nonFiniteReachingASelector(_ format: String) throws {
        let converted = TestScratch.url("mbundle-sel")
        defer { try? FileManager.default.removeItem(at: converted) }
        let original = Self.fixtures.appendingPathComponent("selected_nan_\(format)")
        _ = try SklearnBundleConverter.convert(try BundleReader(path: original.path).read(), to: converted.path)
        for bundle in [original, converted] {
            let body = """
                {"dataframe_split": {"columns": ["age", "income", "city", "plan", "visits", "member"],
                 "data": [[30, 1000.5, "paris", "basic", 3, true], [40, null, "lyon", "pro", 1, false]]}}
                """
            let error = #expect(throws: ModelBundleError.self) { _ = try Self.predict(bundle, body: Array(body.utf8)) }
            #expect(error?.item == "income", "\(String(describing: error))")
            let message = error?.message ?? ""
            #expect(
                message.contains("row 1") && message.contains("feature selector") && message.contains("contains NaN"),
                "\(message)"
            )
        }
        // Without them the forest predicts.
        let body = """
            {"dataframe_split": {"columns": ["age", "income", "city", "plan", "visits", "member"],
             "data": [[30, 1000.5, "paris", "basic", 3, true]]}}
            """
        _ = try Self.predict(original, body: Array(body.utf8))
    }

    @Test("pipelines predict what MLflow's scoring path predicted", arguments: cases)
    func fixturePredictions(_ bundle: String, _ function: String) throws {
        let expected = try Self.expected(bundle)
        let request = try #require(expected["request"] as? String)
        let body = Array(try Data(contentsOf: Self.fixtures.appendingPathComponent(request)))
        let copy = try Self.copy(bundle, predictFunction: function)
        defer { try? FileManager.default.removeItem(at: copy) }
        let output = try Self.predict(copy, body: body)
        Self.check(output, try #require(expected[function]), "\(bundle) \(function)")
    }

    @Test("mbundle convert writes the stage into a native bundle that predicts the same", arguments: cases)
    func convertedPredictions(_ bundle: String, _ function: String) throws {
        let expected = try Self.expected(bundle)
        let request = try #require(expected["request"] as? String)
        let body = Array(try Data(contentsOf: Self.fixtures.appendingPathComponent(request)))
        let copy = try Self.copy(bundle, predictFunction: function)
        let target = TestScratch.url("mbundle-ppc")
        defer {
            try? FileManager.default.removeItem(at: copy)
            try? FileManager.default.removeItem(at: target)
        }
        if ["target_", "voting_", "stacking_", "calibrated_"].contains(where: { bundle.hasPrefix($0) }) {
            // The native flavors hold one model and no target transform: conversion is refused,
            // nothing written.
            let error = #expect(throws: ModelBundleError.self) {
                _ = try SklearnBundleConverter.convert(try BundleReader(path: copy.path).read(), to: target.path)
            }
            #expect(error?.message.contains("not converted") == true, "\(String(describing: error))")
            #expect(!FileManager.default.fileExists(atPath: target.path))
            return
        }
        let manifest = try SklearnBundleConverter.convert(try BundleReader(path: copy.path).read(), to: target.path)
        #expect(
            manifest.flavorNames.contains {
                ["logistic_regression", "linear_regression", "tree_ensemble"].contains($0)
            }
        )
        let model = try ModelLoader(registry: .builtIn).load(path: target.path)
        #expect(model.flavorName != "sklearn")
        let output = try model.predict(try RequestDecoder(schema: model.requestSchema).decode(body, format: .json))
        Self.check(output, try #require(expected[function]), "converted \(bundle) \(function)")
    }

    @Test(
        "an unseen category with handle_unknown='error' names the column, row and value",
        arguments: ["skops", "pickle"]
    )
    func unknownCategoryError(_ format: String) throws {
        let body = """
            {"dataframe_split": {"columns": ["age", "income", "city", "plan", "visits", "member"],
             "data": [[30, 1000.5, "paris", "basic", 3, true], [40, null, "tours", "pro", 1, false]]}}
            """
        do {
            _ = try Self.predict(
                Self.fixtures.appendingPathComponent("strict_unknown_\(format)"),
                body: Array(body.utf8)
            )
            Issue.record("an unknown category was accepted")
        } catch let error as ModelBundleError {
            #expect(error.item == "city")
            #expect(error.message.contains("row 1") && error.message.contains("'tours'"), "\(error.message)")
        }
    }

    @Test("a missing city with handle_unknown='error' fitted without missing values is refused like scikit-learn")
    func missingIsUnknown() throws {
        let body = """
            {"dataframe_split": {"columns": ["age", "income", "city", "plan", "visits", "member"],
             "data": [[30, 1000.5, null, "basic", 3, true]]}}
            """
        let error = #expect(throws: ModelBundleError.self) {
            _ = try Self.predict(Self.fixtures.appendingPathComponent("strict_unknown_pickle"), body: Array(body.utf8))
        }
        #expect(error?.item == "city")
        // The column is null in its only row: pandas holds None there, an unknown category too.
        #expect(error?.message.contains("row 0: None") == true, "\(error?.message ?? "")")
    }

    /// A NaN made by the stage (a missing income passed through log1p, or log1p of −5) reaches the
    /// Ridge, whose check_array refuses it (Scripts/interop-pipelines.py checks MLflow refuses too).
    @Test(
        "NaN or infinity produced by the stage is refused before a linear model, naming row and feature",
        arguments: ["skops", "pickle"]
    )
    func nonFiniteFeaturesBeforeALinearModel(_ format: String) throws {
        for (row, feature, words) in [
            ("[40, null, \"lyon\", \"pro\", 1, false]", "income", "NaN"),
            ("[40, 2000.0, \"lyon\", \"pro\", -5, false]", "visits", "NaN"),
            ("[40, 2000.0, \"lyon\", \"pro\", -1, false]", "visits", "infinity"),
        ] {
            let body = """
                {"dataframe_split": {"columns": ["age", "income", "city", "plan", "visits", "member"],
                 "data": [[30, 1000.5, "paris", "basic", 3, true], \(row)]}}
                """
            let error = #expect(throws: ModelBundleError.self) {
                _ = try Self.predict(
                    Self.fixtures.appendingPathComponent("log_ridge_\(format)"),
                    body: Array(body.utf8)
                )
            }
            #expect(error?.item == feature, "\(String(describing: error))")
            let message = error?.message ?? ""
            #expect(
                message.contains("row 1 feature '\(feature)'") && message.contains("contains \(words)"),
                "\(message)"
            )
        }
        // The same rows without them predict.
        let body = """
            {"dataframe_split": {"columns": ["age", "income", "city", "plan", "visits", "member"],
             "data": [[30, 1000.5, "paris", "basic", 3, true]]}}
            """
        _ = try Self.predict(Self.fixtures.appendingPathComponent("log_ridge_\(format)"), body: Array(body.utf8))
    }

    /// A ColumnTransformer with remainder="drop" reads only its branches' columns (a FeatureUnion of
    /// them, the columns of all): a datetime column it drops is sent and ignored, and optional columns
    /// it drops may be left out, as MLflow's scoring path answers (the `_reduced` entries), natively
    /// and after conversion.
    @Test(
        "columns a ColumnTransformer drops are neither read nor required",
        arguments: ["dropped_columns", "union_dropped"],
        ["skops", "pickle"]
    )
    func droppedColumnsAreNotRequired(_ name: String, _ format: String) throws {
        let bundle = "\(name)_\(format)"
        let expected = try Self.expected(bundle)
        let request = try #require(expected["request_reduced"] as? String)
        let body = Array(try Data(contentsOf: Self.fixtures.appendingPathComponent(request)))
        #expect(!String(decoding: body, as: UTF8.self).contains("signup"))
        for function in ["predict", "predict_proba"] {
            let copy = try Self.copy(bundle, predictFunction: function)
            let target = TestScratch.url("mbundle-ppd")
            defer {
                try? FileManager.default.removeItem(at: copy)
                try? FileManager.default.removeItem(at: target)
            }
            let want = try #require(expected[function + "_reduced"])
            Self.check(try Self.predict(copy, body: body), want, "\(bundle) \(function) without the dropped columns")
            _ = try SklearnBundleConverter.convert(try BundleReader(path: copy.path).read(), to: target.path)
            Self.check(try Self.predict(target, body: body), want, "converted \(bundle) \(function)")
        }
    }

    /// A Parquet or Arrow request whose `city` column is all None (pandas writes Arrow `null`, Parquet
    /// `UNKNOWN`): read as missing values of the signature's string column, as MLflow's pandas frame
    /// holds them; the imputer and encoder then predict what MLflow predicted.
    @Test(
        "an all-null column of a Parquet or Arrow request is read as missing values",
        arguments: ["parquet", "arrows"],
        ["skops", "pickle"]
    )
    func allNullColumn(_ file: String, _ format: String) throws {
        let requests = Self.fixtures.appendingPathComponent("requests")
        let body = Array(try Data(contentsOf: requests.appendingPathComponent("onehot_logistic_null_city.\(file)")))
        let want = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: requests.appendingPathComponent("onehot_logistic_null_city.json"))
            ) as? [String: Any]
        )
        let model = try ModelLoader(registry: .builtIn).load(
            path: Self.fixtures.appendingPathComponent("onehot_logistic_\(format)").path
        )
        let answer = try model.predict(body: body, format: file == "parquet" ? .parquet : .arrow)
        let got = try #require(try JSONSerialization.jsonObject(with: Data(answer)) as? [String: Any])
        #expect((got["predictions"] as? [Int]) == (want["predictions"] as? [Int]))
    }

    /// Behind the stage, a NaN passed through reaches the ensemble's LogisticRegression member, which
    /// refuses it though the HistGradientBoosting member would take it (MLflow refuses it too:
    /// Scripts/interop-pipelines.py).
    @Test(
        "a NaN reaching a linear member of a voting or stacking ensemble is refused, naming the row",
        arguments: ["voting_passthrough", "stacking_linear_member"],
        ["skops", "pickle"]
    )
    func nonFiniteFeaturesBeforeALinearMember(_ name: String, _ format: String) throws {
        let body = """
            {"dataframe_split": {"columns": ["age", "income", "city", "plan", "visits", "member"],
             "data": [[30, 1000.5, "paris", "basic", 3, true], [null, 2000.0, "lyon", "pro", 1, false]]}}
            """
        let bundle = Self.fixtures.appendingPathComponent("\(name)_\(format)")
        let error = #expect(throws: ModelBundleError.self) { _ = try Self.predict(bundle, body: Array(body.utf8)) }
        let message = error?.message ?? ""
        #expect(message.contains("row 1 feature 0: NaN reaches a linear member"), "\(message)")
    }
}
