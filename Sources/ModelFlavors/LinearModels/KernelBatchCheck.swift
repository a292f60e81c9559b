import ModelBundle

/// Shape checks shared by the public kernels: a batch is `rowCount × featureCount` values and the
/// output holds exactly `rowCount × width` values. Mismatches are errors, never traps.
enum KernelBatchCheck {
    static func rowCount(inputCount: Int, featureCount: Int) throws(ModelBundleError) -> Int {
        guard inputCount % featureCount == 0 else {
            throw ModelBundleError(
                .schemaMismatch,
                "the input holds \(inputCount) values, not a whole number of rows of \(featureCount) features",
                item: "input"
            )
        }
        return inputCount / featureCount
    }

    static func output(count: Int, rowCount: Int, width: Int) throws(ModelBundleError) {
        let (expected, overflow) = rowCount.multipliedReportingOverflow(by: width)
        guard !overflow, count == expected else {
            throw ModelBundleError(
                .inputInvalid,
                "the output buffer holds \(count) values but \(rowCount) rows × \(width) are needed",
                item: "output"
            )
        }
    }
}
