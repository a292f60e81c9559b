import CYAML

/// A YAML node as the document readers see it: scalars keep their text, whether they were plain
/// (unquoted, so YAML's implicit typing applies) and their resolved tag; collections keep order.
///
/// Built straight on libyaml's event parser rather than a wrapper package, so that reading an
/// `MLmodel` pulls neither Foundation nor ICU into the process (each costs milliseconds of cold
/// start and tens of megabytes of binary).
enum YAMLNode {
    case scalar(String, tag: String, isPlain: Bool, line: Int)
    case sequence([YAMLNode], tag: String)
    case mapping([(key: YAMLNode, value: YAMLNode)], tag: String)
    case alias(line: Int, column: Int)

    var tag: String {
        switch self {
        case .scalar(_, let tag, _, _), .sequence(_, let tag), .mapping(_, let tag): tag
        case .alias: ""
        }
    }
}

/// Why a document could not be composed; lines and columns count from 1.
enum YAMLComposeError: Error {
    /// libyaml's own scanner or parser refused the text.
    case syntax(problem: String, line: Int, column: Int)
    /// The same key twice in one mapping (the keys, sorted, and the first one's line).
    case duplicateKeys([String], line: Int)
    /// More than one document in the stream.
    case multipleDocuments(line: Int)
    /// Collections nested deeper than the limit.
    case tooDeep(limit: Int, line: Int)
    /// More nodes than the limit.
    case tooManyNodes(limit: Int)
}

/// Composes the single document of a YAML stream into ``YAMLNode``s.
///
/// Iterative (an explicit stack, so hostile nesting cannot exhaust the thread's stack), bounded in
/// depth and node count, and inert: tags are reported, never acted on; aliases are reported as
/// ``YAMLNode/alias(line:column:)``, never expanded.
struct YAMLComposer {
    var maximumDepth: Int
    var maximumNodes: Int

    private static let coreTagPrefix = "tag:yaml.org,2002:"

