import ModelBundle

/// Accumulates one column's cells straight into a typed buffer chosen from the schema (or, without
/// a schema, from the first value). A cell that would not fit the buffer without loss turns the
/// column into ``ColumnValues/Cells`` (values as written), so that enforcement can name it; the
/// builder itself never truncates, rounds or parses text into numbers for a typed column.
struct CodecColumnBuilder {
    enum Mode { case undecided, double, long, boolean, string, binary, datetime, json, cells }

    let name: String
    let target: CodecTarget
    /// Rows before this body's first (a batch of a stream), so messages count from the input's start.
    let rowOffset: Int
    private(set) var mode: Mode
    private var doubles: [Double] = []
    private var longs: [Int64] = []
    private var bools: [Bool] = []
    private var strings: [String] = []
    private var blobs: [[UInt8]] = []
    private var cells = ColumnValues.Cells()
    private(set) var validity = ValidityMask(allValid: 0)
    private var pendingNulls = 0
    /// Where an inferred integer column holds `-0`, so that widening it to doubles keeps the sign a
    /// column read as doubles from the start gives it (pandas reads `-0` in a float column as -0.0).
    private var negativeZeros: [Int] = []

    init(name: String, target: CodecTarget, capacity: Int = 0, rowOffset: Int = 0) {
        self.name = name
        self.target = target
        self.rowOffset = rowOffset
        switch target {
        case .double, .float: mode = .double
        case .long, .integer: mode = .long
        case .boolean: mode = .boolean
        case .string: mode = .string
        case .binary: mode = .binary
        case .datetime: mode = .datetime
        case .nested: mode = .json
        case .infer: mode = .undecided
        }
        if capacity > 0 {
            switch mode {
            case .double: doubles.reserveCapacity(capacity)
            case .long, .datetime: longs.reserveCapacity(capacity)
            default: break
            }
        }
    }

    var count: Int { validity.count }

    /// Reserves room for `cells` more values in the typed buffers (callers bound `cells` by the body
    /// size). An array of strings grown by doubling touches about twice its final size (a 200,000-row
    /// CSV's four text columns: 6,600 page faults); room an estimate leaves unused is never touched.
    mutating func reserve(_ cells: Int) {
        switch mode {
        case .double: doubles.reserveCapacity(doubles.count + cells)
        case .long, .datetime: longs.reserveCapacity(longs.count + cells)
        case .boolean: bools.reserveCapacity(bools.count + cells)
        case .string, .json: strings.reserveCapacity(strings.count + cells)
        default: break
        }
    }

    // MARK: Appending

    @inline(__always)
    mutating func appendNull() {
        switch mode {
        case .undecided: pendingNulls += 1
        case .double: doubles.append(.nan)
        case .long, .datetime: longs.append(0)
        case .boolean: bools.append(false)
        case .string, .json: strings.append("")
        case .binary: blobs.append([])
        case .cells: cells.append(.null)
        }
        validity.append(false)
    }

    /// The hot path: a number with a fraction or exponent into a double column.
    /// Returns `false` (and appends nothing) when the general path must decide.
    @inline(__always)
    mutating func appendFractionalFast(_ number: CodecNumber) -> Bool {
        guard mode == .double && number.kind == .fractional else { return false }
        if target == .float && !Self.fitsFloat(number.double) { return false }  // appendNumber keeps it as written
        doubles.append(number.double)
        validity.append(true)
        return true
    }

    /// Whether the numeric fast paths may append plain doubles (``appendDoubles(_:)``): a double or
    /// float32 buffer that was not demoted. What they append is exactly what ``appendNumber(_:text:)``
    /// would append for the same text (fractions, exact integers, float32-sized values).
    var acceptsFastDoubles: Bool { mode == .double }

    /// Appends valid doubles read by a fast path (float32 targets: the caller checked ``fitsFloat(_:)``).
    mutating func appendDoubles(_ values: UnsafeBufferPointer<Double>) {
        doubles.append(contentsOf: values)
        validity.append(contentsOf: ValidityMask(allValid: values.count))
    }

