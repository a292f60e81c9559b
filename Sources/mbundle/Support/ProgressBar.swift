#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Rows done and rows per second on standard error, only when standard error is a terminal;
/// redrawn at most ten times a second and cleared at the end so it never mixes with output.
final class ProgressBar {
    private let enabled: Bool
    private let start: Double
    private var lastDraw: Double = 0
    private var drawn = false

    init(enabled: Bool = isatty(2) == 1) {
        self.enabled = enabled
        self.start = Self.now()
    }

    func update(rows: Int) {
        guard enabled else { return }
        let now = Self.now()
        guard now - lastDraw >= 0.1 else { return }
        lastDraw = now
        let elapsed = max(now - start, 1e-6)
        let rate = Int(Double(rows) / elapsed)
        StandardOutput.write("\r\u{1B}[K\(Self.grouped(rows)) rows, \(Self.grouped(rate)) rows/s", to: 2)
        drawn = true
    }

    func finish() {
        guard enabled, drawn else { return }
        StandardOutput.write("\r\u{1B}[K", to: 2)
        drawn = false
    }

    static func grouped(_ value: Int) -> String {
        let digits = Array(String(value))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }

    private static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
