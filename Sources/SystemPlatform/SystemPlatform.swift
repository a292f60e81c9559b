// The package's one platform-import block: every file that calls the C library imports this
// module (internally) instead of repeating the `#if canImport` ladder.
#if canImport(Glibc)
@_exported public import Glibc
#elseif canImport(Musl)
@_exported public import Musl
#elseif canImport(Darwin)
@_exported public import Darwin
#endif
