import ArgumentParser
import ModelBundle
import ModelRuntime

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
    /// A tracking server cannot be reached, fails, or its TLS certificate is not trusted (EX_UNAVAILABLE).
    static let unavailable = ExitCode(69)
    /// A tracking server refused the credentials (EX_NOPERM).
    static let permission = ExitCode(77)

    static func forError(_ error: ModelBundleError) -> ExitCode {
        if error.code == .keyInvalid { return usage }  // a key file the user named, not the bundle
        if error.code == .serviceUnavailable { return unavailable }
        if error.code == .accessDenied { return permission }
        return error.code.isInputRejection ? inputRejected : bundleInvalid
    }
}

/// Writes one line to standard error: `error: ` and `text` as one printable line (names from
/// bundles and inputs are untrusted: ``UntrustedText`` drops their control characters).
func printError(_ text: String) {
    StandardOutput.write("error: " + UntrustedText.printable(text) + "\n", to: 2)
}

/// Writes one informational line to standard error (a note, a warning, what a command wrote),
/// made printable like ``printError(_:)``.
func printNote(_ text: String) {
    StandardOutput.write(UntrustedText.printable(text) + "\n", to: 2)
}

/// Runs a command body, turning a ``ModelBundleError`` into one `error:` line on standard error and
/// the matching exit status, so no Swift error description or trace reaches the user.
@discardableResult
func reportingErrors<T>(_ body: () throws(ModelBundleError) -> T) throws(ExitCode) -> T {
    do {
        return try body()
    } catch {
        printError(error.description)
        throw ExitStatus.forError(error)
    }
}

/// The same for the runtime's use cases: the ``PredictionError`` says which exit status it is.
/// A usage error is followed by the command's usage, as ArgumentParser's own are.
@discardableResult
func reportingErrors<T>(
    usage command: any ParsableCommand.Type,
    _ body: () throws(PredictionError) -> T
) throws(ExitCode) -> T {
    do {
        return try body()
    } catch {
        printError(error.description)
        if error.kind == .usage {
            StandardOutput.write(MBundle.usageString(for: command) + "\n", to: 2)
        }
        throw ExitCode(error.exitStatus)
    }
}
