import Foundation
import Testing

@testable import ModelBundle

/// Signature strings written by real MLflow (`ModelSignature.to_dict()`), read and written back.
@Suite struct SchemaGoldenTests {
    static let signatures = Case.list(SignatureFixtures.schemas["signatures"]?.arrayValue ?? [])
    static let legacy = Case.list(SignatureFixtures.schemas["legacy"]?.arrayValue ?? [])
    static let invalid = Case.list(SignatureFixtures.schemas["invalid"]?.arrayValue ?? [])

    @Test func goldenFileIsComplete() {
        #expect(Self.signatures.count >= 25)
        #expect(Self.legacy.count == 13)
        #expect(Self.invalid.count == 18)
    }

    @Test(arguments: signatures)
    func roundTripsByteForByte(_ golden: Case) throws {
        let inputs = golden.value["inputs"]?.optionalString
        let outputs = golden.value["outputs"]?.optionalString
        let params = golden.value["params"]?.optionalString
        let signature = try ModelSignature(inputsJSON: inputs, outputsJSON: outputs, paramsJSON: params)
        #expect(signature.inputsJSON == inputs)
        #expect(signature.outputsJSON == outputs)
        #expect(signature.paramsJSON == params)
        #expect(signature.inputs?.description == golden.value["inputs_repr"]?.optionalString)
        #expect(signature.outputs?.description == golden.value["outputs_repr"]?.optionalString)
    }

    /// Hand-written legacy strings (no `required`, `dtype` in params, other key orders) and what MLflow writes
    /// after reading them.
    @Test(arguments: legacy)
    func readsLegacyFormsAndWritesMLflowsForm(_ golden: Case) throws {
        let signature = try ModelSignature(
            inputsJSON: golden.value["inputs"]?.optionalString,
            outputsJSON: golden.value["outputs"]?.optionalString,
            paramsJSON: golden.value["params"]?.optionalString
        )
        let written = try #require(golden.value["written"])
        // Deliberate difference (spec §2.2): MLflow reads a missing `required` of an array/object/map column as
        // None and writes `"required": null`; we read it as true, as MLflow does for scalar columns.
        let expectedInputs = written["inputs"]?.optionalString?.replacingOccurrences(
            of: "\"required\": null",
            with: "\"required\": true"
        )
        #expect(signature.inputsJSON == expectedInputs)
        #expect(signature.outputsJSON == written["outputs"]?.optionalString)
        #expect(signature.paramsJSON == written["params"]?.optionalString)
    }

    /// MLflow's own error message for each invalid signature (except where MLflow only raises a bare KeyError).
    @Test(arguments: invalid)
    func refusesWhatMLflowRefuses(_ golden: Case) throws {
        let field = try #require(golden.value["field"]?.stringValue)
        let json = try #require(golden.value["json"]?.stringValue)
        let expected = try #require(golden.value["error"]?.stringValue)
        do {
            _ = try ModelSignature(
                inputsJSON: field == "inputs" ? json : nil,
                outputsJSON: nil,
                paramsJSON: field == "params" ? json : nil
            )
            Issue.record("accepted \(json)")
        } catch {
            #expect(error.code == .schemaInvalid)
            if expected == "'type'" {
                #expect(error.message == "Missing keys in ColSpec JSON. Expected to find key `type`")
            } else {
                #expect(error.message == expected)
            }
        }
    }

    private func golden(_ name: String) throws -> JSONValue {
        try #require(Self.signatures.first { $0.value["name"]?.stringValue == name }?.value)
    }

    @Test func buildsSklearnLikeSignatureFromSwiftValues() throws {
        let signature = ModelSignature(
            inputs: try Schema(columns: [
                ColSpec(.double, name: "sepal length (cm)"), ColSpec(.double, name: "petal width"),
            ]),
            outputs: try Schema(tensors: [TensorSpec(dtype: .int64, shape: [-1])])
        )
        let golden = try golden("sklearn-like")
        #expect(signature.inputsJSON == golden["inputs"]?.stringValue)
        #expect(signature.outputsJSON == golden["outputs"]?.stringValue)
        #expect(signature.paramsJSON == nil)
    }

