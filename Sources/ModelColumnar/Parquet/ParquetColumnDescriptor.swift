/// One leaf column of a flat Parquet schema, and how its values become a frame column.
struct ParquetColumnDescriptor {
    enum Conversion {
        case boolean, int32, uint32, int64, uint64, float, double, string, binary
        /// Days since the epoch (INT32 DATE).
        case date
        /// INT64 timestamps in units per second.
        case timestamp(unitsPerSecond: Int64)
        case int96
        case decimal(scale: Int)
        /// The `UNKNOWN` (null) annotation: every value missing.
        case null
    }

    let name: String
    let physical: ParquetPhysicalType
    let typeLength: Int
    /// 1 for an optional column, 0 for a required one.
    let maxDefinition: Int
    let conversion: Conversion
    let info: ColumnarColumnInfo

    /// The columns a schema's top-level scalar fields hold, with the position of each one's column
    /// chunk among the schema's leaves, and how many leaves (column chunks per row group) there are.
    struct Schema {
        var columns: [ParquetColumnDescriptor]
        var chunkPositions: [Int]
        var leafCount: Int
    }

    /// The top-level scalar columns of a schema. A group (struct, list, map) or a column of a type
    /// not read is refused by name, unless ``ColumnarLimits/onlyColumns`` leaves it out: its leaves
    /// are then skipped unread.
    static func schema(_ elements: [ParquetSchemaElement], limits: ColumnarLimits) throws -> Schema {
        guard let root = elements.first, root.numChildren >= 0 else {
            throw ColumnarError.invalid("Parquet schema", "is empty")
        }
        guard elements.count - 1 <= limits.maxColumns else {
            throw ColumnarError.invalid(
                "Parquet schema",
                "has \(elements.count - 1) columns, more than \(limits.maxColumns)"
            )
        }
        var schema = Schema(columns: [], chunkPositions: [], leafCount: 0)
        var next = 1
        for _ in 0..<Int(root.numChildren) {
            guard next < elements.count else {
                throw ColumnarError.invalid("Parquet schema", "declares more columns than it lists")
            }
            let field = elements[next]
            // The field's subtree, depth first: each element opens its children's places.
            var open = 1
            var leaves = 0
            var end = next
            while open > 0 {
                guard end < elements.count, elements[end].numChildren >= 0,
                    Int(elements[end].numChildren) <= elements.count - end - 1
                else {
                    throw ColumnarError.invalid("Parquet column '\(field.name)'", "declares children it does not list")
                }
                if elements[end].numChildren == 0 { leaves += 1 }
                open += Int(elements[end].numChildren) - 1
                end += 1
            }
            let wanted = limits.onlyColumns?.contains(field.name) ?? true
            if wanted {
                guard field.numChildren == 0 else {
                    throw ColumnarError.invalid(
                        "Parquet column '\(field.name)'",
                        "is nested (a group, list or map); only flat schemas of scalar columns are read"
                    )
                }
                schema.columns.append(try descriptor(field))
                schema.chunkPositions.append(schema.leafCount)
            }
            schema.leafCount += leaves
            next = end
        }
        guard next == elements.count else {
            throw ColumnarError.invalid("Parquet schema", "lists \(elements.count - next) elements outside its columns")
        }
        return schema
    }

