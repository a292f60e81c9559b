import Foundation
import ModelBundle
import ModelFlavors
import ModelRuntime
import TestSupport
import Testing

/// Requests as users send them to bundles saved without a signature (and, for the error codes by
/// stage, to one with), answered as MLflow's scoring path answered the same bytes
/// (Tests/Fixtures/unsigned/expected.json, `Scripts/make-unsigned-request-fixture.py`): the same
/// outcome, the same predictions (to 1e-12: BLAS sums in another order), and for a refusal the same
/// HTTP status and `error_code`.
@Suite struct UnsignedRequestTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/unsigned")

    struct Case: CustomTestStringConvertible, Sendable {
        let bundle: String
        let request: String
        let format: RequestFormat
        let body: String
        let status: Int
        let errorCode: String?
        let predictions: String?
        var testDescription: String { "\(bundle) \(request)" }
    }

    static let cases: [Case] = {
        guard let data = try? Data(contentsOf: fixtures.appendingPathComponent("expected.json")),
            let root = try? JSONSerialization.jsonObject(with: data) as? [String: [String: [String: Any]]]
        else { return [] }
        var cases: [Case] = []
        for (bundle, requests) in root.sorted(by: { $0.key < $1.key }) {
            for (request, entry) in requests.sorted(by: { $0.key < $1.key }) {
                let predictions = entry["predictions"].flatMap {
                    try? JSONSerialization.data(withJSONObject: $0, options: [.fragmentsAllowed])
                }
                cases.append(
                    Case(
                        bundle: bundle,
                        request: request,
                        format: entry["format"] as? String == "csv" ? .csv : .json,
                        body: entry["body"] as? String ?? "",
                        status: entry["status"] as? Int ?? 0,
                        errorCode: entry["error_code"] as? String,
                        predictions: predictions.map { String(decoding: $0, as: UTF8.self) }
                    )
                )
            }
        }
        return cases
    }()

    @Test func theFixtureCoversEveryKind() {
        #expect(Self.cases.count >= 140)
        #expect(Self.cases.contains { $0.status == 200 })
        #expect(Self.cases.contains { $0.errorCode == "BAD_REQUEST" })
        #expect(Self.cases.contains { $0.errorCode == "INVALID_PARAMETER_VALUE" })
    }

    @Test(arguments: cases)
    func answeredAsMLflowAnswers(_ golden: Case) throws {
        // Loaded per case, not kept in a static: a model alive at exit holds its tree leaf table
        // through an enum payload whose tag sits in the pointer's spare bits, which the leak
        // sanitizer cannot follow.
        let model = try ModelLoader(registry: .builtIn).load(
            modelPath: Self.fixtures.appendingPathComponent(golden.bundle).path
        )
        let output: [UInt8]
        do {
            output = try model.predict(body: Array(golden.body.utf8), format: golden.format)
        } catch {
            #expect(golden.status != 200, "refused: \(error); MLflow predicts")
            #expect(error.httpStatus == golden.status, "\(error)")
            #expect(error.mlflowErrorCode == golden.errorCode, "\(error)")
            return
        }
        let wanted = try #require(golden.predictions, "accepted; MLflow answers \(golden.errorCode ?? "")")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(output)) as? [String: Any])
        let got = try #require(document["predictions"])
        let expected = try JSONSerialization.jsonObject(with: Data(wanted.utf8), options: [.fragmentsAllowed])
        #expect(Self.same(got, expected), "\(got) vs \(expected)")
    }

    /// A converted bundle would read category values as codes: boosters fitted on pandas category
    /// columns are not converted, except the XGBoost Booster, which MLflow scores on codes too.
    @Test(
        "convert refuses boosters fitted on category columns",
        arguments: [
            ("lgb_booster_categories", false), ("xgb_classifier_categories", false),
            ("lgbm_classifier_categories_sklearn", false), ("xgb_regressor_categories_sklearn", false),
            ("xgb_booster_categories", true),
        ]
    )
    func convertCategories(_ bundle: String, _ converts: Bool) throws {
        let target = TestScratch.url("categories")
        defer { try? FileManager.default.removeItem(at: target) }
        let source = Self.fixtures.appendingPathComponent(bundle).path
        if converts {
            try SklearnBundleConverter.convert(modelPath: source, to: target.path)
        } else {
            let error = #expect(throws: ModelBundleError.self) {
                try SklearnBundleConverter.convert(modelPath: source, to: target.path)
            }
            #expect(error?.code == .flavorUnavailable)
            #expect(error?.message.contains("pandas category columns") == true, "\(error?.message ?? "")")
            #expect(!FileManager.default.fileExists(atPath: target.path))
        }
    }

    /// Equal JSON values, numbers to 1e-12 relative (labels and classes exactly).
    static func same(_ a: Any, _ b: Any) -> Bool {
        switch (a, b) {
        case (let a as [Any], let b as [Any]):
            return a.count == b.count && zip(a, b).allSatisfy { same($0, $1) }
        case (let a as [String: Any], let b as [String: Any]):
            return a.keys.sorted() == b.keys.sorted()
                && a.allSatisfy { key, value in b[key].map { same(value, $0) } ?? false }
        case (let a as String, let b as String):
            return a == b
        case (let a as NSNumber, let b as NSNumber):
            let x = a.doubleValue
            let y = b.doubleValue
            return x == y || abs(x - y) <= 1e-12 * max(abs(x), abs(y))
        default:
            return false
        }
    }
}
