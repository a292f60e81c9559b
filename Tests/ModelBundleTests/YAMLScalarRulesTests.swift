import Foundation
import Testing

@testable import ModelBundle

/// The plain-scalar typing rules against PyYAML's own answers (Tests/Fixtures/manifest/plain-scalars.json,
/// written by Scripts/make-yaml-golden.py with PyYAML, which is how MLflow reads MLmodel).
@Suite struct YAMLScalarRulesTests {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        var text: String
        var type: String
        var quoted_by_pyyaml: Bool
        var testDescription: String { "\"\(text)\" → \(type)" }
    }

    static let cases: [Case] = {
        let bytes = (try? ManifestTestSupport.fixture("manifest/plain-scalars.json")) ?? []
        return (try? JSONDecoder().decode([Case].self, from: Data(bytes))) ?? []
    }()

    @Test func goldenFileIsPresent() {
        #expect(Self.cases.count > 50)
    }

    @Test(arguments: cases)
    func typesPlainScalarsAsPyYAMLDoes(_ golden: Case) {
        let text = golden.text
        let ours: String
        if YAMLScalarRules.isNull(text) {
            ours = "NoneType"
        } else if YAMLScalarRules.bool(text) != nil {
            ours = "bool"
        } else if YAMLScalarRules.isInt(text) {
            ours = "int"
        } else if YAMLScalarRules.isFloat(text) {
            ours = "float"
        } else if YAMLScalarRules.isTimestamp(text) {
            ours = text.count == 10 ? "date" : "datetime"
        } else {
            ours = "str"
        }
        if golden.type != "invalid" && !text.hasPrefix("#") && !text.hasPrefix("&") {
            #expect(ours == golden.type)
        }
    }

    @Test(arguments: cases)
    func quotesEveryStringPyYAMLWouldMisread(_ golden: Case) {
        // Any text that PyYAML would not read back as the same string must be quoted.
        let readsBackAsItself = golden.type == "str" && golden.text.trimmingCharacters(in: .whitespaces) == golden.text
        if !readsBackAsItself {
            #expect(YAMLScalarRules.needsQuotes(golden.text))
        }
        if !golden.quoted_by_pyyaml {
            #expect(!YAMLScalarRules.needsQuotes(golden.text), "PyYAML writes \(golden.text) plain; so should we")
        }
    }
}
