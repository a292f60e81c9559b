public import ModelBundle
internal import SystemPlatform

/// One batch of a stream: a request body holding whole records, and where its rows sit in the
/// whole input, as numbers.
public struct RecordBatch: Sendable, Hashable {
    /// The request body of this batch alone: CSV (the header, then the batch's rows) or a JSON
    /// `{"dataframe_records": […]}` envelope of the batch's JSON Lines records.
    public var body: [UInt8]
    /// The body's format.
    public var format: RequestFormat
    /// The 0-based row, in the whole input, of the batch's first row.
    public var firstRow: Int
    /// How many rows the batch holds (blank lines are not rows).
    public var rowCount: Int

    /// A batch of `rowCount` rows starting at row `firstRow` of the input.
    public init(body: [UInt8], format: RequestFormat, firstRow: Int, rowCount: Int) {
        self.body = body
        self.format = format
        self.firstRow = firstRow
        self.rowCount = rowCount
    }
}

/// Cuts a stream of CSV (a header row, then rows; a quoted field may span lines) or JSON Lines (one
/// record object per line) into ``RecordBatch``es of at most `maxRows` rows and about `maxBytes`
/// bytes, so memory depends on the batch, not on the input.
public struct RecordBatchReader<Source: RecordSource & ~Copyable>: ~Copyable {
    private var source: Source
    /// `.csv`, or `.json` for JSON Lines.
    public let format: RequestFormat
    private let maxRows: Int
    private let maxBytes: Int
    private let maxRecordBytes: Int
    private var buffer: [UInt8] = []
    /// Where ``fill()`` reads to (allocated once per size).
    private var readBlock: [UInt8] = []
    private var scanned = 0
    private var inQuotes = false
    private var recordHasContent = false
    private var atEnd = false
    private var header: [UInt8]?
    private var rowsRead = 0
    private var checkedFirstRecord = false
    /// Reads start small and double up to ``blockSize``: a six-row input should not zero a megabyte.
    private var nextReadSize = 1 << 16
    private static var blockSize: Int { 1 << 20 }

    /// The envelope fields of a whole-request JSON body, refused as stream records.
    private static var envelopeFields: Set<String> { ["dataframe_split", "dataframe_records", "instances", "inputs"] }

    /// The longest record (a CSV row, quoted line feeds included, or a JSON line) a stream takes by
    /// default: 16 MiB. Memory holds at least one whole record, so without a bound an unclosed quote
    /// (or a runaway cell) would make the rest of the input one record.
    public static var defaultMaxRecordBytes: Int { 16 << 20 }

    /// A reader of `source` in `format` (`.json` means JSON Lines).
    public init(
        _ source: consuming Source,
        format: RequestFormat,
        maxRows: Int = 65_536,
        maxBytes: Int = 8 << 20,
        maxRecordBytes: Int = defaultMaxRecordBytes
    ) {
        self.source = source
        self.format = format
        self.maxRows = max(1, maxRows)
        self.maxBytes = max(1, maxBytes)
        self.maxRecordBytes = max(1, maxRecordBytes)
    }

    /// The source's name, for messages.
    public var sourceName: String { source.name }

    /// The next batch, or `nil` at the end of the input.
    ///
    /// - Throws: ``PredictionError``: `inputInvalid` for an empty CSV or an unreadable input,
    ///   `usage` when the first JSON Lines record is a whole-request envelope.
    public mutating func next() throws(PredictionError) -> RecordBatch? {
        do throws(ModelBundleError) {
            if format == .csv && header == nil {
                guard let first = try nextRecords(maxRecords: 1, maxBytes: Int.max) else {
                    throw ModelBundleError(
                        .inputInvalid,
                        "\(source.name) is empty; a CSV input starts with a header row",
                        item: source.name,
                        location: .init(file: source.name)
                    )
                }
                var line = first.bytes
                if line.last != UInt8(ascii: "\n") { line.append(UInt8(ascii: "\n")) }
                header = line
            }
            guard let (cut, count) = try scanRecords(maxRecords: maxRows, maxBytes: maxBytes) else { return nil }
            // The body is built straight from the read buffer: one copy of the batch's bytes.
            var body: [UInt8]
            if let header {
                body = []
                body.reserveCapacity(header.count + cut)
                body.append(contentsOf: header)
                body.append(contentsOf: buffer[..<cut])
            } else {
                if !checkedFirstRecord { try refuseEnvelope(buffer[..<cut]) }
                body = Self.recordsBody(buffer[..<cut])
            }
            consume(cut)
            checkedFirstRecord = true
            let batch = RecordBatch(body: body, format: format, firstRow: rowsRead, rowCount: count)
            rowsRead += count
            return batch
        } catch {
            throw PredictionError(
                error.code == .inputInvalid && error.item == "--stream" ? .usage : .inputInvalid,
                error
            )
        }
    }

