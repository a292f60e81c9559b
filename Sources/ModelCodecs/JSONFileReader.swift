import Dispatch
package import ModelBundle

/// Reads a `dataframe_split` JSON file of numeric rows a window at a time, on two threads, instead
/// of reading it whole first (why: see ``CSVReader/readFile(_:size:windowBytes:minimumBytes:)``).
///
/// It takes one shape only, the one large requests have (what `mlflow models predict` and pandas'
/// `to_json(orient="split")` write): `{"dataframe_split": {"columns": [...], "data": [ROWS]}}`, white
/// space anywhere, the columns before the data, nothing else in the document, and rows of numbers,
/// `null`, `true` or `false`. The head is read with the same envelope reader as a body, the tail is
/// checked byte by byte, and the rows between go through the rows reader of the body's two-thread
/// parse, ``CodecParallelRows``, fed whole rows: a window is cut after its last `]` (with no quote
/// and no `{` in the rows, every `]` ends a row; a nested list makes a column the as-written kind,
/// which declines below) and closed with a `]` of its own.
///
/// Like the CSV windows it declines rather than judges: any other shape, a quote or `{` among the
/// rows, a schema column of text, binary, date-time or nested values, a row longer than a window,
/// a short read, an error, halves of different column types all return `nil`, and the caller reads
/// the file whole, whose decoder gives the exact frame or message. So both paths agree on all.
extension RequestDecoder {
    /// A regular file of `size` bytes (already judged against the request limit), or `nil` (above).
    package func readJSONFile(
        _ input: borrowing FileDescriptor,
        size: Int,
        windowBytes: Int = CSVReader.fileWindowBytes,
        minimumBytes: Int = CodecParallelRows.threshold
    ) -> DecodedRequest? {
        guard size >= max(1, minimumBytes), size <= limits.maxBodyBytes, windowBytes >= 64, limits.maxDepth >= 4
        else { return nil }
        guard let head = FileWindows.head(input, size: size, windowBytes: windowBytes),
            let (columns, rowsStart) = envelopeHead(head), rowsStart < size,
            let dataEnd = dataEnd(input, size: size, after: rowsStart)
        else { return nil }
        let builders = columns.enumerated().map {
            CodecColumnBuilder(name: $0.element, target: target(column: $0.element, position: $0.offset))
        }
        guard !builders.isEmpty, builders.allSatisfy({ Self.windowable($0.target) }) else { return nil }
        // Two halves split at a row boundary near the middle; one thread each.
        guard let (firstEnd, secondStart) = rowBoundary(near: rowsStart + (dataEnd - rowsStart) / 2, input, dataEnd)
        else { return nil }
        let halves = [
            CodecParallelRows.Half(builders: builders), CodecParallelRows.Half(builders: builders),
        ]
        let ranges = [(rowsStart, firstEnd), (secondStart, dataEnd)]
        let descriptor = input.rawValue
        let maxDepth = limits.maxDepth
        DispatchQueue.concurrentPerform(iterations: 2) { k in
            let input = FileDescriptor(borrowing: descriptor)
            // The first half reserves for all the rows, so the merge appends in place.
            halves[k].ok = Self.readRowWindows(
                input,
                half: halves[k],
                from: ranges[k].0,
                to: ranges[k].1,
                reserveTo: k == 0 ? dataEnd : ranges[k].1,
                windowBytes: windowBytes,
                maxDepth: maxDepth
            )
        }
        guard halves[0].ok, halves[1].ok else { return nil }
        let rows = halves[0].rows + halves[1].rows
        guard rows <= limits.maxRows, let merged = CodecParallelRows.merge(halves[0], halves[1]),
            let frame = try? Frame(columns: merged.map { $0.finishColumn() }, rowCount: rows)
        else { return nil }
        return DecodedRequest(field: "dataframe_split", input: .frame(frame))
    }

    /// Targets a row of numbers, `null`, `true` or `false` may fill (the rows hold no quotes).
    private static func windowable(_ target: CodecTarget) -> Bool {
        switch target {
        case .double, .float, .long, .integer, .boolean, .infer: true
        case .string, .binary, .datetime, .nested: false
        }
    }

