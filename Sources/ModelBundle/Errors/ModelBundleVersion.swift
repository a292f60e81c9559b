/// The version of this package, in one place: `mbundle --version` prints it and packaged bundles
/// record it as `metadata.mbundle_version`.
package enum ModelBundleVersion {
    /// The current version.
    public static let current = "0.1.0"
}
