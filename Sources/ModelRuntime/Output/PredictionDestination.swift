import ModelBundle

/// Where predictions go: standard output, or a file that appears only when the whole run
/// succeeded (written to a temporary sibling, synced and renamed at ``commit()``).
///
/// Write failures are ``PredictionError/Kind/outputFailure`` (exit status 74); a reader that went
/// away (`EPIPE` on standard output, for example `mbundle predict … | head -c 10`) is one of them.
public final class PredictionDestination {
    private let file: AtomicFile?
    /// `standard output`, or the output path.
    public let name: String

    /// Standard output when `path` is `nil`; else a new temporary sibling of `path`.
    public init(path: String?) throws(PredictionError) {
        guard let path else {
            file = nil
            name = "standard output"
            return
        }
        name = path
        do throws(SystemError) {
            file = try AtomicFile(destination: path)
        } catch {
            throw PredictionError(
                .outputFailure,
                ModelBundleError(
                    .ioFailure,
                    "cannot create an output file beside \(path): \(error.message)",
                    item: path,
                    location: .init(file: path)
                )
            )
        }
    }

    /// Appends `bytes`.
    public func write(_ bytes: [UInt8]) throws(PredictionError) {
        do throws(SystemError) {
            if let file {
                try file.write(bytes)
            } else {
                try FileDescriptor(borrowing: 1).writeAll(bytes)
            }
        } catch {
            let message =
                if file != nil {
                    "cannot write \(name): \(error.message)"
                } else if error.isBrokenPipe {
                    "standard output was closed before all predictions were written (broken pipe)"
                } else {
                    "cannot write predictions to standard output: \(error.message)"
                }
            throw PredictionError(
                .outputFailure,
                ModelBundleError(.ioFailure, message, item: name, location: .init(file: name))
            )
        }
    }

    /// Publishes the output file (standard output needs nothing).
    public func commit() throws(PredictionError) {
        do throws(SystemError) {
            try file?.commit()
        } catch {
            throw PredictionError(
                .outputFailure,
                ModelBundleError(.ioFailure, "cannot write \(name): \(error.message)", item: name)
            )
        }
    }

    /// Deletes the unfinished output file; an existing file at the path is left as it was.
    public func discard() {
        file?.discard()
    }
}
