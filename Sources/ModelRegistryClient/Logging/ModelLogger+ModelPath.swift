package import ModelBundle
import ModelBundleArchive

extension ModelLogger {
    /// `mbundle log` as one call: the bundle at `modelPath` (a directory, or a `.tar.gz`/`.zip` of
    /// one, whose extracted copy lives until its files are uploaded), logged as ``log(_:_:version:)``
    /// does.
    package func log(modelPath: String, _ request: Request, version: String) throws(ModelBundleError) -> Result {
        let extracted = try ExtractedBundle.open(modelPath: modelPath)
        return try withExtendedLifetime(extracted) { () throws(ModelBundleError) in
            try log(BundleReader(path: extracted.directory.path).read(), request, version: version)
        }
    }
}
