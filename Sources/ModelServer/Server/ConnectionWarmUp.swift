import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import SystemPlatform

/// One HTTP/1.1 exchange over a socket pair, run while the models load, so that the first real
/// connection does not pay for the HTTP stack's first use.
///
/// The first connection after `bind` cost about 0.8 ms more than the next ones (the HTTP/1 pipeline,
/// its handlers and the async channel's types used for the first time), and readiness is measured by
/// that first connection. This exchange goes through the same pipeline set-up (`HTTP1Channel` with the
/// server's configuration) on the same event loops, over a `socketpair`: nothing is bound or listens
/// before the models have loaded. Its responder is its own (a bare 204), so the request is neither
/// counted in `/metrics` nor logged. Any failure only means the first connection pays as before.
enum ConnectionWarmUp {
    /// - Returns: whether the exchange completed (the 204 reached the other end).
    @discardableResult
    static func run(
        configuration: HTTP1Channel.Configuration,
        group: any EventLoopGroup,
        logger: Logger
    ) async -> Bool {
        var pair: [Int32] = [-1, -1]
        #if canImport(Glibc)
        let stream = Int32(SOCK_STREAM.rawValue)
        #else
        let stream = SOCK_STREAM
        #endif
        guard socketpair(AF_UNIX, stream, 0, &pair) == 0 else { return false }
        let (server, client) = (pair[0], pair[1])
        defer { close(client) }
        // The channel reads and writes through separate descriptors; the duplicate is made here, where
        // a failure can be handled (NIO's single-descriptor variant traps when `dup` fails).
        let serverOutput = dup(server)
        guard serverOutput >= 0 else {
            close(server)
            return false
        }
        /// Until the channel owns them, the server side's two descriptors are this function's to close.
        func giveUp() -> Bool {
            close(server)
            close(serverOutput)
            return false
        }
        let http = HTTP1Channel(
            responder: { _, writer, _ in try await writer.writeResponse(HTTPResponse(status: .noContent)) },
            configuration: configuration
        )
        let request = Array("GET /health HTTP/1.1\r\nHost: warm-up\r\nConnection: close\r\n\r\n".utf8)
        // The request, then the end of the input: the exchange ends as soon as the response is written
        // (without it, the channel would wait for the idle timeout to close).
        guard request.withUnsafeBytes({ write(client, $0.baseAddress, $0.count) }) == request.count,
            shutdown(client, Int32(SHUT_WR)) == 0
        else { return giveUp() }
        do {
            // Half-closed by the client, the channel stays open for the response.
            let channel = try await NIOPipeBootstrap(group: group)
                .channelOption(.allowRemoteHalfClosure, value: true)
                .takingOwnershipOfDescriptors(
                    input: server,
                    output: serverOutput
                ) { channel in http.setup(channel: channel, logger: logger) }
            // Returns once the response is written and the channel closed (`Connection: close`).
            await http.handle(value: channel, logger: logger)
        } catch {
            // Only the bootstrap throws; a failed one leaves the descriptors to the caller.
            return giveUp()
        }
        // Without waiting: whatever was written is there by now.
        var head = [UInt8](repeating: 0, count: 32)
        let count = head.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        return count > 0 && head[..<count].starts(with: "HTTP/1.1 204 ".utf8)
    }
}
