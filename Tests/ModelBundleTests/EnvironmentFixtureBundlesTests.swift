import Foundation
import Testing

@testable import ModelBundle

/// Every bundle under Tests/Fixtures/mlflow (written by real MLflow, see
/// `Scripts/make-mlflow-fixtures.py`) must have environment files this module reads, and the
/// ones MLflow 3.17.2 wrote must be reproduced byte for byte from their own contents.
@Suite struct EnvironmentFixtureBundlesTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/mlflow")

    static let bundles: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter { !$0.hasSuffix(".json") }.sorted()
    }()

    @Test func fixturesArePresent() {
        #expect(Self.bundles.count >= 13)
        #expect(Self.bundles.contains("legacy_v1"))
    }

    @Test(arguments: bundles)
    func readsEnvironmentFiles(_ name: String) throws {
        let directory = BundleDirectory(path: Self.root.appendingPathComponent(name).path)
        let hasPythonEnv = directory.containsFile(try BundlePath("python_env.yaml"))
        let manifests = try EnvironmentManifests(
            reading: directory,
            conda: try BundlePath("conda.yaml"),
            virtualenv: hasPythonEnv ? try BundlePath("python_env.yaml") : nil
        )
        let conda = try #require(manifests.conda)
        #expect(conda.name == "mlflow-env")
        #expect(conda.pythonVersion != nil)

        if name == "legacy_v1" {
            // Hand-written 1.x style: no requirements.txt or python_env.yaml, two channels.
            #expect(manifests.requirements == nil)
            #expect(manifests.python == nil)
            #expect(conda.channels == ["defaults", "conda-forge"])
            #expect(conda.pipDependencies == ["mlflow", "cloudpickle==1.3.0"])
            return
        }
        let requirements = try #require(manifests.requirements)
        let python = try #require(manifests.python)
        #expect(requirements.lines.first == "mlflow==3.17.2")
        #expect(conda.pipDependencies == requirements.lines)

        // Regenerate from the parsed data and compare with MLflow's bytes.
        let pip = conda.condaDependencies.dropFirst().first.map { String($0.dropFirst("pip<=".count)) }
        func version(_ package: String) -> String? {
            python.buildDependencies.first { $0.hasPrefix(package + "==") }.map {
                String($0.dropFirst(package.count + 2))
            }
        }
        let regenerated = try EnvironmentManifests(
            requirements: requirements.lines,
            mlflowVersion: "3.17.2",
            pythonVersion: python.python,
            pipVersion: pip,
            setuptoolsVersion: version("setuptools"),
            wheelVersion: version("wheel")
        )
        for file in try regenerated.files() {
            let original = try String(
                contentsOf: Self.root.appendingPathComponent("\(name)/\(file.name)"),
                encoding: .utf8
            )
            #expect(file.text == original, "\(name)/\(file.name)")
        }
    }

    @Test func namedButMissingFileIsAnError() throws {
        let directory = BundleDirectory(path: Self.root.appendingPathComponent("legacy_v1").path)
        #expect(throws: ModelBundleError.self) {
            try EnvironmentManifests(reading: directory, conda: nil, virtualenv: try BundlePath("python_env.yaml"))
        }
    }
}
