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
        // numpy.nan_to_num is a Python function, not one of the ufuncs read by name: the pickle names
        // it as a global it will not import; skops writes a FunctionNode.
        let message = error?.message ?? ""
        #expect(message.contains("nan_to_num"), "\(message)")
        if format == "skops" {
            // The node's path through the schema and its class, spelled only when refused.
            #expect(message.contains("attribute steps[0][1].func is a FunctionNode (numpy.nan_to_num);"), "\(message)")
            #expect(error?.item == "model.skops:schema.json:steps[0][1].func")
        }
    }

    @Test("a numpy-ufunc FunctionTransformer given kw_args is refused, naming them", arguments: ["pkl", "skops"])
    func functionKeywordArguments(_ format: String) throws {
        let bytes = Array(try Data(contentsOf: Self.refused.appendingPathComponent("function_kw_args.\(format)")))
        let error = #expect(throws: ModelBundleError.self) {
            _ = try SklearnPipelineReader.read(bytes: bytes, fileName: "model.\(format)")
        }
        #expect(error?.code == .flavorUnavailable)
        #expect(error?.message.contains("FunctionTransformer whose kw_args is set") == true, "\(error?.message ?? "")")
    }

    @Test(
        "a TransformedTargetRegressor whose transformer is not read is refused, naming it",
        arguments: ["pkl", "skops"]
    )
    func unreadTargetTransformer(_ format: String) throws {
        let bytes = Array(try Data(contentsOf: Self.refused.appendingPathComponent("target_quantile.\(format)")))
        let error = #expect(throws: ModelBundleError.self) {
            _ = try SklearnPipelineReader.read(bytes: bytes, fileName: "model.\(format)")
        }
        #expect(error?.code == .flavorUnavailable)
        let message = error?.message ?? ""
        #expect(message.contains("transformer is a QuantileTransformer is not read"), "\(message)")
    }

    /// 3 KB naming one scaler 2.5 million times through memo references: refused as the steps are
    /// built, before the tree of steps is (without the budget this read takes minutes).
    @Test("a pickle naming one step millions of times is refused by the step budget")
    func sharedSteps() throws {
        let bytes = Array(try Data(contentsOf: Self.refused.appendingPathComponent("shared_steps.pkl")))
        let error = #expect(throws: ModelBundleError.self) {
            _ = try SklearnPipelineReader.read(bytes: bytes, fileName: "model.pkl")
        }
        #expect(
            error?.message.contains("past the \(PreprocessingLimits.maximumSteps) steps") == true,
            "\(String(describing: error))"
        )
    }

    @Test("a feature selector whose score_func is another function is refused, naming it", arguments: ["pkl", "skops"])
    func foreignScoreFunction(_ format: String) throws {
        let bytes = Array(try Data(contentsOf: Self.refused.appendingPathComponent("score_function.\(format)")))
        let error = #expect(throws: ModelBundleError.self) {
            _ = try SklearnPipelineReader.read(bytes: bytes, fileName: "model.\(format)")
        }
        #expect(error?.message.contains("log1p") == true, "\(error?.message ?? "")")
    }

    @Test("a SplineTransformer whose columns' BSplines differ in coefficients is refused, naming it")
    func splineCoefficients() throws {
        let bytes = Array(try Data(contentsOf: Self.refused.appendingPathComponent("spline_coefficients.pkl")))
        let error = #expect(throws: ModelBundleError.self) {
            _ = try SklearnPipelineReader.read(bytes: bytes, fileName: "model.pkl")
        }
        let message = error?.message ?? ""
        #expect(message.contains("bsplines_") && message.contains("[1] differs from bsplines_[0]"), "\(message)")
    }

    /// A BSpline carries a function (its array namespace's asarray): only scipy's own is read, as a
    /// name; any other is refused as user code would be.
    @Test("a BSpline naming another function is refused, naming it", arguments: ["pkl", "skops"])
    func splineFunction(_ format: String) throws {
        let bytes = Array(try Data(contentsOf: Self.refused.appendingPathComponent("spline_function.\(format)")))
        let error = #expect(throws: ModelBundleError.self) {
            _ = try SklearnPipelineReader.read(bytes: bytes, fileName: "model.\(format)")
        }
        #expect(error?.code == .flavorUnavailable)
        #expect(error?.message.contains("nan_to_num") == true, "\(error?.message ?? "")")
    }

    /// A stacking ensemble whose member is a voting ensemble: one level of ensembles only.
    @Test("a nested ensemble is refused, naming where it sits", arguments: ["pkl", "skops"])
    func nestedEnsemble(_ format: String) throws {
        let bytes = Array(try Data(contentsOf: Self.refused.appendingPathComponent("nested_stacking.\(format)")))
        let error = #expect(throws: ModelBundleError.self) {
            _ = try SklearnPipelineReader.read(bytes: bytes, fileName: "model.\(format)")
        }
        #expect(error?.code == .flavorUnavailable)
        #expect(
            error?.message.contains("estimators_[0] of the stacking ensemble is itself an ensemble") == true,
            "\(error?.message ?? "")"
        )
    }

    @Test("the pipeline reader reads every fixture's stage and reports its steps")
    func readerSummaries() throws {
        for name in PipelinePreprocessingTests.names {
            for (folder, file) in [("skops", "model.skops"), ("pickle", "model.pkl")] {
                let url = PipelinePreprocessingTests.fixtures.appendingPathComponent("\(name)_\(folder)/\(file)")
                let summary = try SklearnPipelineReader.read(bytes: Array(try Data(contentsOf: url)), fileName: file)
                if ["voting_soft", "voting_regressor"].contains(name) {
                    // Ensembles of whole pipelines: each member carries its own stage.
                    #expect(summary.stage == nil && summary.estimator.hasPrefix("Voting"), "\(name) \(folder)")
                    continue
                }
                let stage = try #require(summary.stage, "\(name) \(folder)")
                let columns = ["age", "income", "city", "plan", "visits", "member"]
                let dropped = ["dropped_columns", "union_dropped"].contains(name)
                // A stage that starts with a scaler takes the frame's columns by position.
                let expected = name == "float32_folded" ? nil : dropped ? columns + ["signup"] : columns
                #expect(stage.inputNames == expected, "\(name) \(folder)")
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

/// The bundle form (`preprocessing.json` + tensors) round-trips, and hostile documents are refused
/// naming the file and the step.
@Suite struct PreprocessingBundleFormatTests {
    static func fixtureStage() throws -> PreprocessingStage {
        let url = PipelinePreprocessingTests.fixtures.appendingPathComponent("infrequent_multiclass_pickle/model.pkl")
        let summary = try SklearnPipelineReader.read(bytes: Array(try Data(contentsOf: url)), fileName: "model.pkl")
        return try #require(summary.stage)
    }

    static func read(_ json: [UInt8], _ tensors: [WeightTensor]) throws -> PreprocessingStage {
        let file = try SafeTensorsFile(bytes: try SafeTensorsWriter.encode(tensors), fileName: "model.safetensors")
        return try PreprocessingBundleReader.read(json: json, file: "preprocessing.json", tensors: file)
    }

    @Test("a stage written to its bundle form reads back with the same steps and width")
    func roundTrip() throws {
        let stage = try Self.fixtureStage()
        let (json, tensors) = try PreprocessingBundleFormat.encode(stage)
        let again = try Self.read(json, tensors)
        #expect(again.outputWidth == stage.outputWidth)
        #expect(again.inputNames == stage.inputNames)
        let (json2, tensors2) = try PreprocessingBundleFormat.encode(again)
        #expect(json2 == json)
        #expect(tensors2.map(\.name) == tensors.map(\.name))
    }

    @Test("hostile documents are refused with typed errors")
    func hostileDocuments() throws {
        let stage = try Self.fixtureStage()
        let (json, tensors) = try PreprocessingBundleFormat.encode(stage)
        let text = String(decoding: json, as: UTF8.self)
        let cases: [(String, String)] = [
            ("\"format_version\": 1", "\"format_version\": 2"),  // another version
            ("\"type\": \"encoder\"", "\"type\": \"function\""),  // a step type this build does not know
            ("\"input_width\": 6", "\"input_width\": 7"),  // widths that disagree
            ("\"preprocessing.0.", "\"preprocessing.999."),  // a tensor the file does not hold
        ]
        for (from, to) in cases {
            #expect(text.contains(from), "\(from)")
            let hostile = Array(text.replacingOccurrences(of: from, with: to).utf8)
            #expect(throws: ModelBundleError.self, "\(to)") { _ = try Self.read(hostile, tensors) }
        }
        #expect(throws: ModelBundleError.self) { _ = try Self.read(Array("[1]".utf8), tensors) }
        #expect(throws: ModelBundleError.self) { _ = try Self.read(json, []) }
    }

    /// The `preprocessing-stage` fuzz target's seeds (a 4-byte length, `preprocessing.json`, then the
    /// bundle's safetensors file) are stages `mbundle convert` wrote: each reads, and each cut short
    /// or with its JSON cut is refused with a typed error.
    @Test("the fuzz seeds are converted bundles' stages that read back")
    func fuzzSeeds() throws {
        let directory = PipelinePreprocessingTests.fixtures.deletingLastPathComponent()
            .appendingPathComponent("preprocessing/bundle-stages")
        let seeds = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
            $0.hasSuffix(".stage")
        }
        #expect(seeds.count >= 7)
        for seed in seeds {
            let bytes = Array(try Data(contentsOf: directory.appendingPathComponent(seed)))
            let length = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
            let json = Array(bytes[4..<(4 + length)])
            let tensors = try SafeTensorsFile(bytes: Array(bytes[(4 + length)...]), fileName: "model.safetensors")
            let stage = try PreprocessingBundleReader.read(json: json, file: "preprocessing.json", tensors: tensors)
            #expect(stage.outputWidth > 0, "\(seed)")
            #expect(throws: ModelBundleError.self, "\(seed)") {
                _ = try PreprocessingBundleReader.read(json: Array(json.dropLast(9)), file: "p.json", tensors: tensors)
            }
        }
    }

    @Test("inspect lists the steps of a converted bundle and of an MLflow sklearn bundle")
    func description() throws {
        let bundle = PipelinePreprocessingTests.fixtures.appendingPathComponent("onehot_logistic_skops")
        let lines = try #require(PreprocessingDescription.lines(for: try BundleReader(path: bundle.path).read()))
        #expect(lines.first == "reads age, income, city, plan, visits, member; gives 17 features")
        #expect(
            lines.contains { $0.contains("pre/cat/onehot: OneHotEncoder (categories 7, 4; handle_unknown ignore)") }
        )
    }
}
