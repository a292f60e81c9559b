import ModelBundle

/// Judges data against a column-based schema (spec §3.1–3.5 with DESIGN.md §3): required columns
/// present, extra columns dropped (and reported as ignored), optional columns may be absent,
/// columns put in schema order and converted to their exact types.
struct EnforcementColumns {
    let specs: [ColSpec]

    private var named: Bool { specs.first?.name != nil }

    func enforce(_ input: RequestInput, log: inout EnforcementLog) -> Frame? {
        switch input {
        case .frame(let frame):
            return enforce(frame, log: &log)
        case .tensor(let tensor):
            return enforce(tensorAsTable: tensor, log: &log)
        case .namedTensors(let tensors):
            return enforce(namedTensorsAsTable: tensors, log: &log)
        }
    }

    /// One source column: its name, row count and cells.
    private struct Source {
        var name: String
        var count: Int
        var values: ColumnValues?
        var validity: ValidityMask?
        var cell: (Int) -> EnforcementCell
    }

    private func enforce(_ frame: Frame, log: inout EnforcementLog) -> Frame? {
        let sources = frame.columns.map { column in
            Source(
                name: column.name,
                count: column.count,
                values: column.values,
                validity: column.validity,
                cell: { EnforcementCell.at($0, of: column.values, validity: column.validity) }
            )
        }
        return enforce(sources, rows: frame.rowCount, log: &log)
    }

    /// A list (`{"inputs": [[…], …]}`) becomes a table with columns `0`, `1`, … as pandas'
    /// `DataFrame(list)` does: a 2-D list gives rows, a 1-D list one column, a scalar one cell.
    private func enforce(tensorAsTable tensor: Tensor, log: inout EnforcementLog) -> Frame? {
        let shape = tensor.shape
        guard shape.count <= 2 else {
            log.add(
                "input_kind",
                column: tensor.name,
                expected: "a table",
                "This model has a column-based signature, which expects a table; the input is a \(shape.count)-D "
                    + "list. Send rows of scalars, or use dataframe_split."
            )
            return nil
        }
        let rows = shape.first ?? 1
        let width = shape.count == 2 ? shape[1] : 1
        let values = tensor.values
        let validity = tensor.validity
        let sources = (0..<width).map { column in
            Source(
                name: String(column),
                count: rows,
                values: nil,
                validity: nil,
                cell: { EnforcementCell.at($0 * width + column, of: values, validity: validity) }
            )
        }
        return enforce(sources, rows: rows, log: &log)
    }

    /// Named 1-D lists (decoded without a schema) are columns, as pandas' `DataFrame(dict)` makes them.
    private func enforce(namedTensorsAsTable tensors: [Tensor], log: inout EnforcementLog) -> Frame? {
        var sources: [Source] = []
        for (index, tensor) in tensors.enumerated() {
            let name = tensor.name ?? String(index)
            guard tensor.shape.count <= 1 else {
                log.add(
                    "input_kind",
                    column: name,
                    expected: "a list of scalars",
                    "input '\(name)' is a \(tensor.shape.count)-D list; a column must be a flat list of values"
                )
                return nil
            }
            sources.append(
                Source(
                    name: name,
                    count: tensor.count,
                    values: tensor.values,
                    validity: tensor.validity,
                    cell: { EnforcementCell.at($0, of: tensor.values, validity: tensor.validity) }
                )
            )
        }
        let counts = Set(sources.map(\.count))
        guard counts.count <= 1 else {
            log.add(
                "input_kind",
                "The length of values for each input/column name are not the same; give every column as many values"
            )
            return nil
        }
        return enforce(sources, rows: counts.first ?? 0, log: &log)
    }

    private func enforce(_ sources: [Source], rows: Int, log: inout EnforcementLog) -> Frame? {
        log.rowCount = rows
        var chosen: [(ColSpec, Source)] = []
        if named {
            let byName = Dictionary(sources.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            let declared = Set(specs.compactMap(\.name))
            let extras = sources.map(\.name).filter { !declared.contains($0) }
            log.ignoredInputs.append(contentsOf: extras)
            for spec in specs {
                guard let name = spec.name else { continue }
                if let source = byName[name] {
                    chosen.append((spec, source))
                } else if spec.required {
                    let note =
                        extras.isEmpty
                        ? "" : " Note that there were extra inputs: [\(extras.prefix(8).joined(separator: ", "))]."
                    log.add(
                        "missing_input",
                        column: name,
                        expected: spec.type.displayName,
                        "Model is missing inputs ['\(name)']; the signature requires this column.\(note)"
                    )
                }
            }
        } else {
            if sources.count < specs.count {
                log.add(
                    "input_count",
                    expected: "\(specs.count) columns",
                    "The model signature declares \(specs.count) inputs but the provided value only has "
                        + "\(sources.count) inputs; the signature has no names, so columns match by position."
                )
            }
            log.ignoredInputs.append(contentsOf: sources.dropFirst(specs.count).map(\.name))
            chosen = Array(zip(specs, sources))
        }
        if rows == 0 && !sources.isEmpty {
            log.add("empty", "The input has no rows; send at least one.")
        }
        var columns: [Column] = []
        for (spec, source) in chosen {
            let converted: (ColumnValues, ValidityMask)
            switch spec.type {
            case .scalar(let type):
                let converter = EnforcementConverter(target: EnforcementTarget(type), column: source.name)
                if let values = source.values, let validity = source.validity {
                    converted = converter.convert(values, validity: validity, log: &log)
                } else {
                    converted = converter.convert(count: source.count, log: &log, cell: source.cell)
                }
            default:
                let checker = EnforcementNested(type: spec.type, column: source.name, required: spec.required)
                converted = checker.check(count: source.count, log: &log, cell: source.cell)
            }
            if let column = try? Column(name: source.name, values: converted.0, validity: converted.1) {
                columns.append(column)
            }
        }
        return try? Frame(columns: columns, rowCount: rows)
    }
}
