/// The flat Arrow types the reader takes (`Schema.fbs`), and how each becomes a frame column.
enum ArrowType: Equatable {
    case int(bits: Int, signed: Bool)
    case float(bits: Int)
    case bool
    case utf8(large: Bool)
    case binary(large: Bool)
    /// string_view or binary_view (Arrow 1.4; polars writes them): 16-byte views of strings or
    /// bytes, short ones inline, longer ones in the batch's variadic data buffers.
    case view(text: Bool)
    /// Days (date32) or milliseconds (date64) since the epoch.
    case date(millis: Bool)
    case timestamp(unitsPerSecond: Int64, timezone: String?)
    case decimal(precision: Int, scale: Int)
    /// Every value missing, with no buffers (pandas' all-`None` column).
    case null

    var label: String {
        switch self {
        case .int(let bits, let signed): return "\(signed ? "int" : "uint")\(bits)"
        case .float(let bits): return bits == 32 ? "float" : bits == 64 ? "double" : "halffloat"
        case .bool: return "bool"
        case .utf8(let large): return large ? "large_string" : "string"
        case .binary(let large): return large ? "large_binary" : "binary"
        case .view(let text): return text ? "string_view" : "binary_view"
        case .date(let millis): return millis ? "date64[ms]" : "date32[day]"
        case .timestamp(let units, let tz):
            let unit = [1: "s", 1_000: "ms", 1_000_000: "us", 1_000_000_000: "ns"][units] ?? "?"
            return "timestamp[\(unit)\(tz.map { ", tz=\($0)" } ?? "")]"
        case .decimal(let p, let s): return "decimal128(\(p), \(s))"
        case .null: return "null"
        }
    }

    var kind: ColumnarKind {
        switch self {
        case .int: .integer
        case .float: .floating
        case .bool: .boolean
        case .utf8, .view(text: true): .text
        case .binary, .view(text: false): .binary
        case .date, .timestamp: .temporal
        case .decimal: .decimal
        case .null: .null
        }
    }
}

/// What a field left out by ``ColumnarLimits/onlyColumns`` takes of each record batch, so that the
/// fields after it are found: its field nodes (its own and its children's, depth first), its fixed
/// buffers, how many view fields it holds (each with its batch's count of variadic data buffers), and
/// the dictionaries its dictionary-encoded parts use (their batches are skipped too).
struct ArrowSkippedLayout: Equatable {
    var nodes = 0
    var buffers = 0
    var views = 0
    var dictionaryIDs: [Int64] = []
}

struct ArrowField {
    var name: String
    var type: ArrowType
    /// For a dictionary-encoded field: the dictionary id and the index type.
    var dictionary: (id: Int64, indexBits: Int, indexSigned: Bool)?
    /// Set for a field that is skipped unread (``type`` is then a placeholder).
    var skipped: ArrowSkippedLayout? = nil

    /// The description of a field that is decoded (skipped ones have none).
    var info: ColumnarColumnInfo {
        let label =
            dictionary.map {
                "Arrow dictionary<values=\(type.label), indices=\($0.indexSigned ? "int" : "uint")\($0.indexBits)>"
            }
            ?? "Arrow \(type.label)"
        return ColumnarColumnInfo(name: name, sourceType: label, kind: type.kind)
    }
}

enum ArrowSchemaReader {
    /// The fields of a `Schema` table; nested types and types not read are refused by name.
    static func fields(_ schema: FlatBufferTable, limits: ColumnarLimits) throws -> [ArrowField] {
        guard try schema.int(0, default: Int16(0)) == 0 else {
            throw ColumnarError.invalid("Arrow schema", "is big-endian; only little-endian data is read")
        }
        guard let (first, count) = try schema.vector(1, elementSize: 4) else { return [] }
        guard count <= limits.maxColumns else {
            throw ColumnarError.invalid("Arrow schema", "has \(count) fields, more than \(limits.maxColumns)")
        }
        return try (0..<count).map { i in
            let table = try schema.table(inVector: first, i)
            if let only = limits.onlyColumns, !only.contains(try table.string(0) ?? String(i)) {
                var layout = ArrowSkippedLayout()
                try skip(table, depth: 0, limits: limits, into: &layout)
                return ArrowField(name: try table.string(0) ?? String(i), type: .bool, skipped: layout)
            }
            return try field(table, position: i)
        }
    }

