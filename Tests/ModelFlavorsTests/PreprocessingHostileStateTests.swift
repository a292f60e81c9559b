import Foundation
import ModelBundle
import ModelFlavors
import Testing

/// Refusals of the preprocessing stage: user code by name, and hostile fitted state (categories
/// beyond limits, widths that disagree, indices out of range, nesting, non-finite statistics) as
/// typed errors naming the step.
@Suite struct PreprocessingHostileStateTests {
    static let refused = PipelinePreprocessingTests.fixtures.appendingPathComponent("refused")

    @Test("a FunctionTransformer with a function is refused, naming it", arguments: ["pkl", "skops"])
    func functionTransformer(_ format: String) throws {
        let bytes = Array(try Data(contentsOf: Self.refused.appendingPathComponent("function_transformer.\(format)")))
        let error = #expect(throws: ModelBundleError.self) {
            _ = try SklearnPipelineReader.read(bytes: bytes, fileName: "model.\(format)")
        }
        #expect(error?.code == .flavorUnavailable)
        // The pickle names numpy.log1p as a global it will not import; skops writes a FunctionNode.
        let message = error?.message ?? ""
        #expect(message.contains("log1p") || message.contains("FunctionNode"), "\(message)")
    }

    @Test("the pipeline reader reads every fixture's stage and reports its steps")
    func readerSummaries() throws {
        for name in ["onehot_logistic", "ordinal_ridge", "infrequent_multiclass", "strict_unknown"] {
            for (folder, file) in [("skops", "model.skops"), ("pickle", "model.pkl")] {
                let url = PipelinePreprocessingTests.fixtures.appendingPathComponent("\(name)_\(folder)/\(file)")
                let summary = try SklearnPipelineReader.read(bytes: Array(try Data(contentsOf: url)), fileName: file)
                let stage = try #require(summary.stage, "\(name) \(folder)")
                #expect(stage.inputNames == ["age", "income", "city", "plan", "visits", "member"])
                #expect(stage.outputWidth > 0)
            }
        }
    }

    static func step(_ name: String, _ width: Int, _ kind: PreprocessingStep.Kind) -> PreprocessingStep {
        PreprocessingStep(name: name, inputWidth: width, kind: kind)
    }

    static func scaler(_ values: [Double]) -> PreprocessingStep.Kind {
        .scaler(.init(className: "StandardScaler", subtract: values, divide: values.map { _ in 1 }))
    }

    static func encoder(_ categories: [[PreprocessingCell]]) -> PreprocessingStep.Kind {
        .encoder(
            .init(
                categories: categories,
                handleUnknown: .ignore,
                infrequentIndices: [],
                defaultToInfrequent: [],
                output: .oneHot(drop: categories.map { _ in nil }, widths: categories.map(\.count)),
                columnNames: nil
            )
        )
    }

    /// The error building a stage from `root` throws, or nil.
    static func refusal(_ root: PreprocessingStep) -> ModelBundleError? {
        do {
            _ = try PreprocessingStage(root: root)
            return nil
        } catch {
            return error
        }
    }

    @Test("hostile fitted state is refused naming the step")
    func hostileState() throws {
        let ok = Self.step("scale", 2, Self.scaler([1, 2]))
        #expect(Self.refusal(ok) == nil)

        let nan = Self.refusal(Self.step("scale", 2, Self.scaler([1, .nan])))
        #expect(nan?.item == "scale" && nan?.code == .weightsInvalid)

        let infinite = Self.refusal(
            Self.step(
                "impute",
                1,
                .imputer(.init(missingValue: .nan, statistics: [.number(.infinity)], keepEmpty: false, indicator: nil))
            )
        )
        #expect(infinite?.item == "impute")

        let widths = Self.refusal(Self.step("pipe", 2, .sequence([ok, Self.step("next", 3, Self.scaler([0, 0, 0]))])))
        #expect(widths?.item == "next", "\(String(describing: widths))")

        let outOfRange = Self.refusal(
            Self.step(
                "ct",
                2,
                .columns(
                    .init(
                        branches: [.init(step: Self.step("ct/a", 1, .passthrough), columns: [5], weight: nil)],
                        inputNames: nil
                    )
                )
            )
        )
        #expect(outOfRange?.item == "ct/a", "\(String(describing: outOfRange))")

        var nested = Self.step("leaf", 1, .passthrough)
        for level in 0..<(PreprocessingLimits.maximumDepth + 2) {
            nested = Self.step("level\(level)", 1, .sequence([nested]))
        }
        let deep = Self.refusal(nested)
        #expect(deep?.code == .weightsInvalid && deep?.message.contains("deeper") == true)

        let many = (0...PreprocessingLimits.maximumCategories).map { PreprocessingCell.number(Double($0)) }
        let tooMany = Self.refusal(Self.step("onehot", 1, Self.encoder([many])))
        #expect(tooMany?.item == "onehot")

        let long = Self.refusal(
            Self.step(
                "onehot",
                1,
                Self.encoder([[.text(String(repeating: "x", count: PreprocessingLimits.maximumCategoryBytes + 1))]])
            )
        )
        #expect(long?.item == "onehot")

        let duplicate = Self.refusal(Self.step("onehot", 1, Self.encoder([[.text("a"), .text("a")]])))
        #expect(duplicate?.message.contains("twice") == true)

        let polynomial = Self.refusal(
            Self.step(
                "poly",
                2,
                .polynomial(
                    .init(minDegree: 0, maxDegree: 2, interactionOnly: false, includeBias: false, outputCount: 9)
                )
            )
        )
        #expect(polynomial?.item == "poly")
    }
}
