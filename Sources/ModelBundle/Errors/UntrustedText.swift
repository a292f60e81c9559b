/// The one place names from bundles, archives and inputs are made safe to print: a hostile name
/// must not forge lines in a terminal or a log, nor flood it.
package enum UntrustedText {
    /// `text` with control characters escaped as `\u{…}`, cut after `limit` scalars (with `…` when
    /// `marksCut`): for names quoted inside messages.
    package static func escaped(_ text: String, limit: Int, marksCut: Bool = false) -> String {
        var result = ""
        for scalar in text.unicodeScalars.prefix(limit) {
            if isControl(scalar) {
                result += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        if marksCut && text.unicodeScalars.count > limit { result += "…" }
        return result
    }

    /// `text` with control characters dropped, so one message stays one line: for whole lines
    /// written to standard error.
    package static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { !isControl($0) }))
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || scalar.value == 0x7F
    }
}
