import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ModelBundle
import ModelServer
import NIOCore
import Testing

/// `application/vnd.apache.parquet` bodies on `/invocations`, as MLflow 3.17.2's scoring server
/// takes them (`parse_parquet_input`: `pd.read_parquet`, 400 `BAD_REQUEST` when that fails). The
/// predictions themselves are checked against real MLflow by Scripts/serve-replay.py.
@Suite("Parquet bodies on /invocations")
struct ParquetBodyTests {
    static let columnar: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path + "/Tests/Fixtures/columnar"
    }()

    static let irisBundle = ServerFixtures.root + "/../../../SampleModels/iris-multinomial"

    static func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: "\(columnar)/\(name)")))
    }

    static func post(_ body: [UInt8], _ contentType: String) async throws -> (Int, JSONValue?) {
        let app = try ServerFixtures.server([("iris", irisBundle)]).application()
        return try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/invocations",
                method: .post,
                headers: ServerFixtures.headers(contentType),
                body: ByteBuffer(bytes: body)
            )
            return (Int(response.status.code), try? ServerFixtures.parse(response.body))
        }
    }

    @Test("A Parquet file predicts what the same rows predict as CSV")
    func parquetMatchesCSV() async throws {
        let (status, parquet) = try await Self.post(try Self.fixture("iris.parquet"), "application/vnd.apache.parquet")
        let (csvStatus, csv) = try await Self.post(try Self.fixture("iris.csv"), "text/csv")
        #expect(status == 200)
        #expect(csvStatus == 200)
        let rows = ServerFixtures.matrix(parquet?["predictions"])
        #expect(rows?.count == 6)
        #expect(rows == ServerFixtures.matrix(csv?["predictions"]))
    }

    @Test(
        "Bytes that are not a Parquet file are 400 BAD_REQUEST",
        arguments: [
            ("empty", [UInt8]()),
            ("magic only", Array("PAR1PAR1".utf8)),
            ("JSON", Array(#"{"dataframe_split": {"columns": ["a"], "data": [[1]]}}"#.utf8)),
        ]
    )
    func notParquet(name: String, body: [UInt8]) async throws {
        let (status, error) = try await Self.post(body, "application/vnd.apache.parquet")
        #expect(status == 400, "\(name)")
        #expect(error?["error_code"] == .string("BAD_REQUEST"), "\(name)")
    }

    @Test("A truncated Parquet file is 400 BAD_REQUEST")
    func truncated() async throws {
        let file = try Self.fixture("iris.parquet")
        let (status, error) = try await Self.post(Array(file.prefix(file.count / 2)), "application/vnd.apache.parquet")
        #expect(status == 400)
        #expect(error?["error_code"] == .string("BAD_REQUEST"))
    }

    @Test("Parquet bytes declared as JSON or CSV are judged as the declared type, as MLflow judges them")
    func declaredTypeDecides() async throws {
        let file = try Self.fixture("iris.parquet")
        for contentType in ["application/json", "text/csv"] {
            let (status, error) = try await Self.post(file, contentType)
            #expect(status == 400, "\(contentType)")
            #expect(error?["error_code"] == .string("BAD_REQUEST"), "\(contentType)")
        }
    }
}
