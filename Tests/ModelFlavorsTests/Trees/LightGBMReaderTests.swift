import Foundation
import ModelBundle
import ModelFlavors
import Testing

/// LightGBM text models from lightgbm 4.7.0, predicted bit for bit: double comparisons with the
/// missing types, categorical bitsets, double sums in tree order, `average_output`, ConvertOutput.
@Suite struct LightGBMReaderTests {
    @Test(arguments: TreeFixtures.named("lgb_"))
    func matchesLightGBM(_ golden: TreeFixtures.Case) throws {
        let file = try #require(golden.file)
        let model = try LightGBMModelReader.read(try TreeFixtures.bytes(file), fileName: file)
        var ensemble = model.ensemble
        let validated = try ensemble.validated()
        // raw_score skips average_output's division (GBDT::PredictRaw), so compare raw sums only
        // for summing ensembles.
        if ensemble.combination == .sum {
            let raw = try TreeEnsemblePrediction.compute(
                TreeEnsembleKernel(validated),
                golden.inputs,
                rows: golden.rows,
                output: .predictRaw
            )
            let margin = try #require(golden.margin)
            #expect(
                TreeFixtures.same(raw.doubles, margin),
                "\(golden.name) raw \(TreeFixtures.firstDifference(raw.doubles, margin))"
            )
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
        }
        // Booster.predict: the converted outputs.
        ensemble.task = .regression
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

    @Test func refusesOldVersionsLinearTreesAndBadCounts() throws {
        let text = String(decoding: try TreeFixtures.bytes("lgb_binary.txt"), as: UTF8.self)
        func refusal(_ edited: String) throws -> ModelBundleError {
            try #require(throws: ModelBundleError.self) {
                try LightGBMModelReader.read(Array(edited.utf8)).ensemble.validated()
            }
        }
        let old = try refusal(text.replacingOccurrences(of: "version=v4", with: "version=v2"))
        #expect(old.code == .unsupportedFormatVersion)
        #expect(old.message.contains("v2"))
        let linear = try refusal(text.replacingOccurrences(of: "is_linear=0", with: "is_linear=1"))
        #expect(linear.message.contains("linear tree"))
        #expect(linear.item == "tree 0")
        let leaves = try refusal(text.replacingOccurrences(of: "num_leaves=7", with: "num_leaves=900000000"))
        #expect(leaves.item?.hasPrefix("tree") == true)
        let objective = try refusal(text.replacingOccurrences(of: "objective=binary", with: "objective=custom"))
        #expect(objective.message.contains("custom"))
        // reg_sqrt is squared back only by the objectives that write it; elsewhere it is refused.
        let rooted = try refusal(text.replacingOccurrences(of: "objective=binary", with: "objective=poisson sqrt"))
        #expect(rooted.message.contains("reg_sqrt"))
        #expect(throws: ModelBundleError.self) { try LightGBMModelReader.read(Array("not a model".utf8)) }
    }
}
