import Testing

@testable import ModelBundle

@Suite struct JSONParserTests {
    @Test func keepsIntegersFloatsAndKeyOrder() throws {
        let value = try JSONParser().parse(#"{"b": 1, "a": 1.0, "c": [true, false, null, "x\u00e9\ud83d\ude00"]}"#)
        let object = try #require(value.objectValue)
        #expect(object.keys == ["b", "a", "c"])
        #expect(object["b"] == .integer(1))
        #expect(object["a"] == .double(1.0))
        #expect(object["c"] == .array([.bool(true), .bool(false), .null, .string("xé😀")]))
    }

    @Test func acceptsPythonNonFiniteTokens() throws {
        let value = try JSONParser().parse(
            "[NaN, Infinity, -Infinity, -0.0, 1E+2, 9223372036854775807, -9223372036854775808]"
        )
        let elements = try #require(value.arrayValue)
        guard case .double(let nan) = elements[0] else {
            Issue.record("NaN not a double")
            return
        }
        #expect(nan.isNaN)
        #expect(elements[1] == .double(.infinity))
        #expect(elements[2] == .double(-.infinity))
        guard case .double(let zero) = elements[3] else {
            Issue.record("-0.0 not a double")
            return
        }
        #expect(zero == 0 && zero.sign == .minus)
        #expect(elements[4] == .double(100))
        #expect(elements[5] == .integer(.max))
        #expect(elements[6] == .integer(.min))
    }

    /// Every float of the golden file, written by Python's `repr`, parses to the very same bits.
    @Test func floatsParseToPythonsDoubles() throws {
        let cases = try #require(SignatureFixtures.floats["floats"]?.arrayValue)
        #expect(cases.count > 600)
        for entry in cases {
            let bits = try #require(UInt64(entry["bits"]?.stringValue ?? "", radix: 16))
            let json = try #require(entry["json"]?.stringValue)
            let parsed = try JSONParser().parse(json)
            let expected = Double(bitPattern: bits)
            switch parsed {
            case .double(let value):
                #expect(value.bitPattern == bits || (value.isNaN && expected.isNaN), "\(json)")
            default:
                Issue.record("\(json) did not parse to a double: \(parsed)")
            }
        }
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        let text: [UInt8]
        let item: String
        let message: String
        var testDescription: String { message }

        init(_ text: String, _ item: String, _ message: String) {
            self.init(Array(text.utf8), item, message)
        }

        init(_ bytes: [UInt8], _ item: String, _ message: String) {
            text = bytes
            self.item = item
            self.message = message
        }
    }

    @Test(arguments: [
        Refusal(#"{"a": 1, "a": 2}"#, "line 1, column 10", "duplicate key \"a\""),
        Refusal("{\n  \"k\": 1,\n  \"k\": 2\n}", "line 3, column 3", "duplicate key \"k\""),
        Refusal("[1, 2] x", "line 1, column 8", "extra data"),
        Refusal("{} {}", "line 1, column 4", "extra data"),
        Refusal([0x22, 0x61, 0xFF, 0x22], "line 1, column 3", "invalid UTF-8"),
        Refusal([0x22, 0xC3, 0x28, 0x22], "line 1, column 2", "invalid UTF-8"),
        Refusal([0x22, 0xED, 0xA0, 0x80, 0x22], "line 1, column 2", "invalid UTF-8"),
        Refusal([0x22, 0xC0, 0xAF, 0x22], "line 1, column 2", "invalid UTF-8"),
        Refusal("[nan]", "line 1, column 2", "expected a value"),
        Refusal("[True]", "line 1, column 2", "expected a value"),
        Refusal("[undefined]", "line 1, column 2", "expected a value"),
        Refusal("[01]", "line 1, column 2", "leading zeros"),
        Refusal("[1.]", "line 1, column 4", "after the decimal point"),
        Refusal("[.5]", "line 1, column 2", "expected a value"),
        Refusal("[+1]", "line 1, column 2", "expected a value"),
        Refusal("[1e400]", "line 1, column 2", "out of the range"),
        Refusal("[9223372036854775808]", "line 1, column 2", "outside the 64-bit range"),
        Refusal("[1,]", "line 1, column 4", "expected a value"),
        Refusal(#"{"a" 1}"#, "line 1, column 6", "expected ':'"),
        Refusal(#"{'a': 1}"#, "line 1, column 2", "expected a string key"),
        Refusal("\"a\tb\"", "line 1, column 3", "control character"),
        Refusal(#""\ud800""#, "line 1, column 8", "lone UTF-16 surrogate"),
        Refusal(#""\x41""#, "line 1, column 3", "invalid escape"),
        Refusal(#""abc"#, "line 1, column 5", "unterminated string"),
        Refusal("", "line 1, column 1", "found the end"),
        Refusal("[1, 2", "line 1, column 6", "found the end"),
        // Past 16 keys duplicates are found by a set rather than a scan.
        Refusal(
            "{" + (0..<20).map { #""k\#($0)": \#($0)"# }.joined(separator: ", ") + #", "k3": 0}"#,
            "line 1, column 202",
            "duplicate key \"k3\""
        ),
    ])
    func refuses(_ refusal: Refusal) {
        // Alone, and as a slice of a larger buffer (a skops schema in its archive): positions are the
        // document's own.
        let prefix = Array("\n\n[\"x\",".utf8)
        let buffer = prefix + refusal.text + Array("\n]".utf8)
        let slice = buffer[prefix.count..<(prefix.count + refusal.text.count)]
        for fromSlice in [false, true] {
            do {
                let value = fromSlice ? try JSONParser().parse(slice) : try JSONParser().parse(refusal.text)
                Issue.record("accepted: \(value) (from a slice: \(fromSlice))")
            } catch {
                #expect(error.code == .inputInvalid)
                #expect(error.item == refusal.item, "from a slice: \(fromSlice)")
                #expect(error.message.contains(refusal.message), "\(error.message)")
            }
        }
    }

    @Test func readsLargeObjectsAndSlices() throws {
        let keys = (0..<40).map { "key\($0)" }
        let text = "{" + keys.enumerated().map { #""\#($1)": \#($0)"# }.joined(separator: ", ") + "}"
        let object = try #require(try JSONParser().parse(text).objectValue)
        #expect(object.keys == keys)
        #expect(object["key39"] == .integer(39))
        let buffer = Array("xx".utf8) + Array(text.utf8) + Array("yy".utf8)
        #expect(try JSONParser().parse(buffer[2..<(buffer.count - 2)]) == .object(object))
        // Short integers are summed directly; longer ones and the extremes go through Int64.
        #expect(
            try JSONParser().parse("[-0, 0, 123456789012345678, -123456789012345678, 1234567890123456789]")
                == .array([
                    .integer(0), .integer(0), .integer(123_456_789_012_345_678),
                    .integer(-123_456_789_012_345_678), .integer(1_234_567_890_123_456_789),
                ])
        )
    }

    @Test("Indentation of any width, as pretty-printers write it, reads as compact JSON; positions stay exact")
    func readsIndentedDocuments() throws {
        for width in [0, 1, 7, 8, 9, 16, 17, 40] {
            let pad = String(repeating: " ", count: width)
            let text = "{\n\(pad)\"a\": [\n\(pad)\(pad)1,\n\(pad)\(pad)\"x\"\n\(pad)],\n\(pad)\"b\": {}\n}\n\(pad)"
            #expect(try JSONParser().parse(text) == (try JSONParser().parse(#"{"a": [1, "x"], "b": {}}"#)))
            // Read in place from a slice whose buffer goes on past the document.
            let buffer = Array(text.utf8) + Array(String(repeating: " ", count: 16).utf8) + [0x78]
            #expect(
                try JSONParser().parse(buffer[0..<text.utf8.count])
                    == (try JSONParser().parse(#"{"a": [1, "x"], "b": {}}"#))
            )
            do {
                _ = try JSONParser().parse("[\n\(pad)1,\n\(pad)x]")
                Issue.record("accepted a bare x after \(width) spaces")
            } catch {
                #expect(error.item == "line 3, column \(width + 1)")
            }
        }
    }

    @Test func refusesNestingDeeperThanTheLimit() throws {
        let ok = String(repeating: "[", count: 256) + String(repeating: "]", count: 256)
        _ = try JSONParser().parse(ok)
        let deep = String(repeating: "[", count: 257) + String(repeating: "]", count: 257)
        #expect {
            try JSONParser().parse(deep)
        } throws: { error in
            let error = error as? ModelBundleError
            return error?.message.contains("deeper than the 256 levels") == true && error?.item == "line 1, column 257"
        }
        // A hostile document far deeper than the limit fails the same way instead of exhausting the stack.
        let hostile = String(repeating: #"{"a":"#, count: 100_000)
        #expect(throws: ModelBundleError.self) { try JSONParser(maximumDepth: 8).parse(hostile) }
        #expect(throws: ModelBundleError.self) { try JSONParser().parse(hostile) }
    }

    @Test func usesTheCallersCodeAndSource() {
        do {
            _ = try JSONParser(errorCode: .exampleInvalid, source: "input_example.json").parse("{\n\"a\": }")
            Issue.record("accepted")
        } catch {
            #expect(error.code == .exampleInvalid)
            #expect(error.item == "line 2, column 6")
            #expect(error.message.hasPrefix("Invalid JSON in input_example.json: expected a value"))
        }
    }
}
