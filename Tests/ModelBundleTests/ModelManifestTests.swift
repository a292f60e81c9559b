import Foundation
import Testing

@testable import ModelBundle

@Suite struct ModelManifestTests {
    /// The MLmodel MLflow 3.17.2 wrote for a skops sklearn model (copied from the spec's §1.7).
    static let skops = (try? ManifestTestSupport.fixture("manifest/sklearn-skops.MLmodel")) ?? []

    @Test func readsEveryFieldOfARealMLflowManifest() throws {
        let manifest = try ModelManifest(parsing: Self.skops)
        #expect(manifest.flavorNames == ["python_function", "sklearn"])
        #expect(manifest.mlflowVersion == "3.17.2")
        #expect(manifest.modelSizeBytes == 10678)
        #expect(manifest.modelUUID == "fa98f9562e3b48cb9def1350d13d419d")
        #expect(manifest.modelID == nil)
        #expect(manifest.utcTimeCreated == "2026-11-22 02:36:24.334366")
        #expect(manifest.isSignatureFromTypeHint == false)
        #expect(manifest.typeHintFromExample == false)
        let pyfunc = try #require(manifest.pythonFunction)
        #expect(pyfunc.loaderModule == "mlflow.sklearn")
        #expect(pyfunc.pythonVersion == "3.11.7")
        #expect(pyfunc.modelPath == "model.skops")
        #expect(pyfunc.environment == .files(conda: "conda.yaml", virtualenv: "python_env.yaml"))
        let sklearn = try #require(manifest.sklearn)
        #expect(sklearn.serializationFormat == "skops")
        #expect(sklearn.pickledModel == "model.skops")
        #expect(sklearn.code == nil)
        // The folded single-quoted signature strings are joined back with single spaces.
        let signature = try #require(manifest.signatureBlock)
        #expect(
            signature.inputs
                == #"[{"type": "long", "name": "a", "required": true}, {"type": "double", "name": "b", "required": true}]"#
        )
        #expect(
            signature.params?.hasPrefix(#"[{"name": "alpha", "default": 0.5, "shape": null, "type": "double"}"#) == true
        )
        let info = try #require(manifest.savedInputExampleFields)
        #expect(info.map(\.0) == ["artifact_path", "pandas_orient", "serving_input_path", "type"])
    }

    @Test func writesBackWhatItRead() throws {
        let manifest = try ModelManifest(parsing: Self.skops)
        let again = try ModelManifest(parsing: Array(manifest.yamlText.utf8))
        #expect(again == manifest)
        // Keys come out sorted as MLflow writes them, and the timestamp stays quoted.
        #expect(manifest.yamlText.hasPrefix("flavors:\n  python_function:\n    env:\n      conda: conda.yaml\n"))
        #expect(manifest.yamlText.contains("utc_time_created: '2026-11-22 02:36:24.334366'\n"))
        #expect(manifest.yamlText.contains("model_id: null\n"))
    }

    @Test func keepsUnknownKeysAndLegacyForms() throws {
        let text = """
            flavors:
              python_function:
                data: model.pkl
                env: conda.yaml
                loader_module: mlflow.sklearn
                python_version: 3.10
                future_key: {nested: [1, two]}
              sklearn:
                pickled_model: model.pkl
                sklearn_version: 0.23.2
            some_future_field:
              answer: 42
              list: [a, 'b', "c"]
            utc_time_created: '2020-01-01 00:00:00'

            """
        let manifest = try ModelManifest(parsing: Array(text.utf8))
        let pyfunc = try #require(manifest.pythonFunction)
        #expect(pyfunc.environment == .legacyConda("conda.yaml"))
        // Unquoted 3.10 is a float to PyYAML; the manifest keeps the text the author meant.
        #expect(pyfunc.pythonVersion == "3.10")
        #expect(manifest.sklearn?.serializationFormat == "pickle")
        #expect(manifest.mlflowVersion == nil)
        let rewritten = try ModelManifest(parsing: Array(manifest.yamlText.utf8))
        #expect(rewritten == manifest)
        #expect(rewritten.document["some_future_field"]?.map?["answer"]?.int == 42)
        #expect(rewritten.flavor("python_function")?["future_key"]?.map?["nested"]?.list?.count == 2)
        #expect(manifest.yamlText.contains("python_version: 3.10\n"))
    }

    @Test func newManifestsCarryMLflowsTimestampAndUUID() throws {
        let instant = ManifestClock.Instant(seconds: 1_795_314_984, microseconds: 334_366)
        #expect(ManifestClock.utcTimeCreated(instant) == "2026-11-22 02:36:24.334366")
        #expect(ManifestClock.utcTimeCreated(.init(seconds: 0, microseconds: 0)) == "1970-01-01 00:00:00")
        #expect(ManifestClock.utcTimeCreated(.init(seconds: 0, microseconds: 5)) == "1970-01-01 00:00:00.000005")
        let uuid = ManifestClock.newModelUUID()
        #expect(uuid.count == 32)
        #expect(uuid.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(Array(uuid)[12] == "4")
        #expect(ManifestClock.newModelUUID() != uuid)
        let manifest = ModelManifest(flavors: [("x", ManifestMap([("a", .int(1))]))], now: instant)
        #expect(manifest.yamlText.contains("utc_time_created: '2026-11-22 02:36:24.334366'"))
    }

    // MARK: - Hostile and malformed manifests (security.md §5)

    struct Hostile: Sendable, CustomTestStringConvertible {
        var name: String
        var yaml: String
        var code: ModelBundleError.Code
        var item: String?
        var testDescription: String { name }
    }

    static let billionLaughs = """
        a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
        b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
        c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
        d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
        e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
        f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
        g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
        h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
        i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
        flavors: {x: {y: *i}}
        """

    static let hostile: [Hostile] = [
        Hostile(name: "600-byte alias bomb", yaml: billionLaughs, code: .manifestInvalid, item: "MLmodel:1:4"),
        Hostile(
            name: "alias as a mapping key",
            yaml: "a: &k [1, 2]\n*k : 1\nflavors: {}\n",
            code: .manifestInvalid,
            item: "MLmodel:1:4"
        ),
        Hostile(
            name: "alias in block sequence",
            yaml: "flavors:\n  x:\n    y:\n    - *z\n",
            code: .manifestInvalid,
            item: "MLmodel:4:7"
        ),
        Hostile(
            name: "duplicate top-level key",
            yaml: "flavors: {x: {}}\nflavors: {y: {}}\n",
            code: .manifestInvalid,
            item: nil
        ),
        Hostile(
            name: "duplicate nested key",
            yaml: "flavors:\n  x:\n    a: 1\n    a: 2\n",
            code: .manifestInvalid,
            item: nil
        ),
        Hostile(
            name: "python object tag",
            yaml: "flavors: {x: {}}\nboom: !!python/object/apply:os.system ['id']\n",
            code: .manifestInvalid,
            item: "boom"
        ),
        Hostile(name: "local tag", yaml: "flavors: {x: {}}\nboom: !custom 1\n", code: .manifestInvalid, item: "boom"),
        Hostile(
            name: "deep nesting",
            yaml: "flavors: {x: {}}\nd: " + String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
                + "\n",
            code: .manifestInvalid,
            item: nil
        ),
        Hostile(name: "not a mapping", yaml: "- just\n- a list\n", code: .manifestInvalid, item: "MLmodel"),
        Hostile(name: "no flavors", yaml: "mlflow_version: 3.17.2\n", code: .manifestInvalid, item: "flavors"),
        Hostile(name: "flavor not a mapping", yaml: "flavors:\n  x: 3\n", code: .manifestInvalid, item: "flavors.x"),
        Hostile(
            name: "signature not strings",
            yaml: "flavors: {x: {}}\nsignature:\n  inputs: [1]\n",
            code: .manifestInvalid,
            item: "signature.inputs"
        ),
        Hostile(
            name: "size not an integer",
            yaml: "flavors: {x: {}}\nmodel_size_bytes: big\n",
            code: .manifestInvalid,
            item: "model_size_bytes"
        ),
        Hostile(name: "broken YAML", yaml: "flavors: {x: [}\n", code: .manifestInvalid, item: nil),
        Hostile(name: "empty document", yaml: "", code: .manifestInvalid, item: "MLmodel"),
    ]

    @Test(arguments: hostile)
    func refusesHostileManifests(_ hostile: Hostile) {
        let clock = ContinuousClock()
        let start = clock.now
        let error = ManifestTestSupport.error { _ = try ModelManifest(parsing: Array(hostile.yaml.utf8)) }
        #expect(error?.code == hostile.code, "\(String(describing: error))")
        if let item = hostile.item {
            #expect(error?.item == item)
        }
        #expect(error?.message.hasPrefix("MLmodel") == true)
        // Refusal must be immediate; a hang would show here long before any timeout.
        #expect(clock.now - start < .seconds(5))
    }

    @Test func refusesNonUTF8AndNUL() {
        let bad = ManifestTestSupport.error { _ = try ModelManifest(parsing: [0x66, 0x3A, 0x20, 0xFF, 0xFE]) }
        #expect(bad?.code == .manifestInvalid)
        let nul = ManifestTestSupport.error { _ = try ModelManifest(parsing: Array("flavors: {x: {}}\0".utf8)) }
        #expect(nul?.code == .manifestInvalid)
    }

    @Test func refusesManifestsOverTheSizeCap() {
        let big = [UInt8](repeating: UInt8(ascii: "#"), count: ModelManifest.maximumSize + 1)
        let error = ManifestTestSupport.error { _ = try ModelManifest(parsing: big) }
        #expect(error?.code == .manifestTooLarge)
        #expect(error?.item == "MLmodel")
    }

    @Test(arguments: [
        "flavors: {x: {a: 'it''s *not* an alias & not an anchor'}}\n",
        "flavors:\n  x:\n    a: 3 * 4 & 5\n    b: \"*quoted\"\n    c: x*y\n",
        "flavors:\n  x:\n    doc: |\n      *literal text\n      &more\n    after: 1\n",
        "# a comment with *star and &amp\nflavors: {x: {k: v}}  # trailing *comment\n",
        "flavors:\n  x:\n    s: 'multi\n      line *still quoted'\n",
    ])
    func acceptsStarsAndAmpersandsThatAreNotAnchorsOrAliases(_ yaml: String) throws {
        let manifest = try ModelManifest(parsing: Array(yaml.utf8))
        #expect(manifest.flavorNames == ["x"])
    }
}
