import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `mbundle serve` as a process: the built binary on 127.0.0.1 with an ephemeral port, real sockets,
/// keep-alive, SIGTERM, and the start-up failures.
@Suite("mbundle serve end to end", .serialized)
struct ServeEndToEndTests {
    static let iris = CLIRunner.fixtures.appendingPathComponent("mlflow/iris_multinomial_proba").path

    /// A running `mbundle serve`; stopped (SIGKILL if still alive) and its log removed on `stop()`.
    final class RunningServer {
        let process = Process()
        let scratch: ScratchDirectory
        let log: URL
        var port = 0

        init(_ arguments: [String]) throws {
            scratch = try ScratchDirectory("serve")
            log = scratch.url("stderr.log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            process.executableURL = CLIRunner.executable
            process.arguments = ["serve"] + arguments
            process.standardError = try FileHandle(forWritingTo: log)
            process.standardOutput = FileHandle.nullDevice
            try process.run()
        }

        var standardError: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        /// Waits (at most 20 s) for the "listening on http://HOST:PORT" line.
        func waitUntilListening() throws -> Int {
            for _ in 0..<2000 {
                if let range = standardError.range(of: "listening on http://127.0.0.1:") {
                    let digits = standardError[range.upperBound...].prefix { $0.isNumber }
                    if let port = Int(digits) {
                        self.port = port
                        return port
                    }
                }
                guard process.isRunning else { break }
                usleep(10_000)
            }
            throw ServeTestError("the server did not start: \(standardError)")
        }

        /// Waits (at most `seconds`) for the process to exit; its status, or nil if still running.
        func waitForExit(seconds: Double) -> Int32? {
            for _ in 0..<Int(seconds * 100) {
                if !process.isRunning { return process.terminationStatus }
                usleep(10_000)
            }
            return nil
        }

        func stop() {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
    }

    struct ServeTestError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// A TCP connection to 127.0.0.1:`port` whose reads give up after `receiveTimeoutSeconds`.
    static func connectedSocket(port: Int, receiveTimeoutSeconds: Int) throws -> Int32 {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw ServeTestError("socket failed") }
        var timeout = timeval(tv_sec: receiveTimeoutSeconds, tv_usec: 0)
        setsockopt(socketDescriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(socketDescriptor)
            throw ServeTestError("connect failed")
        }
        return socketDescriptor
    }

    /// Sends raw HTTP/1.1 requests over one connection to 127.0.0.1 and reads until the server closes.
    static func exchange(port: Int, _ requests: String) throws -> String {
        let socketDescriptor = try connectedSocket(port: port, receiveTimeoutSeconds: 10)
        defer { close(socketDescriptor) }
        let bytes = Array(requests.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(socketDescriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw ServeTestError("send failed") }
            sent += count
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(socketDescriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received.append(contentsOf: chunk[..<count])
        }
        return String(decoding: received, as: UTF8.self)
    }

    static func request(
        _ method: String,
        _ path: String,
        body: String = "",
        contentType: String? = nil,
        close: Bool = true
    ) -> String {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if let contentType { text += "Content-Type: \(contentType)\r\n" }
        if !body.isEmpty || method == "POST" { text += "Content-Length: \(body.utf8.count)\r\n" }
        if close { text += "Connection: close\r\n" }
        return text + "\r\n" + body
    }

    @Test("Serves /health and /invocations on an ephemeral port, keeps connections alive, exits 0 on SIGTERM")
    func serve() throws {
        let server = try RunningServer(["-m", "iris=\(Self.iris)", "-p", "0"])
        defer { server.stop() }
        let port = try server.waitUntilListening()

        let health = try Self.exchange(port: port, Self.request("GET", "/health"))
        #expect(health.hasPrefix("HTTP/1.1 200"))
        #expect(health.hasSuffix("\r\n\r\n\n"))

        let body =
            #"{"dataframe_split": {"columns": ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"], "data": [[5.1, 3.5, 1.4, 0.2]]}}"#
        // Two requests on one connection: the first keeps it alive, the second closes it.
        let both = try Self.exchange(
            port: port,
            Self.request("POST", "/invocations", body: body, contentType: "application/json", close: false)
                + Self.request("GET", "/v2/health/ready")
        )
        #expect(both.components(separatedBy: "HTTP/1.1 200").count == 3)
        #expect(both.contains(#"{"predictions": [[0.98155720241791"#))
        #expect(both.contains(#"{"ready": true}"#))

        // SIGHUP reloads every model and the server keeps answering.
        kill(server.process.processIdentifier, SIGHUP)
        for _ in 0..<2000 where !server.standardError.contains("reloaded models") { usleep(10_000) }
        #expect(server.standardError.contains("reloaded models"))
        #expect(try Self.exchange(port: port, Self.request("GET", "/ping")).hasPrefix("HTTP/1.1 200"))

        kill(server.process.processIdentifier, SIGTERM)
        #expect(server.waitForExit(seconds: 10) == 0)
        // One access line per request, never a body.
        #expect(server.standardError.contains("route=/invocations"))
        #expect(!server.standardError.contains("sepal"))
    }

    @Test("A bad bundle exits 2 with one error line, before listening")
    func badBundle() throws {
        let server = try RunningServer(["-m", "/nonexistent/bundle", "-p", "0"])
        defer { server.stop() }
        #expect(server.waitForExit(seconds: 20) == 2)
        let lines = server.standardError.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("error: model bundle (/nonexistent/bundle)") == true)
    }

