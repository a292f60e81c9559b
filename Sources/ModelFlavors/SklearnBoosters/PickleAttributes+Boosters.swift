import ModelBundle

extension PickleAttributes {
    /// `bytes`, or a `bytearray` (BYTEARRAY8 in protocol 5, `bytearray(b"…")` by REDUCE in 4).
    func rawBytes(_ key: String) throws(ModelBundleError) -> [UInt8] {
        switch value(key) {
        case .bytes(let bytes)?: return bytes
        case nil: throw invalid(key, "is missing; was the estimator fitted?")
        case let other?: throw invalid(key, "is \(other.kindName), not bytes")
        }
    }
}

extension PickleReaderGlobal {
    /// A REDUCE of one of the builtin containers the boosters' state holds, as plain data: a
    /// `bytearray` from its bytes (protocol 4), and LightGBM's `best_score`, a
    /// `defaultdict(OrderedDict)`, or an `OrderedDict`, as an empty dict that SETITEMS then fills.
    /// Anything else (another factory, other arguments) is refused; nothing is called.
    func boosterContainer(_ arguments: [PickleReaderValue]) -> PickleReaderValue? {
        switch (self, arguments.count) {
        case (.bytearray, 1):
            if case .bytes(let bytes) = arguments[0] { return .bytes(bytes) }
            return nil
        case (.bytearray, 0): return .bytes([])
        case (.orderedDict, 0): return .dict([])
        case (.defaultDict, 1):
            switch arguments[0] {
            case .global(.orderedDict), .global(.dictType), .none: return .dict([])
            default: return nil
            }
        default: return nil
        }
    }
}
