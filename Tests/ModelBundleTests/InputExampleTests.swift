import Foundation
import TestSupport
import Testing

@testable import ModelBundle

/// Input example files byte-identical to those `mlflow.models.utils._Example` writes, and read back.
@Suite struct InputExampleTests {
    static let cases = Case.list(SignatureFixtures.examples)

    @Test func goldenFileIsComplete() {
        #expect(Self.cases.count == 17)
    }

    private func example(_ value: JSONValue) throws -> InputExample {
        let params = value["params"]?.objectValue
        switch value["kind"]?.stringValue {
        case "dataframe":
            let columns = try value["columns"]?.arrayValue.map { try $0.map { try #require($0.stringValue) } }
            let rows = try #require(value["rows"]?.arrayValue).map { try #require($0.arrayValue) }
            return InputExample.dataframe(columns: columns, rows: rows, params: params)
        case "ndarray":
            return InputExample.ndarray(try #require(value["value"]), params: params)
        case "ndarray_dict":
            let arrays = try #require(value["value"]?.objectValue)
            return InputExample.ndarray(named: arrays.members.map { ($0.key, $0.value) }, params: params)
        default:
            return InputExample.jsonObject(try #require(value["value"]), params: params)
        }
    }

    private func info(_ value: JSONValue) throws -> [(String, String)] {
        try #require(value["info"]?.arrayValue).map { pair in
            let pair = try #require(pair.arrayValue)
            return (try #require(pair.first?.stringValue), try #require(pair.last?.stringValue))
        }
    }

    @Test(arguments: cases)
    func writesMLflowsBytes(_ golden: Case) throws {
        let example = try example(golden.value)
        #expect(
            String(decoding: example.inputExampleBytes, as: UTF8.self) == golden.value["input_example"]?.stringValue
        )
        #expect(
            example.servingInputExampleBytes.map { String(decoding: $0, as: UTF8.self) }
                == golden.value["serving_input_example"]?.optionalString
        )
        let expectedInfo = try info(golden.value)
        #expect(example.info.fields.map(\.0) == expectedInfo.map(\.0))
        #expect(example.info.fields.map(\.1) == expectedInfo.map(\.1))
        #expect(try SavedInputExampleInfo(fields: expectedInfo) == example.info)
    }

    @Test(arguments: cases)
    func readsMLflowsFilesBack(_ golden: Case) throws {
        let directory = try TemporaryBundle()
        defer { directory.remove() }
        try directory.write("input_example.json", try #require(golden.value["input_example"]?.stringValue))
        let info = try SavedInputExampleInfo(fields: try info(golden.value))
        let read = try InputExample.read(from: BundleDirectory(path: directory.path), info: info)
        let built = try example(golden.value)
        #expect(read.type == built.type)
        #expect(read.params == built.params)
        #expect(read.inputExampleBytes == built.inputExampleBytes)
        #expect(read.servingInputExampleBytes == built.servingInputExampleBytes)
    }

    @Test func readsLegacyTFServingExamples() throws {
        let directory = try TemporaryBundle()
        defer { directory.remove() }
        try directory.write("input_example.json", #"{"inputs": [[1.0, 2.0]]}"#)
        let info = try SavedInputExampleInfo(fields: [
            ("artifact_path", "input_example.json"), ("format", "tf-serving"), ("type", "ndarray"),
        ])
        let read = try InputExample.read(from: BundleDirectory(path: directory.path), info: info)
        #expect(read.data == .array([.array([.double(1), .double(2)])]))
        #expect(info.fields.map(\.0) == ["artifact_path", "format", "type"])
    }

    @Test func refusesUnknownTypesWithMLflowsMessage() throws {
        let directory = try TemporaryBundle()
        defer { directory.remove() }
        try directory.write("input_example.json", "[1]")
        let info = try SavedInputExampleInfo(fields: [("artifact_path", "input_example.json"), ("type", "tensor")])
        do {
            _ = try InputExample.read(from: BundleDirectory(path: directory.path), info: info)
            Issue.record("accepted")
        } catch {
            #expect(error.code == .exampleInvalid)
            #expect(error.message == "This version of mlflow can not load example of type tensor")
            #expect(error.item == "input_example.json")
        }
    }

    @Test func refusesMalformedAndUnsafeExamples() throws {
        let directory = try TemporaryBundle()
        defer { directory.remove() }
        try directory.write("input_example.json", #"{"columns": ["a"], "data": [[1], [2]"#)
        let bundle = BundleDirectory(path: directory.path)
        let dataframe = try SavedInputExampleInfo(fields: [
            ("artifact_path", "input_example.json"), ("type", "dataframe"),
        ])
        do {
            _ = try InputExample.read(from: bundle, info: dataframe)
            Issue.record("accepted")
        } catch {
            #expect(error.code == .exampleInvalid)
            #expect(error.item == "input_example.json")
            #expect(error.detail == "line 1, column 37")
        }
        let escaping = try SavedInputExampleInfo(fields: [("artifact_path", "../x.json"), ("type", "ndarray")])
        #expect(throws: ModelBundleError.self) { try InputExample.read(from: bundle, info: escaping) }
        let withParams = try SavedInputExampleInfo(fields: [
            ("artifact_path", "input_example.json"), ("params", "true"), ("type", "json_object"),
        ])
        try directory.write("input_example.json", "[1, 2]")
        #expect(throws: ModelBundleError.self) { try InputExample.read(from: bundle, info: withParams) }
    }

    @Test func keepsUnknownInfoKeysSorted() throws {
        let info = try SavedInputExampleInfo(fields: [
            ("type", "ndarray"), ("zeta", "1"), ("artifact_path", "input_example.json"), ("extra", "x"),
        ])
        #expect(info.fields.map(\.0) == ["artifact_path", "extra", "type", "zeta"])
        #expect(throws: ModelBundleError.self) { try SavedInputExampleInfo(fields: [("type", "ndarray")]) }
    }
}

/// A scratch directory for one test.
struct TemporaryBundle {
    let path: String

    init() throws {
        path = TestScratch.path("signature-tests")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path + "/" + name))
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
