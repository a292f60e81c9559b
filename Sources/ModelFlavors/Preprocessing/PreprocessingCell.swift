package import ModelBundle

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
/// numeric column), singles (numbers scikit-learn holds as float32), cells (an object column: text
/// with missing markers), or one column of a one-hot block.
package enum PreprocessingColumn: Sendable {
    case numbers([Double])
    /// A float32 column (a `float` signature column, which MLflow casts with `astype(float32)`, or
    /// a step's output from one): every value is a `Float`, held as a `Double`. scikit-learn keeps
    /// an array of such columns float32 through its imputers, scalers, PolynomialFeatures,
    /// PowerTransformer and QuantileTransformer, rounding each operation's result to float32, until
    /// it is joined with a float64 column; the steps do the same (``PreprocessingBlock/isFloat32``).
    case singles([Double])
    case cells([PreprocessingCell])
    /// Column `position` of a one-hot encoder's block: 1 where the row's code is `position`, else 0.
    /// The block's columns share one array of codes instead of holding `width` dense columns, so a
    /// linear model can read the block as one lookup of its coefficients (``OneHotFold``), and a
    /// 300-category column does not cost 300 float64 columns before the model sees it.
    case oneHot(OneHotCodes, position: Int)
    /// A string column as the request's frame holds it: its strings, and `.nan` (pandas' missing
    /// value) where `validity` marks a null. Kept as the frame's own array: a cell per row would
    /// copy every string column of a large batch (200,000 rows × 4 columns: 19 MB, 4,700 page
    /// faults) only for an encoder to look each one up. Steps other than the encoders read it
    /// through ``expanded`` (as cells).
    case texts([String], validity: ValidityMask)

    package var count: Int {
        switch self {
        case .numbers(let values), .singles(let values): values.count
        case .cells(let values): values.count
        case .oneHot(let block, _): block.codes.count
        case .texts(let values, _): values.count
        }
    }

    /// The cell at `row`: numbers become `.number`, NaN becomes `.nan`.
    package func cell(_ row: Int) -> PreprocessingCell {
        switch self {
        case .numbers(let values), .singles(let values): values[row].isNaN ? .nan : .number(values[row])
        case .cells(let values): values[row]
        case .oneHot(let block, let position): .number(block.codes[row] == position ? 1 : 0)
        case .texts(let values, let validity): validity.isValid(row) ? .text(values[row]) : .nan
        }
    }

    /// Numbers as a step outputs them: singles when its array is float32, else float64 numbers.
    package static func numbers(_ values: [Double], float32: Bool) -> PreprocessingColumn {
        float32 ? .singles(values) : .numbers(values)
    }

    /// The values of a numbers or singles column (nil for the others).
    package var numberValues: [Double]? {
        switch self {
        case .numbers(let values), .singles(let values): values
        default: nil
        }
    }

    /// A one-hot column as dense numbers, a text column as cells; other columns unchanged.
    package var expanded: PreprocessingColumn {
        switch self {
        case .oneHot(let block, let position):
            .numbers(block.codes.map { $0 == position ? 1 : 0 }, float32: block.float32)
        case .texts: .cells((0..<count).map { cell($0) })
        case .numbers, .singles, .cells: self
        }
    }
}

/// The rows' categories of one one-hot encoded input column, shared by the block's `width`
/// output columns: the output column index of each row's category, or -1 where the row has no 1
/// in the block (an ignored unknown category, or the dropped one).
package final class OneHotCodes: Sendable {
    package let codes: [Int32]
    package let width: Int
    /// Whether the encoder answers float32 (`dtype=np.float32`).
    package let float32: Bool

    package init(codes: [Int32], width: Int, float32: Bool = false) {
        self.codes = codes
        self.width = width
        self.float32 = float32
    }
}
