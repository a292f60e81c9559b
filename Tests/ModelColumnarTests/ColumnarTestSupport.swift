import Foundation
import ModelBundle
import ModelCodecs
import ModelColumnar
import ModelRuntime
import Testing

/// Fixtures written by real pyarrow (Scripts/make-columnar-fixtures.py) and the signature the
/// tests judge them with.
enum Columnar {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/columnar")

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: root.appendingPathComponent(name)))
    }

    /// Nullable integer columns go to `double` (an integer column cannot hold nulls); u8 and u32
    /// have no nulls and test the integer paths.
    static let types: [(String, DataType)] = [
        ("i8", .double), ("i16", .double), ("i32", .double), ("i64", .double), ("u8", .integer), ("u16", .double),
        ("u32", .long), ("u64", .double), ("f32", .float), ("f64", .double), ("b", .boolean), ("s", .string),
        ("bin", .binary), ("d", .datetime), ("ts_ms", .datetime), ("ts_us", .datetime), ("ts_utc", .datetime),
        ("dec", .double), ("ts_ns", .datetime),
    ]

    static func signature(_ names: [String]) throws -> ModelSignature {
        let specs = types.filter { names.contains($0.0) }.map { ColSpec($0.1, name: $0.0) }
        return ModelSignature(inputs: try Schema(columns: specs))
    }

    /// The frame enforcement makes of `frame` under the signature for `names`.
    static func enforced(_ frame: Frame, names: [String]) throws -> Frame {
        let enforcer = SchemaEnforcer(signature: try signature(names))
        let result = try enforcer.enforce(DecodedRequest(field: nil, input: .frame(frame)))
        guard case .frame(let out) = result.input else { throw CancellationError() }
        return out
    }

    /// The same table from `table.json`, decoded and enforced like an `/invocations` body.
    static func expected(_ names: [String]) throws -> Frame {
        let enforcer = SchemaEnforcer(signature: try signature(names))
        let decoded = try RequestDecoder(schema: enforcer.requestSchema).decode(try bytes("table.json"), format: .json)
        guard case .frame(let frame) = decoded.input else { throw CancellationError() }
        let picked = try Frame(columns: names.map { frame.column(named: $0)! })
        return try enforced(picked, names: names)
    }
}

extension Columnar {
    /// Whether two columns hold the same cells: same name, type, nulls, and values in valid rows
    /// (null placeholders such as NaN are not compared).
    static func same(_ a: Column, _ b: Column) -> Bool {
        guard a.name == b.name, a.validity == b.validity, a.count == b.count else { return false }
        func equal<T: Equatable>(_ x: [T], _ y: [T]) -> Bool {
            (0..<x.count).allSatisfy { !a.validity.isValid($0) || x[$0] == y[$0] }
        }
        switch (a.values, b.values) {
        case (.double(let x), .double(let y)): return equal(x.map(\.bitPattern), y.map(\.bitPattern))
        case (.float(let x), .float(let y)): return equal(x.map(\.bitPattern), y.map(\.bitPattern))
        case (.long(let x), .long(let y)): return equal(x, y)
        case (.integer(let x), .integer(let y)): return equal(x, y)
        case (.boolean(let x), .boolean(let y)): return equal(x, y)
        case (.string(let x), .string(let y)): return equal(x, y)
        case (.binary(let x), .binary(let y)): return equal(x, y)
        case (.datetime(let x), .datetime(let y)): return equal(x, y)
        default: return false
        }
    }
}

extension Columnar {
    /// Checks that a batch decoded from one of the table fixtures holds the 19 columns of
    /// `table.json`, cell for cell, once judged by the same signature.
    static func expectLikeJSON(_ batch: ColumnarBatch, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let names = batch.frame.columnNames
        #expect(names.count == 19, sourceLocation: sourceLocation)
        let got = try enforced(batch.frame, names: names)
        let want = try expected(names)
        for (a, b) in zip(got.columns, want.columns) {
            #expect(same(a, b), "column \(a.name): \(a.values) vs \(b.values)", sourceLocation: sourceLocation)
        }
    }
}
