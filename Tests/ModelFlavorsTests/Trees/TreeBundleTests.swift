import Foundation
import ModelBundle
import ModelCodecs
import ModelFlavors
import ModelRuntime
import TestSupport
import Testing

/// MLflow-written XGBoost and LightGBM bundles predict what MLflow predicted; converted native
/// bundles predict the same; the native arrays refuse hostile files naming tree and node.
@Suite struct TreeBundleTests {
    static func scratch() -> String {
        TestScratch.path("mbundle-trees")
    }

    static func request(_ golden: TreeFixtures.Case, columns: [String]) throws -> DecodedRequest {
        var rows: [[Any]] = []
        for row in 0..<golden.rows {
            var cells: [Any] = []
            for value in golden.inputs[(row * golden.width)..<((row + 1) * golden.width)] {
                cells.append(value.isNaN ? NSNull() as Any : value as Any)
            }
            rows.append(cells)
        }
        let body = try JSONSerialization.data(withJSONObject: ["dataframe_split": ["columns": columns, "data": rows]])
        return try RequestDecoder().decode(Array(body), format: .json)
    }

    static func values(_ output: PredictionOutput) -> [Double] {
        guard case .tensor(let tensor) = output else { return [] }
        switch tensor.values {
        case .double(let v): return v
        case .float(let v): return v.map(Double.init)
        case .long(let v): return v.map(Double.init)
        default: return []
        }
    }

    static let bundles = TreeFixtures.cases.filter { $0.bundle != nil }

