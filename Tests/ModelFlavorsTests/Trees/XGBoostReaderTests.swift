import Foundation
import ModelBundle
import ModelFlavors
import Testing

/// XGBoost models from xgboost 3.2.0, predicted bit for bit: the route through every tree, the
/// float32 sums from the base margin, the objective's transform.
@Suite struct XGBoostReaderTests {
    @Test(arguments: TreeFixtures.named("xgb_"))
    func matchesXGBoost(_ golden: TreeFixtures.Case) throws {
        let file = try #require(golden.file)
        let model = try XGBoostModelReader.read(try TreeFixtures.bytes(file), fileName: file)
        let validated = try model.ensemble.validated()
        let kernel = TreeEnsembleKernel(validated)
        let raw = try TreeEnsemblePrediction.compute(kernel, golden.inputs, rows: golden.rows, output: .predictRaw)
        let margin = try #require(golden.margin)
        #expect(
            TreeFixtures.same(raw.doubles, margin),
            "\(golden.name) margin \(TreeFixtures.firstDifference(raw.doubles, margin))"
        )
        // The scalar reference agrees with the kernel.
        var scalar: [Double] = []
        for row in 0..<golden.rows {
            golden.inputs[(row * golden.width)..<((row + 1) * golden.width)].withUnsafeBufferPointer {
                scalar += validated.rawScores(row: $0)
            }
        }
        #expect(
            TreeFixtures.same(scalar, margin),
            "\(golden.name) scalar \(TreeFixtures.firstDifference(scalar, margin))"
        )
        // Booster.predict: transformed scores; multi:softmax answers the class index.
        var ensemble = model.ensemble
        if model.objective != "multi:softmax" { ensemble.task = .regression }
        let predicted = try TreeEnsemblePrediction.compute(
            TreeEnsembleKernel(try ensemble.validated()),
            golden.inputs,
            rows: golden.rows,
            output: .predict
        )
        #expect(
            TreeFixtures.same(predicted.doubles, golden.predict),
            "\(golden.name) predict \(TreeFixtures.firstDifference(predicted.doubles, golden.predict))"
        )
    }

    @Test func readsJSONAndUBJSONAlike() throws {
        // The same model in both encodings gives the same ensemble.
        let ubj = try XGBoostModelReader.read(try TreeFixtures.bytes("xgb_multi_softprob.ubj"))
        #expect(ubj.version == [3, 2, 0])
        #expect(ubj.ensemble.categoryWords.isEmpty == false)  // categorical splits were read
        let json = try XGBoostModelReader.read(try TreeFixtures.bytes("xgb_base_score.json"))
        #expect(json.ensemble.baseScores.count == 1)
    }

    @Test func refusesLegacyBinaryAndOldVersions() throws {
        let legacy = try #require(throws: ModelBundleError.self) {
            try XGBoostModelReader.read(Array("binf\u{0}\u{0}\u{0}\u{0}".utf8) + [UInt8](repeating: 0, count: 64))
        }
        #expect(legacy.message.contains("legacy binary"))
        #expect(legacy.message.contains("save_model"))
        let old = try #require(throws: ModelBundleError.self) {
            try XGBoostModelReader.read(Array(#"{"version": [1, 6, 2], "learner": {}}"#.utf8))
        }
        #expect(old.code == .unsupportedFormatVersion)
        #expect(old.message.contains("1.6.2"))
    }

    @Test func refusesGBLinearByName() throws {
        var text = String(decoding: try TreeFixtures.bytes("xgb_base_score.json"), as: UTF8.self)
        text = text.replacingOccurrences(of: #""name": "gbtree""#, with: #""name": "gblinear""#)
        text = text.replacingOccurrences(of: #""name":"gbtree""#, with: #""name":"gblinear""#)
        let error = try #require(throws: ModelBundleError.self) { try XGBoostModelReader.read(Array(text.utf8)) }
        #expect(error.message.contains("gblinear"))
    }

    /// A DART model needs one finite weight per tree; vector-leaf trees (multi_output_tree) and
    /// several targets under a classification objective are refused by name.
    @Test func refusesBadDartWeightsAndUnsupportedTargets() throws {
        func refusal(_ file: String, _ edit: (String) -> String) throws -> ModelBundleError {
            let text = edit(String(decoding: try TreeFixtures.bytes(file), as: UTF8.self))
            #expect(text != String(decoding: try TreeFixtures.bytes(file), as: UTF8.self), "\(file): edit applied")
            return try #require(throws: ModelBundleError.self) { try XGBoostModelReader.read(Array(text.utf8)) }
        }
        let dart = try TreeFixtures.bytes("xgb_dart.json")
        let weights = try #require(try JSONParser().parse(dart)["learner"]?["gradient_booster"]?["weight_drop"])
        #expect(weights.arrayValue?.count == 8)
        let short = try refusal("xgb_dart.json") {
            $0.replacingOccurrences(of: #""weight_drop":["#, with: #""weight_drop":[2,"#)
        }
        #expect(short.item == "model:learner.gradient_booster.weight_drop")
        let vector = try refusal("xgb_quantile_three.json") {
            $0.replacingOccurrences(of: #""size_leaf_vector":"1""#, with: #""size_leaf_vector":"3""#)
        }
        #expect(vector.message.contains("multi_output_tree"))
        let classifying = try refusal("xgb_quantile_three.json") {
            $0.replacingOccurrences(of: #""name":"reg:quantileerror""#, with: #""name":"binary:logistic""#)
        }
        #expect(classifying.message.contains("num_target 3"))
    }

    @Test func ubjsonReaderRefusesHostileBytes() throws {
        let cases: [[UInt8]] = [
            Array("[#L".utf8) + [0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],  // count beyond the file
            Array("[$d#L".utf8) + [0, 0, 0, 0, 0, 0, 0, 9] + [0, 0, 0, 0],  // typed array past the end
            Array(repeating: UInt8(ascii: "["), count: 100),  // nesting
            Array("{U\u{1}aZU\u{1}aZ}".utf8),  // duplicate key
            Array("SU\u{5}ab".utf8),  // truncated string
            Array("Zx".utf8),  // trailing byte
            Array("H".utf8),
            Array("[$L#U\u{1}".utf8) + [0x7F, 0, 0, 0, 0, 0, 0, 0],  // int64 beyond 2^53
        ]
        for bytes in cases {
            #expect(throws: ModelBundleError.self) { try UBJSONReader.parse(bytes) }
        }
        #expect(
            try UBJSONReader.parse(Array("[$d#U\u{2}".utf8) + [0x3F, 0x80, 0, 0, 0x40, 0, 0, 0]) == .numbers([1, 2])
        )
    }
}