    private static func descriptor(_ e: ParquetSchemaElement) throws -> ParquetColumnDescriptor {
        let where_ = "Parquet column '\(e.name)'"
        guard let physical = e.type, e.numChildren == 0 else {
            throw ColumnarError.invalid(where_, "is a group; only flat schemas of scalar columns are read")
        }
        guard e.repetition != 2 else {
            throw ColumnarError.invalid(where_, "is repeated (a list); only flat schemas of scalar columns are read")
        }
        var logical = e.logicalType
        if logical == nil, let converted = e.convertedType {
            switch converted {
            case 0, 4, 19: logical = .string
            case 5: logical = .decimal(scale: e.scale, precision: e.precision)
            case 6: logical = .date
            case 9: logical = .timestamp(unitsPerSecond: 1_000, adjustedToUTC: true)
            case 10: logical = .timestamp(unitsPerSecond: 1_000_000, adjustedToUTC: true)
            case 11: logical = .integer(bitWidth: 8, signed: false)
            case 12: logical = .integer(bitWidth: 16, signed: false)
            case 13: logical = .integer(bitWidth: 32, signed: false)
            case 14: logical = .integer(bitWidth: 64, signed: false)
            case 15: logical = .integer(bitWidth: 8, signed: true)
            case 16: logical = .integer(bitWidth: 16, signed: true)
            case 17: logical = .integer(bitWidth: 32, signed: true)
            case 18: logical = .integer(bitWidth: 64, signed: true)
            case 7, 8: logical = .other("TIME")
            case 21: logical = .other("INTERVAL")
            case 20: logical = .other("BSON")
            default: logical = .other("converted type \(converted)")
            }
        }
        let typeLength = Int(e.typeLength)
        if physical == .fixedLenByteArray {
            guard typeLength > 0 && typeLength <= 1 << 20 else {
                throw ColumnarError.invalid(where_, "is a FIXED_LEN_BYTE_ARRAY of length \(typeLength)")
            }
        }
        var label = "Parquet \(physical.name)"
        let conversion: Conversion
        var kind: ColumnarKind
        switch (physical, logical) {
        case (.boolean, nil): (conversion, kind) = (.boolean, .boolean)
        case (.int32, nil): (conversion, kind) = (.int32, .integer)
        case (.int32, .integer(let width, let signed)) where width <= 32:
            label += " (\(signed ? "INT" : "UINT")_\(width))"
            (conversion, kind) = (signed || width < 32 ? .int32 : .uint32, .integer)
        case (.int64, nil): (conversion, kind) = (.int64, .integer)
        case (.int64, .integer(let width, let signed)):
            label += " (\(signed ? "INT" : "UINT")_\(width))"
            (conversion, kind) = (signed ? .int64 : .uint64, .integer)
        case (.int32, .date):
            label += " (DATE)"
            (conversion, kind) = (.date, .temporal)
        case (.int64, .timestamp(let units, let utc)) where units > 0:
            let unit = units == 1_000 ? "MILLIS" : units == 1_000_000 ? "MICROS" : "NANOS"
            label += " (TIMESTAMP(\(unit), \(utc ? "UTC" : "local")))"
            (conversion, kind) = (.timestamp(unitsPerSecond: units), .temporal)
        case (.int96, nil):
            label += " (timestamp)"
            (conversion, kind) = (.int96, .temporal)
        case (.float, nil): (conversion, kind) = (.float, .floating)
        case (.double, nil): (conversion, kind) = (.double, .floating)
        case (.byteArray, .string):
            label += " (STRING)"
            (conversion, kind) = (.string, .text)
        case (.byteArray, nil), (.fixedLenByteArray, nil): (conversion, kind) = (.binary, .binary)
        case (_, .other("UNKNOWN")):
            label += " (UNKNOWN: all null)"
            (conversion, kind) = (.null, .null)
        case (.int32, .decimal(let scale, let precision)), (.int64, .decimal(let scale, let precision)),
            (.byteArray, .decimal(let scale, let precision)), (.fixedLenByteArray, .decimal(let scale, let precision)):
            label += " (DECIMAL(\(precision), \(scale)))"
            (conversion, kind) = (.decimal(scale: Int(scale)), .decimal)
        default:
            let annotation: String
            switch logical {
            case .other(let name): annotation = name
            case .some(let other): annotation = "\(other)"
            case nil: annotation = "no annotation"
            }
            throw ColumnarError.invalid(
                where_,
                "has physical type \(physical.name) with \(annotation), which is not read (numbers, booleans, "
                    + "strings, binary, dates, timestamps and decimals are)"
            )
        }
        if case .decimal(let scale) = conversion, scale < 0 || scale > 38 {
            throw ColumnarError.invalid(where_, "has a decimal scale of \(scale)")
        }
        return ParquetColumnDescriptor(
            name: e.name,
            physical: physical,
            typeLength: typeLength,
            maxDefinition: e.repetition == 1 ? 1 : 0,
            conversion: conversion,
            info: ColumnarColumnInfo(name: e.name, sourceType: label, kind: kind)
        )
    }
}