    /// `{"dataframe_split": {"columns": [...], "data": [` in the first window: the column names and
    /// the offset of the first row's `[`.
    private func envelopeHead(_ head: [UInt8]) -> ([String], Int)? {
        head.withUnsafeBufferPointer { buffer -> ([String], Int)? in
            guard let base = buffer.baseAddress else { return nil }
            let skip = buffer.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            var r = CodecJSONReader(base + skip, count: buffer.count - skip, maxDepth: limits.maxDepth)
            // Number labels are left to the whole-body decoder, which marks the columns unnamed.
            var numberLabels = false
            func key(_ name: String) -> Bool {
                guard r.peek() == UInt8(ascii: "\""), (try? r.readString()) == name else { return false }
                return r.consume(UInt8(ascii: ":"))
            }
            guard r.consume(UInt8(ascii: "{")), key("dataframe_split"), r.consume(UInt8(ascii: "{")), key("columns"),
                let columns = try? readColumnNames(&r, numberLabels: &numberLabels), !numberLabels,
                r.consume(UInt8(ascii: ",")), key("data"),
                r.consume(UInt8(ascii: "[")), r.peek() == UInt8(ascii: "[")
            else { return nil }
            return (columns, skip + r.i)
        }
    }

    /// The offset of the `]` closing `data`, when the document ends `]}}` (white space allowed).
    private func dataEnd(_ input: borrowing FileDescriptor, size: Int, after start: Int) -> Int? {
        let count = min(4096, size - start)
        return FileWindows.probe(input, at: size - count, count: count) { buffer in
            var k = count
            for expected in [UInt8(ascii: "}"), UInt8(ascii: "}"), UInt8(ascii: "]")] {
                while k > 0 && CodecParallelRows.isSpace(buffer[k - 1]) { k -= 1 }
                guard k > 0, buffer[k - 1] == expected else { return nil }
                k -= 1
            }
            return size - count + k
        }
    }

    /// A `]` `,` `[` (white space allowed) at or after `middle`, within 64 KiB: the offset after the
    /// `]` and the offset of the `[`.
    private func rowBoundary(near middle: Int, _ input: borrowing FileDescriptor, _ end: Int) -> (Int, Int)? {
        let count = min(1 << 16, end - middle)
        return FileWindows.probe(input, at: middle, count: count) { buffer in
            for k in 0..<count where buffer[k] == UInt8(ascii: "]") {
                var j = k + 1
                while j < count && CodecParallelRows.isSpace(buffer[j]) { j += 1 }
                guard j < count, buffer[j] == UInt8(ascii: ",") else { continue }
                j += 1
                while j < count && CodecParallelRows.isSpace(buffer[j]) { j += 1 }
                if j < count && buffer[j] == UInt8(ascii: "[") { return (middle + k + 1, middle + j) }
            }
            return nil
        }
    }

    /// Parses the rows in `start..<end` (the first row's `[` to the last row's `]`) into `half` a
    /// window of whole rows at a time; `false` to decline.
    private static func readRowWindows(
        _ input: borrowing FileDescriptor,
        half: CodecParallelRows.Half,
        from start: Int,
        to end: Int,
        reserveTo reserveEnd: Int,
        windowBytes: Int,
        maxDepth: Int
    ) -> Bool {
        let complete = FileWindows.read(
            input,
            from: start,
            to: end,
            windowBytes: windowBytes,
            spare: 1,  // room for the `]` that closes each window's list of rows
            cutAfter: UInt8(ascii: "]"),
            refusing: [UInt8(ascii: "\""), UInt8(ascii: "{")]
        ) { window, count, fileOffset in
            // Between windows: the `,` (and white space) that separated the cut rows.
            var first = 0
            if half.rows > 0 {
                while first < count && CodecParallelRows.isSpace(window[first]) { first += 1 }
                guard first < count, window[first] == UInt8(ascii: ",") else { return false }
                first += 1
            }
            let saved = window[count]
            window[count] = UInt8(ascii: "]")
            defer { window[count] = saved }
            var r = CodecJSONReader(window, count: count + 1, maxDepth: maxDepth)
            r.depth = 3  // inside the document, `dataframe_split` and `data`
            r.i = first
            _ = r.peek()
            if half.rows == 0 { half.estimateEnd = reserveEnd - fileOffset }
            half.ok = false
            do {
                try CodecParallelRows.readRows(&r, half: half, single: false, stopAt: nil)
            } catch {
                return false
            }
            // Every row of the window read, up to the closing `]` this window was given.
            return half.ok && half.end == count + 1
        }
        return complete && half.rows > 0
    }
}
