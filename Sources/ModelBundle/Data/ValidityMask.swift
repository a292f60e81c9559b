/// Which cells of a column hold a value (`true`) and which are null (`false`).
///
/// One bit per cell, and no storage at all while every cell is valid: purely numeric columns
/// without nulls, the common case, pay nothing for the mask.
public struct ValidityMask: Sendable, Hashable {
    /// Bit `i % 64` of word `i / 64` is set when cell `i` is valid; empty means "all valid".
    private var words: [UInt64] = []
    /// The number of cells the mask covers.
    public private(set) var count: Int
    /// The number of null cells.
    public private(set) var nullCount: Int = 0

    /// A mask of `count` valid cells.
    public init(allValid count: Int) {
        self.count = max(0, count)
    }

    /// A mask from one flag per cell (`true` = valid).
    public init(_ flags: [Bool]) {
        self.count = 0
        reserveCapacity(flags.count)
        for flag in flags { append(flag) }
    }

    /// Whether any cell is null.
    public var hasNulls: Bool { nullCount > 0 }

    /// Whether cell `index` holds a value. Indices outside `0..<count` read as null.
    public func isValid(_ index: Int) -> Bool {
        guard index >= 0 && index < count else { return false }
        if words.isEmpty { return true }
        return words[index >> 6] & (1 << UInt64(index & 63)) != 0
    }

    mutating func reserveCapacity(_ cells: Int) {
        if !words.isEmpty { words.reserveCapacity((cells + 63) / 64) }
    }

    /// Appends one cell.
    public mutating func append(_ valid: Bool) {
        if !valid && words.isEmpty {
            // First null: materialise the bits of the valid cells so far.
            words = [UInt64](repeating: UInt64.max, count: (count + 63) / 64 + 1)
        }
        if !words.isEmpty {
            let word = count >> 6
            if word >= words.count { words.append(UInt64.max) }
            if !valid {
                words[word] &= ~(1 << UInt64(count & 63))
            }
        }
        if !valid { nullCount += 1 }
        count += 1
    }

    /// Appends every cell of `other`.
    public mutating func append(contentsOf other: ValidityMask) {
        if !other.hasNulls && words.isEmpty {
            count += other.count
            return
        }
        for index in 0..<other.count { append(other.isValid(index)) }
    }

    public static func == (lhs: ValidityMask, rhs: ValidityMask) -> Bool {
        guard lhs.count == rhs.count && lhs.nullCount == rhs.nullCount else { return false }
        if lhs.nullCount == 0 { return true }
        for index in 0..<lhs.count where lhs.isValid(index) != rhs.isValid(index) { return false }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        hasher.combine(nullCount)
    }
}
