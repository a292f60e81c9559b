import ArgumentParser
import ModelBundle

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The input flags shared by `predict` and `validate`, spelled as `mlflow models predict` spells
/// them: `-i/--input-path` (standard input when omitted) and `-t/--content-type json|csv`.
struct InputOptions: ParsableArguments {
    @Option(name: [.short, .customLong("input-path")], help: "The input file (standard input when omitted).")
    var input: String?

    @Option(
        name: [.customShort("t"), .customLong("content-type")],
        help: "json or csv (default: from the file extension, else json)."
    )
    var contentType: InputContentType?

    /// The largest input read, the request decoder's own limit: checked before anything is allocated.
    static let maximumBytes = RequestDecoder.Limits().maxBodyBytes

    /// The format: `-t`, else `.csv` for a `.csv` file, else JSON.
    var format: RequestFormat {
        if let contentType { return contentType.format }
        if let input, input.lowercased().hasSuffix(".csv") { return .csv }
        return .json
    }

    /// A name for messages.
    var inputName: String { input ?? "<stdin>" }

    /// Reads the whole input, refusing more than ``maximumBytes``.
    func readInput() throws(ModelBundleError) -> [UInt8] {
        guard let input else { return try Self.readAll(descriptor: 0, name: "<stdin>") }
        let descriptor = open(input, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw ModelBundleError(.inputInvalid, "cannot open input \(input): \(reason)", item: input)
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw ModelBundleError(.inputInvalid, "cannot read input \(input)", item: input)
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw ModelBundleError(.inputInvalid, "input \(input) is a directory; give a JSON or CSV file", item: input)
        }
        if (info.st_mode & S_IFMT) == S_IFREG && Int(info.st_size) > Self.maximumBytes {
            throw ModelBundleError(
                .inputInvalid,
                "input \(input) is \(info.st_size) bytes, more than the limit of \(Self.maximumBytes); split it",
                item: input
            )
        }
        return try Self.readAll(descriptor: descriptor, name: input)
    }

    /// Reads to the end in chunks, so a pipe or a growing file cannot exceed the bound either.
    private static func readAll(descriptor: Int32, name: String) throws(ModelBundleError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ModelBundleError(.inputInvalid, "cannot read input \(name)", item: name)
            }
            if count == 0 { return bytes }
            guard bytes.count + count <= maximumBytes else {
                throw ModelBundleError(
                    .inputInvalid,
                    "input \(name) is larger than the limit of \(maximumBytes) bytes; split it",
                    item: name
                )
            }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }
}

/// `-t` values, as `mlflow models predict` spells them.
enum InputContentType: String, ExpressibleByArgument, CaseIterable {
    case json, csv

    var format: RequestFormat { self == .csv ? .csv : .json }
}

private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
