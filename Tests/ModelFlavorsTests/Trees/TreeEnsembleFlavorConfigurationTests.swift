import ModelBundle
import Testing

@testable import ModelFlavors

/// The native `tree_ensemble` flavor's optional fields: `input_check` and `float_labels` round-trip
/// through MLmodel and are refused, naming the field, when malformed.
@Suite struct TreeEnsembleFlavorConfigurationTests {
    @Test func optionalFieldsRoundTrip() throws {
        var configuration = TreeEnsembleFlavorConfiguration(source: "scikit-learn 1.9.1 RandomForestClassifier")
        #expect(configuration.manifestMap["input_check"] == nil && configuration.manifestMap["float_labels"] == nil)
        for check in TreeEnsembleFlavorConfiguration.InputCheck.allCases {
            configuration.inputCheck = check
            configuration.floatLabels = true
            let read = try TreeEnsembleFlavorConfiguration(configuration: configuration.manifestMap)
            #expect(read == configuration)
            #expect(read.manifestMap["input_check"]?.text == check.rawValue)
        }
    }

    @Test(arguments: [
        ("input_check", ManifestValue.string("numpy"), "must be scikit-learn or xgboost-dmatrix"),
        ("float_labels", ManifestValue.string("yes"), "must be true or false"),
        ("float_labels", ManifestValue.bool(true), "cannot go with classes"),
    ])
    func malformedFieldsAreRefused(_ key: String, _ value: ManifestValue, _ message: String) throws {
        var map = TreeEnsembleFlavorConfiguration(classes: .integers([0, 1, 2])).manifestMap
        map[key] = value
        let error = try #require(throws: ModelBundleError.self) {
            try TreeEnsembleFlavorConfiguration(configuration: map)
        }
        #expect(error.item == "flavors.tree_ensemble.\(key)")
        #expect(error.message.contains(message), "\(error.message)")
    }
}
