/// The start-up fast path of `mbundle predict`: reads the usual spellings of its options without
/// ArgumentParser, whose parse builds every option group by reflection and checks protocol
/// conformances by scanning the whole binary's conformance records (about 40 % of a 6-row
/// `mbundle predict`, by `perf`). Only the success path is direct: anything this reader does not
/// know (help, completion scripts, a positional argument, a repeated option, a value that looks like
/// an option) or that ``PredictRequest/validate()`` refuses returns nil, and ArgumentParser parses
/// the arguments again and reports. `DirectPredictArgumentsTests` checks that both build the same
/// request from the same arguments.
enum DirectPredictArguments {
    /// The request for `arguments` (without the program name), or nil to let ArgumentParser parse them.
    ///
    /// No dictionary or set of options: the first generic instantiation over a new key type checks its
    /// `Hashable` conformance by scanning every conformance record of the binary (about 0.1 ms).
    static func request(from arguments: [String]) -> PredictRequest? {
        guard arguments.first == "predict" else { return nil }
        var values = [String?](repeating: nil, count: Key.allCases.count)
        var index = 1
        while index < arguments.count {
            let token = arguments[index]
            index += 1
            let key: Key
            var value: String
            if token.hasPrefix("--") {
                let spelled = token.dropFirst(2)
                let equals = spelled.firstIndex(of: "=")
                guard let named = Key(long: spelled[..<(equals ?? spelled.endIndex)]) else { return nil }
                key = named
                if key.isFlag {
                    guard equals == nil else { return nil }
                    value = ""
                } else if let equals {
                    value = String(spelled[spelled.index(after: equals)...])
                } else {
                    guard index < arguments.count else { return nil }
                    value = arguments[index]
                    index += 1
                }
            } else if let named = Key(short: token) {
                guard index < arguments.count else { return nil }
                key = named
                value = arguments[index]
                index += 1
            } else {
                return nil
            }
            // A repeated option, an empty value or one that looks like an option: ArgumentParser's rules.
            guard values[key.rawValue] == nil, key.isFlag || !(value.isEmpty || value.hasPrefix("-")) else {
                return nil
            }
            values[key.rawValue] = value
        }
        func value(_ key: Key) -> String? { values[key.rawValue] }
        guard let model = value(.model) else { return nil }
        var request = PredictRequest(model: model)
        request.inputPath = value(.inputPath)
        request.contentType = value(.contentType)
        request.output = value(.output)
        request.trustedKey = value(.trustedKey)
        request.registry.cacheDirectory = value(.cacheDirectory)
        request.registry.offline = value(.offline) != nil
        request.registry.noFallback = value(.noFallback) != nil
        request.stream = value(.stream) != nil
        if let text = value(.outputFormat) { request.outputFormat = text }
        if let text = value(.batchSize) {
            guard let number = Int(text) else { return nil }
            request.batchSize = number
        }
        if let text = value(.maxRequestBytes) {
            guard let number = Int(text) else { return nil }
            request.maxRequestBytes = number
        }
        do { try request.validate() } catch { return nil }
        return request
    }

    /// `predict`'s options, as `PredictCommand` and its option groups declare them.
    enum Key: Int, CaseIterable {
        case model, inputPath, contentType, output, trustedKey, cacheDirectory, offline, noFallback, stream
        case batchSize, outputFormat, maxRequestBytes

        var isFlag: Bool { self == .offline || self == .noFallback || self == .stream }

        init?(long name: Substring) {
            switch name {
            case "model", "model-uri": self = .model
            case "input-path", "input": self = .inputPath
            case "content-type": self = .contentType
            case "output", "output-path": self = .output
            case "require-signature": self = .trustedKey
            case "cache-dir": self = .cacheDirectory
            case "offline": self = .offline
            case "no-fallback": self = .noFallback
            case "stream": self = .stream
            case "batch-size": self = .batchSize
            case "output-format": self = .outputFormat
            case "max-request-bytes": self = .maxRequestBytes
            default: return nil
            }
        }

        init?(short token: String) {
            switch token {
            case "-m": self = .model
            case "-i": self = .inputPath
            case "-t": self = .contentType
            case "-o": self = .output
            default: return nil
            }
        }
    }
}
