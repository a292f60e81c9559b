import Dispatch
package import ModelBundle

/// Reads a CSV file a window at a time, on two threads, instead of reading it whole first.
///
/// Why: a whole-file read puts the input in fresh memory, and on this class of machine the kernel
/// clearing those pages was the largest single cost of a large CSV predict (31 % of a 129 MB
/// request under `perf`) and most of its peak memory. Here each thread re-reads one window with
/// `pread`, so the input never takes more than two windows, and the parsed columns are the only
/// large allocation.
///
/// The parse is the same ``CSVReader/readRows(_:from:to:estimatingTo:reserving:builders:scratch:)``
/// the whole-body path runs, fed whole lines: a window is cut after its last line feed and the
/// rest carried into the next. Like the whole body's parallel halves, it declines rather than
/// judges: a quote (a quoted field may hold a line feed), a line longer than a window, a carriage
/// return alone as a line end, a short read, any error or halves of different column types return
/// `nil`, and the caller reads the file whole, whose parse gives the exact message. So the two
/// paths agree on every frame and every refusal.
extension CSVReader {
    /// The bytes each thread reads at a time: within the L2 cache, so the parse reads what `pread`
    /// has just written.
    package static let fileWindowBytes = 1 << 20

    /// A regular file of `size` bytes (its whole size, already judged against the request limit),
    /// parsed a window at a time; `nil` when the file is under `minimumBytes` (a small file is read
    /// whole: one read, one thread) or anything is unusual (see above).
    package func readFile(
        _ input: borrowing FileDescriptor,
        size: Int,
        windowBytes: Int = Self.fileWindowBytes,
        minimumBytes: Int = Self.parallelThreshold
    ) -> Frame? {
        guard size >= max(1, minimumBytes), size <= limits.maxBodyBytes, windowBytes >= 64 else { return nil }
        guard let head = FileWindows.head(input, size: size, windowBytes: windowBytes) else { return nil }
        let skip = head.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let header = head.withUnsafeBufferPointer { buffer -> (builders: [CodecColumnBuilder], next: Int)? in
            guard let base = buffer.baseAddress else { return nil }
            return try? readHeader(base + skip, count: buffer.count - skip)
        }
        // The header must end inside the first window (its end there is not the end of the file).
        guard let header, skip + header.next < head.count else { return nil }
        let dataStart = skip + header.next
        guard let split = lineStart(near: dataStart + (size - dataStart) / 2, in: input, size: size) else {
            return nil
        }
        var halfReader = self
        halfReader.refuseQuotes = true
        let reader = halfReader
        let halves = [
            CodecCSVHalf(builders: header.builders, start: dataStart, end: split),
            CodecCSVHalf(builders: header.builders, start: split, end: size),
        ]
        let descriptor = input.rawValue
        DispatchQueue.concurrentPerform(iterations: 2) { k in
            let half = halves[k]
            let input = FileDescriptor(borrowing: descriptor)
            // The first half reserves for the whole file, so the merge appends in place.
            if let rows = reader.readWindows(input, half: half, reserveTo: k == 0 ? size : half.end, windowBytes) {
                half.rows = rows
            } else {
                half.failed = true
            }
        }
        guard !halves[0].failed && !halves[1].failed else { return nil }
        let rows = halves[0].rows + halves[1].rows
        guard rows <= limits.maxRows, let merged = CodecParallelRows.merge(halves[0], halves[1]),
            let frame = try? Frame(columns: merged.map { $0.finishColumn() }, rowCount: rows),
            (try? refuseMissingBooleans(frame)) != nil
        else { return nil }  // the whole-body read reports it
        return frame
    }

    /// The offset just past the first line feed at or after `middle` (within 64 KiB), if any.
    private func lineStart(near middle: Int, in input: borrowing FileDescriptor, size: Int) -> Int? {
        FileWindows.probe(input, at: middle, count: min(1 << 16, size - middle)) { buffer in
            buffer.firstIndex(of: UInt8(ascii: "\n")).map { middle + $0 + 1 }
        }
    }

    /// Parses `half`'s bytes into its builders a window of whole lines at a time; the row count, or
    /// `nil` to decline.
    private func readWindows(
        _ input: borrowing FileDescriptor,
        half: CodecCSVHalf,
        reserveTo reserveEnd: Int,
        _ windowBytes: Int
    ) -> Int? {
        var scratch: [UInt8] = []
        var rows = 0
        let complete = FileWindows.read(
            input,
            from: half.start,
            to: half.end,
            windowBytes: windowBytes,
            cutAfter: UInt8(ascii: "\n")
        ) { window, count, fileOffset in
            do {
                rows += try readRows(
                    window,
                    from: 0,
                    to: count,
                    // In the window's coordinates: the bytes from its start to `reserveEnd`.
                    estimatingTo: reserveEnd - fileOffset,
                    reserving: rows == 0,
                    builders: &half.builders,
                    scratch: &scratch
                )
            } catch {
                return false
            }
            return rows <= limits.maxRows
        }
        return complete ? rows : nil
    }
}
