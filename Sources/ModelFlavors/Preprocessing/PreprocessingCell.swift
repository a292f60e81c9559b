/// One value of a categorical (object) column as scikit-learn compares it: text, a number (ints,
/// floats and bools alike, as Python's `==` and numpy's comparisons treat them), or one of the two
/// missing markers, which scikit-learn keeps apart (`None` and `NaN` are different categories).
///
/// Equality is scikit-learn's category equality: NaN equals NaN (its encoders match NaN to a
/// learned NaN category), None equals None, a number never equals text.
package enum PreprocessingCell: Hashable, Sendable {
    case text(String)
    case number(Double)
    case none
    case nan

    package static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.text(let a), .text(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.none, .none), (.nan, .nan): true
        default: false
        }
    }

    package func hash(into hasher: inout Hasher) {
        switch self {
        case .text(let text):
            hasher.combine(0)
            hasher.combine(text)
        // +0.0 and -0.0 are equal, so they must hash alike.
        case .number(let value):
            hasher.combine(1)
            hasher.combine(value == 0 ? 0 : value)
        case .none: hasher.combine(2)
        case .nan: hasher.combine(3)
        }
    }

    /// Whether this is a missing marker.
    package var isMissing: Bool { self == .none || self == .nan }

    /// How an error message shows the value (Python's repr, as scikit-learn's own messages do).
    package var display: String {
        switch self {
        case .text(let text): "'\(text)'"
        case .number(let value):
            value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .none: "None"
        case .nan: "nan"
        }
    }
}

/// A column between steps: numbers (float64, NaN where a value is missing, as numpy holds a
/// numeric column) or cells (an object column: text with missing markers).
package enum PreprocessingColumn: Sendable {
    case numbers([Double])
    case cells([PreprocessingCell])

    package var count: Int {
        switch self {
        case .numbers(let values): values.count
        case .cells(let values): values.count
        }
    }

    /// The cell at `row`: numbers become `.number`, NaN becomes `.nan`.
    package func cell(_ row: Int) -> PreprocessingCell {
        switch self {
        case .numbers(let values): values[row].isNaN ? .nan : .number(values[row])
        case .cells(let values): values[row]
        }
    }
}
