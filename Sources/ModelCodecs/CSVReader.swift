import Dispatch
package import ModelBundle
import SystemPlatform

/// One half of a body parsed on its own thread (each thread touches only its own half).
final class CodecCSVHalf: MergeHalf, @unchecked Sendable {
    var builders: [CodecColumnBuilder]
    let start: Int
    let end: Int
    var rows = 0
    var failed = false

    init(builders: [CodecColumnBuilder], start: Int, end: Int) {
        self.builders = builders
        self.start = start
        self.end = end
    }
}

/// Reads CSV with a header row (RFC 4180: quoted fields, `""` inside quotes, CRLF or LF line ends)
/// into a ``Frame``, parsed with the schema as MLflow's server does (`pd.read_csv(dtype=…)`).
///
/// Numeric fields go straight from the bytes into the column's typed buffer (the fast path); other
/// fields become strings, booleans or nulls. An empty field is null. Unlike pandas, text such as
/// `NA` or `null` is not turned into null, and surrounding spaces are not trimmed: such a field in
/// a numeric column is kept as text, for schema enforcement to refuse by row and value.
package struct CSVReader: Sendable {
    package var schema: RequestSchema?
    package var limits: RequestDecoder.Limits
    /// Set for the halves of a parallel parse: a quoted field may hold a line break, so the split
    /// could fall inside one; a half that meets any quote fails, and the body is read sequentially.
    var refuseQuotes = false
    /// The number of data rows before this body's first (a batch of a stream): messages and
    /// locations count rows, and lines, from the start of the whole input.
    package var rowOffset = 0

    package init(schema: RequestSchema? = nil, limits: RequestDecoder.Limits = RequestDecoder.Limits()) {
        self.schema = schema
        self.limits = limits
    }

    /// Reads a whole CSV body.
    /// - Throws: ``ModelBundleError/Code/inputInvalid`` naming the row (and column) of malformed CSV.
    package func read(_ body: [UInt8]) throws(ModelBundleError) -> Frame {
        guard body.count <= limits.maxBodyBytes else {
            throw ModelBundleError(
                .inputInvalid,
                "The CSV body is larger than the limit of \(limits.maxBodyBytes) bytes."
            )
        }
        try RequestDecoder.checkCharset(body)
        return try body.withUnsafeBufferPointer { buffer in
            Result { () throws(ModelBundleError) -> Frame in
                guard let base = buffer.baseAddress else { throw Self.emptyError() }
                let skip = buffer.count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF ? 3 : 0
                return try read(base + skip, count: buffer.count - skip)
            }
        }.get()
    }

    static func emptyError() -> ModelBundleError {
        ModelBundleError(.inputInvalid, "Failed to parse input as a Pandas DataFrame: the CSV has no header row.")
    }

    private static let comma = UInt8(ascii: ",")
    private static let quote = UInt8(ascii: "\"")
    private static let lf = UInt8(ascii: "\n")
    private static let cr = UInt8(ascii: "\r")

    func read(_ p: UnsafePointer<UInt8>, count end: Int) throws(ModelBundleError) -> Frame {
        var (builders, i) = try readHeader(p, count: end)
        // Large bodies split at a line end near the middle: parse two halves on two threads (a half
        // that meets a quote fails, since a quoted field may hold the line break the split chose).
        // Any failure or type disagreement between the halves falls back to the sequential parse,
        // which reports the exact row.
        if end - i >= Self.parallelThreshold, let frame = readParallel(p, from: i, to: end, builders: builders) {
            try refuseMissingBooleans(frame)
            return frame
        }
        var scratch: [UInt8] = []
        let rows = try readRows(p, from: i, to: end, builders: &builders, scratch: &scratch)
        let frame = try Frame(columns: builders.map { $0.finishColumn() }, rowCount: rows)
        try refuseMissingBooleans(frame)
        return frame
    }

    /// MLflow reads CSV with `pd.read_csv(dtype=…)` from the schema, and pandas refuses an empty
    /// field in a `bool` column ("Bool column has NA values"): the request fails before the model
    /// runs. JSON is different (a null there reaches the model as False; `SchemaEnforcer`).
    func refuseMissingBooleans(_ frame: Frame) throws(ModelBundleError) {
        guard let schema else { return }  // without one, pandas makes such a column `object`
        for (position, column) in frame.columns.enumerated() where column.validity.hasNulls {
            guard schema.columnTarget(name: column.name, position: position) == .boolean,
                let row = (0..<column.count).first(where: { !column.validity.isValid($0) })
            else { continue }
            throw ModelBundleError(
                .inputInvalid,
                "Column '\(column.name)' row \(row + rowOffset): an empty field in a boolean column; pandas' "
                    + "read_csv refuses it (Bool column has NA values), and so does MLflow. Write True or False.",
                item: column.name,
                location: .init(column: column.name, row: row + rowOffset)
            )
        }
    }

    /// The header row (after any blank lines): one empty builder per column, typed by the schema,
    /// and the index of the first data row.
    func readHeader(_ p: UnsafePointer<UInt8>, count end: Int) throws(ModelBundleError)
        -> (builders: [CodecColumnBuilder], next: Int)
    {
        var i = 0
        // Blank lines before the header are skipped, as pandas does.
        while i < end && (p[i] == Self.lf || p[i] == Self.cr) { i += 1 }
        guard i < end else { throw Self.emptyError() }
        var names: [String] = []
        var scratch: [UInt8] = []
        while true {
            let (field, next) = try readField(p, i, end, row: -1, scratch: &scratch)
            let name = try withField(field, p, scratch) { (bytes) throws(ModelBundleError) -> String in
                guard let bytes else { return "" }
                return try text(bytes, row: -1, item: "header")
            }
            names.append(name.isEmpty ? "Unnamed: \(names.count)" : name)
            guard names.count <= limits.maxColumns else {
                throw ModelBundleError(
                    .inputInvalid,
                    "The CSV header has more than \(limits.maxColumns) columns.",
                    item: "header"
                )
            }
            i = next
            if i < end && p[i] == Self.comma {
                i += 1
                continue
            }
            i = skipLineEnd(p, i, end)
            break
        }
        let builders = names.enumerated().map { position, name in
            CodecColumnBuilder(
                name: name,
                target: schema?.columnTarget(name: name, position: position) ?? .infer,
                rowOffset: rowOffset
            )
        }
        return (builders, i)
    }

    static let parallelThreshold = 1 << 20

    private func readParallel(
        _ p: UnsafePointer<UInt8>,
        from start: Int,
        to end: Int,
        builders fresh: [CodecColumnBuilder]
    ) -> Frame? {
        var split = start + (end - start) / 2
        while split < end && p[split] != Self.lf { split += 1 }
        if split < end { split += 1 }
        let halves = [
            CodecCSVHalf(builders: fresh, start: start, end: split),
            CodecCSVHalf(builders: fresh, start: split, end: end),
        ]
        var halfReader = self
        halfReader.refuseQuotes = true
        let reader = halfReader
        let base = UInt(bitPattern: p)
        DispatchQueue.concurrentPerform(iterations: 2) { k in
            let half = halves[k]
            guard let q = UnsafePointer<UInt8>(bitPattern: base) else { return }
            var scratch: [UInt8] = []
            do {
                // The first half reserves for the whole body, so appending the second half's rows to
                // it does not reallocate (and copy) the first half's buffers.
                half.rows = try reader.readRows(
                    q,
                    from: half.start,
                    to: half.end,
                    estimatingTo: end,
                    builders: &half.builders,
                    scratch: &scratch
                )
            } catch {
                half.failed = true
            }
        }
        guard !halves[0].failed && !halves[1].failed else { return nil }
        let rows = halves[0].rows + halves[1].rows
        guard let merged = CodecParallelRows.merge(halves[0], halves[1]) else { return nil }
        guard rows <= limits.maxRows else { return nil }
        return try? Frame(columns: merged.map { $0.finishColumn() }, rowCount: rows)
    }

    /// Reads rows from `start` to `end`; returns how many.
    func readRows(
        _ p: UnsafePointer<UInt8>,
        from start: Int,
        to end: Int,
        estimatingTo estimateEnd: Int? = nil,
        reserving: Bool = true,
        builders: inout [CodecColumnBuilder],
        scratch: inout [UInt8]
    ) throws(ModelBundleError) -> Int {
        // Address the builders through one buffer pointer: no per-cell uniqueness check of the array.
        try builders.withUnsafeMutableBufferPointer { builders in
            Result { () throws(ModelBundleError) -> Int in
                try readRows(
                    p,
                    from: start,
                    to: end,
                    estimateEnd: estimateEnd ?? end,
                    reserving: reserving,
                    builders: builders,
                    scratch: &scratch
                )
            }
        }.get()
    }

    private func readRows(
        _ p: UnsafePointer<UInt8>,
        from start: Int,
        to end: Int,
        estimateEnd: Int,
        reserving: Bool,
        builders: UnsafeMutableBufferPointer<CodecColumnBuilder>,
        scratch: inout [UInt8]
    ) throws(ModelBundleError) -> Int {
        var i = start
        let columnCount = builders.count
        var row = 0
        var reserved = !reserving
        // Numeric tables: whole lines of plain numbers go through the block (see CodecDoubleBlock);
        // any other line is read by the general loop below, one line at a time.
        var block = CodecDoubleBlock(
            columns: columnCount,
            columnMajor: true,
            floatColumns: builders.map { $0.target == .float }
        )
        var fast = CodecDoubleBlock.usable(columns: columnCount) && CodecDoubleBlock.accepts(builders)
        while i < end {
            if fast {
                while i < end, let next = block.csvRow(p, i, end) {
                    i = next
                    row += 1
                    guard row <= limits.maxRows else { throw tooManyRows(row) }
                    if block.isFull {
                        block.flush(into: builders)
                        if !reserved {
                            reserved = true
                            reserve(builders, rows: row, consumed: i - start, remaining: estimateEnd - i)
                        }
                    }
                }
                block.flush(into: builders)
                guard i < end else { break }
            }
            if p[i] == Self.lf || p[i] == Self.cr {  // blank line
                i = skipLineEnd(p, i, end)
                continue
            }
            let rowStart = i
            var column = 0
            while true {
                guard column < columnCount else {
                    throw ModelBundleError(
                        .inputInvalid,
                        "Failed to parse input as a Pandas DataFrame. Error: Expected \(columnCount) fields in "
                            + "line \(absolute(row) + 2), saw more.",
                        item: "row \(absolute(row))",
                        location: .init(row: absolute(row))
                    )
                }
                i = try readCell(p, i, end, row: row, builder: &builders[column], scratch: &scratch)
                column += 1
                if i < end && p[i] == Self.comma {
                    i += 1
                    continue
                }
                i = skipLineEnd(p, i, end)
                break
            }
            // Missing trailing fields are nulls (pandas fills them with NaN).
            while column < columnCount {
                builders[column].appendNull()
                column += 1
            }
            row += 1
            if !reserved {
                reserved = true
                reserve(builders, rows: row, consumed: i - rowStart, remaining: estimateEnd - i)
            }
            guard row <= limits.maxRows else { throw tooManyRows(row) }
            fast = fast && CodecDoubleBlock.accepts(builders)
        }
        return row
    }

    private func tooManyRows(_ row: Int) -> ModelBundleError {
        ModelBundleError(
            .inputInvalid,
            "The CSV has more than \(limits.maxRows) rows; send smaller batches.",
            item: "row \(absolute(row - 1))",
            location: .init(row: absolute(row - 1))
        )
    }

    /// Reserves the numeric buffers from the rows read so far (the estimate is bounded by the body).
    private func reserve(
        _ builders: UnsafeMutableBufferPointer<CodecColumnBuilder>,
        rows: Int,
        consumed: Int,
        remaining: Int
    ) {
        let estimate = remaining / max(1, consumed / max(1, rows)) + 1
        for k in builders.indices { builders[k].reserve(min(estimate, limits.maxRows)) }
    }

    @inline(__always)
    private func skipLineEnd(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Int {
        var i = i
        if i < end && p[i] == Self.cr { i += 1 }
        if i < end && p[i] == Self.lf { i += 1 }
        return i
    }

    private func malformed(_ what: String, row: Int) -> ModelBundleError {
        ModelBundleError(
            .inputInvalid,
            "Failed to parse input as a Pandas DataFrame. Error: \(what) in line \(absolute(row) + 2).",
            item: row < 0 ? "header" : "row \(absolute(row))",
            location: row < 0 ? .init(field: "header") : .init(row: absolute(row))
        )
    }

    /// `row` counted from the start of the whole input (the header, -1, stays the header).
    private func absolute(_ row: Int) -> Int {
        row < 0 ? row : row + rowOffset
    }

    /// Where a field's bytes are: nowhere (empty, unquoted), in the body, or unescaped into `scratch`.
    enum FieldBytes {
        case empty
        case body(start: Int, count: Int)
        case scratch
    }

    /// Calls `body` with the field's bytes (`nil` for an empty unquoted field).
    private func withField<R>(
        _ field: FieldBytes,
        _ p: UnsafePointer<UInt8>,
        _ scratch: [UInt8],
        _ body: (UnsafeBufferPointer<UInt8>?) throws(ModelBundleError) -> R
    ) throws(ModelBundleError) -> R {
        switch field {
        case .empty: return try body(nil)
        case .body(let start, let count): return try body(UnsafeBufferPointer(start: p + start, count: count))
        case .scratch:
            return try scratch.withUnsafeBufferPointer { field in
                Result { () throws(ModelBundleError) -> R in try body(field) }
            }.get()
        }
    }

    /// One field's location and the index after it (at a comma, a line end or the end).
    private func readField(
        _ p: UnsafePointer<UInt8>,
        _ start: Int,
        _ end: Int,
        row: Int,
        scratch: inout [UInt8]
    ) throws(ModelBundleError) -> (FieldBytes, Int) {
        var i = start
        if i < end && p[i] == Self.quote {
            if refuseQuotes { throw malformed("a quoted field in a parallel half", row: row) }
            i += 1
            scratch.removeAll(keepingCapacity: true)
            while true {
                guard i < end else { throw malformed("unterminated quoted field", row: row) }
                let b = p[i]
                i += 1
                if b == Self.quote {
                    if i < end && p[i] == Self.quote {
                        scratch.append(Self.quote)
                        i += 1
                        continue
                    }
                    break
                }
                scratch.append(b)
            }
            guard i == end || p[i] == Self.comma || p[i] == Self.lf || p[i] == Self.cr else {
                throw malformed("unexpected text after a closing quote", row: row)
            }
            return (.scratch, i)
        }
        while i < end {
            let b = p[i]
            if b == Self.comma || b == Self.lf || b == Self.cr { break }
            if b == Self.quote { throw malformed("a quote inside an unquoted field", row: row) }
            i += 1
        }
        if i == start { return (.empty, i) }
        return (.body(start: start, count: i - start), i)
    }

    private func text(_ bytes: UnsafeBufferPointer<UInt8>, row: Int, item: String) throws(ModelBundleError) -> String {
        // ASCII needs no validation: `String(validating:as:)` is generic over the encoding and, not
        // specialized here, looked up type metadata for every cell (8% of a 200,000-row CSV of
        // string columns under perf).
        var bits: UInt8 = 0
        for byte in bytes { bits |= byte }
        if bits < 0x80 { return String(decoding: bytes, as: UTF8.self) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ModelBundleError(
                .inputInvalid,
                "The CSV is not valid UTF-8 in line \(absolute(row) + 2), column '\(item)'; send UTF-8 text.",
                item: item,
                location: .init(column: item, row: row < 0 ? nil : absolute(row))
            )
        }
        return text
    }

    @inline(__always)
    private func readCell(
        _ p: UnsafePointer<UInt8>,
        _ start: Int,
        _ end: Int,
        row: Int,
        builder: inout CodecColumnBuilder,
        scratch: inout [UInt8]
    ) throws(ModelBundleError) -> Int {
        let target = builder.target
        let numeric = target == .double || target == .float || target == .long || target == .integer || target == .infer
        if numeric && start < end && p[start] != Self.quote {
            // Fast path: a number ending exactly at the field's end goes straight into the buffer.
            if let number = NumberParser.scan(p, from: start, to: end, grammar: .csv) {
                let next = number.end
                if next == end || p[next] == Self.comma || p[next] == Self.lf || p[next] == Self.cr {
                    if builder.appendFractionalFast(number) { return next }
                    try builder.appendNumber(
                        number,
                        text: String(
                            decoding: UnsafeBufferPointer(start: p + start, count: next - start),
                            as: UTF8.self
                        )
                    )
                    return next
                }
            }
        }
        let (location, next) = try readField(p, start, end, row: row, scratch: &scratch)
        try withField(location, p, scratch) { (bytes) throws(ModelBundleError) in
            guard let field = bytes, let base = field.baseAddress, !field.isEmpty else {
                builder.appendNull()  // empty fields, quoted or not, are null (pandas' default)
                return
            }
            switch target {
            case .string, .binary, .datetime:
                try builder.appendString(try text(field, row: row, item: builder.name))
            case .nested:
                try builder.appendNested(try text(field, row: row, item: builder.name))
            default:
                if let number = NumberParser.scan(base, from: 0, to: field.count, grammar: .csv),
                    number.end == field.count
                {
                    try builder.appendNumber(number, text: String(decoding: field, as: UTF8.self))
                } else if let flag = Self.boolean(field) {
                    try builder.appendBool(flag)
                } else {
                    try builder.appendString(try text(field, row: row, item: builder.name))
                }
            }
        }
        return next
    }

    /// pandas' boolean spellings.
    private static func boolean(_ field: UnsafeBufferPointer<UInt8>) -> Bool? {
        switch String(decoding: field, as: UTF8.self) {
        case "True", "true", "TRUE": true
        case "False", "false", "FALSE": false
        default: nil
        }
    }
}
