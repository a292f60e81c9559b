package import ModelBundle

/// How model URIs are fetched: the cache and whether the network may be used.
package struct RegistrySettings: Sendable {
    /// The cache root.
    package var cacheDirectory: String
    /// Use only the cache (`--offline`).
    package var offline = false
    /// Fail instead of using a mutable URI's last resolution when the server cannot be reached
    /// (`--no-fallback`).
    package var noFallback = false
    /// Where `MLFLOW_*` and `XDG_CACHE_HOME` are read.
    package var environment: [String: String]
    /// Download limits.
    package var limits = ArtifactLimits()

    package init(environment: [String: String], cacheDirectory: String? = nil) {
        self.environment = environment
        self.cacheDirectory = cacheDirectory ?? ModelCache.defaultRoot(environment: environment)
    }
}

/// Turns a `models:/`, `runs:/` or `mlflow-artifacts:/` URI into a local model directory in the
/// cache, downloading it when needed.
///
/// - Immutable URIs (`models:/NAME/VERSION`, `models:/MODEL_ID`, `runs:/…`, `mlflow-artifacts:/…`)
///   are served from the cache without any request once cached.
/// - `models:/NAME@ALIAS`, `models:/NAME/STAGE` and `models:/NAME/latest` are re-resolved on every
///   use (one request); when the server cannot be reached, the URI's last resolution is used with a
///   warning, unless `noFallback`.
/// - `offline` uses the cache only (a mutable URI's last resolution, with a warning).
package struct RegistryFetcher: Sendable {
    package let settings: RegistrySettings
    /// Receives warnings (one line each).
    package let warn: @Sendable (String) -> Void

    package init(settings: RegistrySettings, warn: @escaping @Sendable (String) -> Void) {
        self.settings = settings
        self.warn = warn
    }

    /// The local directory of the model `text` names.
    package func localDirectory(for text: String) throws(ModelBundleError) -> String {
        let uri = try ModelURI(text)
        let server = try TrackingServer(environment: settings.environment)
        let cache = ModelCache(root: settings.cacheDirectory)
        var session = Session(server: server)
        defer { session.close() }
        guard let name = uri.registeredName else {
            return try fetchImmutable(uri, cache: cache, session: &session)
        }
        // An alias, a stage or `latest`: its last resolution is kept under this key (named "alias" for
        // every kind, as caches already written name it).
        let resolutionKey = ModelCache.key(server: server.baseURL, uri: "alias " + uri.text)
        func lastResolution(_ reason: String) -> String? {
            guard let reference = cache.reference(resolutionKey),
                let directory = cache.verifiedObject(reference.object, report: { self.reportDamage(uri.text, $0) })
            else { return nil }
            warn(
                "warning: \(reason); using the last resolution of \(uri.text)"
                    + (reference.version.map { " (version \($0))" } ?? "") + " from the cache"
            )
            return directory
        }
        if settings.offline {
            if let directory = lastResolution("--offline") { return directory }
            throw ModelBundleError(
                .serviceUnavailable,
                "\(uri.text) has never been resolved into the cache \(cache.root); it cannot be used --offline",
                item: uri.text
            )
        }
        let current: String?
        do {
            current = try ModelResolver(http: try session.client()).currentVersion(of: uri)
        } catch  where error.code == .serviceUnavailable && !settings.noFallback {
            if let directory = lastResolution("cannot reach \(server.displayURI) (\(error.message))") {
                return directory
            }
            throw error
        }
        guard let version = current else { return try fetchImmutable(uri, cache: cache, session: &session) }
        let pinned = try ModelURI("models:/\(name)/\(version)")
        let directory = try fetchImmutable(pinned, cache: cache, session: &session, subject: uri.text)
        if let object = directory.split(separator: "/").last {
            try cache.setReference(resolutionKey, .init(object: String(object), version: version))
        }
        return directory
    }

    /// Cache hit, else download.
    private func fetchImmutable(
        _ uri: ModelURI,
        cache: ModelCache,
        session: inout Session,
        subject: String? = nil
    ) throws(ModelBundleError) -> String {
        let subject = subject ?? uri.text
        let key = ModelCache.key(server: session.server.baseURL, uri: uri.text)
        if let reference = cache.reference(key),
            let directory = cache.verifiedObject(reference.object, report: { reportDamage(subject, $0) })
        {
            return directory
        }
        if settings.offline {
            throw ModelBundleError(
                .serviceUnavailable,
                "\(subject) is not in the cache \(cache.root); it cannot be used --offline",
                item: subject
            )
        }
        let http = try session.client()
        let location = try ModelResolver(http: http).locate(uri)
        let proxy = ArtifactProxy(http: http, limits: settings.limits)
        // The whole listing is checked before the first byte is written.
        let files = try proxy.listTree(location.directory, subject: subject)
        guard !files.isEmpty else {
            throw ModelBundleError(
                .fileMissing,
                "\(subject): no artifacts at \(location.canonicalURI) on \(session.server.displayURI)",
                item: subject
            )
        }
        let staging = try cache.makeStaging()
        for file in files {
            let bytes = try proxy.download(location.directory, file, subject: subject)
            try staging.write(file.path, bytes: bytes)
        }
        // Our checksums.sha256 (and the bundle's structure) are verified before publishing.
        do {
            let verification = try BundleReader(path: staging.path).verify()
            try verification.requireClean(staging.path)
        } catch {
            throw ModelBundleError(
                error.code,
                "\(subject): the downloaded model is refused: \(error.message)",
                item: error.item,
                detail: error.detail
            )
        }
        let hash = try cache.publish(staging)
        try cache.setReference(key, .init(object: hash, version: nil))
        return cache.objects + "/" + hash
    }

    private func reportDamage(_ subject: String, _ problem: String) {
        warn("warning: the cached copy of \(subject) was modified (\(problem)); it was removed and is downloaded again")
    }

    /// The HTTP client, created on first use so that cache hits make no connection at all.
    struct Session {
        let server: TrackingServer
        private var http: TrackingHTTPClient?

        init(server: TrackingServer) {
            self.server = server
        }

        mutating func client() throws(ModelBundleError) -> TrackingHTTPClient {
            if let http { return http }
            let created = try TrackingHTTPClient(server: server)
            http = created
            return created
        }

        func close() {
            http?.shutdown()
        }
    }
}
