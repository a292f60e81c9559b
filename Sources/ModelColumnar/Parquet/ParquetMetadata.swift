/// The parts of Parquet's Thrift metadata (`parquet.thrift`) the reader uses; field ids are the
/// Thrift ones. Everything else is skipped by the bounded reader.
struct ParquetFileMetaData {
    var version: Int32 = 0
    var schema: [ParquetSchemaElement] = []
    var numRows: Int64 = 0
    var rowGroups: [ParquetRowGroup] = []
    var createdBy: String?
    var encrypted = false
}

/// Physical types (`Type`).
enum ParquetPhysicalType: Int32 {
    case boolean = 0
    case int32 = 1
    case int64 = 2
    case int96 = 3
    case float = 4
    case double = 5
    case byteArray = 6
    case fixedLenByteArray = 7

    /// The bytes of one PLAIN value of a fixed-width type (booleans are bit-packed: `nil`).
    var plainWidth: Int? {
        switch self {
        case .int32, .float: 4
        case .int64, .double: 8
        case .int96: 12
        case .boolean, .byteArray, .fixedLenByteArray: nil
        }
    }

    var name: String {
        switch self {
        case .boolean: "BOOLEAN"
        case .int32: "INT32"
        case .int64: "INT64"
        case .int96: "INT96"
        case .float: "FLOAT"
        case .double: "DOUBLE"
        case .byteArray: "BYTE_ARRAY"
        case .fixedLenByteArray: "FIXED_LEN_BYTE_ARRAY"
        }
    }
}

/// `LogicalType`, reduced to the annotations that change how values are read.
enum ParquetLogicalType: Equatable {
    case string
    case decimal(scale: Int32, precision: Int32)
    case date
    /// Unit: 1 000 (millis), 1 000 000 (micros) or 1 000 000 000 (nanos) per second.
    case timestamp(unitsPerSecond: Int64, adjustedToUTC: Bool)
    case integer(bitWidth: Int8, signed: Bool)
    case other(String)
}

struct ParquetSchemaElement {
    var type: ParquetPhysicalType?
    var typeLength: Int32 = 0
    /// 0 required, 1 optional, 2 repeated.
    var repetition: Int32 = 0
    var name = ""
    var numChildren: Int32 = 0
    var convertedType: Int32?
    var scale: Int32 = 0
    var precision: Int32 = 0
    var logicalType: ParquetLogicalType?
}

struct ParquetRowGroup {
    var columns: [ParquetColumnChunk] = []
    var numRows: Int64 = 0
}

struct ParquetColumnChunk {
    var filePath: String?
    var type: ParquetPhysicalType?
    var codec: Int32 = 0
    var numValues: Int64 = 0
    var totalCompressedSize: Int64 = 0
    var dataPageOffset: Int64 = -1
    var dictionaryPageOffset: Int64?
    var path: [String] = []
    var hasMetaData = false
}

struct ParquetPageHeader {
    /// 0 data page, 1 index page, 2 dictionary page, 3 data page v2.
    var type: Int32 = -1
    var uncompressedSize: Int32 = -1
    var compressedSize: Int32 = -1
    var numValues: Int32 = 0
    var encoding: Int32 = 0
    var definitionLevelEncoding: Int32 = 3
    // Data page v2.
    var numNulls: Int32 = 0
    var numRows: Int32 = 0
    var definitionLevelsLength: Int32 = 0
    var repetitionLevelsLength: Int32 = 0
    var isCompressed = true
}

extension ThriftCompactReader {
    mutating func readFileMetaData() throws -> ParquetFileMetaData {
        var meta = ParquetFileMetaData()
        try beginStruct()
        while let (id, type) = try nextField() {
            switch (id, type) {
            case (1, _): meta.version = try readI32(type)
            case (2, .list):
                let (count, element) = try readListHeader(type)
                guard element == .struct else { throw error("the schema is not a list of structs") }
                meta.schema.reserveCapacity(count)
                for _ in 0..<count { meta.schema.append(try readSchemaElement()) }
            case (3, _): meta.numRows = try readInt(type)
            case (4, .list):
                let (count, element) = try readListHeader(type)
                guard element == .struct else { throw error("the row groups are not a list of structs") }
                for _ in 0..<count { meta.rowGroups.append(try readRowGroup()) }
            case (6, .binary): meta.createdBy = try? readString(type)
            case (8, _):
                meta.encrypted = true
                try skip(type)
            default: try skip(type)
            }
        }
        return meta
    }

    private mutating func readSchemaElement() throws -> ParquetSchemaElement {
        var element = ParquetSchemaElement()
        try beginStruct()
        while let (id, type) = try nextField() {
            switch (id, type) {
            case (1, _):
                let raw = try readI32(type)
                guard let physical = ParquetPhysicalType(rawValue: raw) else {
                    throw error("unknown physical type \(raw)")
                }
                element.type = physical
            case (2, _): element.typeLength = try readI32(type)
            case (3, _): element.repetition = try readI32(type)
            case (4, .binary): element.name = try readString(type)
            case (5, _): element.numChildren = try readI32(type)
            case (6, _): element.convertedType = try readI32(type)
            case (7, _): element.scale = try readI32(type)
            case (8, _): element.precision = try readI32(type)
            case (10, .struct): element.logicalType = try readLogicalType()
            default: try skip(type)
            }
        }
        return element
    }

