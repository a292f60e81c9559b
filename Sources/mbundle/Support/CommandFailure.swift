import ArgumentParser
import ModelBundle

/// Exit statuses of the command line (DESIGN.md §4), documented in the README.
enum ExitStatus {
    /// The input data was rejected (format or schema).
    static let inputRejected = ExitCode(1)
    /// The bundle is invalid, corrupt or unsupported.
    static let bundleInvalid = ExitCode(2)
    /// `serve` could not bind its address (in use, not local, no permission).
    static let serverCannotStart = ExitCode(3)
    /// The command was used wrongly (ArgumentParser's validation failure is also 64).
    static let usage = ExitCode(64)

    static func forError(_ error: ModelBundleError) -> ExitCode {
        error.code.isInputRejection ? inputRejected : bundleInvalid
    }
}

/// Writes one line to standard error. Control characters (from hostile names) are dropped so
/// that one error stays one line.
func printError(_ text: String) {
    let printable = String(
        String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F })
    )
    StandardOutput.write(printable + "\n", to: 2)
}

/// Runs a command body, turning a ``ModelBundleError`` into one `error:` line on standard error and
/// the matching exit status, so no Swift error description or trace reaches the user.
@discardableResult
func reportingErrors<T>(_ body: () throws(ModelBundleError) -> T) throws(ExitCode) -> T {
    do {
        return try body()
    } catch {
        printError("error: \(error.description)")
        throw ExitStatus.forError(error)
    }
}
