/// The body formats `/invocations` and `mbundle predict` take.
public enum RequestFormat: String, Sendable, Hashable, CaseIterable {
    /// `application/json`: an object with exactly one of `dataframe_split`, `dataframe_records`,
    /// `instances`, `inputs`, plus optional `params`.
    case json
    /// `text/csv`: a header row of column names, then rows (RFC 4180).
    case csv

    /// The format a `Content-Type` header names, with MLflow's rules (spec §6.2): the only
    /// parameter allowed is `charset`, and it must be `utf-8`.
    /// - Throws: ``ModelBundleError/Code/inputInvalid`` with MLflow's message for another charset,
    ///   another parameter or another media type (the server answers these with 415).
    public init(contentType: String) throws(ModelBundleError) {
        let parts = contentType.split(separator: ";", omittingEmptySubsequences: false).map {
            $0.trimmingSpaces()
        }
        let mime = parts.first?.lowercased() ?? ""
        var unknown: [String] = []
        for parameter in parts.dropFirst() where !parameter.isEmpty {
            let pieces = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces() }
            let key = pieces[0].lowercased()
            if key == "charset" {
                let value = pieces.count > 1 ? pieces[1].lowercased() : ""
                if value != "utf-8" {
                    throw ModelBundleError(
                        .inputInvalid,
                        "The scoring server only supports UTF-8",
                        item: "Content-Type"
                    )
                }
            } else {
                unknown.append(pieces[0])
            }
        }
        if !unknown.isEmpty {
            throw ModelBundleError(
                .inputInvalid,
                "Unrecognized content type parameters: \(unknown.joined(separator: ", ")). IMPORTANT: The MLflow "
                    + "Model scoring protocol has changed in MLflow version 2.0.",
                item: "Content-Type"
            )
        }
        switch mime {
        case "application/json": self = .json
        case "text/csv": self = .csv
        default:
            throw ModelBundleError(
                .inputInvalid,
                "This predictor only supports the following content types: Types: ['text/csv', "
                    + "'application/json']. Got '\(mime)'.",
                item: "Content-Type"
            )
        }
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