    @inline(__always)
    mutating func appendNumber(_ number: CodecNumber, text: @autoclosure () -> String) throws(ModelBundleError) {
        switch mode {
        case .double:
            if number.kind == .fractional || (number.integerFits && isExactDouble(number.integer)) {
                // A value too large for float32 would silently become infinity in `finish()`: keep it as
                // written instead, so enforcement refuses it (with every other one) by column and row.
                if target != .float || Self.fitsFloat(number.double) {
                    doubles.append(number.double)
                    validity.append(true)
                    return
                }
            }
        case .long:
            if number.kind == .integral {
                if number.integerFits && fitsTarget(number.integer) {
                    appendLong(number)
                    validity.append(true)
                    return
                }
            } else if target == .infer && number.kind == .fractional {
                // Inferred integers meet a fraction: widen to double when every integer is exact.
                if longs.allSatisfy({ isExactDouble($0) }) {
                    doubles = widenedLongs()
                    longs = []
                    mode = .double
                    doubles.append(number.double)
                    validity.append(true)
                    return
                }
            } else if let exact = Int64(exactly: number.double), fitsTarget(exact) {
                // `2.0` into an integer column loses nothing (design §3.1).
                longs.append(exact)
                validity.append(true)
                return
            }
        case .undecided:
            if number.kind == .fractional {
                decide(.double)
                doubles.append(number.double)
                validity.append(true)
                return
            }
            if number.integerFits {
                decide(.long)
                appendLong(number)
                validity.append(true)
                return
            }
        case .json:
            strings.append(text())
            validity.append(true)
            return
        case .datetime:
            // pandas' default `to_json` writes datetimes as epoch milliseconds, and MLflow reads a number
            // in a datetime column as `pd.to_datetime` (and `np.array(…, dtype="datetime64[ns]")`) do:
            // an integer count of nanoseconds since the epoch, whatever unit the sender meant.
            let exact = number.kind == .integral && number.integerFits ? number.integer : Int64(exactly: number.double)
            if let exact {
                longs.append(exact)
                validity.append(true)
                return
            }
            throw kindError("a number that is not an integer count of nanoseconds")
        case .binary:
            throw kindError("a number")
        default:
            break
        }
        demoteToCells()
        if number.kind == .fractional {
            cells.append(.fractional, number: number.double)
        } else if number.integerFits {
            cells.append(.integral, number: number.double, integer: number.integer)
        } else {
            cells.append(.largeIntegral, number: number.double, text: text())
        }
        validity.append(true)
    }

    /// An integer into the long buffer, noting a `-0` of an inferred column (see `negativeZeros`).
    @inline(__always)
    private mutating func appendLong(_ number: CodecNumber) {
        if number.integer == 0 && target == .infer && number.double.sign == .minus { negativeZeros.append(longs.count) }
        longs.append(number.integer)
    }

    /// The inferred integers as the doubles a double column would have held for the same cells:
    /// NaN under a null (as ``appendNull()`` stores), -0.0 where the text was `-0`. So the column
    /// does not depend on where its first fraction came, and the halves of a parallel parse, which
    /// may widen at different rows, merge into the frame a sequential parse gives.
    private mutating func widenedLongs() -> [Double] {
        var widened = longs.map { Double($0) }
        if validity.nullCount > 0 {
            for index in widened.indices where !validity.isValid(index) { widened[index] = .nan }
        }
        for index in negativeZeros { widened[index] = -0.0 }
        negativeZeros = []
        return widened
    }

    /// - Throws: for a `binary` or `datetime` column, when the text is not base64 or an ISO date.
    mutating func appendString(_ text: String) throws(ModelBundleError) {
        switch mode {
        case .string:
            strings.append(text)
        case .json:
            strings.append(CodecJSONText.quoted(text))
        case .undecided:
            decide(.string)
            strings.append(text)
        case .binary:
            guard let bytes = CodecBase64.decode(text) else {
                throw ModelBundleError(
                    .inputInvalid,
                    "Column '\(name)' row \(count + rowOffset): binary values must be base64-encoded text; this one is not.",
                    item: name,
                    location: .init(column: name, row: count + rowOffset)
                )
            }
            blobs.append(bytes)
        case .datetime:
            guard let nanoseconds = CodecDatetime.parse(text) else {
                throw ModelBundleError(
                    .inputInvalid,
                    "Column '\(name)' row \(count + rowOffset): '\(text.prefix(64))' is not a timezone-naive ISO 8601 date or "
                        + "date-time between 1677-09-22 and 2262-04-11.",
                    item: name,
                    location: .init(column: name, row: count + rowOffset)
                )
            }
            longs.append(nanoseconds)
        case .cells:
            cells.append(.string, text: text)
        default:
            demoteToCells()
            cells.append(.string, text: text)
        }
        validity.append(true)
    }

    mutating func appendBool(_ value: Bool) throws(ModelBundleError) {
        switch mode {
        case .boolean:
            bools.append(value)
        case .undecided:
            decide(.boolean)
            bools.append(value)
        case .json:
            strings.append(value ? "true" : "false")
        case .binary, .datetime:
            throw kindError("a boolean")
        default:
            demoteToCells()
            cells.append(.boolean, number: value ? 1 : 0, integer: value ? 1 : 0)
        }
        validity.append(true)
    }

    /// An array or object cell, given as its raw JSON text.
    mutating func appendNested(_ json: String) throws(ModelBundleError) {
        if mode == .json {
            strings.append(json)
        } else if mode == .binary || mode == .datetime {
            throw kindError("an array or object")
        } else {
            demoteToCells()
            cells.append(.nested, text: json)
        }
        validity.append(true)
    }