    @Test func buildsNestedObjectAndNamedTensorsFromSwiftValues() throws {
        let element = try ColumnType.makeObject([
            ObjectProperty(name: "y", type: .array(.scalar(.string)), required: false),
            ObjectProperty(name: "x", type: .scalar(.long)),
        ])
        let arrays = try Schema(columns: [ColSpec(type: .array(element), name: "arr")])
        #expect(arrays.jsonString == (try golden("array of object"))["inputs"]?.stringValue)
        #expect(arrays.rows.map(\.type) == ["array<object{x: long, y?: array<string>}>"])

        let tensors = try Schema(tensors: [
            TensorSpec(dtype: .float32, shape: [-1, 2], name: "x"), TensorSpec(dtype: .int64, shape: [-1], name: "y"),
            TensorSpec(dtype: .uint8, shape: [], name: "scalar"),
            TensorSpec(dtype: .float64, shape: [3, -1, 2], name: "z"),
        ])
        #expect(tensors.jsonString == (try golden("named tensors"))["inputs"]?.stringValue)
        #expect(
            tensors.rows.map(\.type) == [
                "tensor float32 (-1, 2)", "tensor int64 (-1,)", "tensor uint8 ()", "tensor float64 (3, -1, 2)",
            ]
        )
    }

    @Test func buildsParamsFromSwiftValues() throws {
        let params = try ParamSchema([
            ParamSpec(name: "k", type: .long, default: .integer(5))
        ])
        #expect(params.jsonString == (try golden("params only"))["params"]?.stringValue)
        // An integer default of a double param becomes a float, as MLflow converts it.
        let converted = try ParamSpec(name: "d", type: .double, default: .integer(1))
        #expect(converted.defaultValue == .double(1))
        #expect(throws: ModelBundleError.self) { try ParamSpec(name: "t", type: .datetime, default: .string("June")) }
        #expect(throws: ModelBundleError.self) { try ParamSpec(name: "b", type: .boolean, default: .integer(1)) }
    }

    @Test func rowsDescribeColumnsForInspect() throws {
        let signature = try ModelSignature(
            inputsJSON: (try golden("nested complex"))["inputs"]?.stringValue,
            outputsJSON: nil,
            paramsJSON: nil
        )
        let rows = try #require(signature.inputs?.rows)
        #expect(rows.map(\.name) == ["ids", "matrix", "obj", "m", "deep", "anything", "anys", "nest"])
        #expect(
            rows.map(\.type) == [
                "array<string>", "array<array<double>>", "object{a: array<object{q: boolean}>, x: long, y?: string}",
                "map<string, double>", "map<string, array<map<string, string>>>", "any", "array<any>",
                "object{inner: object{z: map<string, binary>}}",
            ]
        )
        #expect(rows.map(\.required) == [true, false, true, true, true, false, true, true])
        let unnamed = try Schema(columns: [ColSpec(.double), ColSpec(.long)])
        #expect(unnamed.rows.map(\.name) == ["0", "1"])
    }

    @Test func refusesMalformedJSONInsideTheSignature() {
        do {
            _ = try ModelSignature(
                inputsJSON: #"[{"type": "double", "type": "long"}]"#,
                outputsJSON: nil,
                paramsJSON: nil
            )
            Issue.record("accepted")
        } catch {
            #expect(error.code == .schemaInvalid)
            #expect(error.item == "signature.inputs")
            #expect(error.detail == "line 1, column 21")
        }
    }

    @Test func emptyAndNullStringsMeanAbsent() throws {
        let signature = try ModelSignature(inputsJSON: "", outputsJSON: "null", paramsJSON: nil)
        #expect(signature.inputs == nil && signature.outputs == nil && signature.params == nil)
    }
}