    /// Adds what `table`'s field (and its children) take of a record batch to `layout` (the
    /// buffer layouts of `Columnar.rst`, "Buffer Layout"); a type whose layout is not known here is
    /// refused, since the fields after it could not be found.
    private static func skip(
        _ table: FlatBufferTable,
        depth: Int,
        limits: ColumnarLimits,
        into layout: inout ArrowSkippedLayout
    )
        throws
    {
        let name = try table.string(0) ?? "?"
        guard depth < limits.maxDepth, layout.nodes < limits.maxColumns else {
            throw ColumnarError.invalid("Arrow field '\(name)'", "nests more than the limits allow")
        }
        layout.nodes += 1
        if let encoding = try table.table(4) {
            // Validity and indices; the values live in the dictionary batch.
            layout.buffers += 2
            layout.dictionaryIDs.append(try encoding.int(0, default: Int64(0)))
            return
        }
        let typeTag = try table.int(2, default: UInt8(0))
        switch typeTag {
        case 1, 22: break  // null; run_end_encoded (its two children hold the data)
        case 13, 16: layout.buffers += 1  // struct, fixed_size_list: validity
        case 2, 3, 6, 7, 8, 9, 10, 11, 15, 18, 12, 17, 21: layout.buffers += 2  // fixed width; list, map: offsets
        case 4, 5, 19, 20, 25, 26: layout.buffers += 3  // (large) binary and utf8; list views
        case 23, 24:
            layout.buffers += 2
            layout.views += 1
        case 14:
            // Unions have no validity buffer: type ids, and offsets when dense.
            let dense = try table.table(3)?.int(0, default: Int16(0)) == 1
            layout.buffers += dense ? 2 : 1
        default:
            throw ColumnarError.invalid(
                "Arrow field '\(name)'",
                "has the Arrow type #\(typeTag), whose layout is not known, so the columns after it cannot be found"
            )
        }
        guard let (first, count) = try table.vector(5, elementSize: 4) else { return }
        guard count <= limits.maxColumns else {
            throw ColumnarError.invalid("Arrow field '\(name)'", "has \(count) children")
        }
        for i in 0..<count {
            try skip(try table.table(inVector: first, i), depth: depth + 1, limits: limits, into: &layout)
        }
    }

    private static func field(_ table: FlatBufferTable, position: Int) throws -> ArrowField {
        let name = try table.string(0) ?? String(position)
        let where_ = "Arrow field '\(name)'"
        let typeTag = try table.int(2, default: UInt8(0))
        let names: [UInt8: String] = [
            9: "time", 11: "interval", 12: "list", 13: "struct", 14: "union", 15: "fixed_size_binary",
            16: "fixed_size_list", 17: "map", 18: "duration", 21: "large_list", 22: "run_end_encoded",
            25: "list_view", 26: "large_list_view",
        ]
        let typeTable = try table.table(3)
        func need() throws -> FlatBufferTable {
            guard let typeTable else { throw ColumnarError.invalid(where_, "has no type parameters") }
            return typeTable
        }
        let type: ArrowType
        switch typeTag {
        case 1: type = .null
        case 2:
            let t = try need()
            let bits = Int(try t.int(0, default: Int32(0)))
            guard [8, 16, 32, 64].contains(bits) else {
                throw ColumnarError.invalid(where_, "has an integer width of \(bits)")
            }
            type = .int(bits: bits, signed: try t.bool(1))
        case 3:
            let precision = try need().int(0, default: Int16(0))
            guard precision == 1 || precision == 2 else {
                throw ColumnarError.invalid(
                    where_,
                    "is a half-precision float, which is not read (float and double are)"
                )
            }
            type = .float(bits: precision == 1 ? 32 : 64)
        case 4: type = .binary(large: false)
        case 5: type = .utf8(large: false)
        case 6: type = .bool
        case 7:
            let t = try need()
            let bits = try t.int(2, default: Int32(128))
            guard bits == 128 else { throw ColumnarError.invalid(where_, "is a decimal\(bits); decimal128 is read") }
            let scale = Int(try t.int(1, default: Int32(0)))
            guard scale >= 0 && scale <= 38 else {
                throw ColumnarError.invalid(where_, "has a decimal scale of \(scale)")
            }
            type = .decimal(precision: Int(try t.int(0, default: Int32(0))), scale: scale)
        case 8: type = .date(millis: try need().int(0, default: Int16(1)) == 1)
        case 10:
            let t = try need()
            let unit = try t.int(0, default: Int16(0))
            guard (0...3).contains(unit) else { throw ColumnarError.invalid(where_, "has a timestamp unit \(unit)") }
            let units: [Int64] = [1, 1_000, 1_000_000, 1_000_000_000]
            type = .timestamp(unitsPerSecond: units[Int(unit)], timezone: try t.string(1))
        case 19: type = .binary(large: true)
        case 20: type = .utf8(large: true)
        case 23: type = .view(text: false)
        case 24: type = .view(text: true)
        default:
            throw ColumnarError.invalid(
                where_,
                "has the Arrow type \(names[typeTag] ?? "#\(typeTag)"), which is not read (flat numbers, booleans, "
                    + "strings, binary, dates, timestamps and decimal128 are)"
            )
        }
        var dictionary: (Int64, Int, Bool)?
        if let encoding = try table.table(4) {
            var bits = 32
            var signed = true
            if let index = try encoding.table(1) {
                bits = Int(try index.int(0, default: Int32(32)))
                signed = try index.bool(1)
            }
            guard [8, 16, 32, 64].contains(bits) else {
                throw ColumnarError.invalid(where_, "has dictionary indices of \(bits) bits")
            }
            switch type {
            case .utf8, .binary, .view: break
            default:
                throw ColumnarError.invalid(
                    where_,
                    "is a dictionary of \(type.label); dictionaries of strings are read"
                )
            }
            dictionary = (try encoding.int(0, default: Int64(0)), bits, signed)
        }
        return ArrowField(name: name, type: type, dictionary: dictionary)
    }
}
