import Foundation
import ModelBundle
import Testing

@testable import ModelFlavors

/// `SplineTransformer` against real scikit-learn 1.9.1 and scipy 1.17, from
/// Tests/Fixtures/preprocessing/spline_transform.json (Scripts/make-spline-fixture.py): every
/// extrapolation, degrees 0 to 4, with and without the bias, NaN and infinity under
/// `handle_missing='zeros'`, float32 input. The basis is scipy's de Boor recursion in scipy's order,
/// so every value must be identical; where scikit-learn raises, the step must refuse.
@Suite struct SplineTransformTests {
    /// A number, or "nan", "inf", "-inf".
    struct Value: Decodable {
        let value: Double
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Double.self) {
                value = number
                return
            }
            switch try container.decode(String.self) {
            case "nan": value = .nan
            case "inf": value = .infinity
            case "-inf": value = -.infinity
            case let text: throw DecodingError.dataCorruptedError(in: container, debugDescription: text)
            }
        }
    }

    struct Case: Decodable {
        let name: String
        let knots: [[Double]]
        let coefficients: [Double]
        let spline_count: Int
        let degree: Int
        let extrapolation: String
        let bspline_extrapolate: String
        let include_bias: Bool
        let missing_as_zeros: Bool
        let float32: Bool
        let x: [[Value]]
        let y: [[Value]]?
        let error: String?
    }

    struct Fixture: Decodable { let cases: [Case] }

    static let cases: [Case] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/preprocessing/spline_transform.json")
        guard let data = try? Data(contentsOf: url), let fixture = try? JSONDecoder().decode(Fixture.self, from: data)
        else { return [] }
        return fixture.cases
    }()

    static func step(_ entry: Case) throws -> PreprocessingStep {
        PreprocessingStep(
            name: "spline",
            inputWidth: entry.knots.count,
            kind: .spline(
                .init(
                    knots: entry.knots,
                    coefficients: entry.coefficients,
                    splineCount: entry.spline_count,
                    degree: entry.degree,
                    extrapolation: try #require(.init(rawValue: entry.extrapolation)),
                    bsplineExtrapolate: try #require(.init(rawValue: entry.bspline_extrapolate)),
                    includeBias: entry.include_bias,
                    missingAsZeros: entry.missing_as_zeros
                )
            )
        )
    }

    static func width(_ step: PreprocessingStep) throws(ModelBundleError) -> Int {
        var budget = (steps: 0, categories: 0)
        return try step.validatedOutputWidth(depth: 0, budget: &budget)
    }

    static func block(_ entry: Case) -> PreprocessingBlock {
        let width = entry.knots.count
        let columns: [PreprocessingColumn] = (0..<width).map { column in
            .numbers(entry.x.map { $0[column].value }, float32: entry.float32)
        }
        return PreprocessingBlock(
            columns: columns,
            names: (0..<width).map { "x\($0)" },
            rows: entry.x.count
        )
    }

    @Test("the fixture has its cases, some of them refused")
    func fixtureRead() {
        #expect(Self.cases.count == 78)
        #expect(Self.cases.filter { $0.error != nil }.count == 18)
    }

    @Test("the basis and its extrapolation are scikit-learn's, bit for bit", arguments: cases.map(\.name))
    func matchesScikitLearn(_ name: String) throws {
        let entry = try #require(Self.cases.first { $0.name == name })
        let step = try Self.step(entry)
        let width = try Self.width(step)
        guard let want = entry.y else {
            #expect(throws: ModelBundleError.self, "\(name): scikit-learn raised \(entry.error ?? "")") {
                _ = try step.apply(Self.block(entry))
            }
            return
        }
        let output = try step.apply(Self.block(entry))
        #expect(output.columns.count == width)
        #expect(output.isFloat32 == entry.float32)
        var mismatches = 0
        for (column, values) in output.columns.enumerated() {
            let got = try step.numbers(values, "out", firstRow: 0)
            for (row, value) in got.enumerated() {
                let expected = want[row][column].value
                // Zeros must agree in sign too; a NaN's sign is not written.
                let same = value.isNaN ? expected.isNaN : value == expected && value.sign == expected.sign
                if !same {
                    mismatches += 1
                    if mismatches <= 3 {
                        Issue.record("\(name) row \(row) column \(column): \(value), scikit-learn \(expected)")
                    }
                }
            }
        }
        #expect(mismatches == 0, "\(name): \(mismatches) values differ")
    }

    @Test("hostile spline state is refused naming the step")
    func hostileState() throws {
        let good = try #require(Self.cases.first { $0.y != nil && $0.extrapolation == "continue" })
        func refused(_ edit: (inout PreprocessingStep.SplineBasis) -> Void) throws -> Bool {
            var step = try Self.step(good)
            guard case .spline(var spline) = step.kind else { return false }
            edit(&spline)
            step.kind = .spline(spline)
            do {
                _ = try Self.width(step)
                return false
            } catch {
                return error.code == .weightsInvalid && error.message.contains("spline")
            }
        }
        #expect(try refused { $0.knots[0][1] = .nan })
        #expect(try refused { $0.knots[1].swapAt(0, $0.knots[1].count - 1) })
        #expect(try refused { $0.knots[2].removeLast() })
        #expect(try refused { $0.knots.removeLast() })
        #expect(try refused { $0.coefficients[0] = .infinity })
        #expect(try refused { $0.coefficients.removeLast() })
        #expect(try refused { $0.degree = PreprocessingLimits.maximumSplineDegree + 1 })
        #expect(try refused { $0.degree = -1 })
        #expect(try refused { $0.splineCount = 0 })
        #expect(try refused { $0.splineCount = PreprocessingLimits.maximumWidth })
        #expect(
            try refused { spline in
                let extra = PreprocessingLimits.maximumSplineKnots
                spline.knots = spline.knots.map { $0 + [Double](repeating: $0.last ?? 0, count: extra) }
                spline.coefficients += [Double](repeating: 0, count: extra * spline.splineCount)
            }
        )
        #expect(try !refused { _ in })
    }
}
