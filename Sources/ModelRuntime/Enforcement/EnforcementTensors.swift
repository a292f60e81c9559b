import ModelBundle

/// Judges data against a tensor-based schema (spec §3.6 with the serving layer's casts of §3.8, but
/// lossless): rank and fixed dimensions must match (`-1` matches any size), elements are converted
/// to the spec's dtype, named tensors are put in schema order and extras dropped.
struct EnforcementTensors {
    let specs: [TensorSpec]

    private var named: Bool { specs.first?.name != nil }

    func enforce(_ input: RequestInput, log: inout EnforcementLog) -> RequestInput? {
        if !named, let spec = specs.first {
            switch input {
            case .tensor(let tensor):
                return enforce(tensor, spec: spec, label: tensor.name, log: &log).map { .tensor($0) }
            case .frame(let frame):
                return enforceUnnamed(frame, spec: spec, log: &log).map { .tensor($0) }
            case .namedTensors(let tensors):
                log.add(
                    "input_kind",
                    column: tensors.first?.name,
                    expected: "one array",
                    "This model contains a tensor-based model signature with no input names, which expects a single "
                        + "array; the input is a dictionary of named inputs. Send {\"inputs\": [[…], …]}."
                )
                return nil
            }
        }
        var byName: [String: Tensor] = [:]
        var order: [String] = []
        switch input {
        case .namedTensors(let tensors):
            for (index, tensor) in tensors.enumerated() {
                let name = tensor.name ?? String(index)
                if byName[name] == nil { order.append(name) }
                byName[name] = tensor
            }
        case .tensor(let tensor):
            // A single named spec takes a bare array as that input (MLflow wraps it the same way).
            guard specs.count == 1, let name = specs[0].name else {
                log.add(
                    "input_kind",
                    expected: "named inputs",
                    "This model contains a tensor-based model signature with input names, which expects a dictionary "
                        + "of inputs ({\"inputs\": {\"name\": […]}}); the input is a single array."
                )
                return nil
            }
            byName[name] = tensor
            order = [name]
        case .frame(let frame):
            return enforceNamed(frame, log: &log)
        }
        let declared = Set(specs.compactMap(\.name))
        log.ignoredInputs.append(contentsOf: order.filter { !declared.contains($0) })
        var result: [Tensor] = []
        for spec in specs {
            guard let name = spec.name else { continue }
            guard let tensor = byName[name] else {
                log.add(
                    "missing_input",
                    column: name,
                    expected: spec.typeText,
                    "Model is missing inputs ['\(name)']; the signature requires this tensor."
                )
                continue
            }
            if let converted = enforce(tensor, spec: spec, label: name, log: &log) { result.append(converted) }
        }
        return .namedTensors(result)
    }

    /// The core check of one array against one spec: rank, fixed dimensions, then the dtype.
    func enforce(_ tensor: Tensor, spec: TensorSpec, label: String?, log: inout EnforcementLog) -> Tensor? {
        let shape = tensor.shape
        if log.rowCount == nil { log.rowCount = shape.first }
        guard Self.matches(shape, spec.shape) else {
            log.add(
                "shape",
                column: label,
                value: Self.tuple(shape),
                expected: spec.typeText,
                "Shape of input \(Self.tuple(shape)) does not match expected shape \(Self.tuple(spec.shape))."
            )
            return nil
        }
        if shape.first == 0 {
            log.add("empty", column: label, "The input has no rows; send at least one.")
        }
        if spec.dtype == .object { return rename(tensor, label) }
        let rowSize = shape.isEmpty ? nil : shape.dropFirst().reduce(1, *)
        let converter = EnforcementConverter(target: EnforcementTarget(spec.dtype), column: label, rowSize: rowSize)
        let (values, validity) = converter.convert(tensor.values, validity: tensor.validity, log: &log)
        return try? Tensor(name: label, shape: shape, values: values, validity: validity)
    }

    /// A table against the single unnamed spec (pandas input, spec §3.6): one column feeds a `(-1,)`
    /// or `(-1, 1)` spec (or a spec of lists, one list per row); several columns need `(-1, columns)`.
    private func enforceUnnamed(_ frame: Frame, spec: TensorSpec, log: inout EnforcementLog) -> Tensor? {
        log.rowCount = frame.rowCount
        let width = frame.columns.count
        guard width > 0, frame.rowCount > 0 else {
            log.add("empty", "Input DataFrame is empty; send at least one row.")
            return nil
        }
        if width == 1, let column = frame.columns.first, Self.holdsLists(column) {
            return listColumn(column, spec: spec, label: nil, log: &log)
        }
        if width == 1 && (spec.shape == [-1] || spec.shape == [-1, 1]) {
            return scalarColumn(frame.columns[0], spec: spec, label: nil, log: &log)
        }
        guard spec.shape == [-1, width] else {
            log.add(
                "shape",
                value: "(-1, \(width))",
                expected: spec.typeText,
                "This model contains a model signature with an unnamed input. Since the input data is a table "
                    + "with \(width) columns, the input shape must be (-1, \(width)); the signature's is "
                    + "\(Self.tuple(spec.shape))."
            )
            return nil
        }
        let columns = frame.columns
        let converter = EnforcementConverter(target: EnforcementTarget(spec.dtype), column: nil, rowSize: width)
        if spec.dtype == .object {
            log.add("input_kind", expected: spec.typeText, "object tensors cannot be built from a table")
            return nil
        }
        let (values, validity) = converter.convert(count: frame.rowCount * width, log: &log) { index in
            let column = columns[index % width]
            return EnforcementCell.at(index / width, of: column.values, validity: column.validity)
        }
        return try? Tensor(shape: [frame.rowCount, width], values: values, validity: validity)
    }

