import ModelBundle

/// Rows done and rows per second on standard error, only when standard error is a terminal;
/// redrawn at most ten times a second and cleared at the end so it never mixes with output.
final class ProgressBar {
    private let enabled: Bool
    private let start: Double
    private var lastDraw: Double = 0
    private var drawn = false

    /// Whether standard error is a terminal (the bar is drawn only then).
    static var standardErrorIsTerminal: Bool { ProcessIO.isTerminal(2) }

    init(enabled: Bool = ProcessIO.isTerminal(2)) {
        self.enabled = enabled
        self.start = ProcessIO.monotonicSeconds()
    }

    func update(rows: Int) {
        guard enabled else { return }
        let now = ProcessIO.monotonicSeconds()
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
}
