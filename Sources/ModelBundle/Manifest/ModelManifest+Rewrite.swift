import SystemPlatform

extension ModelManifest {
    /// Reads the `MLmodel` file at `input` with the manifest layer and writes it back to `output`
    /// (which must not exist): the interoperability check that nothing is lost on a round trip.
    package static func rewrite(from input: String, to output: String) throws(ModelBundleError) {
        let (directory, name) = PathParts.split(input)
        let bytes = try BundleDirectory(path: directory).read(try BundlePath(name), limit: ModelManifest.maximumSize)
        let manifest = try ModelManifest(parsing: bytes)
        let file: FileDescriptor
        switch FileDescriptor.open(output, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o644) {
        case .success(let opened): file = opened
        case .failure(let error):
            throw ModelBundleError(.ioFailure, "cannot create \(output): \(error.message)", item: output)
        }
        do throws(SystemError) {
            try file.writeAll(Array(manifest.yamlText.utf8))
        } catch {
            unlink(output)
            throw ModelBundleError(.ioFailure, "cannot write \(output)", item: output)
        }
    }
}