    @Test("--require-signature refuses an unsigned bundle with exit 2 and one error line, before listening")
    func unsignedBundleRefused() throws {
        let scratch = try ScratchDirectory("serve-signature")
        let key = scratch.sub("key")
        #expect(try CLIRunner.run(["keygen", "-o", key]).status == 0)
        let server = try RunningServer(["-m", "iris=\(Self.iris)", "-p", "0", "--require-signature", key + ".pub"])
        defer { server.stop() }
        #expect(server.waitForExit(seconds: 20) == 2)
        let lines = server.standardError.split(separator: "\n")
        #expect(lines.count == 1, "\(server.standardError)")
        #expect(lines.first?.hasPrefix("error: ") == true)
        #expect(lines.first?.contains("unsigned") == true, "\(server.standardError)")
    }

    @Test("A models:/ URI goes through the registry client: without MLFLOW_TRACKING_URI, exit 69 naming the URI")
    func registryURIUnreachable() throws {
        let server = try RunningServer(["-m", "iris=models:/iris/1", "-p", "0", "--cache-dir", "/nonexistent-cache"])
        defer { server.stop() }
        #expect(server.waitForExit(seconds: 30) == 69)
        #expect(server.standardError.contains("models:/iris/1"), "\(server.standardError)")
        #expect(server.standardError.contains("MLFLOW_TRACKING_URI"), "\(server.standardError)")
    }

    @Test("A port in use exits 3 with one error line")
    func portInUse() throws {
        let first = try RunningServer(["-m", "iris=\(Self.iris)", "-p", "0"])
        defer { first.stop() }
        let port = try first.waitUntilListening()
        let second = try RunningServer(["-m", "iris=\(Self.iris)", "-p", String(port)])
        defer { second.stop() }
        #expect(second.waitForExit(seconds: 20) == 3)
        let lines = second.standardError.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("error: cannot listen on 127.0.0.1:\(port)") == true)
    }

    /// Opens a connection, sends `partial` (an unfinished request head) and waits up to 20 s:
    /// whether the server closed the connection (an orderly end of stream) rather than the wait ending.
    static func closedByServer(port: Int, after partial: String) throws -> Bool {
        let socketDescriptor = try connectedSocket(port: port, receiveTimeoutSeconds: 20)
        defer { close(socketDescriptor) }
        let bytes = Array(partial.utf8)
        guard bytes.withUnsafeBytes({ send(socketDescriptor, $0.baseAddress, $0.count, 0) }) == bytes.count else {
            throw ServeTestError("send failed")
        }
        var byte: UInt8 = 0
        return recv(socketDescriptor, &byte, 1, 0) == 0
    }

    @Test("A client that never finishes its request head is disconnected after --keep-alive-timeout")
    func unfinishedHeadIsClosed() throws {
        let server = try RunningServer(["-m", "iris=\(Self.iris)", "-p", "0", "--keep-alive-timeout", "1"])
        defer { server.stop() }
        let port = try server.waitUntilListening()
        #expect(
            try Self.closedByServer(port: port, after: "POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a")
        )
        #expect(try Self.exchange(port: port, Self.request("GET", "/ping")).hasPrefix("HTTP/1.1 200"))
    }

    @Test("--keep-alive-timeout must be positive: usage error 64")
    func keepAliveTimeoutValidated() throws {
        let server = try RunningServer(["-m", "iris=\(Self.iris)", "-p", "0", "--keep-alive-timeout", "0"])
        defer { server.stop() }
        #expect(server.waitForExit(seconds: 20) == 64)
    }
}
