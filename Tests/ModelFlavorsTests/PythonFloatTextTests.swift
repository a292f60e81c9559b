import Testing

@testable import ModelFlavors

/// Text in a numeric step converts as Python's `float()` converts it (numpy's object-to-float cast,
/// which scikit-learn's `check_array` applies). Expected values from Python 3.11's `float()`.
@Suite struct PythonFloatTextTests {
    @Test(
        "numbers Python's float() reads",
        arguments: [
            ("13.5", 13.5), (" 13.5\n", 13.5), ("\u{2003}-2\t", -2.0), ("1_000.5", 1000.5), ("1e3", 1000.0),
            ("+.5", 0.5), ("5.", 5.0), ("-1.25E-2", -0.0125), ("1_0e1_0", 1e11), ("-inf", -Double.infinity),
            ("Infinity", Double.infinity), ("+INF", Double.infinity), ("00012", 12.0),
        ]
    )
    func reads(_ text: String, _ value: Double) {
        #expect(PythonFloatText.value(text) == value, "\(text)")
    }

    @Test("NaN in any case and sign")
    func notANumber() {
        for text in ["nan", "NaN", "-nan", " +NAN "] { #expect(PythonFloatText.value(text)?.isNaN == true, "\(text)") }
    }

    @Test(
        "text Python's float() refuses",
        arguments: [
            "", "  ", "abc", "1__0", "_1", "1_", "1_.5", "0x10", "1e", "e5", ".", "+", "1+2", "1.2.3", "inf1", "nan5",
            "1 2",
        ]
    )
    func refuses(_ text: String) {
        #expect(PythonFloatText.value(text) == nil, "\(text)")
    }
}
