import ModelBundle

/// Scratch space for the numeric fast paths: a block of rows parsed straight into doubles, then
/// appended to the column builders in bulk (one `append(contentsOf:)` per column per block), so the
/// per-cell work is the number itself and one store, with no per-cell array growth or mask update.
///
/// Layout: `columnMajor` for a table (cell `c` of block row `r` at `c * rowsPerBlock + r`, one run per
/// column builder) or row-major for a tensor (at `r * columns + c`, one run for the single builder).
/// A row the fast path cannot read leaves the block as it was; the caller flushes and reads that row
/// on the general path, which decides it and reports errors exactly as before.
struct CodecDoubleBlock: ~Copyable {
    let columns: Int
    let rowsPerBlock: Int
    let columnMajor: Bool
    private let storage: UnsafeMutablePointer<Double>
    /// 1 for columns whose target is float32: their values must also fit a `Float`.
    private let floatFlags: UnsafeMutablePointer<UInt8>
    private let anyFloat: Bool
    private(set) var count = 0

    /// A block for `columns` cells per row (the caller bounds `columns` by the request limits).
    init(columns: Int, columnMajor: Bool, floatColumns: [Bool]) {
        self.columns = max(1, columns)
        self.columnMajor = columnMajor
        // About 64 KiB of doubles, at least one row.
        self.rowsPerBlock = max(1, min(256, 8192 / self.columns))
        storage = .allocate(capacity: self.columns * rowsPerBlock)
        floatFlags = .allocate(capacity: self.columns)
        var any = false
        for k in 0..<self.columns {
            let flag = k < floatColumns.count && floatColumns[k]
            floatFlags[k] = flag ? 1 : 0
            any = any || flag
        }
        anyFloat = any
    }

    deinit {
        storage.deallocate()
        floatFlags.deallocate()
    }

    /// Whether every builder takes plain doubles (typed double buffers not yet demoted to cells).
    static func accepts(_ builders: UnsafeMutableBufferPointer<CodecColumnBuilder>) -> Bool {
        builders.allSatisfy { $0.acceptsFastDoubles }
    }

    /// Rows wider than this (one huge tensor row, say) take the general path: the block's scratch
    /// stays small (at most 512 KiB) whatever the body holds.
    static func usable(columns: Int) -> Bool { columns > 0 && columns <= 1 << 16 }

    var isFull: Bool { count == rowsPerBlock }

    @inline(__always)
    private func slot(_ column: Int) -> UnsafeMutablePointer<Double> {
        columnMajor ? storage + (column * rowsPerBlock + count) : storage + (count * columns + column)
    }

    @inline(__always)
    private func fits(_ value: Double, column: Int) -> Bool {
        !anyFloat || floatFlags[column] == 0 || CodecColumnBuilder.fitsFloat(value)
    }

    /// One CSV line of exactly `columns` plain numbers; returns the index after its line end, or `nil`
    /// (nothing stored) when the line needs the general path.
    @inline(__always)
    mutating func csvRow(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        var i = start
        var column = 0
        while true {
            guard let (value, next) = NumberParser.fastDouble(p, i, end), fits(value, column: column) else {
                return nil
            }
            slot(column).pointee = value
            column += 1
            i = next
            if i < end {
                let b = p[i]
                if b == UInt8(ascii: ",") {
                    if column == columns { return nil }  // too many fields: the general path says so
                    i += 1
                    continue
                }
                guard b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") else { return nil }
            }
            guard column == columns else { return nil }  // missing fields are nulls: general path
            if i < end && p[i] == UInt8(ascii: "\r") { i += 1 }
            if i < end && p[i] == UInt8(ascii: "\n") { i += 1 }
            count += 1
            return i
        }
    }

    /// One JSON list of exactly `columns` plain numbers starting at its `[`; returns the index after
    /// its `]`, or `nil` (nothing stored) when the row needs the general path.
    @inline(__always)
    mutating func jsonRow(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        guard start < end, p[start] == UInt8(ascii: "[") else { return nil }
        var i = start + 1
        var column = 0
        while true {
            while i < end && CodecParallelRows.isSpace(p[i]) { i += 1 }
            guard column < columns, let (value, next) = NumberParser.fastDouble(p, i, end),
                fits(value, column: column)
            else { return nil }
            slot(column).pointee = value
            column += 1
            i = next
            while i < end && CodecParallelRows.isSpace(p[i]) { i += 1 }
            guard i < end else { return nil }
            if p[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard p[i] == UInt8(ascii: "]"), column == columns else { return nil }
            count += 1
            return i + 1
        }
    }

    /// Appends the block's rows to the builders and empties it.
    mutating func flush(into builders: UnsafeMutableBufferPointer<CodecColumnBuilder>) {
        guard count > 0 else { return }
        if columnMajor {
            for k in 0..<min(columns, builders.count) {
                builders[k].appendDoubles(UnsafeBufferPointer(start: storage + k * rowsPerBlock, count: count))
            }
        } else if !builders.isEmpty {
            builders[0].appendDoubles(UnsafeBufferPointer(start: storage, count: count * columns))
        }
        count = 0
    }
}
