package import ModelBundle

/// Reads a request body from a file or standard input for the command line and embedding
/// applications: bounded before it grows past the limit, with the same words for the same
/// mistakes whichever command reads it.
package enum RequestBody {
    /// The name messages give standard input.
    package static let standardInputName = "standard input"

    /// The whole input at `path` (standard input when `nil`), refusing more than `limit` bytes.
    /// - Throws: ``ModelBundleError/Code/inputInvalid`` naming the input.
    package static func read(path: String?, limit: Int) throws(ModelBundleError) -> [UInt8] {
        let input = try open(path)
        let name = path ?? standardInputName
        if let size = input.regularFileSize(), size > limit {
            throw tooLarge(name, limit: limit)
        }
        do throws(SystemError) {
            return try input.readAll(limit: limit, sizeHint: input.regularFileSize() ?? 0)
        } catch {
            if error.errno == SystemError.fileTooLarge { throw tooLarge(name, limit: limit) }
            throw ModelBundleError(
                .inputInvalid,
                "cannot read input \(name): \(error.message)",
                item: name,
                location: .init(file: name)
            )
        }
    }

    /// Opens the input at `path` (standard input when `nil`), refusing a directory.
    package static func open(_ path: String?) throws(ModelBundleError) -> FileDescriptor {
        guard let path else { return FileDescriptor(borrowing: 0) }
        let input: FileDescriptor
        switch FileDescriptor.openForReading(path) {
        case .success(let opened): input = opened
        case .failure(let error):
            throw ModelBundleError(
                .inputInvalid,
                "cannot open input \(path): \(error.message)",
                item: path,
                location: .init(file: path)
            )
        }
        if input.isDirectory() {
            throw ModelBundleError(
                .inputInvalid,
                "input \(path) is a directory; give a JSON or CSV file",
                item: path,
                location: .init(file: path)
            )
        }
        return input
    }

    package static func tooLarge(_ name: String, limit: Int) -> ModelBundleError {
        ModelBundleError(
            .inputInvalid,
            "input \(name) is larger than the limit of \(limit) bytes; split it, or stream it with predict --stream "
                + "(CSV, JSON Lines, Parquet or Arrow IPC), or raise --max-request-bytes",
            item: name,
            location: .init(file: name)
        )
    }
}
