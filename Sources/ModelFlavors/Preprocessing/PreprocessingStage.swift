package import ModelBundle
import ModelRuntime

/// A native preprocessing stage: fitted scikit-learn transformers (ColumnTransformer, Pipeline,
/// FeatureUnion, imputers, encoders, scalers, PolynomialFeatures, KBinsDiscretizer,
/// TargetEncoder) applied to the enforced frame's typed columns, producing the dense float64
/// feature matrix a native model reads. Any native flavor can carry one (Docs/preprocessing.md).
///
/// Built only through ``init(root:)``, which checks every width, index and limit, so
/// ``features(_:firstRow:)`` never traps on the fitted state.
package struct PreprocessingStage: Sendable {
    package let root: PreprocessingStep
    /// The columns the stage reads, by name (`feature_names_in_` of its first step), or nil when
    /// it was fitted on an unnamed array: frame columns are then taken by position.
    package let inputNames: [String]?
    package let outputWidth: Int
    /// The positions of the input columns a step reads (nil: all): a ColumnTransformer reads only the
    /// columns of its branches, so a column it drops (`remainder="drop"`) need not be sent, nor be
    /// of a type the steps read, as scikit-learn requires only the columns it does not drop.
    let readColumns: Set<Int>?

    package init(root: PreprocessingStep) throws(ModelBundleError) {
        var budget = (steps: 0, categories: 0)
        outputWidth = try root.validatedOutputWidth(depth: 0, budget: &budget)
        self.root = root
        inputNames = root.inputNames
        readColumns = root.readColumns
        if let inputNames, inputNames.count != root.inputWidth {
            throw root.invalid("feature_names_in_ lists \(inputNames.count) columns for \(root.inputWidth)")
        }
    }

    /// The stage's output for the enforced input: ``outputWidth`` columns of numbers, or of one-hot
    /// blocks, which ``denseMatrix(_:)`` expands and ``OneHotFold`` folds into a linear model.
    /// `envelope` is the JSON field that held the request (nil for CSV and columnar input): it decides
    /// what a null in a string column is to scikit-learn (``MissingText``).
    package func features(_ input: RequestInput, firstRow: Int, envelope: String? = nil) throws(ModelBundleError)
        -> PreprocessingBlock
    {
        guard case .frame(let frame) = input else {
            // A tensor-signature model (fitted on a numpy array, as a HistGradientBoosting with its own
            // _preprocessor often is): [rows, width] numbers, nulls as NaN, one column per position.
            let matrix = try NativeLinearInput<Double>(
                input,
                featureCount: root.inputWidth,
                rowOffset: 0,
                nullsAsNaN: true
            )
            let width = root.inputWidth
            // A float32 tensor is a float32 array to scikit-learn.
            var float32 = false
            if case .tensor(let tensor) = input, case .float = tensor.values { float32 = true }
            let columns = (0..<width).map { column in
                let values = stride(from: column, to: matrix.values.count, by: width).map { matrix.values[$0] }
                return float32 ? PreprocessingColumn.singles(values) : .numbers(values)
            }
            return try finish(
                PreprocessingBlock(
                    columns: columns,
                    names: (0..<width).map { "x[\($0)]" },
                    rows: matrix.rowCount,
                    firstRow: firstRow
                )
            )
        }
        var block: [PreprocessingColumn] = []
        var names: [String] = []
        if let inputNames {
            for (position, name) in inputNames.enumerated() {
                if let readColumns, !readColumns.contains(position) {
                    // Never read: its place in the block is kept, its values are not looked at.
                    block.append(.numbers([Double](repeating: .nan, count: frame.rowCount)))
                    names.append(name)
                    continue
                }
                guard let column = frame.column(named: name) else {
                    throw ModelBundleError(
                        .schemaMismatch,
                        "column '\(name)' is missing; the model's preprocessing reads "
                            + inputNames.enumerated().filter { readColumns?.contains($0.offset) ?? true }.map(\.element)
                            .joined(separator: ", "),
                        item: name
                    )
                }
                block.append(try Self.column(column, firstRow: firstRow, envelope: envelope))
                names.append(name)
            }
        } else {
            guard frame.columns.count == root.inputWidth else {
                throw ModelBundleError(
                    .schemaMismatch,
                    "The input has \(frame.columns.count) columns but the model's preprocessing takes \(root.inputWidth)",
                    item: "columns"
                )
            }
            for column in frame.columns {
                block.append(try Self.column(column, firstRow: firstRow, envelope: envelope))
                names.append(column.name)
            }
        }
        return try finish(PreprocessingBlock(columns: block, names: names, rows: frame.rowCount, firstRow: firstRow))
    }

    /// Runs the steps on the input block, checking the output's width.
    private func finish(_ input: PreprocessingBlock) throws(ModelBundleError) -> PreprocessingBlock {
        let output = try root.apply(input)
        guard output.columns.count == outputWidth else {
            throw root.invalid("produced \(output.columns.count) columns, not \(outputWidth)")
        }
        if let short = output.columns.firstIndex(where: { $0.count != output.rows }) {
            let name = short < output.names.count ? output.names[short] : "column \(short)"
            throw root.invalid(
                "produced \(output.columns[short].count) rows in output column '\(name)' for \(output.rows) input rows"
            )
        }
        return output
    }

    /// A stage's output block as the row-major float64 matrix [rows, columns] a model reads.
    package static func denseMatrix(_ output: PreprocessingBlock) throws(ModelBundleError) -> [Double] {
        let width = output.columns.count
        let (size, overflow) = output.rows.multipliedReportingOverflow(by: width)
        guard !overflow else {
            throw ModelBundleError(
                .inputInvalid,
                "\(output.rows) rows × \(width) features after preprocessing do not fit in memory; send fewer rows",
                item: "rows"
            )
        }
        if let numbers = Self.numberColumns(output) {
            return try Self.rowMajor(numbers, rows: output.rows)
        }
        var matrix = [Double](repeating: 0, count: size)
        for (index, column) in output.columns.enumerated() {
            switch column {
            case .numbers(let values), .singles(let values):
                var target = index
                for value in values {
                    matrix[target] = value
                    target += width
                }
            case .oneHot(let block, let position):
                for (row, code) in block.codes.enumerated() where code == position { matrix[row * width + index] = 1 }
            case .cells, .texts:
                throw stillText(output.names[index])
            }
        }
        return matrix
    }

    /// The output's columns when every one is numbers (no one-hot block, no text), else nil.
    private static func numberColumns(_ output: PreprocessingBlock) -> [[Double]]? {
        var numbers: [[Double]] = []
        numbers.reserveCapacity(output.columns.count)
        for column in output.columns {
            guard let values = column.numberValues, values.count == output.rows else { return nil }
            numbers.append(values)
        }
        return numbers
    }

    /// Number columns as rows: the kernels' own transpose of a frame (blocks of rows, every core
    /// writing its part into memory that is not zero-filled first). The columns are shared, not
    /// copied; their names here are positions (a stage's output names need not be unique).
    private static func rowMajor(_ numbers: [[Double]], rows: Int) throws(ModelBundleError) -> [Double] {
        var columns: [Column] = []
        columns.reserveCapacity(numbers.count)
        for (index, values) in numbers.enumerated() {
            columns.append(try Column(name: String(index), values: .double(values)))
        }
        let frame = try Frame(columns: columns, rowCount: rows)
        return try NativeLinearInput<Double>(.frame(frame), featureCount: numbers.count, nullsAsNaN: true).values
    }

    static func stillText(_ name: String) -> ModelBundleError {
        ModelBundleError(
            .schemaMismatch,
            "column '\(name)' is still text after preprocessing; the model needs numbers "
                + "(scikit-learn would fail to convert it to float)",
            item: name
        )
    }

    /// What a null in a string column is when it reaches scikit-learn through MLflow.
    enum MissingText {
        /// NaN: pandas 3 builds a `str` column, which holds NaN for a missing value, whenever the
        /// column has a string in it (JSON), and `read_csv` reads an empty field as NaN.
        case nan
        /// None: a `dataframe_split`/`dataframe_records` column that is null in every row is an
        /// `object` column of None, which MLflow's `astype(object)` keeps. scikit-learn's imputers
        /// do not take None for NaN, and its encoders see it as a category of its own.
        case none
        /// The text "None": `instances` and `inputs` are cast with `np.array(values, dtype=str)`,
        /// which writes None as that text, an unseen category.
        case noneText

        init(envelope: String?, validity: ValidityMask) {
            switch envelope {
            case "instances", "inputs": self = .noneText
            case "dataframe_split", "dataframe_records":
                self = validity.nullCount == validity.count ? .none : .nan
            default: self = .nan
            }
        }
    }

    /// A frame column as scikit-learn receives it from MLflow's pandas frame: numbers (NaN for a
    /// null), booleans as 0/1, strings as an object column whose nulls are as ``MissingText`` says.
    static func column(_ column: Column, firstRow: Int, envelope: String? = nil) throws(ModelBundleError)
        -> PreprocessingColumn
    {
        let validity = column.validity
        func numbers<T>(_ values: [T], _ convert: (T) -> Double) -> [Double] {
            var result = values.map(convert)
            if validity.hasNulls {
                for row in 0..<result.count where !validity.isValid(row) { result[row] = .nan }
            }
            return result
        }
        switch column.values {
        case .double(let values) where !validity.hasNulls: return .numbers(values)  // shared, not copied
        case .double(let values): return .numbers(numbers(values) { $0 })
        // A float32 column stays float32 (MLflow casts a `float` column with astype(float32)).
        case .float(let values): return .singles(numbers(values) { Double($0) })
        case .long(let values): return .numbers(numbers(values) { Double($0) })
        case .integer(let values): return .numbers(numbers(values) { Double($0) })
        case .boolean(let values): return .numbers(numbers(values) { $0 ? 1 : 0 })
        case .string(let values):
            guard validity.hasNulls else { return .texts(values, validity: validity) }  // shared, not copied
            switch MissingText(envelope: envelope, validity: validity) {
            case .nan: return .texts(values, validity: validity)
            case .none: return .cells([PreprocessingCell](repeating: .none, count: values.count))
            case .noneText:
                return .cells(values.indices.map { validity.isValid($0) ? .text(values[$0]) : .text("None") })
            }
        case .cells(let cells):
            // A column the signature does not type: each cell as JSON gave it.
            var result: [PreprocessingCell] = []
            result.reserveCapacity(cells.kinds.count)
            for row in 0..<cells.kinds.count {
                switch cells.kinds[row] {
                case .null: result.append(.nan)
                case .integral: result.append(.number(Double(cells.integers[row])))
                case .fractional, .largeIntegral: result.append(.number(cells.numbers[row]))
                case .boolean: result.append(.number(cells.integers[row] != 0 ? 1 : 0))
                case .string: result.append(.text(cells.texts[row]))
                case .nested:
                    throw ModelBundleError(
                        .schemaMismatch,
                        "column '\(column.name)' row \(firstRow + row): a nested value; preprocessing reads scalars",
                        item: column.name,
                        location: .init(column: column.name, row: firstRow + row)
                    )
                }
            }
            return .cells(result)
        default:
            throw ModelBundleError(
                .schemaMismatch,
                "column '\(column.name)' holds \(column.values.dtype.map { "\($0)" } ?? "mixed") values, which "
                    + "the model's preprocessing does not read (numbers, booleans and strings are read)",
                item: column.name
            )
        }
    }
}

