/// The `requirements.txt` of a bundle: pip requirement lines, kept as inert text.
///
/// Written as MLflow's `_process_pip_requirements` writes it: `mlflow==<version>` first when no
/// requirement names MLflow, duplicates dropped, lines joined by `"\n"` with no trailing newline.
/// Read back without interpreting anything: `-r`, `-c`, `--index-url` or URLs are just lines
/// (nothing a bundle names is ever fetched, opened or run).
package struct RequirementsFile: Sendable, Equatable {
    /// The file's name inside a bundle.
    public static let fileName = "requirements.txt"
    /// The largest file accepted.
    public static let maximumSize = 256 << 10
    /// The most lines accepted.
    public static let maximumLineCount = 4096

    /// The requirement lines, in file order.
    public private(set) var lines: [String]

    /// Uses `lines` as they are, for callers that already hold a processed list.
    ///
    /// - Throws: `.environmentInvalid` when a line is empty or holds a line break or control
    ///   character (it could not be written as one line).
    public init(lines: [String]) throws(ModelBundleError) {
        for (index, line) in lines.enumerated() {
            try Self.checkLine(line, item: "\(Self.fileName):\(index + 1)")
        }
        self.lines = lines
    }

    /// Processes requirements the way MLflow does before writing them.
    ///
    /// - Parameters:
    ///   - requirements: pinned requirements such as `numpy==2.4.6`, optionally `-c constraints.txt`.
    ///   - mlflowVersion: inserted first as `mlflow==<version>` unless a requirement names
    ///     `mlflow`, `mlflow-skinny` or `mlflow-tracing`.
    /// - Throws: `.environmentInvalid` for a malformed line, or for two requirements of the same
    ///   package (and marker) with different specifiers, which MLflow would try to merge.
    public init(requirements: [String], mlflowVersion: String) throws(ModelBundleError) {
        var all = requirements
        if !requirements.contains(where: { Self.isMLflowRequirement($0) }) {
            all.insert("mlflow==\(mlflowVersion)", at: 0)
        }
        var result: [String] = []
        var seenKeys: [String: String] = [:]
        var seenOpaque = Set<String>()
        for (index, requirement) in all.enumerated() {
            let item = "requirements[\(index)]"
            try Self.checkLine(requirement, item: item)
            guard let parsed = ParsedRequirement(requirement) else {
                // Options, paths and URLs: MLflow keeps them as they are, once.
                if seenOpaque.insert(requirement).inserted { result.append(requirement) }
                continue
            }
            if let previous = seenKeys[parsed.key] {
                if previous != requirement {
                    throw ModelBundleError(
                        .environmentInvalid,
                        "requirements list \(parsed.name) twice with different specifiers ('\(previous)' and "
                            + "'\(requirement)'); give one pinned requirement per package",
                        item: item
                    )
                }
                continue
            }
            seenKeys[parsed.key] = requirement
            result.append(requirement)
        }
        self.lines = result
    }

    /// Parses a `requirements.txt`: blank lines and `#` comment lines are skipped, every other
    /// line is kept verbatim (trailing `\r` and surrounding spaces trimmed).
    public init(parsing bytes: [UInt8]) throws(ModelBundleError) {
        guard bytes.count <= Self.maximumSize else {
            throw ModelBundleError(
                .manifestTooLarge,
                "\(Self.fileName) is \(bytes.count) bytes, more than the \(Self.maximumSize) bytes accepted",
                item: Self.fileName
            )
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ModelBundleError(.environmentInvalid, "\(Self.fileName) is not UTF-8 text", item: Self.fileName)
        }
        var lines: [String] = []
        // Split on the byte: in a String "\r\n" is one Character and would not split on "\n".
        for (index, rawLine) in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .enumerated()
        {
            var line = rawLine
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            let trimmed = trimmingSpaces(String(decoding: line, as: UTF8.self))
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard lines.count < Self.maximumLineCount else {
                throw ModelBundleError(
                    .environmentInvalid,
                    "\(Self.fileName) has more than \(Self.maximumLineCount) requirement lines",
                    item: Self.fileName
                )
            }
            let item = "\(Self.fileName):\(index + 1)"
            try Self.checkLine(trimmed, item: item)
            lines.append(trimmed)
        }
        self.lines = lines
    }

    /// The file's exact text: lines joined by `"\n"`, no trailing newline.
    public var text: String {
        lines.joined(separator: "\n")
    }

    /// Whether a requirement names MLflow itself (as MLflow's `_is_mlflow_requirement` decides
    /// for ordinary requirement strings).
    static func isMLflowRequirement(_ requirement: String) -> Bool {
        guard let parsed = ParsedRequirement(requirement) else {
            let compact = requirement.lowercased().filter { $0 != " " }
            return compact.contains("/mlflow") || compact.contains("mlflow@git")
        }
        return ["mlflow", "mlflow-skinny", "mlflow-tracing"].contains(parsed.name.lowercased())
    }

    private static func checkLine(_ line: String, item: String) throws(ModelBundleError) {
        if line.isEmpty {
            throw ModelBundleError(.environmentInvalid, "a requirement is empty; remove it", item: item)
        }
        if line.utf8.count > 4096 {
            throw ModelBundleError(.environmentInvalid, "a requirement is longer than 4096 bytes", item: item)
        }
        if line.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw ModelBundleError(
                .environmentInvalid,
                "a requirement holds a line break or control character; write one requirement per line",
                item: item
            )
        }
    }
}

/// The parts of a PEP 508 requirement that de-duplication needs: the distribution name and the
/// environment marker. `nil` for lines that are not requirements (options, paths, bare URLs).
struct ParsedRequirement {
    var name: String
    var marker: String

    /// The de-duplication key MLflow uses: the name as written plus the marker.
    var key: String { name + "\u{0}" + marker }

    init?(_ text: String) {
        let scalars = Array(text.unicodeScalars)
        var end = 0
        while end < scalars.count, Self.isNameCharacter(scalars[end]) { end += 1 }
        guard end > 0, Self.isAlphanumeric(scalars[0]), Self.isAlphanumeric(scalars[end - 1]) else { return nil }
        // After the name only extras, a specifier, a marker or "@ url" may follow.
        if end < scalars.count, !" [<>=!~;@(".unicodeScalars.contains(scalars[end]) { return nil }
        name = String(String.UnicodeScalarView(scalars[0..<end]))
        if let semicolon = text.firstIndex(of: ";") {
            marker = trimmingSpaces(text[text.index(after: semicolon)...])
        } else {
            marker = ""
        }
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || (scalar >= "0" && scalar <= "9")
    }

    private static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        isAlphanumeric(scalar) || scalar == "-" || scalar == "_" || scalar == "."
    }
}

/// The text without leading and trailing spaces and tabs.
private func trimmingSpaces(_ text: some StringProtocol) -> String {
    let scalars = Array(text.unicodeScalars)
    var start = 0
    var end = scalars.count
    while start < end, scalars[start] == " " || scalars[start] == "\t" { start += 1 }
    while end > start, scalars[end - 1] == " " || scalars[end - 1] == "\t" { end -= 1 }
    return String(String.UnicodeScalarView(scalars[start..<end]))
}
