import ModelBundle

/// One column's result, written by one thread of a parallel decode and read by the caller after
/// every thread has finished (one object per column, so no two threads touch the same storage).
final class ColumnSlot: @unchecked Sendable {
    var result: Result<Column, any Error>?
}

/// A value lent to the threads of a parallel decode that only read it (a column decoder reading
/// its own byte ranges of one immutable source: memory, or a file by `pread`).
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value

    init(_ value: Value) { self.value = value }
}
