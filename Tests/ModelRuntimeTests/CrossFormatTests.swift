import ModelBundle
import ModelRuntime
import Testing

/// DESIGN.md §3 rule 3: the same data sent as `dataframe_split`, `dataframe_records`, `instances`,
/// `inputs` and CSV yields the same decision and the same violations.
@Suite struct CrossFormatTests {
    typealias E = Enforce

    static let schema = E.schema(
        E.col("a", "long"),
        E.col("b", "double"),
        E.col("c", "string"),
        E.col("d", "boolean"),
        E.col("e", "float", required: false)
    )

    /// One table in five spellings. Rows: 0 valid; 1 a fraction into long and text into double;
    /// 2 a null into long; 3 a boolean into double; 4 numeric text (CSV's only kind) into long.
    struct Spelling: Sendable, CustomTestStringConvertible {
        var name: String
        var body: String
        var format: RequestFormat
        var testDescription: String { name }
    }

    static let rowsJSON = [
        #"{"a": 1, "b": 1.5, "c": "x", "d": true}"#,
        #"{"a": 1.7, "b": "abc", "c": "y", "d": false}"#,
        #"{"a": null, "b": 2, "c": "z", "d": true}"#,
        #"{"a": 3, "b": true, "c": "w", "d": false}"#,
        #"{"a": "4", "b": 0.25, "c": "v", "d": true}"#,
    ]
    static let splitRows = [
        #"[1, 1.5, "x", true]"#, #"[1.7, "abc", "y", false]"#, #"[null, 2, "z", true]"#,
        #"[3, true, "w", false]"#, #"["4", 0.25, "v", true]"#,
    ]

    static let spellings: [Spelling] = [
        Spelling(
            name: "dataframe_split",
            body: #"{"dataframe_split": {"columns": ["a", "b", "c", "d"], "data": ["#
                + splitRows.joined(separator: ", ") + "]}}",
            format: .json
        ),
        Spelling(
            name: "dataframe_records",
            body: #"{"dataframe_records": ["# + rowsJSON.joined(separator: ", ") + "]}",
            format: .json
        ),
        Spelling(name: "instances", body: #"{"instances": ["# + rowsJSON.joined(separator: ", ") + "]}", format: .json),
        Spelling(
            name: "inputs",
            body: #"{"inputs": {"a": [1, 1.7, null, 3, "4"], "b": [1.5, "abc", 2, true, 0.25], "#
                + #""c": ["x", "y", "z", "w", "v"], "d": [true, false, true, false, true]}}"#,
            format: .json
        ),
        Spelling(
            name: "csv",
            body: "a,b,c,d\n1,1.5,x,true\n1.7,abc,y,false\n,2,z,true\n3,true,w,false\n4,0.25,v,true\n",
            format: .csv
        ),
    ]

    /// Column by column in schema order, rows ascending within a column.
    static let expectedKeys = ["type@a#1", "null@a#2", "type@b#1", "type@b#3"]

    @Test("every spelling yields the same violations", arguments: spellings)
    func sameViolations(spelling: Spelling) throws {
        let report = try E.report(Self.schema, spelling.body, format: spelling.format)
        #expect(report.keys == Self.expectedKeys)
        #expect(report.violations.map(\.value) == ["1.7", "null", "\"abc\"", "true"])
        #expect(report.rowCount == 5)
    }

    @Test("every spelling of the valid rows converts to the same frame", arguments: spellings)
    func sameFrame(spelling: Spelling) throws {
        // Keep rows 0 and 4 only (valid everywhere).
        let valid: String
        switch spelling.name {
        case "dataframe_split":
            valid =
                #"{"dataframe_split": {"columns": ["a", "b", "c", "d"], "data": [[1, 1.5, "x", true], ["4", 0.25, "v", true]]}}"#
        case "csv":
            valid = "a,b,c,d\n1,1.5,x,true\n4,0.25,v,true\n"
        case "inputs":
            valid = #"{"inputs": {"a": [1, "4"], "b": [1.5, 0.25], "c": ["x", "v"], "d": [true, true]}}"#
        default:
            valid = "{\"\(spelling.name)\": [" + Self.rowsJSON[0] + ", " + Self.rowsJSON[4] + "]}"
        }
        let frame = try #require(try E.enforced(Self.schema, valid, format: spelling.format).frame)
        #expect(frame.columnNames == ["a", "b", "c", "d"])
        #expect(
            frame.columns.map(\.values) == [
                .long([1, 4]), .double([1.5, 0.25]), .string(["x", "v"]), .boolean([true, true]),
            ]
        )
    }
}