    /// Returns the document's root, or `nil` for an empty stream.
    func compose(_ bytes: some Collection<UInt8>) throws(YAMLComposeError) -> YAMLNode? {
        let text = Array(bytes)
        // On the heap: the session keeps the parser's address across calls.
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        parser.initialize(to: yaml_parser_t())
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            throw .syntax(problem: "out of memory", line: 1, column: 1)
        }
        defer { yaml_parser_delete(parser) }
        return try text.withUnsafeBufferPointer { buffer throws(YAMLComposeError) -> YAMLNode? in
            yaml_parser_set_input_string(parser, buffer.baseAddress, buffer.count)
            var session = Session(parser: parser, maximumDepth: maximumDepth, maximumNodes: maximumNodes)
            return try session.run()
        }
    }

    /// One pass over the events; holds the open collections.
    private struct Session {
        enum Open {
            case sequence(items: [YAMLNode], tag: String, line: Int)
            case mapping(pairs: [(key: YAMLNode, value: YAMLNode)], pendingKey: YAMLNode?, tag: String, line: Int)
        }

        let parser: UnsafeMutablePointer<yaml_parser_t>
        let maximumDepth: Int
        var nodesLeft: Int
        let maximumNodes: Int
        var stack: [Open] = []

        init(parser: UnsafeMutablePointer<yaml_parser_t>, maximumDepth: Int, maximumNodes: Int) {
            self.parser = parser
            self.maximumDepth = maximumDepth
            self.nodesLeft = maximumNodes
            self.maximumNodes = maximumNodes
        }

        mutating func run() throws(YAMLComposeError) -> YAMLNode? {
            var root: YAMLNode?
            var documents = 0
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(parser, &event) == 1 else { throw syntaxError() }
                defer { yaml_event_delete(&event) }
                let line = Int(event.start_mark.line) + 1
                let column = Int(event.start_mark.column) + 1
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return root
                case YAML_DOCUMENT_START_EVENT:
                    documents += 1
                    if documents > 1 { throw .multipleDocuments(line: line) }
                case YAML_SCALAR_EVENT:
                    let scalar = event.data.scalar
                    let value = String(
                        decoding: UnsafeBufferPointer(start: scalar.value, count: Int(scalar.length)),
                        as: UTF8.self
                    )
                    let tag = Self.resolve(scalar.tag, default: "str")
                    let isPlain = scalar.style == YAML_PLAIN_SCALAR_STYLE || scalar.style == YAML_ANY_SCALAR_STYLE
                    try add(.scalar(value, tag: tag, isPlain: isPlain, line: line), into: &root)
                case YAML_ALIAS_EVENT:
                    try add(.alias(line: line, column: column), into: &root)
                case YAML_SEQUENCE_START_EVENT:
                    try open(
                        .sequence(
                            items: [],
                            tag: Self.resolve(event.data.sequence_start.tag, default: "seq"),
                            line: line
                        )
                    )
                case YAML_MAPPING_START_EVENT:
                    let tag = Self.resolve(event.data.mapping_start.tag, default: "map")
                    try open(.mapping(pairs: [], pendingKey: nil, tag: tag, line: line))
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    guard let closed = stack.popLast() else { break }
                    switch closed {
                    case .sequence(let items, let tag, _):
                        try add(.sequence(items, tag: tag), into: &root)
                    case .mapping(let pairs, _, let tag, let mappingLine):
                        try Self.checkDuplicates(pairs, mappingLine: mappingLine)
                        try add(.mapping(pairs, tag: tag), into: &root)
                    }
                default:
                    break
                }
            }
        }

        private mutating func open(_ collection: Open) throws(YAMLComposeError) {
            guard stack.count < maximumDepth else {
                let line: Int
                switch collection {
                case .sequence(_, _, let start), .mapping(_, _, _, let start): line = start
                }
                throw .tooDeep(limit: maximumDepth, line: line)
            }
            try count()
            stack.append(collection)
        }

        private mutating func count() throws(YAMLComposeError) {
            nodesLeft -= 1
            if nodesLeft < 0 { throw .tooManyNodes(limit: maximumNodes) }
        }

        /// Adds a finished node to the innermost open collection, or makes it the root.
        private mutating func add(_ node: YAMLNode, into root: inout YAMLNode?) throws(YAMLComposeError) {
            if case .scalar = node { try count() }
            if case .alias = node { try count() }
            guard let last = stack.popLast() else {
                root = node
                return
            }
            switch last {
            case .sequence(var items, let tag, let line):
                items.append(node)
                stack.append(.sequence(items: items, tag: tag, line: line))
            case .mapping(var pairs, let pendingKey, let tag, let line):
                if let pendingKey {
                    pairs.append((pendingKey, node))
                    stack.append(.mapping(pairs: pairs, pendingKey: nil, tag: tag, line: line))
                } else {
                    stack.append(.mapping(pairs: pairs, pendingKey: node, tag: tag, line: line))
                }
            }
        }

        private func syntaxError() -> YAMLComposeError {
            let problem = parser.pointee.problem.map { String(cString: $0) } ?? "invalid YAML"
            let mark = parser.pointee.problem_mark
            return .syntax(problem: problem, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
        }

        /// An absent or non-specific (`!`) tag takes the core tag of the node's kind, as PyYAML and
        /// libyaml-based loaders resolve it with no implicit typing rules.
        private static func resolve(_ tag: UnsafeMutablePointer<yaml_char_t>?, default kind: String) -> String {
            guard let tag else { return YAMLComposer.coreTagPrefix + kind }
            let text = String(cString: tag)
            return text == "!" ? YAMLComposer.coreTagPrefix + kind : text
        }

        /// Refuses a key that appears twice among the scalar keys of one mapping.
        private static func checkDuplicates(
            _ pairs: [(key: YAMLNode, value: YAMLNode)],
            mappingLine: Int
        ) throws(YAMLComposeError) {
            guard pairs.count > 1 else { return }
            var firstLine: [String: Int] = [:]
            var duplicates: Set<String> = []
            for pair in pairs {
                guard case .scalar(let key, _, _, let line) = pair.key else { continue }
                if firstLine[key] != nil { duplicates.insert(key) } else { firstLine[key] = line }
            }
            guard !duplicates.isEmpty else { return }
            let sorted = duplicates.sorted()
            throw .duplicateKeys(sorted, line: firstLine[sorted[0]] ?? mappingLine)
        }
    }
}
