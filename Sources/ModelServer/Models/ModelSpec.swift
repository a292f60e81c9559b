package import ModelBundle

/// One `-m [NAME=]MODEL` argument: the name the V2 routes use and where the bundle is.
public struct ModelSpec: Sendable, Hashable {
    /// The model's name in `/v2/models/{name}`.
    public var name: String
    /// A bundle directory or a `.tar.gz`/`.zip` of one.
    public var location: String

    public init(name: String, location: String) {
        self.name = name
        self.location = location
    }

    /// Parses `NAME=MODEL` or `MODEL`. Without a name, the bundle's file name (less an archive
    /// extension) is the name. A `=` whose left side is not a valid name is part of the path.
    ///
    /// - Throws: ``ModelBundleError/Code/inputInvalid`` when no valid name results.
    package init(argument: String) throws(ModelBundleError) {
        if let equals = argument.firstIndex(of: "="), Self.isValidName(argument[..<equals]) {
            name = String(argument[..<equals])
            location = String(argument[argument.index(after: equals)...])
        } else {
            location = argument
            name = Self.defaultName(for: argument)
        }
        guard !location.isEmpty else {
            throw ModelBundleError(.inputInvalid, "-m \(argument) names no model after '='", item: argument)
        }
        guard Self.isValidName(name[...]) else {
            throw ModelBundleError(
                .inputInvalid,
                "cannot derive a model name from \(argument); give one as NAME=MODEL "
                    + "(letters, digits, '.', '_', '-'; at most 128)",
                item: argument
            )
        }
    }

    /// Names are path segments of the V2 routes and Prometheus label values: kept to a safe alphabet.
    static func isValidName(_ text: Substring) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 128, text != ".", text != ".." else { return false }
        return text.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    static func defaultName(for location: String) -> String {
        var path = Substring(location)
        while path.count > 1 && path.hasSuffix("/") { path = path.dropLast() }
        var base = path.split(separator: "/").last ?? path
        for suffix in [".tar.gz", ".tgz", ".zip"] where base.lowercased().hasSuffix(suffix) {
            base = base.dropLast(suffix.count)
            break
        }
        return String(base)
    }
}
