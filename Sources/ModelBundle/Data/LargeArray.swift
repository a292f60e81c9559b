import SystemPlatform

/// Arrays of plain values large enough that their first touch costs more than filling them: a
/// request's bytes, a decoded column, the row-major matrix a kernel reads.
///
/// Fresh memory from the system faults in one 4 KiB page at a time, each cleared and charged to the
/// process's memory cgroup: on a 1,000,000 × 32 float64 Parquet request about half of the whole
/// process's time (perf), for buffers written once. Asking for transparent huge pages on the
/// buffer's 2 MiB-aligned interior before the first write turns 512 of those faults into one; the
/// kernel still decides (with huge pages off, or none free, nothing changes but the advice). Smaller
/// buffers (a model's arrays at load) get their page tables filled in one system call instead
/// (`MADV_POPULATE_WRITE`): a page fault is an exception per page, and under a hypervisor those were
/// a third of loading a 3 MB tree ensemble.
package enum LargeArray {
    /// Buffers below this size keep the default: the advice costs a system call.
    package static let adviceThreshold = 4 << 20
    /// Buffers from this size on are populated before their first write (16 pages: one system call
    /// instead of sixteen faults or more).
    package static let populateThreshold = 64 << 10

    /// An array of `count` elements that `fill` initialises completely. For plain values only
    /// (numbers, bytes): when `fill` throws, nothing is kept and nothing is deinitialised.
    ///
    /// - Parameter preparesPages: `false` leaves ``prepareForWriting(_:)`` to `fill`, for a buffer
    ///   written by several threads at once: each prepares its own part, so the pages' first touch
    ///   (clearing them, and under a hypervisor backing them) is shared by the cores too.
    package static func uninitialized<Element, Failure: Error>(
        count: Int,
        preparesPages: Bool = true,
        _ fill: (UnsafeMutableBufferPointer<Element>) throws(Failure) -> Void
    ) throws(Failure) -> [Element] {
        // No storage for 0 elements: with no capacity the initializer writes the count into the
        // runtime's one shared empty array (a data race between threads, which the thread sanitizer
        // reports).
        guard count > 0 else {
            try fill(UnsafeMutableBufferPointer(start: nil, count: 0))
            return []
        }
        var failure: Failure?
        let values = [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            let slice = UnsafeMutableBufferPointer(rebasing: buffer[0..<count])
            if preparesPages { prepareForWriting(UnsafeMutableRawBufferPointer(slice)) }
            do throws(Failure) {
                try fill(slice)
                initialized = count
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return values
    }

    /// Reserves room for `capacity` elements in an empty `array` that will be appended to, with
    /// the advice of ``adviseHugePages(_:)`` over the new storage.
    package static func reserve<Element>(_ array: inout [Element], capacity: Int) {
        array.reserveCapacity(capacity)
        let bytes = array.capacity * MemoryLayout<Element>.stride
        guard array.isEmpty, bytes >= adviceThreshold else { return }
        array.withUnsafeMutableBufferPointer { buffer in
            // An empty array's buffer starts where its storage does; the advice only names the
            // storage's pages, it reads and writes nothing.
            guard let base = buffer.baseAddress else { return }
            adviseHugePages(UnsafeMutableRawBufferPointer(start: base, count: bytes))
        }
    }

    /// Before the first write of a buffer that will be written whole: huge pages as
    /// ``adviseHugePages(_:)`` gives them, then the page tables of its whole 4 KiB pages filled at once
    /// when it is at least ``populateThreshold`` bytes. A kernel that refuses (before Linux 5.14, or
    /// short of memory) leaves the pages to fault in as usual.
    package static func prepareForWriting(_ buffer: UnsafeMutableRawBufferPointer) {
        adviseHugePages(buffer)
        #if os(Linux)
        guard buffer.count >= populateThreshold, let base = buffer.baseAddress else { return }
        let page = UInt(4 << 10)
        let start = (UInt(bitPattern: base) + page - 1) & ~(page - 1)
        let end = (UInt(bitPattern: base) + UInt(buffer.count)) & ~(page - 1)
        guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(aligned, Int(end - start), MADV_POPULATE_WRITE)
        #endif
    }

    /// Advises huge pages for the whole 2 MiB pages inside `buffer` when it is at least
    /// ``adviceThreshold`` bytes; a refusal by the kernel is ignored (the advice is only a hint).
    package static func adviseHugePages(_ buffer: UnsafeMutableRawBufferPointer) {
        #if os(Linux)
        guard buffer.count >= adviceThreshold, let base = buffer.baseAddress else { return }
        let hugePage = 2 << 20
        let start = (UInt(bitPattern: base) + UInt(hugePage - 1)) & ~UInt(hugePage - 1)
        let end = (UInt(bitPattern: base) + UInt(buffer.count)) & ~UInt(hugePage - 1)
        guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(aligned, Int(end - start), MADV_HUGEPAGE)
        #endif
    }
}
