import ModelBundle

/// Every refusal of a columnar reader is a ``ModelBundleError/Code/inputInvalid`` (the input data
/// was rejected, exit status 1) whose item names where in the file it happened.
enum ColumnarError {
    static func invalid(_ where: String, _ message: String) -> ModelBundleError {
        ModelBundleError(.inputInvalid, "\(`where`): \(message)", item: `where`)
    }
}