    /// A JSON envelope is one document, not records: refuse it as a usage error.
    private func refuseEnvelope(_ bytes: ArraySlice<UInt8>) throws(ModelBundleError) {
        // The first line with content: a stream may start with blank or white-space lines.
        let firstLine =
            bytes.split(separator: UInt8(ascii: "\n")).first { $0.contains { !Self.isSpace($0) } }.map(Array.init) ?? []
        let isRecord: Bool
        if let object = (try? JSONParser().parse(firstLine))?.objectValue {
            isRecord = !object.keys.contains { Self.envelopeFields.contains($0) }
        } else {
            isRecord = false
        }
        guard isRecord else {
            throw ModelBundleError(
                .inputInvalid,
                "--stream takes CSV (a header row, then rows) or JSON Lines (one record object per line); "
                    + "\(source.name) looks like a JSON request envelope: run without --stream, or convert it to JSON Lines",
                item: "--stream"
            )
        }
    }

    /// `{"dataframe_records": [line, line, …]}` from JSON Lines, skipping blank lines.
    static func recordsBody(_ lines: ArraySlice<UInt8>) -> [UInt8] {
        var body = Array("{\"dataframe_records\": [".utf8)
        body.reserveCapacity(lines.count + 32)
        var wrote = false
        for line in lines.split(separator: UInt8(ascii: "\n")) where line.contains(where: { !isSpace($0) }) {
            if wrote { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: line)
            wrote = true
        }
        body.append(contentsOf: Array("]}".utf8))
        return body
    }

    static func isSpace(_ byte: UInt8) -> Bool { isJSONSpace(byte) }

    /// The next up to `maxRecords` complete records that hold content (lines; for CSV a quoted
    /// field may span lines), stopping early once `maxBytes` are gathered; `nil` at the end.
    private mutating func nextRecords(maxRecords: Int, maxBytes: Int) throws(ModelBundleError) -> (
        bytes: [UInt8], count: Int
    )? {
        guard let (cut, count) = try scanRecords(maxRecords: maxRecords, maxBytes: maxBytes) else { return nil }
        let records = Array(buffer[..<cut])
        consume(cut)
        return (records, count)
    }

    /// Scans (reading more as needed) to the end of the next up to `maxRecords` records, or of those
    /// that make `maxBytes`: the byte count up to the cut and the records before it; `nil` at the end.
    private mutating func scanRecords(maxRecords: Int, maxBytes: Int) throws(ModelBundleError) -> (
        cut: Int, count: Int
    )? {
        var count = 0
        var cut = 0
        while true {
            var scan = LineScan(
                position: scanned,
                quoted: inQuotes,
                content: recordHasContent,
                count: count,
                cut: cut,
                csv: format == .csv
            )
            buffer.withUnsafeBufferPointer { scan.run($0, maxRecords: maxRecords, maxBytes: maxBytes) }
            (scanned, inQuotes, recordHasContent, count, cut) =
                (scan.position, scan.quoted, scan.content, scan.count, scan.cut)
            if count >= maxRecords || (cut >= maxBytes && count > 0) { break }
            // Everything from the last cut to the scan is the record under way.
            if scanned - cut > maxRecordBytes { throw recordTooLong(from: cut, row: rowsRead + count) }
            if try !fill() {
                // The last record may lack its newline.
                if cut < buffer.count && recordHasContent {
                    count += 1
                    cut = buffer.count
                    recordHasContent = false
                }
                break
            }
        }
        guard count > 0 else { return nil }
        return (cut, count)
    }

    /// The error for the record that starts at `start` and passed ``maxRecordBytes``: its row (the
    /// header's, before the first row) and, for CSV, the column it had reached.
    private func recordTooLong(from start: Int, row: Int) -> ModelBundleError {
        var column: String?
        if format == .csv {
            let index = Self.fieldIndex(buffer[start..<min(buffer.count, start + maxRecordBytes)])
            let names = header.map { Self.fieldIndex($0[...], names: true).names } ?? []
            column = index.count < names.count ? names[index.count] : "column \(index.count + 1)"
        }
        let what = header == nil && format == .csv ? "the header row" : "row \(row)"
        let place = column.map { " (in column \"\($0)\")" } ?? ""
        return ModelBundleError(
            .inputInvalid,
            "\(source.name): \(what)\(place) is longer than \(maxRecordBytes) bytes, the most --stream holds for one "
                + "record; check the input's quoting (an unclosed quote makes the rest of the input one field)",
            item: header == nil && format == .csv ? "header" : "row \(row)",
            location: .init(file: source.name, column: column, row: header == nil && format == .csv ? nil : row)
        )
    }

