import Dispatch
import ModelBundle

/// Two-thread parsing of a large 2-D JSON list (`dataframe_split.data`, or `inputs` as a matrix).
///
/// The body is split speculatively at a `],[` near its middle. The first thread parses rows from
/// the start and must arrive exactly at that split on a row boundary; that check proves the split is a
/// real row boundary of the same list (not text inside a string, nor another field), so the second
/// thread's rows, parsed from the split to the list's closing `]`, are the rest of the list. If the
/// check fails, or anything is unusual (errors, ragged rows, halves with different column types),
/// the caller parses sequentially, which also produces the exact error message.
/// One half of a two-thread parse: its column builders (read by the merge from another thread).
protocol MergeHalf: AnyObject, Sendable {
    var builders: [CodecColumnBuilder] { get set }
}

enum CodecParallelRows {
    static let threshold = 1 << 20

    final class Half: MergeHalf, @unchecked Sendable {
        var builders: [CodecColumnBuilder]
        var rows = 0
        var width = -1
        var end = 0
        var ok = false
        /// Where the reservation estimate ends, in the reader's coordinates, when rows continue past
        /// the reader's end (a file read by windows); the reader's end otherwise.
        var estimateEnd: Int?

        init(builders: [CodecColumnBuilder]) { self.builders = builders }
    }

