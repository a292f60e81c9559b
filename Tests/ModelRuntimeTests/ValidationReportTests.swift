import ModelBundle
import ModelCodecs
import ModelRuntime
import Testing

@Suite struct ValidationReportTests {
    typealias E = Enforce

    @Test("violations are capped at 100 and the rest counted")
    func capped() throws {
        let values = (0..<250).map { "\($0).5" }.joined(separator: ", ")
        let report = try E.report(E.schema(E.col("n", "long")), #"{"inputs": {"n": [\#(values)]}}"#)
        #expect(report.violations.count == 100)
        #expect(report.totalCount == 250)
        #expect(report.violations.last?.row == 99)
        #expect(
            report.summaryLine
                == "column 'n' row 0: 0.5 has a fraction; a long cannot hold it without loss (and 249 more)"
        )
        #expect(report.text.contains("… and 150 more violations not listed"))
        #expect(report.json["truncated"] == .bool(true))
        #expect(report.json["violation_count"] == .integer(250))
    }

    @Test("the article agrees with the type: an int64, a long")
    func article() throws {
        let tensorReport = try E.report(E.schema(E.tensor("int64", [-1, 1])), #"{"inputs": [[1.5]]}"#)
        #expect(tensorReport.summaryLine.contains("1.5 has a fraction; an int64 cannot hold it without loss"))
        let columnReport = try E.report(E.schema(E.col("n", "long")), #"{"inputs": {"n": [1.5]}}"#)
        #expect(columnReport.summaryLine.contains("a long cannot hold it"))
    }

    @Test("enforce throws schemaMismatch naming the first violation and the count of the rest")
    func enforceThrows() throws {
        let enforcer = try E.enforcer(E.schema(E.col("a", "long"), E.col("b", "double")))
        let request = try E.decode(#"{"dataframe_records": [{"a": 1.7, "b": "x"}, {"a": 2, "b": true}]}"#, enforcer)
        let error = try #require(throws: ModelBundleError.self) { try enforcer.enforce(request) }
        #expect(error.code == .schemaMismatch)
        #expect(error.item == "a")
        #expect(error.message.hasSuffix("(and 2 more)"))
    }

    @Test("the JSON report has the documented keys, in order")
    func jsonShape() throws {
        let report = try E.report(E.schema(E.col("a", "long")), #"{"dataframe_records": [{"a": 1.5, "z": 1}]}"#)
        let json = report.json
        #expect(
            json.objectValue?.keys == [
                "valid", "rows", "violation_count", "violations", "truncated", "ignored_inputs", "ignored_params",
            ]
        )
        let violation = try #require(json["violations"]?.arrayValue?.first)
        #expect(violation.objectValue?.keys == ["rule", "column", "row", "value", "expected", "message"])
        #expect(violation["rule"] == .string("type"))
        #expect(violation["column"] == .string("a"))
        #expect(violation["row"] == .integer(0))
        #expect(violation["value"] == .string("1.5"))
        #expect(violation["expected"] == .string("long"))
        #expect(json["ignored_inputs"] == .array([.string("z")]))
    }

    @Test("without a signature everything passes and params are ignored")
    func noSignature() throws {
        let enforcer = SchemaEnforcer(signature: nil)
        #expect(enforcer.requestSchema == nil)
        let request = try RequestDecoder().decode(
            Array(#"{"inputs": [[1, "a"]], "params": {"k": 1}}"#.utf8),
            format: .json
        )
        let enforced = try enforcer.enforce(request)
        #expect(enforced.params.isEmpty)
        #expect(enforcer.validate(request).ignoredParams == ["k"])
    }
}

/// Lossless conversion rules, one value at a time (DESIGN.md §3 rule 1); expectations by hand.
@Suite struct ConversionRuleTests {
    typealias E = Enforce

    struct Case: Sendable, CustomTestStringConvertible {
        var type: String
        var value: String
        /// `nil` when accepted, else the rule expected.
        var rule: String?
        var testDescription: String { "\(value) → \(type): \(rule ?? "ok")" }
    }

    static let cases: [Case] = [
        Case(type: "integer", value: "2147483647", rule: nil),
        Case(type: "integer", value: "2147483648", rule: "range"),
        Case(type: "integer", value: "-2147483649", rule: "range"),
        Case(type: "integer", value: "3.0", rule: nil),
        Case(type: "long", value: "9223372036854775807", rule: nil),
        Case(type: "long", value: "9223372036854775808", rule: "range"),
        Case(type: "long", value: "1e3", rule: nil),
        Case(type: "long", value: "1e30", rule: "range"),
        Case(type: "long", value: "true", rule: "type"),
        Case(type: "long", value: "\"12\"", rule: nil),
        Case(type: "long", value: "\"12.5\"", rule: "type"),
        Case(type: "long", value: "\"x\"", rule: "type"),
        Case(type: "long", value: "NaN", rule: "non_finite"),
        Case(type: "double", value: "null", rule: nil),
        Case(type: "double", value: "NaN", rule: "non_finite"),
        Case(type: "double", value: "-Infinity", rule: "non_finite"),
        Case(type: "double", value: "9007199254740993", rule: "range"),
        Case(type: "double", value: "-9007199254740992", rule: nil),
        Case(type: "double", value: "false", rule: "type"),
        Case(type: "double", value: "[1]", rule: "type"),
        Case(type: "float", value: "1e39", rule: "range"),  // does not fit float32: it would become Infinity
        Case(type: "float", value: "3.4e38", rule: nil),
        Case(type: "float", value: "16777217", rule: nil),
        Case(type: "string", value: "null", rule: nil),
        Case(type: "string", value: "5", rule: "type"),
        Case(type: "boolean", value: "1", rule: "type"),
        Case(type: "boolean", value: "null", rule: nil),
    ]

    @Test("one value into one scalar type", arguments: cases)
    func rule(_ c: Case) throws {
        let report = try E.report(E.schema(E.col("v", c.type)), #"{"dataframe_records": [{"v": \#(c.value)}]}"#)
        #expect(report.violations.map(\.rule) == (c.rule.map { [$0] } ?? []))
    }

    @Test(
        "tensor dtypes bound their integers",
        arguments: [
            ("int8", "127", true), ("int8", "128", false), ("uint8", "-1", false), ("uint16", "65535", true),
            ("uint32", "4294967296", false), ("int16", "-32768", true), ("float16", "70000.0", false),
            ("bool", "true", true), ("bool", "0", false),
        ]
    )
    func tensorBounds(dtype: String, value: String, accepted: Bool) throws {
        let report = try E.report("[" + E.tensor(dtype, [-1]) + "]", #"{"inputs": [\#(value)]}"#)
        #expect(report.isValid == accepted)
    }
}
