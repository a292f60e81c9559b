import ModelBundle
import NIOHTTP1

/// Limits on what one artifact download may hold. The listing comes from the network and is
/// untrusted: it is walked and checked in full before anything is written.
package struct ArtifactLimits: Sendable {
    /// The most files.
    package var maximumFiles = 10_000
    /// The most directories listed (each costs one request).
    package var maximumDirectories = 2_000
    /// The largest single file (files are received whole before they are written).
    package var maximumFileBytes = 1 << 30
    /// The most bytes in all.
    package var maximumTotalBytes = 8 << 30

    package init() {}
}

/// One file of a remote artifact directory.
struct ArtifactFile: Sendable {
    /// Its path below the directory, validated as a bundle path.
    var path: BundlePath
    /// The size the listing declares (MLflow's proxy always gives one).
    var size: Int?
}

/// The artifact proxy of the tracking server (`/api/2.0/mlflow-artifacts/artifacts`), as MLflow's
/// `HttpArtifactRepository` uses it: `GET …/artifacts?path=DIR` lists one directory (entries are
/// base names), `GET …/artifacts/PATH` downloads a file, `PUT …/artifacts/PATH` uploads one.
struct ArtifactProxy {
    static let root = "/api/2.0/mlflow-artifacts/artifacts"

    let http: TrackingHTTPClient
    let limits: ArtifactLimits

    /// The proxy path of an artifact URI the server returned, e.g. `mlflow-artifacts:/1/models/m-…/artifacts`.
    ///
    /// - Throws: when the location is not served through the proxy (an `s3://` root on a server
    ///   started without `--serve-artifacts`, a local path, another scheme).
    static func proxyPath(of location: String, subject: String) throws(ModelBundleError) -> String {
        guard location.hasPrefix("mlflow-artifacts:") else {
            let scheme = location.split(separator: ":").first.map(String.init) ?? location
            throw ModelBundleError(
                .serviceUnavailable,
                "\(subject) is stored at a \(scheme): location, not behind the tracking server's artifact proxy; "
                    + "start the server with --serve-artifacts (mlflow-artifacts:/ locations)",
                item: subject
            )
        }
        var rest = Substring(location.dropFirst("mlflow-artifacts:".count))
        if rest.hasPrefix("//") {
            // mlflow-artifacts://host:port/path: the host is the tracking server itself.
            rest = rest.dropFirst(2)
            rest = rest.drop { $0 != "/" }
        }
        while rest.hasPrefix("/") { rest.removeFirst() }
        while rest.hasSuffix("/") { rest.removeLast() }
        for segment in rest.split(separator: "/", omittingEmptySubsequences: false)
        where segment.isEmpty || segment == "." || segment == ".." {
            throw ModelBundleError(
                .unsafePath,
                "\(subject): the server gave an unsafe artifact location",
                item: subject
            )
        }
        return String(rest)
    }

