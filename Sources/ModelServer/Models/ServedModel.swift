public import ModelBundle
import ModelOpenInference
public import ModelRuntime

/// A model as the server holds it: loaded once, immutable, shared by every request.
struct ServedModel: Sendable {
    /// The name from `-m NAME=MODEL`.
    let name: String
    /// `MLmodel`'s `model_uuid` when it has one: the V2 version (`/versions/{v}`).
    let version: String?
    /// The loaded model (signature, enforcer, flavor model).
    let model: LoadedModel
    /// Whatever must live as long as the model (an extracted archive's directory).
    let retained: (any Sendable)?
    /// How long loading took, for `mbundle_model_load_seconds`.
    let loadSeconds: Double
    /// Where the bundle came from, for logs.
    let location: String

    init(name: String, location: String, model: LoadedModel, retained: (any Sendable)?, loadSeconds: Double) {
        self.name = name
        self.location = location
        self.version = model.manifest.modelUUID
        self.model = model
        self.retained = retained
        self.loadSeconds = loadSeconds
    }
}

extension ServedModel {
    /// What the Open Inference Protocol's documents say of it.
    var v2Description: V2ModelDescription {
        V2ModelDescription(name: name, version: version, signature: model.signature)
    }
}

/// Loads one model for the server: opening archives and choosing flavors is the caller's business
/// (the command line passes its own bundle opener and the built-in flavor registry).
public typealias ModelLoading =
    @Sendable (ModelSpec) throws(ModelBundleError) -> (model: LoadedModel, retained: (any Sendable)?)
