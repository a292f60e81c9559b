import Testing

@testable import ModelFlavors

/// SelectPercentile's threshold is numpy's linear percentile; these are `np.percentile(a, q)` from
/// numpy 2.4.6 (the expected doubles printed with repr), including its `_lerp` from the upper side.
@Suite struct SklearnFeatureSelectionTests {
    @Test(arguments: [
        ([0.1, 0.7, 0.3, 5.0, 2.5], 40.0, 0.54),
        ([1, 2, 3, 4, 5, 6, 7, 8], 40, 3.8000000000000003),
        ([3.3, 1.1, 2.2], 90, 3.08),
        ([0.5], 10, 0.5),
        ([1e-300, 2.0, 7.5, 7.5, 9.0], 25, 2.0),
        ([44.33, 3.85, 29.19, 5.74, 13.07, 30.71, 0.96, 0.93], 37.5, 5.03125),
    ])
    func linearPercentileIsNumpys(_ values: [Double], _ percent: Double, _ expected: Double) {
        #expect(SklearnFeatureSelection.linearPercentile(values.sorted(), percent / 100) == expected)
    }
}
