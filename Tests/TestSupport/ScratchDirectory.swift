public import Foundation

/// The one place tests make temporary files: a per-process root under `$TMPDIR`
/// (`mbundle-tests-PID-…`), removed when the test process exits, so a suite leaves `$TMPDIR` as it
/// found it even when a test fails half way or a helper forgets to clean up.
public enum TestScratch {
    /// The root every scratch path of this process lives under.
    public static let root: String = {
        let base = FileManager.default.temporaryDirectory.path
        let path = base + "/mbundle-tests-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
        // A failure here makes every test that needs scratch space fail with a clear path.
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: TestScratch.root) }
        return path
    }()

    /// A fresh path under ``root`` that does not exist yet (for code under test that must create
    /// its target itself), named `LABEL-UUID`.
    public static func path(_ label: String) -> String {
        root + "/\(label)-\(UUID().uuidString)"
    }

    /// ``path(_:)`` as a file URL.
    public static func url(_ label: String) -> URL {
        URL(fileURLWithPath: path(label))
    }
}

/// A scratch directory under ``TestScratch/root``, created empty and removed (with everything in
/// it) when the value is released.
public final class ScratchDirectory: @unchecked Sendable {
    /// The directory.
    public let path: String

    /// Creates an empty directory named after `label`.
    public init(_ label: String = "scratch") throws {
        path = TestScratch.path(label)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The directory as a file URL.
    public var url: URL { URL(fileURLWithPath: path) }

    /// A path inside the directory.
    public func sub(_ name: String) -> String { path + "/" + name }

    /// A URL inside the directory.
    public func url(_ name: String) -> URL { URL(fileURLWithPath: sub(name)) }

    /// Every path below the directory (relative, sorted), to prove nothing was left behind.
    public func listing() -> [String] {
        (FileManager.default.subpaths(atPath: path) ?? []).sorted()
    }
}

extension TestScratch {
    /// A new empty directory under ``root`` (removed with it at exit).
    public static func makeDirectory(_ label: String) throws -> URL {
        let url = self.url(label)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
