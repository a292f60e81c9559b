import Foundation
import ModelFlavors
import Testing

/// Yeo-Johnson on float32 input, against real scikit-learn 1.9.1 (scipy's float32 loops) and its 1.8
/// formula (`np.power`), from Tests/Fixtures/preprocessing/yeo_johnson_float32.json
/// (Scripts/make-power-float32-fixture.py). numpy's SIMD `log1p`, `expm1` and `pow` round differently
/// from the C library's now and then, so not every value is identical: each must be within a few float32
/// ulps of its operands, and most must be identical (computing in float64 and rounding once, as the stage did, leaves
/// 20–55% identical).
@Suite struct PowerTransformFloat32Tests {
    struct Case: Decodable {
        let name: String
        let lambda: Double
        let float32_lambda: Bool
        let formula: String
        let x: [Double]
        let y: [Double]
    }

    struct Fixture: Decodable { let cases: [Case] }

    static let cases: [Case] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/preprocessing/yeo_johnson_float32.json")
        guard let data = try? Data(contentsOf: url), let fixture = try? JSONDecoder().decode(Fixture.self, from: data)
        else { return [] }
        return fixture.cases
    }()

    @Test("the fixture has its cases")
    func fixtureRead() {
        #expect(Self.cases.count == 9)
    }

    @Test("Yeo-Johnson on float32 input follows scikit-learn's float32 arithmetic", arguments: cases.map(\.name))
    func matchesScikitLearn(_ name: String) throws {
        let entry = try #require(Self.cases.first { $0.name == name })
        let power = PreprocessingStep.PowerTransform(
            method: .yeoJohnson,
            lambdas: [entry.lambda],
            float32Lambdas: entry.float32_lambda,
            powerFormula: entry.formula == "power"
        )
        var identical = 0
        for (x, want) in zip(entry.x, entry.y) {
            let got = power.float32Value(x, entry.lambda)
            #expect(Float(got) == Float(got.isNaN ? .nan : got), "\(name): \(got) is not a float32 value")
            if got == want { identical += 1 }
            // A few float32 ulps of the operands, which `(x + 1)^λ − 1` and `expm1` can magnify near 0.
            let scale = max(1, abs(want)) / min(abs(entry.lambda), abs(2 - entry.lambda), 1)
            #expect(
                abs(got - want) <= 8 * Double(Float.ulpOfOne) * scale,
                "\(name): x = \(x) gives \(got), scikit-learn \(want)"
            )
        }
        #expect(identical * 10 >= entry.x.count * 7, "\(name): \(identical) of \(entry.x.count) identical")
    }
}
