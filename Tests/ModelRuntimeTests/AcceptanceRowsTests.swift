import Foundation
import ModelBundle
import ModelRuntime
import Testing

/// The 50 acceptance rows of spec §10.1, re-expressed as requests the way they reach us (JSON or CSV
/// bodies; JSON has no int32/uint32/float32 dtypes, so dtype rows become value rows, judged as
/// MLflow's HTTP path judges them). Expectations come from the spec table, not from the code.
/// Tests whose name says "differs from MLflow" check a deliberate difference (DESIGN.md §3).
@Suite struct AcceptanceRowsTests {
    typealias E = Enforce
    static let eight = E.schema(
        E.col("a", "integer"),
        E.col("b", "long"),
        E.col("c", "float"),
        E.col("d", "double"),
        E.col("e", "boolean"),
        E.col("g", "string"),
        E.col("f", "binary"),
        E.col("h", "datetime")
    )
    static let eightRow = #"[1, 2, 0.5, 2.25, true, "s", "AAE=", "2024-01-02T03:04:05"]"#
    static let eightColumns = #"["a", "b", "c", "d", "e", "g", "f", "h"]"#

    static func split(_ columns: String, _ rows: String...) -> String {
        #"{"dataframe_split": {"columns": \#(columns), "data": [\#(rows.joined(separator: ", "))]}}"#
    }

