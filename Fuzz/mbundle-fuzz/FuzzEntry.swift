#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libFuzzer's entry points. One binary holds every target (one build instead of one per reader);
/// `MBUNDLE_FUZZ_TARGET` picks which one a run exercises, and each target keeps its own corpus.
nonisolated(unsafe) private var selectedTarget: FuzzTarget?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
    let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
    guard let raw = getenv("MBUNDLE_FUZZ_TARGET") else {
        printError("error: set MBUNDLE_FUZZ_TARGET to one of: \(names)")
        exit(64)
    }
    guard let target = FuzzTarget(rawValue: String(cString: raw)) else {
        printError("error: unknown MBUNDLE_FUZZ_TARGET '\(String(cString: raw))'; one of: \(names)")
        exit(64)
    }
    selectedTarget = target
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    selectedTarget?.run(bytes)
    return 0
}

private func printError(_ line: String) {
    let text = Array((line + "\n").utf8)
    _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}
