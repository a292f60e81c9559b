import Foundation

@testable import ModelBundle

/// Fixtures written by numpy and the safetensors package (Scripts/make-linear-golden.py).
enum WeightsFixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/weights").path

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
    }

    struct ExpectedTensor: Decodable {
        var dtype: String
        var shape: [Int]
        var values: [String]
        var doubles: [Double] { values.compactMap { Double($0) } }
    }

    struct ExpectedSafeTensors: Decodable {
        var metadata: [String: String]
        var tensors: [String: ExpectedTensor]
    }

    static func json<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(bytes(name)))
    }
}

/// Builds a safetensors file by hand: 8-byte length, the header text as given, then `data`.
func makeSafeTensors(_ header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
    let headerBytes = Array(header.utf8)
    var result = [UInt8]()
    withUnsafeBytes(of: (declaredLength ?? UInt64(headerBytes.count)).littleEndian) { result.append(contentsOf: $0) }
    return result + headerBytes + data
}

func float64Bytes(_ values: [Double]) -> [UInt8] {
    values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
}
