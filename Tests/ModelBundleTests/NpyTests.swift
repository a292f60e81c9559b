import Testing

@testable import ModelBundle

@Suite struct NpyTests {
    static let goldenFiles = [
        "f8_2d.npy", "f4_1d.npy", "i8_1d.npy", "i4_2d.npy", "b1_1d.npy", "scalar.npy", "f8_bigendian.npy",
        "f8_fortran.npy", "f8_v2.npy", "f8_v3.npy",
    ]

    @Test(arguments: goldenFiles)
    func readsFilesWrittenByNumpy(_ name: String) throws {
        let expected = try #require(
            try WeightsFixtures.json("npy-expected.json", as: [String: WeightsFixtures.ExpectedTensor].self)[name]
        )
        let file = try NumpyArrayFile(bytes: try WeightsFixtures.bytes(name), fileName: name)
        #expect(file.tensor.dtype.rawValue == expected.dtype)
        #expect(file.tensor.shape == expected.shape)
        #expect(file.tensor.float64Values() == expected.doubles)
    }

    /// A file inside a larger buffer (a skops member in its archive) reads as the file alone: the
    /// slice's offsets are not the file's.
    @Test(arguments: goldenFiles)
    func readsFilesFromASlice(_ name: String) throws {
        let bytes = try WeightsFixtures.bytes(name)
        let whole = try NumpyArrayFile(bytes: bytes, fileName: name).tensor
        let archive = [UInt8](repeating: 0x93, count: 37) + bytes + [UInt8](repeating: 0x4E, count: 11)
        let slice = archive[37..<(37 + bytes.count)]
        let tensor = try NumpyArrayFile(file: slice, fileName: name).tensor
        #expect(tensor.dtype == whole.dtype)
        #expect(tensor.shape == whole.shape)
        #expect(tensor.bytes == whole.bytes)
    }

    /// numpy's own little-endian, C-order, version 1.0 files must come out of our writer byte for byte.
    @Test(arguments: ["f8_2d.npy", "f4_1d.npy", "i8_1d.npy", "i4_2d.npy", "b1_1d.npy", "scalar.npy"])
    func writerReproducesNumpyBytes(_ name: String) throws {
        let original = try WeightsFixtures.bytes(name)
        let file = try NumpyArrayFile(bytes: original, fileName: name)
        #expect(try NumpyArrayFile.encode(file.tensor) == original)
    }

    @Test func readsThroughABundleDirectory() throws {
        let file = try NumpyArrayFile(
            reading: try BundlePath("f8_2d.npy"),
            in: BundleDirectory(path: WeightsFixtures.directory)
        )
        #expect(file.tensor.shape == [2, 3])
    }

    static func npy(_ header: String, data: [UInt8], version: UInt8 = 1) -> [UInt8] {
        let headerBytes = Array(header.utf8)
        var result: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version, 0]
        result += [UInt8(headerBytes.count & 0xFF), UInt8(headerBytes.count >> 8)]
        return result + headerBytes + data
    }

    struct Hostile: CustomTestStringConvertible, Sendable {
        var label: String
        var bytes: [UInt8]
        var message: String
        var testDescription: String { label }
    }

    static let eight = float64Bytes([1.5])
    static let hostile: [Hostile] = [
        Hostile(label: "bad magic", bytes: Array("PK\u{3}\u{4}0000000000".utf8), message: "magic"),
        Hostile(label: "version 4", bytes: npy("{}\n", data: [], version: 4), message: "format version 4.0"),
        Hostile(
            label: "header past end",
            bytes: Array(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }\n", data: eight).prefix(20)),
            message: "past the end"
        ),
        Hostile(
            label: "trailing data",
            bytes: npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }\n", data: eight + [0]),
            message: "needs 8 data bytes"
        ),
        Hostile(
            label: "short data",
            bytes: npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n", data: eight),
            message: "needs 16 data bytes"
        ),
        Hostile(
            label: "object dtype",
            bytes: npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }\n", data: eight),
            message: "not supported"
        ),
        Hostile(
            label: "complex dtype",
            bytes: npy("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }\n", data: eight),
            message: "not supported"
        ),
        Hostile(
            label: "code in header",
            bytes: npy(
                "{'descr': __import__('os').system('x'), 'fortran_order': False, 'shape': (1,), }\n",
                data: eight
            ),
            message: "quoted string"
        ),
        Hostile(
            label: "unknown key",
            bytes: npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}\n", data: eight),
            message: "unexpected key"
        ),
        Hostile(
            label: "duplicate key",
            bytes: npy("{'descr': '<f8', 'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n", data: eight),
            message: "duplicate key"
        ),
        Hostile(
            label: "missing key",
            bytes: npy("{'descr': '<f8', 'shape': (1,), }\n", data: eight),
            message: "must hold"
        ),
        Hostile(
            label: "bad bool",
            bytes: npy("{'descr': '<f8', 'fortran_order': 0, 'shape': (1,), }\n", data: eight),
            message: "True or False"
        ),
        Hostile(
            label: "(n) not a tuple",
            bytes: npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1), }\n", data: eight),
            message: "tuple"
        ),
        Hostile(
            label: "negative dim",
            bytes: npy("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }\n", data: eight),
            message: "dimension"
        ),
        Hostile(
            label: "huge dims",
            bytes: npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }\n", data: eight),
            message: "overflows"
        ),
        Hostile(
            label: "no newline",
            bytes: npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", data: eight),
            message: "newline"
        ),
        Hostile(
            label: "NaN",
            bytes: npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }\n", data: float64Bytes([.nan])),
            message: "NaN or infinite"
        ),
    ]

    @Test(arguments: hostile)
    func refusesHostileFiles(_ input: Hostile) {
        // Alone, and as a slice of a larger buffer whose bytes around it would be valid data.
        let padded = [UInt8](repeating: 0, count: 16) + input.bytes + [UInt8](repeating: 0, count: 64)
        let slice = padded[16..<(16 + input.bytes.count)]
        for fromSlice in [false, true] {
            do throws(ModelBundleError) {
                _ =
                    fromSlice
                    ? try NumpyArrayFile(file: slice, fileName: "coef.npy")
                    : try NumpyArrayFile(bytes: input.bytes, fileName: "coef.npy")
                Issue.record("accepted \(input.label) (from a slice: \(fromSlice))")
            } catch {
                #expect(error.code == .weightsInvalid)
                #expect(error.message.contains(input.message), "\(error.message)")
                #expect(error.item == "coef.npy")
            }
        }
    }
}
