import Dispatch
import Synchronization
import Testing

@testable import ModelBundle

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// ``BackgroundRelease``: the value handed over is freed on another thread, once, after the caller let go.
@Suite struct BackgroundReleaseTests {
    /// Reports its deinitialisation: on which thread, and how often.
    final class Tracked: Sendable {
        let freed: @Sendable (pthread_t) -> Void
        init(freed: @escaping @Sendable (pthread_t) -> Void) { self.freed = freed }
        deinit { freed(pthread_self()) }
    }

    @Test("a handed value is freed once, on a thread other than the caller's")
    func freedElsewhere() {
        let caller = pthread_self()
        let threads = Mutex<[pthread_t]>([])
        let done = DispatchSemaphore(value: 0)
        let value = Tracked { thread in
            threads.withLock { $0.append(thread) }
            done.signal()
        }
        // A tuple, as the skops reader hands its schema, archive and attributes together.
        BackgroundRelease.hand((consume value, 1))
        #expect(done.wait(timeout: .now() + 10) == .success)
        let freedOn = threads.withLock { $0 }
        #expect(freedOn.count == 1)
        #expect(freedOn.allSatisfy { pthread_equal($0, caller) == 0 })
    }
}
