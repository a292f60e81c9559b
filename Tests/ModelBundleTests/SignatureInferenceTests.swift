import Testing

@testable import ModelBundle

/// Every inference case of the golden file equals what MLflow's `_infer_schema` / `_infer_param_schema` gave.
@Suite struct SignatureInferenceTests {
    static let cases = Case.list(SignatureFixtures.inference)

    @Test func goldenFileIsComplete() {
        #expect(Self.cases.count == 47)
    }

    @Test(arguments: cases)
    func matchesMLflow(_ golden: Case) throws {
        let value = golden.value
        let kind = try #require(value["kind"]?.stringValue)
        let expected = value["expected"]?.stringValue
        let expectedError = value["error"]?.stringValue
        let produced: String
        do {
            switch kind {
            case "ndarray":
                let dtype = try #require(TensorDType(rawValue: value["dtype"]?.stringValue ?? ""))
                produced = try SignatureInference.tensorSchema(dtype: dtype, shape: try shape(value["shape"]))
                    .jsonString
            case "ndarray_dict":
                let arrays = try #require(value["arrays"]?.arrayValue)
                var named: [(name: String, dtype: TensorDType, shape: [Int])] = []
                for array in arrays {
                    let dtype = try #require(TensorDType(rawValue: array["dtype"]?.stringValue ?? ""))
                    named.append((try #require(array["name"]?.stringValue), dtype, try shape(array["shape"])))
                }
                produced = try SignatureInference.tensorSchema(named: named).jsonString
            case "frame":
                let columns = try #require(value["columns"]?.arrayValue)
                var frame: [(name: String, values: [JSONValue], dtype: String?)] = []
                for column in columns {
                    frame.append(
                        (
                            try #require(column["name"]?.stringValue), try #require(column["values"]?.arrayValue),
                            column["dtype"]?.stringValue
                        )
                    )
                }
                produced = try SignatureInference.frameSchema(columns: frame).jsonString
            case "python":
                produced = try SignatureInference.valueSchema(try #require(value["value"])).jsonString
            case "params":
                produced = try SignatureInference.paramSchema(try #require(value["value"]?.objectValue)).jsonString
            default:
                Issue.record("unknown kind \(kind)")
                return
            }
        } catch let error as ModelBundleError {
            #expect(error.code == .schemaInvalid)
            #expect(error.message == expectedError, "unexpected refusal")
            return
        }
        #expect(expectedError == nil, "MLflow refused this input: \(expectedError ?? "")")
        #expect(produced == expected)
    }

    private func shape(_ value: JSONValue?) throws -> [Int] {
        try #require(value?.arrayValue).map { element in
            guard case .integer(let dim) = element else { return -2 }
            return Int(dim)
        }
    }
}
