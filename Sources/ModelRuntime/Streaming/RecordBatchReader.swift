public import ModelBundle

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
    private var buffer: [UInt8] = []
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

    /// A reader of `source` in `format` (`.json` means JSON Lines).
    public init(_ source: consuming Source, format: RequestFormat, maxRows: Int = 65_536, maxBytes: Int = 16 << 20) {
        self.source = source
        self.format = format
        self.maxRows = max(1, maxRows)
        self.maxBytes = max(1, maxBytes)
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
            guard let records = try nextRecords(maxRecords: maxRows, maxBytes: maxBytes) else { return nil }
            let body: [UInt8]
            if let header {
                body = header + records.bytes
            } else {
                if !checkedFirstRecord { try refuseEnvelope(records.bytes) }
                body = Self.recordsBody(records.bytes)
            }
            checkedFirstRecord = true
            let batch = RecordBatch(body: body, format: format, firstRow: rowsRead, rowCount: records.count)
            rowsRead += records.count
            return batch
        } catch {
            throw PredictionError(
                error.code == .inputInvalid && error.item == "--stream" ? .usage : .inputInvalid,
                error
            )
        }
    }

    /// A JSON envelope is one document, not records: refuse it as a usage error.
    private func refuseEnvelope(_ bytes: [UInt8]) throws(ModelBundleError) {
        let firstLine = bytes.split(separator: UInt8(ascii: "\n"), maxSplits: 1).first.map(Array.init) ?? []
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
    static func recordsBody(_ lines: [UInt8]) -> [UInt8] {
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

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// Whether `byte` makes a line a row: for CSV anything but a line end (pandas and our CSV
    /// reader skip only empty lines), for JSON Lines anything but white space.
    private func isContent(_ byte: UInt8) -> Bool {
        format == .csv ? byte != 0x0D : !Self.isSpace(byte)
    }

    /// The next up to `maxRecords` complete records that hold content (lines; for CSV a quoted
    /// field may span lines), stopping early once `maxBytes` are gathered; `nil` at the end.
    private mutating func nextRecords(maxRecords: Int, maxBytes: Int) throws(ModelBundleError) -> (
        bytes: [UInt8], count: Int
    )? {
        var count = 0
        var cut = 0
        let csv = format == .csv
        while true {
            let end = buffer.count
            var position = scanned
            var quoted = inQuotes
            var content = recordHasContent
            buffer.withUnsafeBufferPointer { bytes in
                while position < end && count < maxRecords && cut < maxBytes {
                    let byte = bytes[position]
                    position += 1
                    if csv && byte == UInt8(ascii: "\"") {
                        quoted.toggle()
                        content = true
                    } else if byte == UInt8(ascii: "\n") && !quoted {
                        if content { count += 1 }
                        content = false
                        cut = position
                    } else if !content && isContent(byte) {
                        content = true
                    }
                }
            }
            scanned = position
            inQuotes = quoted
            recordHasContent = content
            if count >= maxRecords || (cut >= maxBytes && count > 0) { break }
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
        let records = Array(buffer[..<cut])
        buffer.removeSubrange(..<cut)
        scanned -= cut
        return (records, count)
    }

    /// Reads one more block; `false` at the end of input.
    private mutating func fill() throws(ModelBundleError) -> Bool {
        guard !atEnd else { return false }
        let old = buffer.count
        let size = nextReadSize
        nextReadSize = min(Self.blockSize, size * 2)
        buffer.append(contentsOf: repeatElement(0, count: size))
        var got = 0
        var failure: ModelBundleError?
        buffer.withUnsafeMutableBytes { bytes in
            do throws(ModelBundleError) {
                got = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: bytes[old...]))
            } catch {
                failure = error
            }
        }
        buffer.removeSubrange((old + got)...)
        if let failure { throw failure }
        if got == 0 { atEnd = true }
        return got > 0
    }
}
