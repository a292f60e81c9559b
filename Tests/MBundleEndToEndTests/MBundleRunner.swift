import Foundation

/// Runs the built `mbundle` executable and captures what it printed, in the style of
/// ArgumentParser's `AssertExecuteCommand`, for Swift Testing.
struct MBundleRunner {
    struct Result {
        var status: Int32
        var standardOutput: String
        var standardError: String

        /// The standard error lines.
        var errorLines: [String] { standardError.split(separator: "\n").map(String.init) }
    }

    /// The `mbundle` binary beside the test executable (both are products of the same build).
    static let executable: URL = {
        let testBinary = URL(
            fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? CommandLine.arguments[0]
        )
        var directory = testBinary.deletingLastPathComponent()
        // On Linux the test executable sits in the build directory; elsewhere inside a bundle.
        while !directory.path.isEmpty && directory.path != "/" {
            let candidate = directory.appendingPathComponent("mbundle")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return testBinary.deletingLastPathComponent().appendingPathComponent("mbundle")
    }()

    /// Runs `mbundle` with `arguments`, optional standard input and environment additions.
    static func run(
        _ arguments: [String],
        input: Data? = nil,
        in directory: URL? = nil,
        environment: [String: String] = [:]
    ) throws -> Result {
        let process = Process()
        process.executableURL = executable
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
            standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData, as: UTF8.self)
        )
    }

    /// `Tests/Fixtures`.
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// A new scratch directory.
    static func makeScratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mbundle-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