    /// A table against named specs: each spec takes the column of its name (spec §3.6, pandas input).
    private func enforceNamed(_ frame: Frame, log: inout EnforcementLog) -> RequestInput? {
        log.rowCount = frame.rowCount
        let declared = Set(specs.compactMap(\.name))
        log.ignoredInputs.append(contentsOf: frame.columnNames.filter { !declared.contains($0) })
        if frame.rowCount == 0 { log.add("empty", "The input has no rows; send at least one.") }
        var result: [Tensor] = []
        for spec in specs {
            guard let name = spec.name else { continue }
            guard let column = frame.column(named: name) else {
                log.add(
                    "missing_input",
                    column: name,
                    expected: spec.typeText,
                    "Model is missing inputs ['\(name)']; the signature requires this input."
                )
                continue
            }
            guard spec.shape.first == -1, !spec.shape.dropFirst().contains(-1) else {
                log.add(
                    "shape",
                    column: name,
                    expected: spec.typeText,
                    "For table input, the first dimension of shape must be a variable dimension and other "
                        + "dimensions must be fixed, but in model signature the shape of input \(name) is "
                        + "\(Self.tuple(spec.shape))."
                )
                continue
            }
            let tensor: Tensor?
            if Self.holdsLists(column) {
                tensor = listColumn(column, spec: spec, label: name, log: &log)
            } else if spec.shape == [-1] || spec.shape == [-1, 1] {
                tensor = scalarColumn(column, spec: spec, label: name, log: &log)
            } else {
                log.add(
                    "shape",
                    column: name,
                    expected: spec.typeText,
                    "The input column '\(name)' contains scalar values, which requires the shape to be (-1,) or "
                        + "(-1, 1), but got tensor spec shape of \(Self.tuple(spec.shape))."
                )
                tensor = nil
            }
            if let tensor { result.append(tensor) }
        }
        return .namedTensors(result)
    }

    private func scalarColumn(_ column: Column, spec: TensorSpec, label: String?, log: inout EnforcementLog) -> Tensor?
    {
        let shape = spec.shape.count == 2 ? [column.count, 1] : [column.count]
        if spec.dtype == .object {
            return try? Tensor(name: label, shape: shape, values: column.values, validity: column.validity)
        }
        let converter = EnforcementConverter(target: EnforcementTarget(spec.dtype), column: label ?? column.name)
        let (values, validity) = converter.convert(column.values, validity: column.validity, log: &log)
        return try? Tensor(name: label, shape: shape, values: values, validity: validity)
    }

    /// A column whose cells are lists: each row's list is flattened and must fill the spec's fixed
    /// dimensions exactly (`(-1, 2, 3)` takes 6 numbers per row).
    private func listColumn(_ column: Column, spec: TensorSpec, label: String?, log: inout EnforcementLog) -> Tensor? {
        let name = label ?? column.name
        let inner = Array(spec.shape.dropFirst())
        guard spec.shape.first == -1, !inner.contains(-1) else {
            log.add(
                "shape",
                column: name,
                expected: spec.typeText,
                "list cells need a spec shape whose first dimension is -1 and others fixed; the signature's is "
                    + "\(Self.tuple(spec.shape))"
            )
            return nil
        }
        let perRow = inner.reduce(1, *)
        let parser = JSONParser(maximumDepth: EnforcementNested.maximumDepth, errorCode: .schemaMismatch, source: name)
        var cells: [EnforcementCell] = []
        cells.reserveCapacity(min(column.count * perRow, 1 << 24))
        for row in 0..<column.count {
            var flat: [EnforcementCell] = []
            let cell = EnforcementCell.at(row, of: column.values, validity: column.validity)
            if case .nested(let json) = cell, let value = try? parser.parse(json) {
                Self.flatten(value, into: &flat)
            } else {
                flat = [cell]
            }
            guard flat.count == perRow else {
                log.add(
                    "shape",
                    column: name,
                    row: row,
                    value: cell.description,
                    expected: spec.typeText,
                    "The value in column '\(name)' could not be converted to the expected shape of "
                        + "\(Self.tuple(spec.shape)): it holds \(flat.count) values, each row needs \(perRow)."
                )
                continue
            }
            cells.append(contentsOf: flat)
        }
        guard cells.count == column.count * perRow else { return nil }
        let converter = EnforcementConverter(target: EnforcementTarget(spec.dtype), column: name, rowSize: perRow)
        let (values, validity) = converter.convert(count: cells.count, log: &log) { cells[$0] }
        return try? Tensor(name: label, shape: [column.count] + inner, values: values, validity: validity)
    }

    private static func holdsLists(_ column: Column) -> Bool {
        switch column.values {
        case .json: return true
        case .cells(let cells): return cells.kinds.contains(.nested)
        default: return false
        }
    }

    private static func flatten(_ value: JSONValue, into cells: inout [EnforcementCell]) {
        if case .array(let elements) = value {
            for element in elements { flatten(element, into: &cells) }
        } else {
            cells.append(EnforcementCell(value))
        }
    }

    static func matches(_ shape: [Int], _ expected: [Int]) -> Bool {
        shape.count == expected.count && zip(shape, expected).allSatisfy { $1 == -1 || $0 == $1 }
    }

    /// A shape as Python prints a tuple: `()`, `(3,)`, `(1, 3)`.
    static func tuple(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    private func rename(_ tensor: Tensor, _ label: String?) -> Tensor {
        var copy = tensor
        copy.name = label
        return copy
    }
}

extension TensorSpec {
    /// `float32 (-1, 2)`.
    var typeText: String { "\(dtype.rawValue) \(EnforcementTensors.tuple(shape))" }
}
