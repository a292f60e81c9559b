public import Foundation

/// Runs the `mbundle` binary of the build under test and captures what it printed, in the style
/// of ArgumentParser's `AssertExecuteCommand`, for Swift Testing.
public enum CLIRunner {
    /// What a run printed and how it ended.
    public struct Result: Sendable {
        /// The exit status (or the signal number when ``signaled``).
        public var status: Int32
        /// Whether the process was killed by a signal.
        public var signaled: Bool
        public var standardOutput: String
        public var standardError: String
        public var standardOutputBytes: [UInt8]

        /// The standard error lines.
        public var errorLines: [String] { standardError.split(separator: "\n").map(String.init) }
    }

    /// The `mbundle` beside the running test binary: both are products of the same build (the
    /// debug build, or `.build-asan` under `make test-asan`), never a binary of another build.
    public static let executable: URL = {
        let testBinary = URL(
            fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? CommandLine.arguments[0]
        )
        var directory = testBinary.deletingLastPathComponent()
        // On Linux the test executable sits in the build's bin directory; on macOS inside a
        // bundle there (…/debug/X.xctest/Contents/MacOS/X).
        while directory.path.contains(".xctest") { directory.deleteLastPathComponent() }
        return directory.appendingPathComponent("mbundle")
    }()

    /// Runs `mbundle` with `arguments`, optional standard input and environment additions.
    public static func run(
        _ arguments: [String],
        input: Data? = nil,
        in directory: URL? = nil,
        environment: [String: String] = [:]
    ) throws -> Result {
        try run(executable, arguments, input: input, in: directory, environment: environment)
    }

    /// Runs `program` (for example `/bin/bash` around `mbundle`, to test pipes).
    public static func run(
        _ program: URL,
        _ arguments: [String],
        input: Data? = nil,
        in directory: URL? = nil,
        environment: [String: String] = [:]
    ) throws -> Result {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw MissingBinary(path: executable.path)
        }
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let directory { process.currentDirectoryURL = directory }
        let output = Pipe()
        let error = Pipe()
        let inputPipe = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = inputPipe
        try process.run()
        if let input { inputPipe.fileHandleForWriting.write(input) }
        try inputPipe.fileHandleForWriting.close()
        // Read both pipes to the end before waiting, so a large output cannot block the child.
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            signaled: process.terminationReason == .uncaughtSignal,
            standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData, as: UTF8.self),
            standardOutputBytes: Array(outputData)
        )
    }

    /// The binary of this build is missing (run `swift build --build-tests` first).
    public struct MissingBinary: Error, CustomStringConvertible {
        public var path: String
        public var description: String { "no mbundle binary at \(path); build the package with its tests first" }
    }

    /// `Tests/Fixtures`.
    public static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
}
