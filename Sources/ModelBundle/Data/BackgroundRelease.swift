import Dispatch

/// Frees a large value on another thread.
///
/// A load builds intermediate values that die as it returns: a 100-tree forest's skops schema is a
/// DOM of 35,000 JSON nodes, and freeing it and its 3.8 MB archive took half a millisecond of the
/// thread that is waiting for the model (`mbundle serve` binds only after the load). Handing the last
/// reference to a background queue lets that thread go on at once.
package enum BackgroundRelease {
    /// Takes `value`'s last reference; it is released on a background queue. The caller must not keep
    /// another reference (pass it with `consume`), or the caller's own release frees it after all.
    package static func hand<Value: Sendable>(_ value: consuming Value) {
        let box = Box(value)
        DispatchQueue.global(qos: .utility).async { box.drop() }
    }

    /// Holds the value so that the closure, not the caller, ends its lifetime.
    private final class Box<Value: Sendable>: @unchecked Sendable {
        // Written only by `drop()`, which runs once, on the background queue.
        private var value: Value?
        init(_ value: consuming Value) { self.value = value }
        func drop() { value = nil }
    }
}
