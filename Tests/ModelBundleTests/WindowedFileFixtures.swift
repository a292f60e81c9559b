import Foundation
import TestSupport
import Testing

@testable import ModelBundle

/// What the windowed file readers' tests share: scratch files, random schemas, comparisons.
enum WindowedFileFixtures {
    static let directory = try? ScratchDirectory("windowed-files")

    static func reading<R>(_ bytes: [UInt8], _ body: (borrowing FileDescriptor) throws -> R) throws -> R {
        let path = try #require(directory).sub("data-\(UUID().uuidString)")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let input = try FileDescriptor.openForReading(path).get()
        return try body(input)
    }

    /// A schema of `columns` columns `c0`, `c1`… of random `types`, or (half the time) none.
    static func randomSchema(columns: Int, types: [DataType], using random: inout SeededGenerator) -> RequestSchema? {
        guard Bool.random(using: &random) else { return nil }
        return RequestSchema(
            columns: (0..<columns).map {
                .init(name: "c\($0)", type: types[Int.random(in: 0..<types.count, using: &random)])
            }
        )
    }

    /// Equal values, with a null's NaN in a double column equal to itself (`==` on `[Double]` is not).
    static func same<T>(_ a: T, _ b: T) -> Bool {
        String(reflecting: a) == String(reflecting: b)
    }
}
