import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ModelBundle
import ModelFlavors
import ModelRuntime
import ModelServer
import NIOCore
import Testing

/// Arrow IPC stream bodies on `/invocations` (one type more than MLflow's three), and predictions
/// encoded as the `Accept` header asks: CSV, Parquet or Arrow by name, MLflow's JSON otherwise.
@Suite("Arrow bodies and Accept on /invocations")
struct ColumnarInvocationTests {
    static let arrowType = "application/vnd.apache.arrow.stream"

    struct Answer {
        var status: Int
        var contentType: String?
        var body: [UInt8]
    }

    static func post(_ body: [UInt8], _ contentType: String, accept: [String] = []) async throws -> Answer {
        let app = try ServerFixtures.server([("iris", ParquetBodyTests.irisBundle)]).application()
        return try await app.test(.router) { client in
            var headers = ServerFixtures.headers(contentType)
            for value in accept { headers.append(HTTPField(name: .accept, value: value)) }
            let response = try await client.execute(
                uri: "/invocations",
                method: .post,
                headers: headers,
                body: ByteBuffer(bytes: body)
            )
            return Answer(
                status: Int(response.status.code),
                contentType: response.headers[.contentType],
                body: Array(buffer: response.body)
            )
        }
    }

    /// The runtime's own encoding of the same request (the server must add nothing to it).
    static func expected(_ body: [UInt8], _ format: RequestFormat, _ output: PredictionFormat) throws -> [UInt8] {
        try ModelLoader(registry: .builtIn).load(path: ParquetBodyTests.irisBundle)
            .predict(body: body, format: format, sniffing: false, output: output)
    }

    @Test("An Arrow stream body predicts what the same rows predict as CSV")
    func arrowBodyMatchesCSV() async throws {
        let arrow = try await Self.post(try ParquetBodyTests.fixture("iris.arrows"), Self.arrowType)
        let csv = try await Self.post(try ParquetBodyTests.fixture("iris.csv"), "text/csv")
        #expect(arrow.status == 200 && csv.status == 200)
        #expect(arrow.contentType == "application/json")
        #expect(arrow.body == csv.body && String(decoding: csv.body, as: UTF8.self).hasPrefix("{\"predictions\": [["))
    }

    @Test(
        "Accept names the encoding of the predictions",
        arguments: [
            (["application/vnd.apache.arrow.stream"], PredictionFormat.arrow),
            (["application/vnd.apache.parquet"], .parquet),
            (["text/csv"], .csv),
            (["application/json;q=0.5, application/vnd.apache.arrow.stream"], .arrow),
            (["text/html", "application/vnd.apache.parquet;q=0.9"], .parquet),
            (["application/vnd.apache.arrow.stream;q=0.2, application/json"], .json),
            (["application/vnd.apache.arrow.stream;q=0.2, */*"], .json),
            (["application/vnd.apache.parquet;q=0"], .json),
            (["*/*"], .json),
            (["text/html"], .json),
            ([], .json),
        ]
    )
    func acceptChoosesTheEncoding(accept: [String], output: PredictionFormat) async throws {
        let csv = try ParquetBodyTests.fixture("iris.csv")
        let answer = try await Self.post(csv, "text/csv", accept: accept)
        #expect(answer.status == 200, "\(accept)")
        let types: [PredictionFormat: String] = [
            .json: "application/json", .csv: "text/csv", .parquet: "application/vnd.apache.parquet",
            .arrow: Self.arrowType,
        ]
        #expect(answer.contentType == types[output], "\(accept)")
        let same = answer.body == (try Self.expected(csv, .csv, output))
        #expect(same, "\(accept)")
    }

    /// A 4,096-row stream of float64 columns, read in place and answered with an Arrow stream the
    /// model writes straight into: the bytes of the same rows sent as CSV.
    @Test("A large Arrow body answered as Arrow")
    func arrowInArrowOut() async throws {
        let csv = try ParquetBodyTests.fixture("iris-lent.csv")
        let answer = try await Self.post(
            try ParquetBodyTests.fixture("iris-lent.arrows"),
            Self.arrowType,
            accept: [Self.arrowType]
        )
        #expect(answer.status == 200 && answer.contentType == Self.arrowType)
        let same = answer.body == (try Self.expected(csv, .csv, .arrow))
        #expect(same && answer.body.count > 4_096 * 24)
    }

    @Test("Errors stay MLflow's JSON whatever Accept asks")
    func errorsAreJSON() async throws {
        let answer = try await Self.post(Array("not,a\n1,2,3\n".utf8), "text/csv", accept: [Self.arrowType])
        #expect(answer.status == 400)
        #expect(answer.contentType == "application/json")
        let error = try JSONParser().parse(answer.body)
        #expect(error["error_code"] == .string("BAD_REQUEST"))
    }

    @Test("Bytes that are not an Arrow stream are 400 BAD_REQUEST")
    func notArrow() async throws {
        let answer = try await Self.post(try ParquetBodyTests.fixture("iris.parquet"), Self.arrowType)
        #expect(answer.status == 400)
        #expect((try JSONParser().parse(answer.body))["error_code"] == .string("BAD_REQUEST"))
    }
}
