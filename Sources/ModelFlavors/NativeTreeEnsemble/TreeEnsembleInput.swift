import ModelBundle
import ModelRuntime

/// An enforced request as one row-major float64 buffer: numeric columns in schema order (or a 2-D
/// tensor). A missing cell (null, an empty CSV field) becomes NaN, which every tree library routes
/// as a missing value — unlike the linear models, trees take missing values.
struct TreeEnsembleInput {
    var values: [Double]
    var rowCount: Int

    init(_ input: RequestInput, featureCount: Int) throws(ModelBundleError) {
        switch input {
        case .frame(let frame):
            guard frame.columns.count == featureCount else {
                throw ModelBundleError(
                    .schemaMismatch,
                    "The input has \(frame.columns.count) columns but the model takes \(featureCount) features",
                    item: "columns"
                )
            }
            let rows = frame.rowCount
            let (size, overflow) = rows.multipliedReportingOverflow(by: featureCount)
            guard !overflow else { throw ModelBundleError(.inputInvalid, "The input has too many rows", item: "rows") }
            var buffer = [Double](repeating: 0, count: size)
            try buffer.withUnsafeMutableBufferPointer { (out) throws(ModelBundleError) in
                for (position, column) in frame.columns.enumerated() {
                    try Self.copy(
                        column.values,
                        column.validity,
                        name: column.name,
                        into: out,
                        start: position,
                        stride: featureCount
                    )
                }
            }
            values = buffer
            rowCount = rows
        case .tensor(let tensor):
            let rows: Int
            switch tensor.shape.count {
            case 2 where tensor.shape[1] == featureCount: rows = tensor.shape[0]
            case 1 where featureCount == 1: rows = tensor.shape[0]
            default:
                throw ModelBundleError(
                    .schemaMismatch,
                    "The input tensor has shape \(tensor.shape); the model takes [rows, \(featureCount)]",
                    item: tensor.name ?? "inputs"
                )
            }
            var buffer = [Double](repeating: 0, count: tensor.count)
            try buffer.withUnsafeMutableBufferPointer { (out) throws(ModelBundleError) in
                try Self.copy(
                    tensor.values,
                    tensor.validity,
                    name: tensor.name ?? "inputs",
                    into: out,
                    start: 0,
                    stride: 1
                )
            }
            values = buffer
            rowCount = rows
        case .namedTensors(let tensors):
            guard tensors.count == 1, let tensor = tensors.first else {
                throw ModelBundleError(
                    .schemaMismatch,
                    "The input has \(tensors.count) named tensors; the model takes one 2-D tensor of features",
                    item: "inputs"
                )
            }
            self = try Self(.tensor(tensor), featureCount: featureCount)
        }
    }

    private static func copy(
        _ values: ColumnValues,
        _ validity: ValidityMask,
        name: String,
        into out: UnsafeMutableBufferPointer<Double>,
        start: Int,
        stride: Int
    ) throws(ModelBundleError) {
        func fill<Element>(_ source: [Element], _ convert: (Element) -> Double) {
            var index = start
            for value in source {
                out[index] = convert(value)
                index += stride
            }
        }
        switch values {
        case .double(let v): fill(v) { $0 }
        case .float(let v): fill(v) { Double($0) }
        case .long(let v): fill(v) { Double($0) }
        case .integer(let v): fill(v) { Double($0) }
        case .cells(let cells):
            for row in 0..<cells.kinds.count {
                let value: Double
                switch cells.kinds[row] {
                case .integral: value = Double(cells.integers[row])
                case .fractional, .largeIntegral: value = cells.numbers[row]
                default:
                    if !validity.isValid(row) {
                        value = .nan
                    } else {
                        throw ModelBundleError(
                            .schemaMismatch,
                            "Column \(name) has a non-numeric value at row \(row); the model takes numbers only",
                            item: name
                        )
                    }
                }
                out[start + row * stride] = value
            }
        default:
            let type = values.dtype.map { "\($0)" } ?? "mixed"
            throw ModelBundleError(
                .schemaMismatch,
                "Column \(name) holds \(type) values; the model takes numeric columns only",
                item: name
            )
        }
        if validity.hasNulls {
            for row in 0..<validity.count where !validity.isValid(row) {
                out[start + row * stride] = .nan
            }
        }
    }
}
