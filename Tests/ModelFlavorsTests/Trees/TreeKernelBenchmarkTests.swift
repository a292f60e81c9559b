import Dispatch
import Foundation
import ModelFlavors
import Testing

/// Timing harness for Scripts/bench-trees-quick.sh: off unless MBUNDLE_TREE_BENCH names a directory
/// holding model.json, x.f64 and expected.f32 (written by the script); checks every output bit
/// for bit before printing a time, never asserts on time.
@Suite struct TreeKernelBenchmarkTests {
    static let directory = ProcessInfo.processInfo.environment["MBUNDLE_TREE_BENCH"]

    @Test(.disabled(if: directory == nil, "timing harness"))
    func xgboostBinaryLogistic() throws {
        let directory = URL(fileURLWithPath: try #require(Self.directory))
        let model = try XGBoostModelReader.read(
            Array(try Data(contentsOf: directory.appendingPathComponent("model.json")))
        )
        var ensemble = model.ensemble
        ensemble.task = .regression
        let validated = try ensemble.validated()
        let kernel = TreeEnsembleKernel(validated)
        let x = try Data(contentsOf: directory.appendingPathComponent("x.f64")).withUnsafeBytes {
            Array($0.bindMemory(to: Double.self))
        }
        let expected = try Data(contentsOf: directory.appendingPathComponent("expected.f32")).withUnsafeBytes {
            Array($0.bindMemory(to: Float.self)).map(Double.init)
        }
        let rows = x.count / ensemble.featureCount
        var best = Double.infinity
        var result: [Double] = []
        for _ in 0..<5 {
            let start = DispatchTime.now().uptimeNanoseconds
            result = try TreeEnsemblePrediction.compute(kernel, x, rows: rows, output: .predict).doubles
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        #expect(TreeFixtures.same(result, expected), "\(TreeFixtures.firstDifference(result, expected))")
        var single = Double.infinity
        let one = Array(x[0..<ensemble.featureCount])
        for _ in 0..<200 {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try TreeEnsemblePrediction.compute(kernel, one, rows: 1, output: .predict)
            single = min(single, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e3)
        }
        print(
            "mbundle tree kernel: \(rows) rows x \(ensemble.treeCount) trees: best of 5 \(best) ms; 1 row \(single) us"
        )
    }
}
