import ArgumentParser
import ModelBundle
import ModelRuntime

/// `mbundle predict --stream`: CSV (header, then rows) or JSON Lines (one record object per
/// line) read in batches of at most `batchSize` rows (and ``PredictCommand/batchByteLimit``
/// bytes); each batch is decoded, enforced and predicted, and its predictions appended to the
/// output before the next batch is read, so memory depends on the batch, not on the file.
struct PredictionStream {
    let model: LoadedModel
    let input: PredictionInput
    let sink: PredictionSink
    let format: RequestFormat
    let batchSize: Int

    private static let envelopeFields: Set<String> = ["dataframe_split", "dataframe_records", "instances", "inputs"]

    func run() throws {
        let progress = ProgressBar()
        defer { progress.finish() }
        let csv = format == .csv
        let header: [UInt8]? = try reportingErrors { () throws(ModelBundleError) in
            guard csv else { return nil }
            guard let first = try input.nextRecords(maxRecords: 1, maxBytes: Int.max, csvQuotes: true) else {
                throw ModelBundleError(
                    .inputInvalid,
                    "\(input.name) is empty; a CSV input starts with a header row",
                    item: input.name
                )
            }
            return first.bytes
        }
        try reportingErrors { () throws(ModelBundleError) in try sink.beginStream() }
        var rowsDone = 0
        var first = true
        while true {
            let batch = try reportingErrors { () throws(ModelBundleError) in
                try input.nextRecords(maxRecords: batchSize, maxBytes: PredictCommand.batchByteLimit, csvQuotes: csv)
            }
            guard let batch else { break }
            var body: [UInt8]
            if let header {
                body = header
                if body.last != UInt8(ascii: "\n") { body.append(UInt8(ascii: "\n")) }
                body.append(contentsOf: batch.bytes)
            } else {
                if first { try refuseEnvelope(batch.bytes) }
                body = Self.recordsBody(batch.bytes)
            }
            first = false
            let offset = rowsDone
            try reportingErrors { () throws(ModelBundleError) in
                do throws(ModelBundleError) {
                    try predictBatch(body)
                } catch {
                    throw Self.shiftingRows(error, by: offset)
                }
            }
            rowsDone += batch.count
            progress.update(rows: rowsDone)
        }
        try reportingErrors { () throws(ModelBundleError) in try sink.endStream() }
    }

    /// Decodes, enforces and predicts one batch, appending its predictions to the output.
    private func predictBatch(_ body: [UInt8]) throws(ModelBundleError) {
        let document = try model.predictionDocument(for: body, format: format, inputName: input.name)
        try sink.appendBatch(document)
    }

    /// A JSON envelope is one document, not records: refuse it with a usage error.
    private func refuseEnvelope(_ bytes: [UInt8]) throws {
        let firstLine = bytes.split(separator: UInt8(ascii: "\n"), maxSplits: 1).first.map(Array.init) ?? []
        let value = try? JSONParser().parse(firstLine)
        let isRecord: Bool
        if let object = value?.objectValue {
            isRecord = !object.keys.contains { Self.envelopeFields.contains($0) }
        } else {
            isRecord = false
        }
        guard isRecord else {
            printError(
                "error: --stream takes CSV (a header row, then rows) or JSON Lines (one record object per line); "
                    + "\(input.name) looks like a JSON request envelope: run without --stream, or convert it to JSON Lines"
            )
            throw ExitStatus.usage
        }
    }

    /// `{"dataframe_records": [line, line, …]}` from JSON Lines, skipping blank lines.
    static func recordsBody(_ lines: [UInt8]) -> [UInt8] {
        var body = Array("{\"dataframe_records\": [".utf8)
        body.reserveCapacity(lines.count + 32)
        var wrote = false
        for line in lines.split(separator: UInt8(ascii: "\n"))
        where line.contains(where: { !PredictionInput.isSpace($0) }) {
            if wrote { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: line)
            wrote = true
        }
        body.append(contentsOf: Array("]}".utf8))
        return body
    }

    /// Rewrites `row N` (and CSV `line N`) in an error about one batch so it counts from the start
    /// of the file.
    static func shiftingRows(_ error: ModelBundleError, by offset: Int) -> ModelBundleError {
        guard offset > 0 else { return error }
        return ModelBundleError(
            error.code,
            shift(error.message, offset),
            item: error.item.map { shift($0, offset) },
            detail: error.detail.map { shift($0, offset) }
        )
    }

    static func shift(_ text: String, _ offset: Int) -> String {
        var result = ""
        var rest = Substring(text)
        while let range = rest.firstRange(where: ["row ", "line "]) {
            result += rest[..<range.upperBound]
            rest = rest[range.upperBound...]
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            if !digits.isEmpty, let number = Int(digits) {
                result += String(number + offset)
                rest = rest[digits.endIndex...]
            }
        }
        return result + rest
    }
}

extension Substring {
    /// The first occurrence of any of `needles`.
    fileprivate func firstRange(where needles: [String]) -> Range<Substring.Index>? {
        var best: Range<Substring.Index>?
        for needle in needles {
            if let range = self.firstRange(of: needle), best.map({ range.lowerBound < $0.lowerBound }) ?? true {
                best = range
            }
        }
        return best
    }
}
