// The package's one platform-import block: every file that calls the C library imports this
// module (internally) instead of repeating the `#if canImport` ladder.
#if canImport(Glibc)
@_exported public import Glibc
#elseif canImport(Musl)
@_exported public import Musl
#elseif canImport(Darwin)
@_exported public import Darwin
#endif

/// The processors online now (at least 1, at most 64): how many threads the parallel parsers,
/// kernels and writers split large inputs over, and the server's default prediction threads.
package enum Processors {
    package static var online: Int {
        max(1, min(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), 64))
    }
}