    /// How many separators outside quotes `bytes` holds (the index of the field it ends in) and, with
    /// `names`, the fields themselves (outer quotes and the line end dropped): enough to name a column
    /// in an error, not a CSV parser.
    static func fieldIndex(_ bytes: ArraySlice<UInt8>, names: Bool = false) -> (count: Int, names: [String]) {
        var quoted = false
        var count = 0
        var fields: [String] = []
        var field: [UInt8] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\"") {
                quoted.toggle()
            } else if byte == UInt8(ascii: ",") && !quoted {
                count += 1
                if names { fields.append(String(decoding: field, as: UTF8.self)) }
                field = []
            } else if names && byte != 0x0A && byte != 0x0D {
                field.append(byte)
            }
        }
        if names { fields.append(String(decoding: field, as: UTF8.self)) }
        return (count, fields)
    }

    /// Drops the first `cut` bytes of the buffer (handed out as records).
    private mutating func consume(_ cut: Int) {
        buffer.removeSubrange(..<cut)
        scanned -= cut
    }

    /// Reads one more block; `false` at the end of input. The block is read into ``readBlock`` and only
    /// the bytes that came are appended: growing the buffer by a zeroed block for every read cost a
    /// megabyte of zeroing per short read from a pipe.
    private mutating func fill() throws(ModelBundleError) -> Bool {
        guard !atEnd else { return false }
        let size = nextReadSize
        nextReadSize = min(Self.blockSize, size * 2)
        if readBlock.count < size { readBlock = [UInt8](repeating: 0, count: size) }
        var got = 0
        var failure: ModelBundleError?
        readBlock.withUnsafeMutableBytes { bytes in
            do throws(ModelBundleError) {
                got = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: bytes[..<size]))
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        buffer.append(contentsOf: readBlock[..<got])
        if got == 0 { atEnd = true }
        return got > 0
    }
}

/// The record scan over the read buffer. Whole lines are found with `memchr` (glibc's is vectorised)
/// instead of a byte loop, which took a third of a 32-column `--stream` run: between quotes nothing
/// but a line feed ends a record, and inside quotes nothing but the closing quote matters.
private struct LineScan {
    var position: Int
    var quoted: Bool
    /// Whether the record under way has content: for CSV anything but a carriage return (pandas
    /// and our CSV reader skip only empty lines), for JSON Lines anything but white space.
    var content: Bool
    var count: Int
    var cut: Int
    let csv: Bool

    mutating func run(_ bytes: UnsafeBufferPointer<UInt8>, maxRecords: Int, maxBytes: Int) {
        guard let base = bytes.baseAddress else { return }
        let end = bytes.count
        // Where the next quote is (`end` when there is none left): one search per scan, not per line.
        var nextQuote = csv ? Self.find(UInt8(ascii: "\""), base, from: position, to: end) : end
        // Past `maxBytes` a batch still waits for its first record: a run of blank lines is not an end.
        while position < end && count < maxRecords && (cut < maxBytes || count == 0) {
            if quoted {
                guard nextQuote < end else {
                    position = end
                    break
                }
                position = nextQuote + 1
                quoted = false
                nextQuote = Self.find(UInt8(ascii: "\""), base, from: position, to: end)
                continue
            }
            let lineFeed = Self.find(UInt8(ascii: "\n"), base, from: position, to: end)
            if nextQuote < lineFeed {
                // A quote opens before the line ends: the record (and maybe a field's line feeds) goes on.
                position = nextQuote + 1
                quoted = true
                content = true
                nextQuote = Self.find(UInt8(ascii: "\""), base, from: position, to: end)
                continue
            }
            if !content { content = hasContent(base, from: position, to: lineFeed) }
            guard lineFeed < end else {
                position = end
                break
            }
            position = lineFeed + 1
            if content { count += 1 }
            content = false
            cut = position
        }
    }

    private func hasContent(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Bool {
        var index = start
        while index < end {
            let byte = base[index]
            if csv ? byte != 0x0D : !isJSONSpace(byte) { return true }
            index += 1
        }
        return false
    }

    /// The index of the first `byte` in `start..<end`, or `end`.
    private static func find(_ byte: UInt8, _ base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
        guard start < end, let found = memchr(base + start, Int32(byte), end - start) else { return end }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }
}

/// JSON's white space (a line feed never falls inside the lines ``LineScan`` looks at).
private func isJSONSpace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
}
