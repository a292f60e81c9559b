import Testing

@testable import ModelBundle

@Suite struct SafeTensorsTests {
    static let goldenFiles = ["logistic_f64.safetensors", "logistic_f32.safetensors", "mixed.safetensors"]

    @Test(arguments: goldenFiles)
    func readsFilesWrittenByTheReferencePackage(_ name: String) throws {
        let expected = try #require(
            try WeightsFixtures.json(
                "safetensors-expected.json",
                as: [String: WeightsFixtures.ExpectedSafeTensors].self
            )[name]
        )
        let file = try SafeTensorsFile(bytes: try WeightsFixtures.bytes(name), fileName: name)
        #expect(file.metadata == expected.metadata)
        #expect(Set(file.tensors.map(\.name)) == Set(expected.tensors.keys))
        for (tensorName, tensor) in expected.tensors {
            let actual = try #require(file[tensorName])
            #expect(actual.dtype.rawValue == tensor.dtype, "\(tensorName)")
            #expect(actual.shape == tensor.shape, "\(tensorName)")
            #expect(actual.float64Values() == tensor.doubles, "\(tensorName)")
        }
    }

    @Test(arguments: goldenFiles)
    func writerReproducesTheReferenceBytes(_ name: String) throws {
        let original = try WeightsFixtures.bytes(name)
        let file = try SafeTensorsFile(bytes: original, fileName: name)
        // Shuffle the input order: the writer must impose the reference order itself.
        let written = try SafeTensorsWriter.encode(file.tensors.reversed(), metadata: file.metadata)
        #expect(written == original)
    }

    @Test func readsThroughABundleDirectory() throws {
        let directory = BundleDirectory(path: WeightsFixtures.directory)
        let file = try SafeTensorsFile(reading: try BundlePath("logistic_f64.safetensors"), in: directory)
        #expect(file["coef"]?.shape == [3, 4])
        #expect(file["intercept"]?.shape == [3])
    }

    @Test func writerRefusesDuplicateNames() throws {
        let tensor = try WeightTensor(name: "coef", shape: [1], float64: [1])
        #expect(throws: ModelBundleError.self) { try SafeTensorsWriter.encode([tensor, tensor]) }
    }

    @Test func nonFiniteIsAcceptedOnlyWhenAllowed() throws {
        let bytes = makeSafeTensors(
            #"{"w":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}}"#,
            data: float64Bytes([1, .infinity])
        )
        let file = try SafeTensorsFile(bytes: bytes, fileName: "m.safetensors", allowNonFinite: true)
        #expect(file["w"]?.float64Values() == [1, .infinity])
    }

    @Test func bfloat16IsWidenedExactly() throws {
        // 0x3FC0 is 1.5 in bfloat16; 0xC000 is -2.
        let bytes = makeSafeTensors(
            #"{"w":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}"#,
            data: [0xC0, 0x3F, 0x00, 0xC0]
        )
        let file = try SafeTensorsFile(bytes: bytes, fileName: "m.safetensors")
        #expect(file["w"]?.dtype == .float32)
        #expect(file["w"]?.float64Values() == [1.5, -2])
    }

    /// One hostile file, the words its error message must contain, and the item it must name.
    struct Hostile: CustomTestStringConvertible, Sendable {
        var label: String
        var bytes: [UInt8]
        var message: String
        var item: String = "m.safetensors"
        var testDescription: String { label }
    }

    static let sixteen = float64Bytes([1, 2])
    static let good = #"{"w":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}}"#

    static let hostile: [Hostile] = [
        // Catalogue 19: too small.
        Hostile(label: "7 bytes", bytes: [1, 0, 0, 0, 0, 0, 0], message: "too small"),
        // 20: absurd or lying header lengths, refused before allocating.
        Hostile(
            label: "N = 2^63",
            bytes: makeSafeTensors(good, data: sixteen, declaredLength: 1 << 63),
            message: "exceeds"
        ),
        Hostile(
            label: "N past EOF",
            bytes: makeSafeTensors(good, data: [], declaredLength: 1000),
            message: "past the end"
        ),
        Hostile(
            label: "N over cap",
            bytes: makeSafeTensors(good, data: sixteen, declaredLength: 20 << 20),
            message: "exceeds"
        ),
        // 21: header not UTF-8 / not JSON / not an object / leading space.
        Hostile(
            label: "not UTF-8",
            bytes: makeSafeTensors("{\"w\u{FFFD}\":1}").map { $0 == 0xEF ? 0xFF : $0 },
            message: "UTF-8"
        ),
        Hostile(label: "not JSON", bytes: makeSafeTensors("{nope}"), message: "not valid JSON"),
        Hostile(label: "array header", bytes: makeSafeTensors("[]      "), message: "starting with '{'"),
        Hostile(
            label: "leading space",
            bytes: makeSafeTensors(" " + good, data: sixteen),
            message: "starting with '{'"
        ),
        Hostile(label: "NUL padding", bytes: makeSafeTensors(good + "\u{0}", data: sixteen), message: "padding"),
        Hostile(
            label: "deep nesting",
            bytes: makeSafeTensors("{\"a\":" + String(repeating: "[", count: 40) + "}"),
            message: "nesting"
        ),
        // 22: unknown and unsupported dtypes.
        Hostile(
            label: "F128",
            bytes: makeSafeTensors(#"{"w":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}}"#, data: sixteen),
            message: "unknown dtype",
            item: "m.safetensors:w"
        ),
        Hostile(
            label: "F8",
            bytes: makeSafeTensors(#"{"w":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}"#, data: [1, 2]),
            message: "not supported",
            item: "m.safetensors:w"
        ),
        Hostile(
            label: "F4 odd count",
            bytes: makeSafeTensors(#"{"w":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}"#, data: [1, 2]),
            message: "whole bytes",
            item: "m.safetensors:w"
        ),
        // 23: shape × dtype differs from the range; overflow.
        Hostile(
            label: "shape/range mismatch",
            bytes: makeSafeTensors(#"{"w":{"dtype":"F64","shape":[2,4],"data_offsets":[0,16]}}"#, data: sixteen),
            message: "needs 64 bytes",
            item: "m.safetensors:w"
        ),
        Hostile(
            label: "overflow",
            bytes: makeSafeTensors(
                #"{"w":{"dtype":"F64","shape":[4294967296,4294967296,4],"data_offsets":[0,16]}}"#,
                data: sixteen
            ),
            message: "overflows",
            item: "m.safetensors:w"
        ),
        // 24: gaps, overlap, aliasing, wrong start, trailing and missing bytes.
        Hostile(
            label: "gap",
            bytes: makeSafeTensors(
                #"{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"b":{"dtype":"F64","shape":[1],"data_offsets":[16,24]}}"#,
                data: float64Bytes([1, 2, 3])
            ),
            message: "gap",
            item: "m.safetensors:b"
        ),
        Hostile(
            label: "overlap",
            bytes: makeSafeTensors(
                #"{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"b":{"dtype":"F64","shape":[1],"data_offsets":[8,16]}}"#,
                data: sixteen
            ),
            message: "overlaps",
            item: "m.safetensors:b"
        ),
        Hostile(
            label: "alias",
            bytes: makeSafeTensors(
                #"{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"b":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}}"#,
                data: sixteen
            ),
            message: "overlaps",
            item: "m.safetensors:b"
        ),
        Hostile(
            label: "not at 0",
            bytes: makeSafeTensors(#"{"w":{"dtype":"F64","shape":[1],"data_offsets":[8,16]}}"#, data: sixteen),
            message: "gap",
            item: "m.safetensors:w"
        ),
        Hostile(label: "trailing byte", bytes: makeSafeTensors(good, data: sixteen + [0]), message: "trailing"),
        Hostile(
            label: "truncated",
            bytes: makeSafeTensors(good, data: Array(sixteen.dropLast())),
            message: "past the",
            item: "m.safetensors:w"
        ),
        // 25: exact duplicate tensor name (the reference 0.8.0 accepts it; we refuse).
        Hostile(
            label: "duplicate name",
            bytes: makeSafeTensors(
                #"{"w":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"w":{"dtype":"F64","shape":[1],"data_offsets":[8,16]}}"#,
                data: sixteen
            ),
            message: "duplicate key"
        ),
        Hostile(
            label: "duplicate metadata",
            bytes: makeSafeTensors(#"{"__metadata__":{},"__metadata__":{}}"#),
            message: "duplicate key"
        ),
        // 26: non-integer, negative and huge numbers; non-string metadata.
        Hostile(
            label: "4.0",
            bytes: makeSafeTensors(#"{"w":{"dtype":"F64","shape":[2.0],"data_offsets":[0,16]}}"#, data: sixteen),
            message: "fraction",
            item: "m.safetensors:w"
        ),
        Hostile(
            label: "4e0",
            bytes: makeSafeTensors(#"{"w":{"dtype":"F64","shape":[2e0],"data_offsets":[0,16]}}"#, data: sixteen),
            message: "exponent",
            item: "m.safetensors:w"
        ),
        Hostile(
            label: "negative",
            bytes: makeSafeTensors(#"{"w":{"dtype":"F64","shape":[2],"data_offsets":[-8,16]}}"#, data: sixteen),
            message: "negative",
            item: "m.safetensors:w"
        ),
        Hostile(
            label: "2^53 + 1",
            bytes: makeSafeTensors(
                #"{"w":{"dtype":"F64","shape":[9007199254740993],"data_offsets":[0,16]}}"#,
                data: sixteen
            ),
            message: "2^53",
            item: "m.safetensors:w"
        ),
        Hostile(
            label: "dimension over 2^48",
            bytes: makeSafeTensors(
                #"{"w":{"dtype":"U8","shape":[281474976710656],"data_offsets":[0,16]}}"#,
                data: sixteen
            ),
            message: "overflows",
            item: "m.safetensors:w"
        ),
        Hostile(
            label: "metadata not string",
            bytes: makeSafeTensors(#"{"__metadata__":{"a":1}}"#),
            message: "must be a string"
        ),
        Hostile(
            label: "unknown key",
            bytes: makeSafeTensors(#"{"w":{"dtype":"F64","shape":[2],"data_offsets":[0,16],"x":1}}"#, data: sixteen),
            message: "unknown key",
            item: "m.safetensors:w"
        ),
        Hostile(
            label: "missing key",
            bytes: makeSafeTensors(#"{"w":{"dtype":"F64","shape":[2]}}"#),
            message: "needs dtype",
            item: "m.safetensors:w"
        ),
        // 27: NaN / Inf weights name the tensor.
        Hostile(
            label: "NaN",
            bytes: makeSafeTensors(
                #"{"coef":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}}"#,
                data: float64Bytes([1, .nan])
            ),
            message: "element 1 is NaN or infinite",
            item: "m.safetensors:coef"
        ),
        Hostile(
            label: "-Inf f32",
            bytes: makeSafeTensors(
                #"{"coef":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
                data: [0, 0, 0x80, 0xFF]
            ),
            message: "NaN or infinite",
            item: "m.safetensors:coef"
        ),
    ]

    @Test(arguments: hostile)
    func refusesHostileFiles(_ input: Hostile) {
        do {
            _ = try SafeTensorsFile(bytes: input.bytes, fileName: "m.safetensors")
            Issue.record("accepted \(input.label)")
        } catch {
            #expect(error.code == .weightsInvalid)
            #expect(error.message.contains(input.message), "\(error.message)")
            #expect(error.item == input.item)
        }
    }

    @Test func acceptsEdgeCasesTheFormatAllows() throws {
        let empty = try SafeTensorsFile(bytes: makeSafeTensors("{}      "), fileName: "m.safetensors")
        #expect(empty.tensors.isEmpty)
        let zero = try SafeTensorsFile(
            bytes: makeSafeTensors(#"{"z":{"dtype":"F64","shape":[0,3],"data_offsets":[0,0]}}"#),
            fileName: "m.safetensors"
        )
        #expect(zero["z"]?.elementCount == 0)
    }
}
