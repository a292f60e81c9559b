package import ModelBundle

/// The scikit-learn file readers as one package-visible seam, so the fuzz harness (`Fuzz/`) can
/// drive exactly the code a bundle's `model.pkl` or `model.skops` reaches, without widening the
/// readers' own access.
package enum SklearnFileReaders {
    /// Reads a pickle (or cloudpickle) file into an allowlisted estimator.
    package static func readPickle(_ bytes: [UInt8], fileName: String) throws(ModelBundleError) {
        _ = try PickleReader.read(bytes: bytes, fileName: fileName)
    }

    /// Reads a skops zip file into an allowlisted estimator.
    package static func readSkops(_ bytes: [UInt8], fileName: String) throws(ModelBundleError) {
        _ = try SkopsReader.read(bytes: bytes, fileName: fileName)
    }
}
