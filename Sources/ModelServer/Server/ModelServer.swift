package import Hummingbird
import HummingbirdCore
public import Logging
public import ModelBundle
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import SystemPlatform
import UnixSignals

/// `mbundle serve`: MLflow's scoring protocol and the Open Inference Protocol over the models given,
/// on Hummingbird. Models load before the server binds; SIGHUP reloads them all; SIGTERM and SIGINT
/// stop accepting, let in-flight requests finish (up to the shutdown deadline) and return.
///
/// ``run(onBound:)`` may start before ``loadModels()``: the server then starts up (threads, service
/// group, HTTP stack) while the models load, and binds only once they have.
public struct ModelServer: Sendable {
    let core: ServerCore

    /// - Parameters:
    ///   - loader: opens and loads one bundle (the command line passes its archive-aware opener and
    ///     the built-in flavors).
    ///   - logger: the access log and lifecycle messages.
    ///   - serverVersion: reported by `GET /v2`.
    public init(
        configuration: ServerConfiguration,
        models: [ModelSpec],
        loader: @escaping ModelLoading,
        logger: Logger,
        serverVersion: String
    ) {
        core = ServerCore(
            configuration: configuration,
            store: ModelStore(specs: models, loader: loader),
            logger: logger,
            serverVersion: serverVersion
        )
    }

    /// Loads every model; nothing is served until this succeeds.
    /// - Throws: the first failing model's error, its message naming the model.
    public func loadModels() throws(ModelBundleError) {
        do throws(ModelBundleError) {
            let generation = try core.store.load()
            core.metrics.modelsLoaded(generation.models)
            core.loadGate.decide(.loaded)
        } catch {
            // Nothing will be served: a running server ends without binding and stops its prediction
            // threads itself (``run(onBound:)`` owns them: stopping them here raced with their start
            // on the server's thread, and a bad bundle sometimes trapped instead of exiting 2).
            core.loadGate.decide(.failed)
            throw error
        }
    }

    /// Reloads every model; on failure the previous ones stay and the reason is logged.
    @discardableResult
    public func reloadModels() -> Bool {
        let reloaded = core.store.reload(logger: core.logger)
        if reloaded, let generation = core.store.generation { core.metrics.modelsLoaded(generation.models) }
        return reloaded
    }

    /// The Hummingbird application (the tests drive it with HummingbirdTesting).
    package func application(
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        // Idempotent; the prediction threads start here rather than with the server value, off the
        // thread that loads the models.
        core.pool.start()
        let configuration = core.configuration
        var quiet = core.logger
        quiet.logLevel = .critical
        var application = Application(
            responder: ServerResponder(core: core),
            server: .http1(configuration: http1Configuration),
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port)),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: quiet
        )
        // Runs before the listening socket is opened.
        application.beforeServerStarts { [gate = core.loadGate] in
            let decision = await withGracefulShutdownHandler {
                await gate.wait()
            } onGracefulShutdown: {
                gate.decide(.stopped)
            }
            guard case .loaded = decision else { throw NotLoaded() }
        }
        return application
    }

    /// The HTTP/1.1 connections' configuration (the server's and ``ConnectionWarmUp``'s).
    var http1Configuration: HTTP1Channel.Configuration {
        HTTP1Channel.Configuration(idleTimeout: core.configuration.idleTimeout.map { .nanoseconds($0.nanoseconds) })
    }

    /// The models did not load, or a shutdown came first: the server does not bind.
    struct NotLoaded: Error {}

    /// Why ``run(onBound:)`` ended early.
    public enum RunError: Error, Sendable, CustomStringConvertible {
        /// The address could not be bound (in use, not local, no permission).
        case cannotBind(String)
        case failed(String)
        /// ``loadModels()`` failed (its error says why): the server never bound.
        case modelsNotLoaded

        public var description: String {
            switch self {
            case .cannotBind(let text), .failed(let text): text
            case .modelsNotLoaded: "the models did not load; nothing was served"
            }
        }
    }

    /// Serves until SIGTERM or SIGINT, then drains and returns. Binds once ``loadModels()`` has
    /// succeeded (it may be called before or while this runs); returns without binding when a
    /// shutdown signal comes first.
    /// - Parameter onBound: called once with the bound port (useful with port 0).
    /// - Throws: ``RunError/modelsNotLoaded`` when ``loadModels()`` failed.
    public func run(onBound: @escaping @Sendable (Int) -> Void) async throws(RunError) {
        Self.raiseDescriptorLimit()
        let bound = Atomic<Bool>(false)
        let app = application { port in
            bound.store(true, ordering: .relaxed)
            onBound(port)
        }
        var quiet = core.logger
        quiet.logLevel = .critical
        // The first connection's set-up, paid here while the models load (nothing is bound yet).
        let warmUp = Task { [http1Configuration] in
            await ConnectionWarmUp.run(configuration: http1Configuration, group: app.eventLoopGroup, logger: quiet)
        }
        var configuration = ServiceGroupConfiguration(
            // Named here: without a name each service is described by reflection ("\(service)"),
            // most of a millisecond of start-up for the application's nested configuration.
            services: [
                .init(service: app, serviceName: "http"),
                .init(
                    service: SignalService(server: self),
                    successTerminationBehavior: .ignore,
                    serviceName: "signals"
                ),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: quiet
        )
        configuration.maximumGracefulShutdownDuration = core.configuration.shutdownDeadline
        configuration.maximumCancellationDuration = .seconds(2)
        var failure: (any Error)?
        do {
            try await ServiceGroup(configuration: configuration).run()
        } catch {
            failure = error
        }
        // Over in milliseconds; awaited so that nothing of the server outlives this call. The
        // prediction threads are stopped here only, by the thread that started them.
        _ = await warmUp.value
        try? await core.pool.shutdownGracefully()
        guard let failure else { return }
        switch core.loadGate.decision {
        case .failed: throw .modelsNotLoaded
        case .stopped: return
        case .loaded, nil: break
        }
        let address = "\(core.configuration.host):\(core.configuration.port)"
        if !bound.load(ordering: .relaxed) {
            throw .cannotBind("cannot listen on \(address): \(Self.reason(failure))")
        }
        throw .failed("the server on \(address) stopped: \(Self.reason(failure))")
    }

    /// Every connection holds a descriptor, and the usual soft limit (1,024) is far below what one
    /// process may hold: raise it to the hard limit, as network servers do, so thousands of idle
    /// keep-alive connections are held instead of refused.
    static func raiseDescriptorLimit() {
        var limit = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(resource, &limit)
    }

    /// The operating system's words for a bind failure ("Address already in use"), without Swift type names.
    static func reason(_ error: any Error) -> String {
        if let failure = error as? IOError { return String(cString: strerror(failure.errnoCode)) }
        return String(describing: error)
    }
}

/// SIGHUP reloads the models; graceful shutdown turns readiness off so load balancers stop sending.
struct SignalService: Service {
    let server: ModelServer

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        // A SIGHUP during the first load waits for it (it reloads afterwards).
        guard case .loaded = await server.core.loadGate.wait() else { return }
        for await _ in signals.cancelOnGracefulShutdown() {
            server.core.logger.info("SIGHUP: reloading models")
            server.reloadModels()
        }
        // Cancelled (the server failed to start or was stopped hard): nothing to drain.
        guard !Task.isCancelled else { return }
        server.core.draining.store(true, ordering: .relaxed)
        server.core.logger.info("shutting down: finishing in-flight requests")
    }
}
