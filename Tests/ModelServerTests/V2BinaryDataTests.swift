import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ModelBundle
import ModelServer
import NIOCore
import Testing

/// The binary tensor extension (`Inference-Header-Content-Length`, `binary_data_size`,
/// `binary_data`), as tritonclient sends and reads it; Scripts/check-v2-triton.py drives it with
/// the real client.
@Suite("V2 binary tensor data")
struct V2BinaryDataTests {
    static let header = HTTPField.Name("Inference-Header-Content-Length")!

    static func littleEndian(_ values: [Double]) -> [UInt8] {
        values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
    }

    /// The iris rows as four binary FP64 columns, and a request for the output in binary or JSON.
    static func irisBody(binaryOutput: Bool, extraBytes: [UInt8] = []) -> ([UInt8], Int) {
        let inputs = ServerFixtures.irisColumns.map { name in
            #"{"name": "\#(name)", "shape": [3, 1], "datatype": "FP64", "parameters": {"binary_data_size": 24}}"#
        }
        let json = Array(
            #"{"inputs": [\#(inputs.joined(separator: ", "))], "outputs": [{"name": "output-0", "parameters": {"binary_data": \#(binaryOutput)}}]}"#
                .utf8
        )
        var body = json
        for index in 0..<4 { body += littleEndian(ServerFixtures.irisRows.map { $0[index] }) }
        return (body + extraBytes, json.count)
    }

    static func post(_ body: [UInt8], headerLength: Int?) async throws -> (HTTPResponse.Status, HTTPFields, [UInt8]) {
        try await infer(
            try ServerFixtures.server().application(),
            model: "iris",
            body: body,
            headerLength: headerLength
        )
    }

    /// POSTs `body` to a model's `/infer`, with `Inference-Header-Content-Length` when given.
    static func infer(
        _ app: some ApplicationProtocol,
        model: String,
        body: [UInt8],
        headerLength: Int?,
        contentType: String = "application/octet-stream"
    ) async throws -> (HTTPResponse.Status, HTTPFields, [UInt8]) {
        var fields = ServerFixtures.headers(contentType)
        if let headerLength { fields[header] = String(headerLength) }
        let headers = fields
        return try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/v2/models/\(model)/infer",
                method: .post,
                headers: headers,
                body: ByteBuffer(bytes: body)
            )
            return (response.status, response.headers, Array(buffer: response.body))
        }
    }

    @Test("Binary inputs and a binary output give MLflow's predictions")
    func binaryBothWays() async throws {
        let (body, length) = Self.irisBody(binaryOutput: true)
        let (status, headers, answer) = try await Self.post(body, headerLength: length)
        #expect(status == .ok)
        let jsonLength = try #require(headers[Self.header].flatMap { Int($0) })
        let document = try JSONParser().parse(Array(answer[..<jsonLength]))
        let output = document["outputs"]?.arrayValue?.first
        #expect(output?["data"] == nil)
        #expect(output?["parameters"]?["binary_data_size"] == .integer(72))
        let raw = Array(answer[jsonLength...])
        #expect(raw.count == 72)
        let values = (0..<(raw.count / 8)).map { index in
            Double(bitPattern: raw[(index * 8)..<(index * 8 + 8)].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        }
        #expect(ServerFixtures.close([values], [ServerFixtures.irisExpected.flatMap { $0 }]))
    }

    @Test("Binary inputs with a JSON output answer plain JSON")
    func binaryInJSONOut() async throws {
        let (body, length) = Self.irisBody(binaryOutput: false)
        let (status, headers, answer) = try await Self.post(body, headerLength: length)
        #expect(status == .ok)
        #expect(headers[Self.header] == nil)
        let output = try JSONParser().parse(answer)["outputs"]?.arrayValue?.first
        let flat = ServerFixtures.matrix(output?["data"])?.flatMap { $0 } ?? []
        #expect(ServerFixtures.close([flat], [ServerFixtures.irisExpected.flatMap { $0 }]))
    }

    @Test("Inconsistent binary framing is 400 with {\"error\": …}")
    func badFraming() async throws {
        let (body, length) = Self.irisBody(binaryOutput: true)
        let cases: [([UInt8], Int?)] = [
            (body, nil),  // binary_data_size without the header: the tail is not JSON
            (body, body.count + 1),  // a header longer than the body
            (Self.irisBody(binaryOutput: true, extraBytes: [1, 2, 3]).0, length),  // bytes nobody claims
            (Array(body.dropLast(8)), length),  // too few bytes for the last input
        ]
        for (bytes, header) in cases {
            let (status, _, answer) = try await Self.post(bytes, headerLength: header)
            #expect(status == .badRequest)
            #expect(try JSONParser().parse(answer)["error"]?.stringValue != nil)
        }
    }
}
