import ModelBundle

/// Turns the non-null values of a column and its per-row validity into frame columns.
enum ColumnAssembly {
    /// Spreads `values` (non-null only) over the rows, with `placeholder` in null rows.
    static func expand<T>(_ values: [T], validity: [Bool], placeholder: T) -> [T] {
        if validity.isEmpty || values.count == validity.count { return values }
        var out: [T] = []
        out.reserveCapacity(validity.count)
        var next = 0
        for valid in validity {
            if valid {
                out.append(values[next])
                next += 1
            } else {
                out.append(placeholder)
            }
        }
        return out
    }

    /// The row of the `k`-th non-null value, for messages.
    static func row(ofValue k: Int, validity: [Bool], firstRow: Int) -> Int {
        if validity.isEmpty { return firstRow + k }
        var seen = 0
        for (row, valid) in validity.enumerated() where valid {
            if seen == k { return firstRow + row }
            seen += 1
        }
        return firstRow + k
    }

    /// Values in `unitsPerSecond` to nanoseconds, refusing the first that overflows.
    static func nanoseconds(
        _ values: [Int64],
        unitsPerSecond: Int64,
        validity: [Bool],
        firstRow: Int,
        context: String
    ) throws -> [Int64] {
        if unitsPerSecond == 1_000_000_000 { return values }
        let factor = 1_000_000_000 / unitsPerSecond
        return try values.enumerated().map { k, v in
            let (ns, overflow) = v.multipliedReportingOverflow(by: factor)
            guard !overflow else {
                throw ColumnarError.invalid(
                    "\(context), row \(row(ofValue: k, validity: validity, firstRow: firstRow))",
                    "\(v) is outside the datetime64[ns] range (years 1677–2262)"
                )
            }
            return ns
        }
    }

    /// Days since the epoch (DATE, date32) to nanoseconds, refusing the first out of range.
    static func days(_ values: [Int32], validity: [Bool], firstRow: Int, context: String) throws -> [Int64] {
        try values.enumerated().map { k, v in
            let (ns, overflow) = Int64(v).multipliedReportingOverflow(by: 86_400_000_000_000)
            guard !overflow else {
                throw ColumnarError.invalid(
                    "\(context), row \(row(ofValue: k, validity: validity, firstRow: firstRow))",
                    "the date \(v) days from 1970 is outside the datetime64[ns] range (years 1677–2262)"
                )
            }
            return ns
        }
    }

    static func decimals(
        _ unscaled: [Int128],
        scale: Int,
        validity: [Bool],
        firstRow: Int,
        context: String
    ) throws -> [Double] {
        try unscaled.enumerated().map { k, v in
            guard let d = DecimalConversion.double(unscaled: v, scale: scale) else {
                throw ColumnarError.invalid(
                    "\(context), row \(row(ofValue: k, validity: validity, firstRow: firstRow))",
                    "the decimal \(v)e-\(scale) cannot be held exactly by a double; send it as a float64 column or text"
                )
            }
            return d
        }
    }

    static func mask(_ validity: [Bool], rows: Int) -> ValidityMask {
        validity.isEmpty || !validity.contains(false) ? ValidityMask(allValid: rows) : ValidityMask(validity)
    }

    /// UTF-8 strings from byte-array values, refusing invalid UTF-8 by row.
    static func strings(
        data: [UInt8],
        offsets: [Int],
        validity: [Bool],
        firstRow: Int,
        context: String
    ) throws -> [String] {
        try data.withUnsafeBytes { raw in
            try (0..<(offsets.count - 1)).map { k in
                guard
                    let s = String(
                        validating: UnsafeRawBufferPointer(rebasing: raw[offsets[k]..<offsets[k + 1]]),
                        as: UTF8.self
                    )
                else {
                    throw ColumnarError.invalid(
                        "\(context), row \(row(ofValue: k, validity: validity, firstRow: firstRow))",
                        "a string column holds bytes that are not valid UTF-8"
                    )
                }
                return s
            }
        }
    }
}
