import SystemPlatform

/// The time stamp and identifier MLflow puts in a new `MLmodel`.
public enum ManifestClock {
    /// A UTC instant with microsecond precision.
    public struct Instant: Sendable, Hashable {
        /// Seconds since 1970-01-01T00:00:00Z.
        public var seconds: Int
        /// Microseconds within the second (0–999 999).
        public var microseconds: Int

        public init(seconds: Int, microseconds: Int) {
            self.seconds = seconds
            self.microseconds = microseconds
        }
    }

    /// The current time.
    public static func now() -> Instant {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Instant(seconds: Int(time.tv_sec), microseconds: Int(time.tv_nsec / 1000))
    }

    /// `utc_time_created` exactly as MLflow writes it: Python's `str()` of a naive UTC datetime,
    /// `YYYY-MM-DD HH:MM:SS.ffffff`, with the fraction dropped when the microseconds are zero.
    public static func utcTimeCreated(_ instant: Instant) -> String {
        var seconds = time_t(instant.seconds)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        var text = "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2)) "
        text += "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))"
        if instant.microseconds != 0 {
            text += "." + pad(Int32(instant.microseconds), 6)
        }
        return text
    }

    /// A random version-4 UUID as 32 lowercase hex digits (Python's `uuid4().hex`).
    public static func newModelUUID() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
    }
}
