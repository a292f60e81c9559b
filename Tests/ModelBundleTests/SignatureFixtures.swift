import Foundation
import Testing

@testable import ModelBundle

/// Loads the golden files written by `Scripts/make-signature-golden.py` from real MLflow, numpy and pandas.
enum SignatureFixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/signature")

    static func load(_ name: String) -> JSONValue {
        do {
            let data = try Data(contentsOf: directory.appendingPathComponent(name))
            return try JSONParser().parse(Array(data))
        } catch {
            fatalError("cannot load fixture \(name): \(error)")
        }
    }

    static let schemas = load("schemas.json")
    static let inference = load("inference.json").arrayValue ?? []
    static let examples = load("examples.json").arrayValue ?? []
    static let floats = load("floats.json")
}

/// Makes a parameterized test's arguments printable and Sendable.
struct Case: Sendable, CustomTestStringConvertible {
    let index: Int
    let value: JSONValue
    var testDescription: String { "#\(index) " + String((value["name"]?.stringValue ?? "").prefix(40)) }

    static func list(_ values: [JSONValue]) -> [Case] {
        values.enumerated().map { Case(index: $0.offset, value: $0.element) }
    }
}

extension JSONValue {
    /// The string, or `nil` for JSON null.
    var optionalString: String? { stringValue }
}