    /// The `LogicalType` union: exactly one field set.
    private mutating func readLogicalType() throws -> ParquetLogicalType? {
        var result: ParquetLogicalType?
        try beginStruct()
        while let (id, type) = try nextField() {
            guard type == .struct else {
                try skip(type)
                continue
            }
            switch id {
            case 1:
                result = .string
                try skip(type)
            case 5:
                var scale: Int32 = 0
                var precision: Int32 = 0
                try beginStruct()
                while let (field, fieldType) = try nextField() {
                    switch field {
                    case 1: scale = try readI32(fieldType)
                    case 2: precision = try readI32(fieldType)
                    default: try skip(fieldType)
                    }
                }
                result = .decimal(scale: scale, precision: precision)
            case 6:
                result = .date
                try skip(type)
            case 8:
                var adjusted = false
                var units: Int64 = 0
                try beginStruct()
                while let (field, fieldType) = try nextField() {
                    switch (field, fieldType) {
                    case (1, .boolTrue), (1, .boolFalse): adjusted = try readBool(fieldType)
                    case (2, .struct): units = try readTimeUnit()
                    default: try skip(fieldType)
                    }
                }
                result = .timestamp(unitsPerSecond: units, adjustedToUTC: adjusted)
            case 10:
                var width: Int8 = 0
                var signed = true
                try beginStruct()
                while let (field, fieldType) = try nextField() {
                    switch (field, fieldType) {
                    case (1, _): width = Int8(truncatingIfNeeded: try readInt(fieldType))
                    case (2, .boolTrue), (2, .boolFalse): signed = try readBool(fieldType)
                    default: try skip(fieldType)
                    }
                }
                result = .integer(bitWidth: width, signed: signed)
            default:
                let names: [Int16: String] = [
                    2: "MAP", 3: "LIST", 4: "ENUM", 7: "TIME", 11: "UNKNOWN", 12: "JSON", 13: "BSON", 14: "UUID",
                    15: "FLOAT16", 16: "VARIANT", 17: "GEOMETRY", 18: "GEOGRAPHY",
                ]
                // ENUM and JSON are text; the rest are refused by the column reader.
                if id == 4 || id == 12 { result = .string } else { result = .other(names[id] ?? "logical type \(id)") }
                try skip(type)
            }
        }
        return result
    }

    /// `TimeUnit` union → units per second (0 when unknown).
    private mutating func readTimeUnit() throws -> Int64 {
        var units: Int64 = 0
        try beginStruct()
        while let (field, fieldType) = try nextField() {
            switch field {
            case 1: units = 1_000
            case 2: units = 1_000_000
            case 3: units = 1_000_000_000
            default: break
            }
            try skip(fieldType)
        }
        return units
    }

    private mutating func readRowGroup() throws -> ParquetRowGroup {
        var group = ParquetRowGroup()
        try beginStruct()
        while let (id, type) = try nextField() {
            switch (id, type) {
            case (1, .list):
                let (count, element) = try readListHeader(type)
                guard element == .struct else { throw error("the column chunks are not a list of structs") }
                for _ in 0..<count { group.columns.append(try readColumnChunk()) }
            case (3, _): group.numRows = try readInt(type)
            default: try skip(type)
            }
        }
        return group
    }

    private mutating func readColumnChunk() throws -> ParquetColumnChunk {
        var chunk = ParquetColumnChunk()
        try beginStruct()
        while let (id, type) = try nextField() {
            switch (id, type) {
            case (1, .binary): chunk.filePath = try readString(type)
            case (3, .struct):
                chunk.hasMetaData = true
                try readColumnMetaData(into: &chunk)
            default: try skip(type)
            }
        }
        return chunk
    }

    private mutating func readColumnMetaData(into chunk: inout ParquetColumnChunk) throws {
        try beginStruct()
        while let (id, type) = try nextField() {
            switch (id, type) {
            case (1, _): chunk.type = ParquetPhysicalType(rawValue: try readI32(type))
            case (3, .list):
                let (count, element) = try readListHeader(type)
                guard element == .binary else { throw error("path_in_schema is not a list of strings") }
                for _ in 0..<count { chunk.path.append(try readString(.binary)) }
            case (4, _): chunk.codec = try readI32(type)
            case (5, _): chunk.numValues = try readInt(type)
            case (7, _): chunk.totalCompressedSize = try readInt(type)
            case (9, _): chunk.dataPageOffset = try readInt(type)
            case (11, _): chunk.dictionaryPageOffset = try readInt(type)
            default: try skip(type)
            }
        }
    }

    mutating func readPageHeader() throws -> ParquetPageHeader {
        var page = ParquetPageHeader()
        try beginStruct()
        while let (id, type) = try nextField() {
            switch (id, type) {
            case (1, _): page.type = try readI32(type)
            case (2, _): page.uncompressedSize = try readI32(type)
            case (3, _): page.compressedSize = try readI32(type)
            case (5, .struct):
                try beginStruct()
                while let (field, fieldType) = try nextField() {
                    switch field {
                    case 1: page.numValues = try readI32(fieldType)
                    case 2: page.encoding = try readI32(fieldType)
                    case 3: page.definitionLevelEncoding = try readI32(fieldType)
                    default: try skip(fieldType)
                    }
                }
            case (7, .struct):
                try beginStruct()
                while let (field, fieldType) = try nextField() {
                    switch field {
                    case 1: page.numValues = try readI32(fieldType)
                    case 2: page.encoding = try readI32(fieldType)
                    default: try skip(fieldType)
                    }
                }
            case (8, .struct):
                try beginStruct()
                while let (field, fieldType) = try nextField() {
                    switch field {
                    case 1: page.numValues = try readI32(fieldType)
                    case 2: page.numNulls = try readI32(fieldType)
                    case 3: page.numRows = try readI32(fieldType)
                    case 4: page.encoding = try readI32(fieldType)
                    case 5: page.definitionLevelsLength = try readI32(fieldType)
                    case 6: page.repetitionLevelsLength = try readI32(fieldType)
                    case 7: page.isCompressed = try readBool(fieldType)
                    default: try skip(fieldType)
                    }
                }
            default: try skip(type)
            }
        }
        return page
    }
}