extension PreprocessingStep {
    /// The positions of the input columns the step reads, when it reads only some: a
    /// ColumnTransformer's branch columns (its dropped columns are in no branch), also as the first
    /// step of a sequence. Nil: every column.
    var readColumns: Set<Int>? {
        switch kind {
        case .columns(let selection): return Set(selection.branches.flatMap(\.columns))
        case .sequence(let steps): return steps.first?.readColumns
        case .union(let branches):
            // Every branch sees every column: the union reads what its branches read.
            var read: Set<Int> = []
            for branch in branches {
                guard let columns = branch.step.readColumns else { return nil }
                read.formUnion(columns)
            }
            return read
        default: return nil
        }
    }

    /// `feature_names_in_` of the first step that records it.
    var inputNames: [String]? {
        switch kind {
        case .columns(let selection): selection.inputNames
        case .sequence(let steps): steps.first?.inputNames
        case .union(let branches): branches.first?.step.inputNames
        case .encoder(let encoder): encoder.columnNames
        default: nil
        }
    }
}

extension PreprocessingStage {
    /// The affine maps of a stage made only of scalers without clipping, in order (nil otherwise):
    /// such a stage can be folded into a linear model's weights instead of being run.
    package var foldableScalers: [PreprocessingStep.AffineScaler]? {
        guard case .sequence(let steps) = root.kind, !steps.isEmpty else { return nil }
        var scalers: [PreprocessingStep.AffineScaler] = []
        for step in steps {
            guard case .scaler(let scaler) = step.kind, scaler.clip == nil else { return nil }
            scalers.append(scaler)
        }
        return scalers
    }
}

/// Columns between steps, with a name each for error messages.
package struct PreprocessingBlock {
    package var columns: [PreprocessingColumn]
    package var names: [String]
    package var rows: Int
    /// The input's row number of the block's first row (a batch of a stream starts past 0): errors
    /// name absolute rows.
    package var firstRow = 0

    /// Whether scikit-learn holds the block as a float32 array: every column is float32 (numpy's
    /// `result_type` of float32 and any float64 or int64 column is float64, and `np.hstack` joins
    /// likewise), so a step given it computes in float32.
    package var isFloat32: Bool {
        !columns.isEmpty
            && columns.allSatisfy {
                switch $0 {
                case .singles: true
                case .oneHot(let block, _): block.float32
                default: false
                }
            }
    }
}

/// A float64 result rounded to float32, as numpy stores it in a float32 array. For one addition,
/// subtraction, multiplication or division of float32 values this is the float32 operation's own
/// result (float64 has more than twice float32's precision, so rounding twice is exact).
@inline(__always) func roundedToFloat32(_ value: Double) -> Double { Double(Float(value)) }
