import Foundation
import ModelBundle
import ModelFlavors
import Testing

/// Tests/Fixtures/trees: models written by xgboost 3.2.0 and lightgbm 4.7.0 and their own outputs
/// (Scripts/make-tree-fixtures.py).
enum TreeFixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/trees")

    struct Case: Sendable, CustomTestStringConvertible {
        var testDescription: String { name }
        var name: String
        var library: String
        var file: String?
        var bundle: String?
        var inputs: [Double]
        var rows: Int
        var width: Int
        var margin: [Double]?
        var predict: [Double]
        var proba: [Double]?
    }

    static func bytes(_ file: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(file)))
    }

    static let cases: [Case] = {
        guard let data = try? bytes("golden.json"), let json = try? JSONParser().parse(data),
            let cases = json["cases"]?.objectValue
        else { return [] }
        func flat(_ value: JSONValue?) -> (values: [Double], rows: Int)? {
            guard let rows = value?.arrayValue else { return nil }
            var values: [Double] = []
            for row in rows {
                let cells = row.arrayValue ?? [row]
                for cell in cells {
                    switch cell {
                    case .double(let d): values.append(d)
                    case .integer(let i): values.append(Double(i))
                    default: values.append(.nan)
                    }
                }
            }
            return (values, rows.count)
        }
        return cases.map { name, value in
            let inputs = flat(value["inputs"]) ?? ([], 0)
            return Case(
                name: name,
                library: value["library"]?.stringValue ?? "",
                file: value["file"]?.stringValue,
                bundle: value["bundle"]?.stringValue,
                inputs: inputs.values,
                rows: inputs.rows,
                width: inputs.rows == 0 ? 0 : inputs.values.count / inputs.rows,
                margin: flat(value["margin"])?.values,
                predict: flat(value["predict"])?.values ?? [],
                proba: flat(value["proba"])?.values
            )
        }
        .sorted { $0.name < $1.name }
    }()

    static func named(_ prefix: String) -> [Case] { cases.filter { $0.name.hasPrefix(prefix) && $0.file != nil } }

    /// Bitwise equality, NaN equal to NaN.
    static func same(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
    }

    /// The first differing index, for failure messages.
    static func firstDifference(_ a: [Double], _ b: [Double]) -> String {
        guard a.count == b.count else { return "count \(a.count) vs \(b.count)" }
        guard let i = a.indices.first(where: { a[$0].bitPattern != b[$0].bitPattern && !(a[$0].isNaN && b[$0].isNaN) })
        else {
            return "none"
        }
        return "index \(i): \(a[i]) vs \(b[i])"
    }
}