    /// Appends another builder's cells when both hold the same typed buffer; `false` otherwise
    /// (the caller then parses sequentially).
    /// ``append(contentsOf:)``, then `other` emptied: its buffers are freed as each column is merged,
    /// not when every column is, so merging two halves never holds both copies of the whole table.
    mutating func append(taking other: inout CodecColumnBuilder) -> Bool {
        guard append(contentsOf: other) else { return false }
        other = CodecColumnBuilder(name: other.name, target: other.target, rowOffset: other.rowOffset)
        return true
    }

    mutating func append(contentsOf other: CodecColumnBuilder) -> Bool {
        guard mode == other.mode, target == other.target else { return false }
        switch mode {
        case .double: doubles.append(contentsOf: other.doubles)
        case .long, .datetime:
            let base = longs.count
            negativeZeros.append(contentsOf: other.negativeZeros.lazy.map { $0 + base })
            longs.append(contentsOf: other.longs)
        case .boolean: bools.append(contentsOf: other.bools)
        case .string, .json: strings.append(contentsOf: other.strings)
        default: return false
        }
        validity.append(contentsOf: other.validity)
        return true
    }

    // MARK: Finishing

    func finish() -> ColumnValues {
        switch mode {
        case .undecided:
            var all = ColumnValues.Cells()
            for _ in 0..<pendingNulls { all.append(.null) }
            return .cells(all)
        case .double:
            return target == .float ? .float(doubles.map { Float($0) }) : .double(doubles)
        case .long:
            // `fitsTarget` kept every value inside Int32 for integer columns.
            return target == .integer ? .integer(longs.map { Int32(truncatingIfNeeded: $0) }) : .long(longs)
        case .boolean: return .boolean(bools)
        case .string: return .string(strings)
        case .binary: return .binary(blobs)
        case .datetime: return .datetime(longs)
        case .json: return .json(strings)
        case .cells: return .cells(cells)
        }
    }

    func finishColumn() -> Column {
        Column(unchecked: name, values: finish(), validity: validity)
    }

    // MARK: Helpers

    /// Whether a finite value stays finite as a `Float` (the conversion rounds to nearest, so values a
    /// little above `Float.greatestFiniteMagnitude` still fit; infinity and NaN as written pass through).
    @inline(__always)
    static func fitsFloat(_ value: Double) -> Bool {
        !value.isFinite || Float(value).isFinite
    }

    private func kindError(_ what: String) -> ModelBundleError {
        let type = mode == .binary ? "binary (base64 text)" : "datetime (ISO 8601 text)"
        return ModelBundleError(
            .inputInvalid,
            "Column '\(name)' row \(count + rowOffset): expected \(type) but found \(what).",
            item: name,
            location: .init(column: name, row: count + rowOffset)
        )
    }

    @inline(__always)
    private func isExactDouble(_ value: Int64) -> Bool {
        value >= -(1 << 53) && value <= 1 << 53 || Int64(exactly: Double(value)) == value
    }

    @inline(__always)
    private func fitsTarget(_ value: Int64) -> Bool {
        target != .integer || (value >= Int64(Int32.min) && value <= Int64(Int32.max))
    }

    private mutating func decide(_ newMode: Mode) {
        mode = newMode
        for _ in 0..<pendingNulls {
            switch newMode {
            case .double: doubles.append(.nan)
            case .long: longs.append(0)
            case .boolean: bools.append(false)
            default: strings.append("")
            }
        }
        pendingNulls = 0
    }

    /// Moves every cell so far into as-written storage.
    private mutating func demoteToCells() {
        if mode == .cells { return }
        var result = ColumnValues.Cells()
        let total = validity.count
        for index in 0..<total {
            if !validity.isValid(index) {
                result.append(.null)
                continue
            }
            switch mode {
            case .double:
                result.append(.fractional, number: doubles[index])
            case .long:
                result.append(.integral, number: Double(longs[index]), integer: longs[index])
            case .boolean:
                result.append(.boolean, number: bools[index] ? 1 : 0, integer: bools[index] ? 1 : 0)
            case .string:
                result.append(.string, text: strings[index])
            case .json:
                result.append(.nested, text: strings[index])
            case .binary, .datetime, .undecided, .cells:
                // Unreachable: binary and datetime columns refuse other kinds instead of demoting,
                // and undecided columns hold only nulls.
                result.append(.null)
            }
        }
        pendingNulls = 0  // the loop above already wrote them: pending nulls are in `validity`
        cells = result
        doubles = []
        longs = []
        bools = []
        strings = []
        blobs = []
        mode = .cells
    }
}
