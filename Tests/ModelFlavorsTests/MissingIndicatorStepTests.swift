import ModelBundle
import Testing

@testable import ModelFlavors

/// A standalone `MissingIndicator` (an imputer step that keeps no imputed column): one 0/1 column
/// per `features_` entry; infinity refused; with `error_on_new` a missing value in a column fit saw
/// none in is refused naming row and column, as scikit-learn's `transform` raises. Outputs and the
/// refusals are scikit-learn 1.9.1's on the same rows (checked by hand against `MissingIndicator`).
@Suite struct MissingIndicatorStepTests {
    static func indicator(refusesNewMissing: Bool) -> PreprocessingStep {
        PreprocessingStep(
            name: "mi",
            inputWidth: 2,
            kind: .imputer(
                .init(
                    missingValue: .nan,
                    statistics: [.nan, .nan],
                    keepEmpty: false,
                    indicator: [0],
                    indicatorOnly: true,
                    refusesNewMissing: refusesNewMissing
                )
            )
        )
    }

    static func block(_ a: [Double], _ b: [Double]) -> PreprocessingBlock {
        PreprocessingBlock(columns: [.numbers(a), .numbers(b)], names: ["a", "b"], rows: a.count)
    }

    @Test func indicatesTheFittedFeaturesOnly() throws {
        let out = try Self.indicator(refusesNewMissing: true).apply(Self.block([1, .nan, 3], [4, 5, 6]))
        #expect(out.names == ["missingindicator_a"])
        guard case .numbers(let values) = try #require(out.columns.first) else {
            Issue.record("not numbers: \(out.columns)")
            return
        }
        #expect(values == [0, 1, 0])
    }

    @Test func aMissingValueWhereFitSawNoneIsRefusedWithErrorOnNew() throws {
        let error = try #require(throws: ModelBundleError.self) {
            try Self.indicator(refusesNewMissing: true).apply(Self.block([1, 2, 3], [4, .nan, 6]))
        }
        #expect(error.code == .schemaMismatch)
        #expect(error.item == "b")
        #expect(error.message.contains("column 'b' row 1: a missing value reaches mi"), "\(error.message)")
        // error_on_new=False (or features="all"): indicated or not, never refused.
        let out = try Self.indicator(refusesNewMissing: false).apply(Self.block([1, 2, 3], [4, .nan, 6]))
        #expect(out.columns.count == 1)
    }

    @Test func infinityIsRefused() throws {
        let error = try #require(throws: ModelBundleError.self) {
            try Self.indicator(refusesNewMissing: false).apply(Self.block([1, .infinity, 3], [4, 5, 6]))
        }
        #expect(error.code == .schemaMismatch)
        #expect(error.message.contains("MissingIndicator"), "\(error.message)")
    }
}