    @Test(arguments: bundles)
    func mlflowBundlesAndTheirConversions(_ golden: TreeFixtures.Case) throws {
        let path = TreeFixtures.directory.appendingPathComponent(try #require(golden.bundle)).path
        let columns = (0..<golden.width).map { "f\($0)" }
        let model = try ModelLoader(registry: .builtIn).load(path: path)
        let predicted = Self.values(try model.predict(try Self.request(golden, columns: columns)))
        #expect(
            TreeFixtures.same(predicted, golden.predict),
            "\(golden.name): \(TreeFixtures.firstDifference(predicted, golden.predict))"
        )
        // Converted: the native flavor answers the same, bit for bit.
        let target = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: target) }
        let opened = try BundleReader(path: path).read()
        try TreeEnsembleBundleWriter.convert(opened, to: target)
        let native = try ModelLoader(registry: .builtIn).load(path: target)
        #expect(native.flavorName == "tree_ensemble")
        // Its Python loader has a module name of its own, so MLflow can load it in a process that has
        // already imported a linear bundle's loader.
        let written = try BundleReader(path: target).read()
        #expect(written.manifest.pythonFunction?.loaderModule == "mbundle_tree_pyfunc")
        #expect(FileManager.default.fileExists(atPath: target + "/code/mbundle_tree_pyfunc.py"))
        #expect(!FileManager.default.fileExists(atPath: target + "/code/mbundle_pyfunc.py"))
        let again = Self.values(try native.predict(try Self.request(golden, columns: columns)))
        #expect(
            TreeFixtures.same(again, golden.predict),
            "\(golden.name) converted: \(TreeFixtures.firstDifference(again, golden.predict))"
        )
    }

    /// `Booster.predict` answers multi:softmax's class indices as float32 numbers (2.0, not 2), and so
    /// do the bundle and its conversion (`float_labels`). The bundle is MLflow's Booster bundle with
    /// its model replaced by the multi:softmax one, scored on that model's own golden rows.
    @Test func boosterSoftmaxAnswersFloatIndices() throws {
        let golden = try #require(TreeFixtures.cases.first { $0.name == "xgb_multi_softmax" })
        let source = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: source) }
        try FileManager.default.copyItem(
            atPath: TreeFixtures.directory.appendingPathComponent("mlflow_xgb_booster").path,
            toPath: source
        )
        try FileManager.default.removeItem(atPath: source + "/model.ubj")
        try FileManager.default.copyItem(
            atPath: TreeFixtures.directory.appendingPathComponent("xgb_multi_softmax.json").path,
            toPath: source + "/model.json"
        )
        let manifest = try String(contentsOfFile: source + "/MLmodel", encoding: .utf8)
            .replacingOccurrences(of: "model.ubj", with: "model.json")
            .replacingOccurrences(of: "model_format: ubj", with: "model_format: json")
        try manifest.write(toFile: source + "/MLmodel", atomically: true, encoding: .utf8)
        let target = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: target) }
        try TreeEnsembleBundleWriter.convert(try BundleReader(path: source).read(), to: target)
        #expect(try BundleReader(path: target).read().manifest.flavor("tree_ensemble")?["float_labels"]?.bool == true)
        let columns = (0..<golden.width).map { "f\($0)" }
        for path in [source, target] {
            let output = try ModelLoader(registry: .builtIn).load(path: path)
                .predict(try Self.request(golden, columns: columns))
            guard case .tensor(let tensor) = output, case .float(let labels) = tensor.values else {
                Issue.record("\(path): not float32 values: \(output)")
                continue
            }
            #expect(tensor.shape == [golden.rows])
            #expect(labels.map(Double.init) == golden.predict)
            #expect(Set(labels).count == 3)
        }
    }

    @Test func nativeArraysRoundTrip() throws {
        let model = try LightGBMModelReader.read(try TreeFixtures.bytes("lgb_multiclass.txt"))
        let bytes = try TreeEnsembleArrays.fileBytes(model.ensemble)
        let decoded = try TreeEnsembleArrays.decode(bytes: bytes)
        #expect(decoded.ensemble == model.ensemble)
    }

    /// A value that stands for missing is written in format version 2 (version 1 readers refuse it
    /// rather than route it as a number), read back, and routed as NaN by the kernel and the
    /// reference evaluator alike.
    @Test func missingValueRoundTripsInVersionTwo() throws {
        var ensemble = try XGBoostModelReader.read(try TreeFixtures.bytes("xgb_reg_squarederror.ubj")).ensemble
        let plain = try TreeEnsembleArrays.fileBytes(ensemble)
        // Without a missing value 999 routes as a number, unlike NaN (so the check below can fail).
        let unmasked = try TreeEnsemblePrediction.compute(
            TreeEnsembleKernel(try ensemble.validated()),
            [999, 999, 999, 999, .nan, .nan, .nan, .nan],
            rows: 2,
            output: .predictRaw
        ).doubles
        #expect(unmasked[0] != unmasked[1])
        ensemble.missingValue = 999
        let bytes = try TreeEnsembleArrays.fileBytes(ensemble)
        let text = String(decoding: bytes.prefix(4096), as: UTF8.self)
        #expect(text.contains(#""format_version":"2""#) && text.contains(#""missing_value":"999.0""#))
        #expect(String(decoding: plain.prefix(4096), as: UTF8.self).contains(#""format_version":"1""#))
        let decoded = try TreeEnsembleArrays.decode(bytes: bytes)
        #expect(decoded.ensemble == ensemble)
        // 999 predicts as NaN does, in the kernel and in the reference evaluator.
        let kernel = TreeEnsembleKernel(decoded)
        let rows: [Double] = [999, 999, 999, 999, .nan, .nan, .nan, .nan]
        let raw = try TreeEnsemblePrediction.compute(kernel, rows, rows: 2, output: .predictRaw).doubles
        #expect(raw[0] == raw[1])
        let scalar = [999.0, 999, 999, 999].withUnsafeBufferPointer { decoded.rawScores(row: $0) }
        #expect(scalar == [raw[1]])
        // A version 1 file that names a missing value is refused, naming the key (the version digit is
        // edited in place: the header is JSON, the tensors after it stay as they are).
        let marker = Array(#""format_version":"2""#.utf8)
        var edited = bytes
        let at = try #require(
            (0...(edited.count - marker.count)).first { Array(edited[$0..<($0 + marker.count)]) == marker }
        )
        edited[at + marker.count - 2] = UInt8(ascii: "1")
        let refusal = try #require(throws: ModelBundleError.self) { try TreeEnsembleArrays.decode(bytes: edited) }
        #expect(refusal.item == "model.safetensors:__metadata__.missing_value")
    }

    @Test func nativeArraysRefuseHostileFiles() throws {
        let model = try XGBoostModelReader.read(try TreeFixtures.bytes("xgb_multi_softprob.ubj"))
        func refusal(_ edit: (inout TreeEnsemble) -> Void) throws -> ModelBundleError {
            var e = model.ensemble
            edit(&e)
            let bytes = try TreeEnsembleArrays.fileBytes(e)
            return try #require(throws: ModelBundleError.self) { try TreeEnsembleArrays.decode(bytes: bytes) }
        }
        #expect(try refusal { $0.nodeLeft[1] = 0 }.item == "tree 0 node 1")  // back to the root
        #expect(try refusal { $0.nodeRight[Int($0.treeStarts[2])] = 1 }.item == "tree 2 node 0")  // shared child
        #expect(try refusal { $0.nodeFeature[0] = 9 }.item == "tree 0 node 0")
        #expect(try refusal { $0.treeOutputs[4] = 3 }.item == "tree 4")
        #expect(throws: ModelBundleError.self) { try TreeEnsembleArrays.decode(bytes: Array("garbage!".utf8)) }
        // A truncated file and a flipped metadata value.
        let bytes = try TreeEnsembleArrays.fileBytes(model.ensemble)
        #expect(throws: ModelBundleError.self) { try TreeEnsembleArrays.decode(bytes: Array(bytes.dropLast(9))) }
        var text = bytes
        // "xgboost_softmax" becomes "ygboost_softmax", a link this build does not know.
        if let at = text.firstIndex(of: UInt8(ascii: "x")) { text[at] = UInt8(ascii: "y") }
        #expect(throws: ModelBundleError.self) { try TreeEnsembleArrays.decode(bytes: text) }
    }

    @Test func signatureWidthMustMatch() throws {
        let model = try LightGBMModelReader.read(try TreeFixtures.bytes("lgb_binary.txt"))
        let bytes = try TreeEnsembleArrays.fileBytes(model.ensemble)
        let error = try #require(throws: ModelBundleError.self) {
            try TreeEnsembleArrays.decode(bytes: bytes, featureWidth: 7)
        }
        #expect(error.item == "feature_count")
    }
}