    static func one(_ name: String, _ type: String, _ values: String) throws -> ValidationReport {
        try E.report(E.schema(E.col(name, type)), #"{"inputs": {"\#(name)": \#(values)}}"#)
    }

    @Test("row 1: columns reordered to schema order, extra column x dropped")
    func row1() throws {
        let body = Self.split(
            #"["b", "d", "a", "c", "e", "g", "f", "h", "x"]"#,
            #"[2, 2.25, 1, 0.5, true, "s", "AAE=", "2024-01-02", 9]"#
        )
        let enforced = try E.enforced(Self.eight, body)
        #expect(enforced.frame?.columnNames == ["a", "b", "c", "d", "e", "g", "f", "h"])
        #expect(enforced.frame?.column(named: "a")?.values == .integer([1]))
        #expect(enforced.frame?.column(named: "c")?.values == .float([0.5]))
        #expect(try E.report(Self.eight, body).ignoredInputs == ["x"])
    }

    @Test("row 2: a missing required column is named")
    func row2() throws {
        let report = try E.report(
            Self.eight,
            Self.split(#"["a", "b", "d", "e", "g", "f", "h"]"#, #"[1, 2, 2.25, true, "s", "AAE=", "2024-01-02"]"#)
        )
        #expect(report.keys == ["missing_input@c#-"])
        #expect(report.violations.first?.message.contains("Model is missing inputs ['c']") == true)
    }

    @Test("rows 3, 4, 5: integers that fit are accepted into integer and long (HTTP casts them)")
    func rows3to5() throws {
        #expect(try Self.one("a", "integer", "[1, -2147483648, 2147483647]").isValid)
        #expect(try Self.one("b", "long", "[1, 2]").isValid)
        #expect(try Self.one("b", "long", "[4294967295]").isValid)
    }

    @Test("row 6: a uint32-sized value into integer is refused as out of range")
    func row6() throws {
        #expect(try Self.one("a", "integer", "[4294967295]").keys == ["range@a#0"])
    }

    @Test("rows 7, 8, 9, 10, 12: numbers into float and double are accepted")
    func rows7to12() throws {
        #expect(try Self.one("c", "float", "[0.1, 1e-3]").isValid)
        #expect(try Self.one("d", "double", "[0.5]").isValid)
        #expect(try Self.one("c", "float", "[1, 2]").isValid)
        #expect(try Self.one("d", "double", "[1, 2]").isValid)
        #expect(try Self.one("c", "float", "[0, 1]").isValid)
        let enforced = try E.enforced(E.schema(E.col("d", "double")), #"{"inputs": {"d": [1, 2]}}"#)
        #expect(enforced.frame?.columns.first?.values == .double([1, 2]))
    }

    @Test("row 11: integers into double are accepted as over HTTP, exactly")
    func row11() throws {
        #expect(try Self.one("d", "double", "[1, 2, 9007199254740992]").isValid)
    }

    @Test("row 11, differs from MLflow: an integer a double cannot hold exactly is refused")
    func row11Difference() throws {
        #expect(try Self.one("d", "double", "[1, 9007199254740993]").keys == ["range@d#1"])
    }

    @Test("row 13: integral floats into long are accepted (2.0 is 2)")
    func row13Integral() throws {
        let enforced = try E.enforced(E.schema(E.col("b", "long")), #"{"inputs": {"b": [2.0, -3.0]}}"#)
        #expect(enforced.frame?.columns.first?.values == .long([2, -3]))
    }

    @Test("row 13 / 43, differs from MLflow: a fraction into long is refused, not truncated")
    func row13Difference() throws {
        #expect(try Self.one("b", "long", "[1.5, 2.0, 0.25]").keys == ["type@b#0", "type@b#2"])
    }

    @Test("row 14: a null in an integer column is refused, naming the row")
    func row14() throws {
        let report = try Self.one("a", "integer", "[1, null]")
        #expect(report.keys == ["null@a#1"])
    }

    @Test("row 15, differs from MLflow: the fraction and the null are both reported")
    func row15Difference() throws {
        #expect(try Self.one("a", "integer", "[1.5, null]").keys == ["type@a#0", "null@a#1"])
    }

    @Test("row 16: ISO dates into a datetime column are accepted")
    func row16() throws {
        let enforced = try E.enforced(E.schema(E.col("h", "datetime")), #"{"inputs": {"h": ["2024-01-02"]}}"#)
        // 2024-01-02 is 19724 days after 1970-01-01.
        #expect(enforced.frame?.columns.first?.values == .datetime([19724 * 86_400 * 1_000_000_000]))
    }

    @Test("row 17: decimal numbers into double are accepted")
    func row17() throws {
        #expect(try Self.one("d", "double", "[1.10, 2.5]").isValid)
    }

    @Test("row 18: a bare list against a named schema misses every named column")
    func row18() throws {
        let report = try E.report(Self.eight, #"{"inputs": [\#(Self.eightRow)]}"#)
        #expect(report.keys.count == 8)
        #expect(report.keys.allSatisfy { $0.hasPrefix("missing_input@") })
    }

    @Test("row 19: columns of different lengths are refused")
    func row19() throws {
        let enforcer = try E.enforcer(E.schema(E.col("a", "long"), E.col("b", "long"), E.col("c", "long")))
        #expect(throws: ModelBundleError.self) {
            try E.decode(#"{"inputs": {"a": [1], "b": [1, 2], "c": [1, 2, 3]}}"#, enforcer)
        }
    }

    @Test("row 20: a dict of lists with extra 2-D inputs is accepted, extras dropped")
    func row20() throws {
        let schema = E.schema(E.col("a", "long"), E.col("b", "double"))
        let body = #"{"inputs": {"a": [1, 2], "b": [0.5, 1], "i": [[1, 2], [3, 4]], "j": ["x", "y"]}}"#
        let report = try E.report(schema, body)
        #expect(report.isValid)
        #expect(report.ignoredInputs == ["i", "j"])
    }

    static let unnamed3 =
        #"[{"type": "double", "required": true}, {"type": "double", "required": true}, {"type": "double", "required": true}]"#

    @Test("rows 21, 23: a list of rows against an unnamed schema matches by position")
    func rows21and23() throws {
        let enforced = try E.enforced(Self.unnamed3, #"{"inputs": [[1.0, 2.0, 3.0]]}"#)
        #expect(enforced.frame?.columnNames == ["0", "1", "2"])
        #expect(enforced.frame?.columns[2].values == .double([3]))
        #expect(try E.report(Self.unnamed3, #"{"inputs": [[1, 2, 3]]}"#).isValid)
    }

    @Test("row 22: too few columns for an unnamed schema")
    func row22() throws {
        #expect(try E.report(Self.unnamed3, #"{"inputs": [[1.0, 2.0]]}"#).keys == ["input_count@-#-"])
    }

    @Test("row 24: a single value is not a table of three columns")
    func row24() throws {
        #expect(try E.report(Self.unnamed3, #"{"inputs": "abc"}"#).keys.first == "input_count@-#-")
    }

    static let optionalSchema = E.schema(
        E.col("a", "double"),
        E.col("b", "double"),
        E.col("c", "string", required: false),
        E.col("d", "long", required: false)
    )

    @Test("row 25: optional columns may be absent")
    func row25() throws {
        #expect(
            try E.enforced(Self.optionalSchema, #"{"inputs": {"a": [1.0], "b": [1.0]}}"#).frame?.columnNames == [
                "a", "b",
            ]
        )
        let withD = try E.enforced(Self.optionalSchema, #"{"inputs": {"d": [2], "a": [1.0], "b": [1.0]}}"#)
        #expect(withD.frame?.columnNames == ["a", "b", "d"])
    }

    @Test("row 26: a present optional column is still type-checked")
    func row26() throws {
        let report = try E.report(
            Self.optionalSchema,
            #"{"inputs": {"a": [1.0], "b": [1.0], "d": ["not the right type"]}}"#
        )
        #expect(report.keys == ["type@d#0"])
    }

    @Test("row 27: a missing required column with an optional one present")
    func row27() throws {
        #expect(
            try E.report(Self.optionalSchema, #"{"inputs": {"b": [2.0], "c": ["something"]}}"#).keys == [
                "missing_input@a#-"
            ]
        )
    }

    @Test("row 28: a string and an array<string> make one row (sent as MLflow's dictionary)")
    func row28() throws {
        let schema =
            #"[{"type": "string", "name": "prompt", "required": true}, {"type": "array", "items": {"type": "string"}, "name": "stop", "required": true}]"#
        let report = try E.report(schema, #"{"inputs": {"prompt": "hi", "stop": ["a", "b"]}}"#)
        #expect(report.isValid)
        #expect(report.rowCount == 1)
        // The same row as a record decides alike.
        let record = try E.report(schema, #"{"dataframe_records": [{"prompt": "hi", "stop": ["a", "b"]}]}"#)
        #expect(record.isValid)
        #expect(record.rowCount == 1)
    }

    @Test("row 29: array<long> refuses a fractional element")
    func row29() throws {
        let schema = #"[{"type": "array", "items": {"type": "long"}, "name": "a", "required": true}]"#
        #expect(
            try E.report(schema, #"{"dataframe_records": [{"a": [1.5, 2.0]}, {"a": [1, 2]}]}"#).keys == ["nested@a#0"]
        )
    }

    @Test("row 30, differs from MLflow: all three object violations are reported")
    func row30() throws {
        let schema =
            #"[{"type": "object", "properties": {"x": {"type": "long", "required": true}, "y": {"type": "string", "required": false}}, "name": "o", "required": true}]"#
        let body =
            #"{"dataframe_records": [{"o": {"y": "a"}}, {"o": {"x": 1, "z": 2}}, {"o": {"x": "s"}}, {"o": {"x": 3}}]}"#
        let report = try E.report(schema, body)
        #expect(report.keys == ["nested@o#0", "nested@o#1", "nested@o#2"])
        #expect(report.violations[0].message.contains("Missing required properties: {'x'}"))
        #expect(report.violations[1].message.contains("Invalid properties not defined in the schema found: {'z'}"))
        #expect(report.violations[2].message.contains("Failed to enforce schema for key `x`"))
    }

    static let t3 = "[" + E.tensor("float32", [-1, 3]) + "]"

    @Test("row 31: a (2, 3) and a (3, 3) array match (-1, 3)")
    func row31() throws {
        let enforced = try E.enforced(Self.t3, #"{"inputs": [[1, 2, 3], [4, 5, 6.5]]}"#)
        #expect(enforced.tensor?.shape == [2, 3])
        #expect(enforced.tensor?.values == .float([1, 2, 3, 4, 5, 6.5]))
        #expect(try E.report(Self.t3, #"{"inputs": [[1, 2, 3], [4, 5, 6], [7, 8, 9]]}"#).isValid)
    }

    @Test("row 32: a (2, 2) array does not match (-1, 3)")
    func row32() throws {
        let report = try E.report(Self.t3, #"{"inputs": [[1.5, 2.5], [3.5, 4.5]]}"#)
        #expect(report.keys == ["shape@-#-"])
        #expect(report.violations[0].message == "Shape of input (2, 2) does not match expected shape (-1, 3).")
    }

    @Test("row 33: integers into a float32 tensor are converted (HTTP casts with np.array)")
    func row33() throws {
        #expect(try E.enforced(Self.t3, #"{"inputs": [[1, 2, 3]]}"#).tensor?.values == .float([1, 2, 3]))
    }

    @Test("row 34: named inputs against an unnamed tensor spec")
    func row34() throws {
        #expect(try E.report(Self.t3, #"{"inputs": {"blah": [[1, 2, 3]]}}"#).keys == ["input_kind@blah#-"])
    }

    @Test("row 35: an empty list does not match (-1, 3)")
    func row35() throws {
        let report = try E.report(Self.t3, #"{"inputs": []}"#)
        #expect(report.keys == ["shape@-#-"])
        #expect(report.violations[0].message.contains("Shape of input (0,)"))
    }

    @Test("row 36: a 3-column table feeds (-1, 3); a 2-column one does not")
    func row36() throws {
        let ok = try E.enforced(Self.t3, Self.split(#"["p", "q", "r"]"#, "[1, 2, 3]", "[4, 5, 6]"))
        #expect(ok.tensor?.shape == [2, 3])
        #expect(ok.tensor?.values == .float([1, 2, 3, 4, 5, 6]))
        #expect(try E.report(Self.t3, Self.split(#"["p", "q"]"#, "[1, 2]")).keys == ["shape@-#-"])
    }

    static let named3 =
        "[" + E.tensor("uint64", [-1, 5], name: "a") + ", " + E.tensor("int16", [-1, 2], name: "b")
        + ", " + E.tensor("float32", [2, -1, 2], name: "c") + "]"
    static let named3Body = #"{"inputs": {"x": [1], "c": [[[1, 2]], [[3, 4]]], "b": [[1, 2]], "a": [[1, 2, 3, 4, 5]]}}"#

    @Test("row 37: named tensors in schema order, extra x dropped; dtype range and shape checked")
    func row37() throws {
        let enforced = try E.enforced(Self.named3, Self.named3Body)
        #expect(enforced.namedTensors.map(\.name) == ["a", "b", "c"])
        #expect(enforced.namedTensors.map(\.shape) == [[1, 5], [1, 2], [2, 1, 2]])
        #expect(try E.report(Self.named3, Self.named3Body).ignoredInputs == ["x"])
        let negative = Self.named3Body.replacingOccurrences(of: "[[1, 2, 3, 4, 5]]", with: "[[1, 2, 3, 4, -5]]")
        #expect(try E.report(Self.named3, negative).keys == ["range@a#0"])
        let short = Self.named3Body.replacingOccurrences(of: "[[1, 2, 3, 4, 5]]", with: "[[1, 2, 3, 4]]")
        let report = try E.report(Self.named3, short)
        #expect(report.keys == ["shape@a#-"])
        #expect(report.violations[0].message == "Shape of input (1, 4) does not match expected shape (-1, 5).")
    }

    @Test("row 38: lists are how JSON carries tensors, so a dict of lists is accepted")
    func row38() throws {
        #expect(try E.report(Self.named3, Self.named3Body).isValid)
    }

    @Test("row 39: a scalar column cannot feed a (-1, 5) tensor")
    func row39() throws {
        let schema = "[" + E.tensor("float64", [-1, 5], name: "a") + "]"
        #expect(try E.report(schema, Self.split(#"["a"]"#, "[1]", "[2]")).keys == ["shape@a#-"])
    }

    @Test("row 40: list cells of 6 values reshape to (-1, 2, 3); 8 values do not")
    func row40() throws {
        let schema = "[" + E.tensor("uint64", [-1, 2, 3], name: "a") + "]"
        let enforced = try E.enforced(
            schema,
            #"{"dataframe_records": [{"a": [1, 2, 3, 4, 5, 6]}, {"a": [[6, 5, 4], [3, 2, 1]]}]}"#
        )
        #expect(enforced.namedTensors.first?.shape == [2, 2, 3])
        #expect(enforced.namedTensors.first?.values == .long([1, 2, 3, 4, 5, 6, 6, 5, 4, 3, 2, 1]))
        let report = try E.report(schema, #"{"dataframe_records": [{"a": [1, 2, 3, 4, 5, 6, 7, 8]}]}"#)
        #expect(report.keys == ["shape@a#0"])
    }

    static let paramSchema =
        #"[{"name": "n", "type": "long", "default": 3, "shape": null}, {"name": "flag", "type": "boolean", "default": true, "shape": null}, {"name": "arr", "type": "long", "default": [1, 2], "shape": [-1]}, {"name": "alpha", "type": "double", "default": 0.5, "shape": null}]"#
    static let x1 = E.schema(E.col("x", "double"))

    @Test(
        "row 41: wrong-typed params are refused, each named",
        arguments: [
            #"{"n": 1.5}"#, #"{"n": true}"#, #"{"flag": 1}"#, #"{"arr": 3}"#,
        ]
    )
    func row41(params: String) throws {
        let report = try E.report(Self.x1, #"{"inputs": {"x": [1.0]}, "params": \#(params)}"#, params: Self.paramSchema)
        #expect(report.keys.count == 1)
        #expect(report.keys.first?.hasPrefix("param@") == true)
    }

    @Test("row 42: defaults fill absent params, integers widen to double, unknown params are dropped")
    func row42() throws {
        let none = try E.enforced(Self.x1, #"{"inputs": {"x": [1.0]}}"#, params: Self.paramSchema)
        #expect(none.params["n"] == .integer(3))
        #expect(none.params["arr"] == .array([.integer(1), .integer(2)]))
        let alpha = try E.enforced(
            Self.x1,
            #"{"inputs": {"x": [1.0]}, "params": {"alpha": 1}}"#,
            params: Self.paramSchema
        )
        #expect(alpha.params["alpha"] == .double(1.0))
        let unknown = #"{"inputs": {"x": [1.0]}, "params": {"zzz": 1}}"#
        #expect(try E.enforced(Self.x1, unknown, params: Self.paramSchema).params["zzz"] == nil)
        #expect(try E.report(Self.x1, unknown, params: Self.paramSchema).ignoredParams == ["zzz"])
    }

    @Test("params that are not an object: MLflow's refusal when the signature declares params, else ignored")
    func paramsThatAreNotAnObject() throws {
        for (params, type) in [("[1]", "list"), (#""a""#, "str"), ("7", "int"), ("0.5", "float"), ("true", "bool")] {
            let body = #"{"inputs": {"x": [1.0]}, "params": \#(params)}"#
            let report = try E.report(Self.x1, body, params: Self.paramSchema)
            #expect(report.keys.count == 1)
            #expect(report.text.contains("Parameters must be a dictionary. Got type '\(type)'."))
            #expect(try E.report(Self.x1, body).isValid)
        }
    }

    static let longDouble = E.schema(E.col("a", "long"), E.col("b", "double"))

    @Test("row 43, differs from MLflow: 1.7 into long is refused instead of truncated to 1")
    func row43() throws {
        let report = try E.report(Self.longDouble, #"{"dataframe_records": [{"a": 1.7, "b": 2.0}]}"#)
        #expect(report.keys == ["type@a#0"])
        #expect(report.violations[0].value == "1.7")
        #expect(report.violations[0].expected == "long")
    }

    @Test("row 44: integers into a double column arrive as doubles")
    func row44() throws {
        let enforced = try E.enforced(Self.longDouble, Self.split(#"["a", "b"]"#, "[1, 2]"))
        #expect(enforced.frame?.column(named: "b")?.values == .double([2.0]))
        #expect(enforced.frame?.column(named: "a")?.values == .long([1]))
    }

    @Test("row 45: text into long is refused")
    func row45() throws {
        #expect(try E.report(Self.longDouble, #"{"dataframe_records": [{"a": "abc", "b": 2.0}]}"#).keys == ["type@a#0"])
    }

    @Test("row 46: a (1, 3) list does not match (-1, 2)")
    func row46() throws {
        let schema = "[" + E.tensor("float32", [-1, 2]) + "]"
        let report = try E.report(schema, #"{"inputs": [[1.5, 2.5, 3.5]]}"#)
        #expect(report.violations.map(\.message) == ["Shape of input (1, 3) does not match expected shape (-1, 2)."])
    }

    static let xy = "[" + E.tensor("float32", [-1, 2], name: "x") + ", " + E.tensor("int64", [-1], name: "y") + "]"

    @Test("row 47: named tensors convert to their dtypes")
    func row47() throws {
        let enforced = try E.enforced(Self.xy, #"{"inputs": {"x": [[1, 2], [3, 4]], "y": [7, 8.0]}}"#)
        #expect(enforced.namedTensors.map(\.values) == [.float([1, 2, 3, 4]), .long([7, 8])])
    }

    @Test("row 47, differs from MLflow: 7.5 into an int64 tensor is refused instead of truncated")
    func row47Difference() throws {
        #expect(try E.report(Self.xy, #"{"inputs": {"x": [[1, 2], [3, 4]], "y": [7.5, 8]}}"#).keys == ["type@y#0"])
    }

    @Test(
        "row 48: zero or two format keys, or a body that is not an object",
        arguments: [
            #"{"dataframe_split": {"data": [[1]]}, "inputs": [1]}"#, #"{"not": "a df"}"#, "[1]", "1",
        ]
    )
    func row48(body: String) throws {
        let enforcer = try E.enforcer(Self.x1)
        #expect(throws: ModelBundleError.self) { try E.decode(body, enforcer) }
    }

    @Test(
        "row 49: unsupported content types are refused",
        arguments: [
            "application/json; format=pandas-split", "not_a_supported_content_type", "text/plain",
            "application/json; charset=latin-1",
        ]
    )
    func row49(contentType: String) {
        #expect(throws: ModelBundleError.self) { try RequestFormat(contentType: contentType) }
    }

    @Test("row 50: an index whose length differs from the data is refused")
    func row50() throws {
        let enforcer = try E.enforcer(#"[{"type": "double", "required": true}]"#)
        let error = #expect(throws: ModelBundleError.self) {
            try E.decode(#"{"dataframe_split": {"index": [1, 2], "data": [[1], [2], [3]]}}"#, enforcer)
        }
        #expect(error?.message.contains("not a valid dataframe representation") == true)
        // A matching index is accepted.
        _ = try E.decode(#"{"dataframe_split": {"index": [7, 8, 9], "data": [[1], [2], [3]]}}"#, enforcer)
    }
}
