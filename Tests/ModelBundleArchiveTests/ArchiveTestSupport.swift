import Foundation
import ModelBundle
import TestSupport

@testable import ModelBundleArchive

enum ArchiveFixtures {
    /// The `mbundle` of the build under test.
    static var binary: String { CLIRunner.executable.path }

    /// Writes a small bundle-like directory tree with known contents and returns the file map.
    @discardableResult
    static func makeBundle(at path: String, weightsSize: Int = 4096) throws -> [String: Data] {
        var files: [String: Data] = [
            "MLmodel": Data("flavors:\n  python_function:\n    loader_module: mbundle_pyfunc\n".utf8),
            "requirements.txt": Data("mlflow==3.17.2\nnumpy==2.4.6\n".utf8),
            "code/mbundle_pyfunc.py": Data("import numpy\n".utf8),
            "nested/deeper/notes.txt": Data("é and ü\n".utf8),
            "empty.txt": Data(),
        ]
        var weights = Data(count: weightsSize)
        for index in 0..<weightsSize { weights[index] = UInt8(truncatingIfNeeded: index &* 31 &+ 7) }
        files["model.safetensors"] = weights
        for (name, data) in files {
            let full = path + "/" + name
            try FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent,
                withIntermediateDirectories: true
            )
            try data.write(to: URL(fileURLWithPath: full))
        }
        return files
    }

    /// A file's bytes, read with POSIX calls (Foundation's `Data(contentsOf:)` leaks a buffer per
    /// call on this toolchain, which would drown the LeakSanitizer report of the ASan run).
    static func bytes(at path: String) throws -> Data {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CocoaError(.fileReadNoSuchFile) }
        defer { close(descriptor) }
        var result = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 { throw CocoaError(.fileReadUnknown) }
            if count == 0 { break }
            result.append(contentsOf: chunk[0..<count])
        }
        return Data(result)
    }

    /// Reads every regular file below `path` into a map keyed by relative path.
    static func readTree(_ path: String) throws -> [String: Data] {
        var result: [String: Data] = [:]
        for relative in FileManager.default.subpaths(atPath: path) ?? [] {
            var isDirectory: ObjCBool = false
            let full = path + "/" + relative
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                result[relative] = try bytes(at: full)
            }
        }
        return result
    }

    /// Builds an archive at `path` with the test-only raw entry writer.
    static func writeArchive(
        at path: String,
        format: ArchiveFormat,
        options: [String] = [],
        passphrase: String? = nil,
        _ body: (ArchiveWriter) throws -> Void
    ) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown) }
        defer { close(descriptor) }
        let writer = try ArchiveWriter(
            descriptor: descriptor,
            format: format,
            outputName: path,
            options: options,
            passphrase: passphrase
        )
        try body(writer)
        try writer.finish()
    }

    static let regularFile = ArchiveStatus.regularFile
    static let directoryType = ArchiveStatus.directory
}