    /// `reader.i` is at the first row's `[`. With `single`, every cell goes to `builders[0]` and rows
    /// must share one width; otherwise cell k goes to `builders[k]` and rows have `builders.count` cells.
    /// Returns the merged builders, the row count, the row width and the index after the closing `]`.
    static func read(
        _ reader: CodecJSONReader,
        builders: [CodecColumnBuilder],
        single: Bool
    ) -> (builders: [CodecColumnBuilder], rows: Int, width: Int, end: Int)? {
        let start = reader.i
        guard reader.end - start >= threshold, reader.p[start] == UInt8(ascii: "[") else { return nil }
        // Find `]`, `,`, `[` (whitespace allowed) after the middle.
        var k = start + (reader.end - start) / 2
        var split = -1
        let limit = min(reader.end, k + (1 << 20))
        while k < limit {
            if reader.p[k] == UInt8(ascii: "]") {
                var j = k + 1
                while j < limit, isSpace(reader.p[j]) { j += 1 }
                if j < limit, reader.p[j] == UInt8(ascii: ",") {
                    j += 1
                    while j < limit, isSpace(reader.p[j]) { j += 1 }
                    if j < limit, reader.p[j] == UInt8(ascii: "[") {
                        split = j
                        break
                    }
                }
            }
            k += 1
        }
        guard split > start else { return nil }
        let splitAt = split
        let halves = [Half(builders: builders), Half(builders: builders)]
        let base = UInt(bitPattern: reader.p)
        let count = reader.end
        let maxDepth = reader.maxDepth
        let depth = reader.depth
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            guard let p = UnsafePointer<UInt8>(bitPattern: base) else { return }
            var r = CodecJSONReader(p, count: count, maxDepth: maxDepth)
            r.depth = depth
            r.i = index == 0 ? start : splitAt
            let half = halves[index]
            do {
                try readRows(&r, half: half, single: single, stopAt: index == 0 ? splitAt : nil)
            } catch {
                half.ok = false
            }
        }
        let first = halves[0]
        let second = halves[1]
        guard first.ok, second.ok, !single || first.width == second.width else { return nil }
        guard let merged = merge(first, second) else { return nil }
        return (merged, first.rows + second.rows, first.width, second.end)
    }

    /// Appends the second half's cells to the first's, column by column (columns split between two
    /// threads); `nil` when a column's halves hold different buffer types. Takes the builders out of
    /// `first` so that each column buffer is uniquely referenced and grows in place, inside the
    /// capacity the first half reserved for the whole body, instead of being copied; each column of
    /// `second` is emptied once appended, so the peak holds one column twice, not the whole table.
    static func merge(_ first: some MergeHalf, _ second: some MergeHalf) -> [CodecColumnBuilder]? {
        var merged = first.builders
        first.builders = []
        let count = merged.count
        guard count == second.builders.count else { return nil }
        if count == 1 {
            return merged[0].append(taking: &second.builders[0]) ? merged : nil
        }
        let outcome = MergeOutcome()
        merged.withUnsafeMutableBufferPointer { buffer in
            second.builders.withUnsafeMutableBufferPointer { secondBuffer in
                let base = UInt(bitPattern: buffer.baseAddress)
                let secondBase = UInt(bitPattern: secondBuffer.baseAddress)
                DispatchQueue.concurrentPerform(iterations: 2) { part in
                    // Each thread touches only its own columns (even or odd): no element is shared.
                    guard let columns = UnsafeMutablePointer<CodecColumnBuilder>(bitPattern: base),
                        let seconds = UnsafeMutablePointer<CodecColumnBuilder>(bitPattern: secondBase)
                    else { return }
                    var ok = true
                    var k = part
                    while k < count {
                        ok = columns[k].append(taking: &seconds[k]) && ok
                        k += 2
                    }
                    if part == 0 { outcome.even = ok } else { outcome.odd = ok }
                }
            }
        }
        return outcome.even && outcome.odd ? merged : nil
    }

    final class MergeOutcome: @unchecked Sendable {
        var even = false
        var odd = false
    }

    @inline(__always)
    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

    static func readRows(_ r: inout CodecJSONReader, half: Half, single: Bool, stopAt: Int?)
        throws(ModelBundleError)
    {
        let width = single ? -1 : half.builders.count
        var rowWidth = width
        // Rows of plain numbers go through a block straight into doubles (see CodecDoubleBlock) once the
        // row width is known; any other row takes the general loop below. Rows enter one nesting level.
        var block: CodecDoubleBlock?
        let nestingAllowed = r.depth + 1 <= r.maxDepth
        func makeBlock() {
            let fast = half.builders.withUnsafeMutableBufferPointer { CodecDoubleBlock.accepts($0) }
            guard fast, nestingAllowed, CodecDoubleBlock.usable(columns: rowWidth), block == nil else { return }
            let floats =
                single
                ? [Bool](repeating: half.builders[0].target == .float, count: rowWidth)
                : half.builders.map { $0.target == .float }
            block = CodecDoubleBlock(columns: rowWidth, columnMajor: !single, floatColumns: floats)
        }
        func flush() {
            guard block != nil else { return }
            half.builders.withUnsafeMutableBufferPointer { builders in block?.flush(into: builders) }
        }
        defer { flush() }
        makeBlock()
        while true {
            if let stopAt {
                if r.i == stopAt {
                    half.ok = true
                    return
                }
                if r.i > stopAt { return }
            }
            let rowStart = r.i
            if block != nil, let next = block?.jsonRow(r.p, r.i, r.end) {
                r.i = next
                if block?.isFull == true { flush() }
            } else {
                flush()
                guard r.consume(UInt8(ascii: "[")) else { return }
                try r.enter()
                var column = 0
                if !r.consume(UInt8(ascii: "]")) {
                    repeat {
                        if single {
                            if r.peek() == UInt8(ascii: "[") { return }  // deeper than 2-D
                            try r.readCell(into: &half.builders[0])
                        } else {
                            guard column < half.builders.count else { return }
                            try r.readCell(into: &half.builders[column])
                        }
                        column += 1
                    } while try r.nextElement(close: UInt8(ascii: "]"))
                }
                r.leave()
                if rowWidth < 0 { rowWidth = column }
                guard column == rowWidth, column > 0 else { return }
                // A general row may have demoted a builder (then the block stays off) or fixed the width.
                if block != nil && !half.builders.withUnsafeMutableBufferPointer({ CodecDoubleBlock.accepts($0) }) {
                    block = nil
                } else {
                    makeBlock()
                }
            }
            if half.rows == 0 {
                let estimate = max(0, (half.estimateEnd ?? r.end) - r.i) / max(1, r.i - rowStart) + 1
                for index in half.builders.indices {
                    half.builders[index].reserve(single ? estimate * rowWidth : estimate)
                }
            }
            half.rows += 1
            half.width = rowWidth
            let b = r.peek()
            if b == UInt8(ascii: ",") {
                r.i += 1
                _ = r.peek()
                continue
            }
            if b == UInt8(ascii: "]") && stopAt == nil {
                r.i += 1
                half.end = r.i
                half.ok = true
            }
            return
        }
    }
}
