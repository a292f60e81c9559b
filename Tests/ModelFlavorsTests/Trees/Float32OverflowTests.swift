import Foundation
import ModelBundle
import ModelFlavors
import ModelRuntime
import TestSupport
import Testing

/// A feature value float32 cannot hold is refused where MLflow's predict refuses it (scikit-learn's trees,
/// an XGBoost Booster's DMatrix) and taken where it is taken (XGBoost's scikit-learn wrappers, LightGBM,
/// HistGradientBoosting). Outcomes: Tests/Fixtures/trees/float32_overflow.json, from MLflow's pyfunc on the
/// same bundles and bodies (Scripts/make-float32-overflow-golden.py).
@Suite struct Float32OverflowTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var bundle: String
        var body: String
        var refused: Bool
        var testDescription: String { name }
    }

    static let fixtures = TreeFixtures.directory.deletingLastPathComponent()

    static let cases: [Case] = {
        guard let data = try? TreeFixtures.bytes("float32_overflow.json"), let json = try? JSONParser().parse(data),
            let entries = json.objectValue
        else { return [] }
        return entries.compactMap { name, value in
            guard let bundle = value["bundle"]?.stringValue, let body = value["body"]?.stringValue,
                let outcome = value["mlflow"]?.stringValue
            else { return nil }
            return Case(name: name, bundle: bundle, body: body, refused: outcome == "refused")
        }
        .sorted { $0.name < $1.name }
    }()

    @Test func theGoldenCoversEveryLibrary() {
        #expect(Self.cases.count == 40)
        #expect(Self.cases.contains { $0.refused } && Self.cases.contains { !$0.refused })
    }

    @Test(arguments: cases)
    func refusedWhereMLflowRefusesIt(_ golden: Case) throws {
        try Self.check(golden, path: Self.fixtures.appendingPathComponent(golden.bundle).path)
    }

    /// `mbundle convert` keeps the refusal (the native flavor's `input_check`), so the converted bundle
    /// refuses exactly what the original and MLflow refuse.
    @Test(arguments: cases)
    func theConvertedBundleRefusesTheSame(_ golden: Case) throws {
        let target = TestScratch.url("f32")
        defer { try? FileManager.default.removeItem(at: target) }
        try SklearnBundleConverter.convert(
            modelPath: Self.fixtures.appendingPathComponent(golden.bundle).path,
            to: target.path
        )
        try Self.check(golden, path: target.path)
    }

    static func check(_ golden: Case, path: String) throws {
        let model = try ModelLoader(registry: .builtIn).load(modelPath: path)
        do {
            _ = try model.predict(body: Array(golden.body.utf8), format: .json)
            #expect(!golden.refused, "\(golden.name): accepted, but MLflow refuses it")
        } catch {
            #expect(golden.refused, "\(golden.name): \(error.error.message)")
            #expect(error.kind == .inputInvalid)
            #expect(error.error.message.contains("row 0 feature 0:"), "\(error.error.message)")
            #expect(error.error.message.contains("too large for float32"), "\(error.error.message)")
        }
    }
}
