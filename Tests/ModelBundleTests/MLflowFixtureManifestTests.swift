import Foundation
import Testing

@testable import ModelBundle

/// Every bundle real MLflow wrote (Tests/Fixtures/mlflow, made by Scripts/make-mlflow-fixtures.py)
/// against what MLflow itself reported about it (expected.json).
@Suite struct MLflowFixtureManifestTests {
    static let root = ManifestTestSupport.fixtures.appendingPathComponent("mlflow")

    static let names: [String] = ManifestTestSupport.listing(root).filter {
        FileManager.default.fileExists(atPath: root.appendingPathComponent($0).appendingPathComponent("MLmodel").path)
    }

    static let expected: JSONObject = {
        let bytes = (try? ManifestTestSupport.fixture("mlflow/expected.json")) ?? []
        return (try? JSONParser().parse(bytes))?.objectValue ?? JSONObject([])
    }()

    /// Objects compared regardless of key order, as Python dictionaries are.
    static func canonical(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let items): return .array(items.map(canonical))
        case .object(let object):
            return .object(object.members.sorted { $0.0 < $1.0 }.map { ($0.0, canonical($0.1)) })
        default: return value
        }
    }

    @Test func everyFixtureHasExpectations() {
        #expect(Self.names.count >= 12)
        for name in Self.names { #expect(Self.expected[name] != nil, "\(name)") }
    }

    @Test(arguments: names)
    func readsAsMLflowReadsIt(_ name: String) throws {
        let bundle = try BundleReader(path: Self.root.appendingPathComponent(name).path).read()
        #expect(bundle.checksums == .absent)
        let expected = try #require(Self.expected[name]?.objectValue)
        // The whole document, typed the way PyYAML types it, equals MLflow's Model.to_dict() —
        // apart from the defaults MLflow fills in for keys an old file lacks (null or false), and
        // the signature, which MLflow re-serializes and is compared below.
        let toDict = try #require(expected["to_dict"]?.objectValue)
        var ours = ManifestValue.map(bundle.manifest.document).jsonValue.objectValue ?? JSONObject([])
        ours["signature"] = nil
        var theirs = toDict
        theirs["signature"] = nil
        for key in toDict.keys where ours[key] == nil && (toDict[key] == .null || toDict[key] == .bool(false)) {
            theirs[key] = nil
        }
        #expect(Self.canonical(.object(ours)) == Self.canonical(.object(theirs)))
        // The signature strings re-serialize byte for byte as MLflow writes them.
        if let signature = try bundle.manifest.signature(), let strings = expected["signature"]?.objectValue {
            #expect(signature.inputsJSON == strings["inputs"]?.stringValue)
            #expect(signature.outputsJSON == strings["outputs"]?.stringValue)
            #expect(signature.paramsJSON == strings["params"]?.stringValue)
        }
        if let info = try bundle.manifest.savedInputExampleInfo() {
            let fields = try #require(expected["saved_input_example_info"]?.objectValue)
            #expect(info.fields.count == fields.count)
            for (key, value) in info.fields { #expect(fields[key]?.stringValue == value) }
        }
    }

    @Test(arguments: names)
    func writesBackTheSameDocument(_ name: String) throws {
        let bytes = try ManifestTestSupport.fixture("mlflow/\(name)/MLmodel")
        let manifest = try ModelManifest(parsing: bytes)
        let rewritten = try ModelManifest(parsing: Array(manifest.yamlText.utf8))
        #expect(rewritten == manifest)
        #expect(
            Self.canonical(ManifestValue.map(rewritten.document).jsonValue)
                == Self.canonical(ManifestValue.map(manifest.document).jsonValue)
        )
    }
}
