/// Python's `float(str)`, which numpy applies to the text of an object array converted to float64
/// (scikit-learn's `check_array` on a column of strings): surrounding whitespace, an optional sign,
/// decimal digits with single underscores between them, a fraction, an exponent, or `inf`,
/// `infinity` and `nan` in any case. Anything else (hexadecimal, empty text) is not a number.
enum PythonFloatText {
    static func value(_ text: String) -> Double? {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { return nil }
        var body = Substring(trimmed)
        var negative = false
        if let sign = body.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            body = body.dropFirst()
        }
        switch body.lowercased() {
        case "inf", "infinity": return negative ? -.infinity : .infinity
        case "nan": return negative ? -.nan : .nan
        default: break
        }
        // Digits, '.', 'e'/'E' and an exponent sign only; an underscore must sit between two digits.
        var digits = ""
        var previous: Character? = nil
        let characters = Array(body)
        for (index, character) in characters.enumerated() {
            if character == "_" {
                guard let before = previous, before.isASCII, before.isNumber, index + 1 < characters.count,
                    characters[index + 1].isASCII, characters[index + 1].isNumber
                else { return nil }
            } else if character.isASCII, character.isNumber || "+-.eE".contains(character) {
                digits.append(character)
            } else {
                return nil
            }
            previous = character
        }
        guard digits.contains(where: \.isNumber), let value = Double(digits) else { return nil }
        return negative ? -value : value
    }
}

extension String {
    /// Without the leading and trailing whitespace Python's `str.strip()` removes.
    fileprivate func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
