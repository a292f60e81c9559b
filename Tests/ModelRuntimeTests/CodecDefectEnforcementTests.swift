import Foundation
import ModelBundle
import ModelRuntime
import Testing

/// Enforcement side of the codec defects: float32 overflow and the one-line error text.
@Suite struct CodecDefectEnforcementTests {
    typealias E = Enforce

    static let floatColumn = E.schema(E.col("c", "float"))

    /// 1e39 would become infinity as float32: refused by column and row, saying why; every one is reported.
    @Test(arguments: [RequestFormat.json, .csv])
    func float32OverflowIsRefusedByColumnAndRow(_ format: RequestFormat) throws {
        let body = format == .json ? #"{"inputs": {"c": [1.5, 1e39, 2.5, -1e40]}}"# : "c\n1.5\n1e39\n2.5\n-1e40\n"
        let report = try E.report(Self.floatColumn, body, format: format)
        #expect(report.keys == ["range@c#1", "range@c#3"])
        #expect(report.violations[0].message.contains("does not fit float32"), "\(report.violations[0].message)")
    }

    @Test func float32OverflowInATensorIsRefused() throws {
        let schema = "[" + E.tensor("float32", [-1, 2]) + "]"
        let report = try E.report(schema, #"{"inputs": [[1.0, 2.0], [1e39, 4.0]]}"#)
        #expect(!report.isValid)
        #expect(report.violations.first?.rule == "range")
        #expect(report.violations.first?.message.contains("does not fit float32") == true)
    }

    @Test func float32OverflowInALargeCSVIsRefusedAtItsRow() throws {
        // Large enough for the two-thread path: the overflow is still found at its exact row.
        var body = "c\n"
        for row in 0..<200_000 { body += row == 190_000 ? "1e39\n" : "0.125\n" }
        let report = try E.report(Self.floatColumn, body, format: .csv)
        #expect(body.utf8.count > 1 << 20)
        #expect(report.keys == ["range@c#190000"])
    }

    /// The one-line error quotes the value once (it was also appended as detail: "… (-1, 1). ((1, 2))").
    @Test func enforcementErrorLineDoesNotRepeatTheValue() throws {
        let schema = "[" + E.tensor("float64", [-1, 1]) + "]"
        do {
            _ = try E.enforced(schema, #"{"inputs": [[1.5, 2.5]]}"#)
            Issue.record("expected a shape error")
        } catch let error as ModelBundleError {
            #expect(error.description == "Shape of input (1, 2) does not match expected shape (-1, 1).")
        }
        do {
            _ = try E.enforced(E.schema(E.col("a", "long")), #"{"inputs": {"a": [1, 1.5]}}"#)
            Issue.record("expected a type error")
        } catch let error as ModelBundleError {
            #expect(error.description.components(separatedBy: "1.5").count == 2, "\(error.description)")
            #expect(error.item == "a")
        }
    }
}