    /// Lists every file below `directory`, refusing unsafe names and oversized trees before any download.
    func listTree(_ directory: String, subject: String) throws(ModelBundleError) -> [ArtifactFile] {
        var files: [ArtifactFile] = []
        var pending: [String] = [""]
        var listed = 0
        var total = 0
        while let relative = pending.popLast() {
            listed += 1
            guard listed <= limits.maximumDirectories else {
                throw ModelBundleError(
                    .archiveLimitExceeded,
                    "\(subject): the artifact listing has more than \(limits.maximumDirectories) directories; refused",
                    item: subject
                )
            }
            let full = relative.isEmpty ? directory : directory + "/" + relative
            let answer = try http.json(
                try http.send(
                    .GET,
                    Self.root + URLEncoding.query([("path", full)]),
                    limit: TrackingHTTPClient.jsonLimit,
                    subject: subject
                ),
                subject: subject
            )
            for entry in answer["files"]?.arrayValue ?? [] {
                guard let name = entry["path"]?.stringValue else {
                    throw ModelBundleError(
                        .unsafePath,
                        "\(subject): an artifact listing entry has no path",
                        item: subject
                    )
                }
                let path = relative.isEmpty ? name : relative + "/" + name
                // Entries are base names: a '/' here, '..', an absolute or odd name is hostile.
                let validated: BundlePath
                do {
                    validated = try BundlePath(path, field: "artifact listing of \(subject)")
                } catch {
                    throw ModelBundleError(
                        .unsafePath,
                        "\(subject): the artifact listing names an unsafe path (\(error.message)); nothing was written",
                        item: subject
                    )
                }
                guard !name.contains("/") else {
                    throw ModelBundleError(
                        .unsafePath,
                        "\(subject): the artifact listing entry \(path) is not a plain name; nothing was written",
                        item: subject
                    )
                }
                if case .bool(true) = entry["is_dir"] ?? .null {
                    pending.append(validated.rawValue)
                    continue
                }
                let size = Self.integer(entry["file_size"])
                if let size {
                    guard size >= 0, size <= limits.maximumFileBytes else {
                        throw ModelBundleError(
                            .archiveLimitExceeded,
                            "\(subject): artifact \(path) declares \(size) bytes, more than the limit of \(limits.maximumFileBytes); nothing was written",
                            item: subject
                        )
                    }
                    total += size
                }
                files.append(ArtifactFile(path: validated, size: size))
                guard files.count <= limits.maximumFiles else {
                    throw ModelBundleError(
                        .archiveLimitExceeded,
                        "\(subject): the artifact listing has more than \(limits.maximumFiles) files; nothing was written",
                        item: subject
                    )
                }
                guard total <= limits.maximumTotalBytes else {
                    throw ModelBundleError(
                        .archiveLimitExceeded,
                        "\(subject): the artifacts declare more than \(limits.maximumTotalBytes) bytes; nothing was written",
                        item: subject
                    )
                }
            }
        }
        // One path listed twice (or as a file and a directory) is as hostile as '..'.
        var seen = Set<BundlePath>()
        for file in files where !seen.insert(file.path).inserted {
            throw ModelBundleError(
                .unsafePath,
                "\(subject): the artifact listing names \(file.path) twice; nothing was written",
                item: subject
            )
        }
        return files.sorted { $0.path < $1.path }
    }

    /// Downloads one file, checking its size against the listing.
    func download(_ directory: String, _ file: ArtifactFile, subject: String) throws(ModelBundleError) -> [UInt8] {
        let path = Self.root + "/" + URLEncoding.encode(directory + "/" + file.path.rawValue, keepingSlashes: true)
        let limit = min(file.size.map { $0 + 1 } ?? limits.maximumFileBytes, limits.maximumFileBytes)
        let response = try http.send(.GET, path, limit: max(limit, 1), subject: subject)
        try http.check(response, subject: subject)
        if let size = file.size, response.body.count != size {
            throw ModelBundleError(
                .checksumMismatch,
                "\(subject): \(file.path) arrived with \(response.body.count) bytes, not the \(size) the listing declares",
                item: file.path.rawValue
            )
        }
        return response.body
    }

    /// Uploads one file.
    func upload(_ directory: String, _ path: BundlePath, bytes: [UInt8], subject: String) throws(ModelBundleError) {
        let target = Self.root + "/" + URLEncoding.encode(directory + "/" + path.rawValue, keepingSlashes: true)
        let response = try http.send(
            .PUT,
            target,
            body: bytes,
            contentType: "application/octet-stream",
            limit: TrackingHTTPClient.jsonLimit,
            subject: subject
        )
        try http.check(response, subject: subject)
    }

    /// A JSON integer, or a decimal string (protobuf's JSON form of int64).
    static func integer(_ value: JSONValue?) -> Int? {
        switch value {
        case .integer(let number)?: return Int(exactly: number)
        case .string(let text)?: return Int(text)
        default: return nil
        }
    }
}
