import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import ModelBundle
import ModelFlavors
import ModelRuntime
import ModelServer
import NIOCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Bundles written by real MLflow (Tests/Fixtures/mlflow) and the predictions MLflow made for their
/// serving examples (`expected.json`, recorded by Scripts/make-mlflow-fixtures.py).
enum ServerFixtures {
    static let root: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path + "/Tests/Fixtures/mlflow"
    }()

    static func bundle(_ name: String) -> String { "\(root)/\(name)" }

    /// The loader `mbundle serve` uses, for bundle directories.
    static let loader: ModelLoading = { (spec) throws(ModelBundleError) in
        (try ModelLoader(registry: .builtIn).load(path: spec.location), nil)
    }

    static func server(
        _ models: [(String, String)] = [("iris", "iris_multinomial_proba")],
        configuration: ServerConfiguration = ServerConfiguration(),
        loader: @escaping ModelLoading = loader
    ) throws -> ModelServer {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let server = ModelServer(
            configuration: configuration,
            models: models.map { ModelSpec(name: $0.0, location: $0.1.hasPrefix("/") ? $0.1 : bundle($0.1)) },
            loader: loader,
            logger: logger,
            serverVersion: "test"
        )
        try server.loadModels()
        return server
    }

    /// MLflow's predictions for `iris_multinomial_proba`'s serving example (3 rows × 3 classes).
    static let irisExpected: [[Double]] = [
        [0.9815572024179112, 0.018442783101168567, 1.4480920327393706e-08],
        [0.055903372138573604, 0.937628877368684, 0.006467750492742204],
        [5.592056610119406e-06, 0.023837173774688105, 0.9761572341687017],
    ]

    static let irisColumns = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]
    static let irisRows: [[Double]] = [[5.1, 3.5, 1.4, 0.2], [5.0, 2.0, 3.5, 1.0], [6.9, 3.2, 5.7, 2.3]]

    static func headers(_ contentType: String?) -> HTTPFields {
        var fields = HTTPFields()
        if let contentType { fields[.contentType] = contentType }
        return fields
    }

    static func parse(_ buffer: ByteBuffer) throws -> JSONValue {
        try JSONParser().parse(Array(buffer: buffer))
    }

    /// The nested numbers of a JSON array of arrays.
    static func matrix(_ value: JSONValue?) -> [[Double]]? {
        value?.arrayValue?.map { row in
            (row.arrayValue ?? [row]).map { cell -> Double in
                switch cell {
                case .double(let number): number
                case .integer(let number): Double(number)
                default: .nan
                }
            }
        }
    }

    static func close(_ lhs: [[Double]]?, _ rhs: [[Double]], tolerance: Double = 1e-12) -> Bool {
        guard let lhs, lhs.count == rhs.count else { return false }
        for (a, b) in zip(lhs, rhs) {
            guard a.count == b.count else { return false }
            for (x, y) in zip(a, b) where abs(x - y) > tolerance * max(1, abs(y)) { return false }
        }
        return true
    }
}

/// A flavor model that takes its time, for the timeout, load-shedding and event-loop tests.
struct SlowModel: FlavorModel {
    let milliseconds: Int
    let finished: Finished

    /// Set when a prediction has finished.
    final class Finished: Sendable {
        let flag = Atomic<Bool>(false)
        var value: Bool { flag.load(ordering: .relaxed) }
    }

    func predict(_ request: EnforcedRequest) throws(ModelBundleError) -> PredictionOutput {
        usleep(UInt32(milliseconds * 1000))
        defer { finished.flag.store(true, ordering: .relaxed) }
        do {
            return .tensor(try Tensor(shape: [1], values: .long([7])))
        } catch {
            throw ModelBundleError(.inputInvalid, "\(error)")
        }
    }
}

extension ServerFixtures {
    /// A loader giving `SlowModel` with the iris bundle's manifest and signature.
    static func slowLoader(milliseconds: Int, finished: SlowModel.Finished = SlowModel.Finished()) -> ModelLoading {
        { (spec) throws(ModelBundleError) in
            let real = try ModelLoader(registry: .builtIn).load(path: spec.location)
            return (
                LoadedModel(
                    flavorName: "slow",
                    manifest: real.manifest,
                    signature: real.signature,
                    model: SlowModel(milliseconds: milliseconds, finished: finished)
                ),
                nil
            )
        }
    }

    static let irisSplit =
        #"{"dataframe_split": {"columns": ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"], "data": [[5.1, 3.5, 1.4, 0.2], [5.0, 2.0, 3.5, 1.0], [6.9, 3.2, 5.7, 2.3]]}}"#
}
