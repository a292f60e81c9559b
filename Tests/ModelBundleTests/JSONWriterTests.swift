import Testing

@testable import ModelBundle

@Suite struct JSONWriterTests {
    /// `repr(float)` and `json.dumps(float)` from Python for edge cases and hundreds of random doubles.
    @Test func floatsMatchPython() throws {
        let cases = try #require(SignatureFixtures.floats["floats"]?.arrayValue)
        var mismatches: [String] = []
        for entry in cases {
            let bits = try #require(UInt64(entry["bits"]?.stringValue ?? "", radix: 16))
            let value = Double(bitPattern: bits)
            let repr = try #require(entry["repr"]?.stringValue)
            let json = try #require(entry["json"]?.stringValue)
            if JSONWriter.pythonRepr(value) != repr {
                mismatches.append("repr \(repr) got \(JSONWriter.pythonRepr(value))")
            }
            let written = JSONWriter().string(.double(value))
            if written != json { mismatches.append("json \(json) got \(written)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test func handPickedFloats() {
        #expect(JSONWriter.pythonRepr(1e16) == "1e+16")
        #expect(JSONWriter.pythonRepr(1e15) == "1000000000000000.0")
        #expect(JSONWriter.pythonRepr(1e-5) == "1e-05")
        #expect(JSONWriter.pythonRepr(0.0001) == "0.0001")
        #expect(JSONWriter.pythonRepr(1.5e16) == "1.5e+16")
        #expect(JSONWriter.pythonRepr(2) == "2.0")
        #expect(JSONWriter.pythonRepr(-0.0) == "-0.0")
        #expect(
            JSONWriter().string(.array([.double(.nan), .double(.infinity), .double(-.infinity)]))
                == "[NaN, Infinity, -Infinity]"
        )
    }

    @Test func stringsMatchPythonEnsureASCII() throws {
        let cases = try #require(SignatureFixtures.floats["strings"]?.arrayValue)
        #expect(cases.count == 10)
        for entry in cases {
            let value = try #require(entry["value"]?.stringValue)
            #expect(JSONWriter().string(.string(value)) == entry["json"]?.stringValue)
        }
    }

    @Test func withoutEnsureASCIIOnlyControlCharactersAreEscaped() {
        #expect(JSONWriter(ensureASCII: false).string(.string("é\u{7F}\n\u{1}")) == "\"é\u{7F}\\n\\u0001\"")
    }

    @Test func documentsMatchPythonCompactAndIndented() throws {
        let documents = try #require(SignatureFixtures.floats["documents"]?.arrayValue)
        for document in documents {
            let source = try #require(document["value_json"]?.stringValue)
            let value = try JSONParser().parse(source)
            #expect(JSONWriter().string(value) == document["compact"]?.stringValue)
            #expect(JSONWriter(indent: 2).string(value) == document["indent2"]?.stringValue)
        }
    }
}
