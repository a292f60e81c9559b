/// The dtype names of the safetensors format, in the reference implementation's enum order.
///
/// The order matters: the reference writer lays tensors out by dtype *descending* in this order (its
/// alignment order), then by name, and our writer copies it so that files match byte for byte.
enum SafeTensorsDType: String, CaseIterable {
    case BOOL, F4, F6_E2M3, F6_E3M2, U8, I8, F8_E5M2, F8_E4M3, F8_E8M0, F8_E4M3FNUZ, F8_E5M2FNUZ
    case I16, U16, F16, BF16, I32, U32, F32, C64, F64, I64, U64

    /// Bits per element.
    var bits: Int {
        switch self {
        case .F4: 4
        case .F6_E2M3, .F6_E3M2: 6
        case .BOOL, .U8, .I8, .F8_E5M2, .F8_E4M3, .F8_E8M0, .F8_E4M3FNUZ, .F8_E5M2FNUZ: 8
        case .I16, .U16, .F16, .BF16: 16
        case .I32, .U32, .F32: 32
        case .C64, .F64, .I64, .U64: 64
        }
    }

    /// Position in the reference enum; larger sorts first when writing.
    var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }

    /// The tensor dtype this reads into, or `nil` when we cannot represent it faithfully.
    /// BF16 is widened to float32 on read (exact); F4/F6/F8 and complex are refused.
    var tensorDType: TensorDType? {
        switch self {
        case .BOOL: .bool
        case .U8: .uint8
        case .I8: .int8
        case .I16: .int16
        case .U16: .uint16
        case .F16: .float16
        case .BF16: .float32
        case .I32: .int32
        case .U32: .uint32
        case .F32: .float32
        case .F64: .float64
        case .I64: .int64
        case .U64: .uint64
        case .F4, .F6_E2M3, .F6_E3M2, .F8_E5M2, .F8_E4M3, .F8_E8M0, .F8_E4M3FNUZ, .F8_E5M2FNUZ, .C64: nil
        }
    }

    /// The safetensors name for a tensor dtype we write.
    init?(_ dtype: TensorDType) {
        switch dtype {
        case .bool: self = .BOOL
        case .uint8: self = .U8
        case .int8: self = .I8
        case .int16: self = .I16
        case .uint16: self = .U16
        case .float16: self = .F16
        case .int32: self = .I32
        case .uint32: self = .U32
        case .float32: self = .F32
        case .float64: self = .F64
        case .int64: self = .I64
        case .uint64: self = .U64
        default: return nil
        }
    }
}
