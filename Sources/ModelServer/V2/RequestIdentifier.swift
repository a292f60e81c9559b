import Synchronization

/// Response ids for V2 requests that send none: a per-process random prefix and a counter (unique
/// within the process, never derived from request content).
enum RequestIdentifier {
    private static let prefix: String = {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let hex = String(high, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }()
    private static let counter = Atomic<UInt64>(0)

    static func next() -> String {
        let (value, _) = counter.wrappingAdd(1, ordering: .relaxed)
        return "\(prefix)-\(value)"
    }
}
