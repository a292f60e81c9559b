import Synchronization

/// Whether the server may bind: decided once, by the first load (``ModelServer/loadModels()``) or by a
/// shutdown that arrives before it ends.
///
/// `mbundle serve` starts the server's task before it loads the models, so that the server's own
/// start-up (its threads, service group and HTTP stack, several milliseconds of first use) runs on
/// another core while the bundle loads. The listening socket is opened only once the gate opens with
/// ``Decision/loaded``: a bad bundle still ends the process before anything listens.
final class LoadGate: Sendable {
    enum Decision: Sendable {
        /// Every model loaded: bind and serve.
        case loaded
        /// A model failed to load (the loader reports why): never bind.
        case failed
        /// SIGTERM or SIGINT arrived before the load ended: never bind, end cleanly.
        case stopped
    }

    private enum State {
        case waiting([CheckedContinuation<Decision, Never>])
        case decided(Decision)
    }

    private let state = Mutex(State.waiting([]))

    /// Records `decision` and wakes every waiter. Only the first call decides; later ones are ignored
    /// (a load that ends after a shutdown, a reload after the first load).
    func decide(_ decision: Decision) {
        let waiters: [CheckedContinuation<Decision, Never>] = state.withLock { state in
            guard case .waiting(let waiters) = state else { return [] }
            state = .decided(decision)
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: decision) }
    }

    /// The decision, once made.
    var decision: Decision? {
        state.withLock { state in
            if case .decided(let decision) = state { return decision }
            return nil
        }
    }

    /// Waits for the decision.
    func wait() async -> Decision {
        await withCheckedContinuation { continuation in
            let decided: Decision? = state.withLock { state in
                switch state {
                case .decided(let decision):
                    return decision
                case .waiting(var waiters):
                    waiters.append(continuation)
                    state = .waiting(waiters)
                    return nil
                }
            }
            if let decided { continuation.resume(returning: decided) }
        }
    }
}
