import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import Testing

@testable import ModelServer

#if canImport(Glibc)
import Glibc
#endif

/// The exchange `mbundle serve` runs over a socket pair while its models load (`ConnectionWarmUp`).
@Suite("Connection warm-up", .timeLimit(.minutes(1)))
struct ConnectionWarmUpTests {
    static var logger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    @Test("the exchange goes through the HTTP/1 pipeline and its 204 reaches the other end")
    func completes() async {
        let completed = await ConnectionWarmUp.run(
            configuration: .init(idleTimeout: .seconds(5)),
            group: MultiThreadedEventLoopGroup.singleton,
            logger: Self.logger
        )
        #expect(completed)
    }

    #if os(Linux)
    @Test("repeated exchanges leave no descriptor open")
    func closesItsDescriptors() async throws {
        func openDescriptors() throws -> Int {
            guard let directory = opendir("/proc/self/fd") else { throw Errno() }
            defer { closedir(directory) }
            var count = 0
            while readdir(directory) != nil { count += 1 }
            return count
        }
        let before = try openDescriptors()
        for _ in 0..<200 {
            await ConnectionWarmUp.run(
                configuration: .init(),
                group: MultiThreadedEventLoopGroup.singleton,
                logger: Self.logger
            )
        }
        // Three descriptors per exchange would be 600; other suites running beside this one open and
        // close a few of their own.
        #expect(try openDescriptors() - before < 100)
    }

    struct Errno: Error {}
    #endif
}
