import Logging
import ModelBundle
import ModelRuntime
import Synchronization
import SystemPlatform

/// The models being served, replaced as a whole: a reload loads every model first and swaps only
/// when all loaded, so a request sees either the old set or the new one, never a mix.
final class ModelStore: Sendable {
    /// One immutable generation of models, in `-m` order (MLflow's routes serve the first).
    struct Generation: Sendable {
        let models: [ServedModel]
        let byName: [String: ServedModel]

        init(_ models: [ServedModel]) {
            self.models = models
            var byName: [String: ServedModel] = [:]
            for model in models { byName[model.name] = model }
            self.byName = byName
        }

        var first: ServedModel? { models.first }
    }

    let specs: [ModelSpec]
    private let loader: ModelLoading
    private let current: Mutex<Generation?>
    /// Reloads never overlap (a second SIGHUP waits for the first).
    private let reloading = Mutex(false)

    init(specs: [ModelSpec], loader: @escaping ModelLoading) {
        self.specs = specs
        self.loader = loader
        self.current = Mutex(nil)
    }

    /// The models now being served; `nil` before the first load.
    var generation: Generation? { current.withLock { $0 } }

    /// Loads every model and, only if all load, makes them the served set.
    /// - Throws: the first model's error, naming the model; the served set is then unchanged.
    @discardableResult
    func load() throws(ModelBundleError) -> Generation {
        var names = Set<String>()
        for spec in specs where !names.insert(spec.name).inserted {
            throw ModelBundleError(
                .inputInvalid,
                "two models are named \(spec.name); give each -m a distinct NAME=",
                item: spec.name
            )
        }
        var loaded: [ServedModel] = []
        for spec in specs {
            let start = Self.now()
            let result: (model: LoadedModel, retained: (any Sendable)?)
            do {
                result = try loader(spec)
            } catch {
                var named = error
                named.message = "model \(spec.name) (\(spec.location)): \(error.message)"
                throw named
            }
            loaded.append(
                ServedModel(
                    name: spec.name,
                    location: spec.location,
                    model: result.model,
                    retained: result.retained,
                    loadSeconds: Self.now() - start
                )
            )
        }
        let generation = Generation(loaded)
        current.withLock { $0 = generation }
        return generation
    }

    /// SIGHUP: reloads all models; on failure keeps serving the old ones and logs why.
    /// - Returns: whether the new set is now served.
    @discardableResult
    func reload(logger: Logger) -> Bool {
        let busy = reloading.withLock { busy in
            defer { busy = true }
            return busy
        }
        if busy {
            logger.warning("reload already in progress; this request to reload is ignored")
            return false
        }
        defer { reloading.withLock { $0 = false } }
        do {
            let generation = try load()
            logger.info(
                "reloaded models",
                metadata: ["models": .string(generation.models.map(\.name).joined(separator: ","))]
            )
            return true
        } catch {
            logger.error(
                "reload failed; still serving the previous models",
                metadata: ["error": .string(error.description)]
            )
            return false
        }
    }

    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
