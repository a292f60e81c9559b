import ModelBundle

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where `mbundle predict` writes `{"predictions": …}`: standard output, or an
/// ``AtomicOutputFile`` that only appears when the whole run succeeded.
///
/// Streaming runs append each batch's predictions as they are produced: the envelope is opened
/// once, each batch's list items are appended, and the envelope is closed at the end, so the
/// bytes are the same as one `PredictionWriter.json` over all rows.
final class PredictionSink {
    private let file: AtomicOutputFile?
    private var wroteItems = false
    private static let prefix = Array("{\"predictions\": [".utf8)
    private static let suffix = Array("]}".utf8)

    init(outputPath: String?) throws(ModelBundleError) {
        file = try outputPath.map { (path) throws(ModelBundleError) in try AtomicOutputFile(destination: path) }
    }

    /// Writes raw bytes.
    func write(_ bytes: [UInt8]) throws(ModelBundleError) {
        if let file {
            let failure = bytes.withUnsafeBytes { buffer -> ModelBundleError? in
                do throws(ModelBundleError) {
                    try file.write(buffer)
                    return nil
                } catch {
                    return error
                }
            }
            if let failure { throw failure }
            return
        }
        let complete = bytes.withUnsafeBytes { buffer -> Bool in
            guard let base = buffer.baseAddress else { return true }
            var offset = 0
            while offset < buffer.count {
                let written = posixWrite(1, base + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return false }
                offset += written
            }
            return true
        }
        guard complete else {
            throw ModelBundleError(.ioFailure, "cannot write predictions to standard output", item: "stdout")
        }
    }

    /// Opens the streamed envelope.
    func beginStream() throws(ModelBundleError) {
        try write(Self.prefix)
    }

    /// Appends the list items of one batch's `{"predictions": [...]}` document.
    func appendBatch(_ document: [UInt8]) throws(ModelBundleError) {
        let prefix = Self.prefix
        let suffix = Self.suffix
        guard document.count >= prefix.count + suffix.count, document.starts(with: prefix),
            document.suffix(suffix.count).elementsEqual(suffix)
        else {
            throw ModelBundleError(
                .inputInvalid,
                "--stream needs a model whose predictions are a list per row; run without --stream",
                item: "--stream"
            )
        }
        let items = document[prefix.count..<(document.count - suffix.count)]
        guard !items.isEmpty else { return }
        if wroteItems { try write(Array(", ".utf8)) }
        try write(Array(items))
        wroteItems = true
    }

    /// Closes the streamed envelope.
    func endStream() throws(ModelBundleError) {
        try write(Self.suffix)
    }

    /// Publishes the output file (standard output needs nothing).
    func commit() throws(ModelBundleError) {
        try file?.commit()
    }

    /// Deletes the unfinished output file.
    func discard() {
        file?.discard()
    }
}

/// `write(2)`, named apart from the methods called `write`.
private func posixWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
