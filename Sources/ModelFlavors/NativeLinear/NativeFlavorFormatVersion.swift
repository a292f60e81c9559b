import ModelBundle

/// The `format_version` check every native flavor's configuration makes, naming the field at fault.
enum NativeFlavorFormatVersion {
    /// - Throws: ``ModelBundleError/Code/manifestInvalid`` when the field is missing or not an
    ///   integer, ``ModelBundleError/Code/unsupportedFormatVersion`` for another version.
    static func check(_ configuration: ManifestMap, prefix: String, supported: Int) throws(ModelBundleError) {
        guard let version = configuration["format_version"]?.int else {
            throw ModelBundleError(
                .manifestInvalid,
                "MLmodel field \(prefix).format_version is missing or not an integer; this build reads format_version \(supported)",
                item: "\(prefix).format_version"
            )
        }
        guard version == supported else {
            throw ModelBundleError(
                .unsupportedFormatVersion,
                "MLmodel field \(prefix).format_version is \(version); this build reads format_version \(supported) — upgrade mbundle",
                item: "\(prefix).format_version"
            )
        }
    }
}
