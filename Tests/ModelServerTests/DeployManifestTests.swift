import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ModelBundle
import ModelServer
import TestSupport
import Testing

/// Deploy/: the KServe manifests parse, say what the runtime supports, and the command they run
/// serves a model laid out as KServe's `/mnt/models` mount.
@Suite("Deploy manifests")
struct DeployManifestTests {
    static let deploy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Deploy")

    /// The manifest read by the package's own YAML reader (the one `MLmodel` goes through), with
    /// plain scalars typed as YAML's core schema types them where these manifests need it.
    static func load(_ name: String) throws -> [String: Any] {
        let bytes = Array(try Data(contentsOf: deploy.appendingPathComponent("kserve/\(name)")))
        let value = try YAMLDocumentReader(fileName: name).read(bytes)
        return try #require(plain(value) as? [String: Any])
    }

    static func plain(_ value: ManifestValue) -> Any {
        switch value {
        case .scalar(let text, let isPlain):
            guard isPlain else { return text }
            if let integer = Int(text) { return integer }
            if text == "true" || text == "false" { return text == "true" }
            return text
        case .list(let items): return items.map(plain)
        case .map(let map): return Dictionary(map.entries.map { ($0.key, plain($0.value)) }) { first, _ in first }
        }
    }

    @Test("The ClusterServingRuntime speaks V2 for mlflow, sklearn, xgboost and lightgbm on port 8080")
    func runtime() throws {
        let runtime = try Self.load("cluster-serving-runtime.yaml")
        #expect(runtime["apiVersion"] as? String == "serving.kserve.io/v1alpha1")
        #expect(runtime["kind"] as? String == "ClusterServingRuntime")
        let spec = try #require(runtime["spec"] as? [String: Any])
        #expect(spec["protocolVersions"] as? [String] == ["v2"])
        let formats = (spec["supportedModelFormats"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(Set(formats) == ["mlflow", "sklearn", "xgboost", "lightgbm"])
        let container = try #require((spec["containers"] as? [[String: Any]])?.first)
        let args = container["args"] as? [String] ?? []
        #expect(args.contains("{{.Name}}=/mnt/models"))
        #expect(args.contains("--port=8080"))
        let ports = container["ports"] as? [[String: Any]] ?? []
        #expect(ports.first?["containerPort"] as? Int == 8080)
    }

    @Test("The InferenceService example selects the runtime with the V2 protocol")
    func inferenceService() throws {
        let service = try Self.load("inference-service.yaml")
        #expect(service["kind"] as? String == "InferenceService")
        let model = try #require(
            ((service["spec"] as? [String: Any])?["predictor"] as? [String: Any])?["model"] as? [String: Any]
        )
        #expect(model["runtime"] as? String == "kserve-mbundle")
        #expect(model["protocolVersion"] as? String == "v2")
        #expect((model["modelFormat"] as? [String: Any])?["name"] as? String == "mlflow")
    }

    @Test("The runtime's -m argument serves a bundle laid out as KServe's /mnt/models")
    func mountLayout() async throws {
        let scratch = TestScratch.url("mbundle-kserve")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let mount = scratch.appendingPathComponent("mnt/models")
        try FileManager.default.createDirectory(
            at: mount.deletingLastPathComponent(),
            withIntermediateDirectories: true
        )
        try FileManager.default.copyItem(atPath: ServerFixtures.bundle("iris_multinomial_proba"), toPath: mount.path)

        let runtime = try Self.load("cluster-serving-runtime.yaml")
        let container = try #require(((runtime["spec"] as? [String: Any])?["containers"] as? [[String: Any]])?.first)
        let template = try #require((container["args"] as? [String])?.first { $0.contains("/mnt/models") })
        let argument = template.replacingOccurrences(of: "{{.Name}}", with: "iris")
            .replacingOccurrences(of: "/mnt/models", with: mount.path)
        let spec = try ModelSpec(argument: argument)
        #expect(spec.name == "iris")
        let server = try ServerFixtures.server([(spec.name, spec.location)])
        try await server.application().test(.router) { client in
            let ready = try await client.execute(uri: "/v2/models/iris/ready", method: .get)
            #expect(ready.status == .ok)
            #expect(try await client.execute(uri: "/v2/health/ready", method: .get).status == .ok)
        }
    }
}
