import Testing

@testable import ModelBundle

@Suite struct BundlePathTests {
    @Test(arguments: ["MLmodel", "code/mbundle_pyfunc.py", "a%2e%2e/b", "weights v1.safetensors"])
    func acceptsRelativePaths(_ path: String) throws {
        #expect(try BundlePath(path).rawValue == path)
    }

    @Test(arguments: [
        "", "/etc/passwd", "../x", "a/../b", "a/./b", "a//b", "a/", "C:/x", "c:x", "a\\b", "..\\..\\x",
        "a#b", "a\u{0}b", "a\nb", String(repeating: "a/", count: 40) + "x", String(repeating: "x", count: 300),
    ])
    func refusesUnsafePaths(_ path: String) {
        #expect(throws: ModelBundleError.self) { try BundlePath(path, field: "flavors.x.path") }
        do {
            _ = try BundlePath(path, field: "flavors.x.path")
        } catch {
            #expect(error.code == .unsafePath)
            #expect(error.item == "flavors.x.path")
        }
    }
}
