import Dispatch
import Logging
import ModelBundle
import ModelServer
import Synchronization
import Testing

/// `mbundle serve` starts the server before its models finish loading (so the two start-ups overlap);
/// the listening socket must still wait for the load, and a failed load must never listen.
@Suite("Server start-up order", .timeLimit(.minutes(1)))
struct StartupOrderTests {
    static func server(loader: @escaping ModelLoading) -> ModelServer {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return ModelServer(
            configuration: ServerConfiguration(port: 0, predictionThreads: 1),
            models: [ModelSpec(name: "iris", location: ServerFixtures.bundle("iris_multinomial_proba"))],
            loader: loader,
            logger: logger,
            serverVersion: "test"
        )
    }

    /// Runs `load` on a thread outside the cooperative pool (it blocks) and returns its outcome.
    static func loadElsewhere(_ server: ModelServer) async -> ModelBundleError? {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                do throws(ModelBundleError) {
                    try server.loadModels()
                    continuation.resume(returning: nil)
                } catch {
                    continuation.resume(returning: error)
                }
            }
        }
    }

    @Test("Started before its models load, the server binds only once they have")
    func bindsAfterTheLoad() async throws {
        let release = DispatchSemaphore(value: 0)
        let server = Self.server { (spec) throws(ModelBundleError) in
            release.wait()
            return try ServerFixtures.loader(spec)
        }
        let boundPort = Atomic<Int>(0)
        let serving = Task { try? await server.run { port in boundPort.store(port, ordering: .relaxed) } }
        async let loaded = Self.loadElsewhere(server)
        // The server has had time to start up; the load is held, so nothing may listen yet.
        try await Task.sleep(for: .milliseconds(300))
        let boundEarly = boundPort.load(ordering: .relaxed)
        #expect(boundEarly == 0)
        release.signal()
        #expect(await loaded == nil)
        for _ in 0..<1000 where boundPort.load(ordering: .relaxed) == 0 {
            try await Task.sleep(for: .milliseconds(10))
        }
        let boundLate = boundPort.load(ordering: .relaxed)
        #expect(boundLate > 0)
        serving.cancel()
        await serving.value
    }

    @Test("When the load fails, run ends with modelsNotLoaded and never binds")
    func failedLoadNeverBinds() async throws {
        let server = Self.server { (spec) throws(ModelBundleError) in
            throw ModelBundleError(.fileMissing, "gone", item: spec.location)
        }
        let bound = Atomic<Bool>(false)
        let ended = Atomic<Bool>(false)
        let serving = Task { () -> ModelServer.RunError? in
            defer { ended.store(true, ordering: .relaxed) }
            do throws(ModelServer.RunError) {
                try await server.run { _ in bound.store(true, ordering: .relaxed) }
                return nil
            } catch {
                return error
            }
        }
        let failure = await Self.loadElsewhere(server)
        #expect(failure?.code == .fileMissing)
        #expect(failure?.message.contains("model iris") == true)
        for _ in 0..<1000 where !ended.load(ordering: .relaxed) {
            try await Task.sleep(for: .milliseconds(10))
        }
        if !ended.load(ordering: .relaxed) {
            Issue.record("the server still runs 10 s after its load failed")
            serving.cancel()
        }
        switch await serving.value {
        case .modelsNotLoaded?: break
        case let other: Issue.record("run ended with \(String(describing: other)), not modelsNotLoaded")
        }
        let everBound = bound.load(ordering: .relaxed)
        #expect(!everBound)
    }
}
