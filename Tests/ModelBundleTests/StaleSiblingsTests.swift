import Foundation
import TestSupport
import Testing

@testable import ModelBundle

/// Temporary siblings a killed write left behind (`.NAME.mbundle-*`, `.NAME.staging-*`,
/// `.NAME.tmp-*`) are removed by the next successful write of the same target once they are older
/// than an hour; younger ones (a write still running elsewhere) and other names are kept.
@Suite struct StaleSiblingsTests {
    /// Creates the leftovers of killed writes of `target` in `scratch`: one per infix, aged
    /// `age` seconds, as a file (`mbundle`, `tmp`) or a directory with a file in it (`staging`).
    static func leftovers(of target: String, in scratch: ScratchDirectory, age: TimeInterval, tag: String) throws
        -> [String]
    {
        var names: [String] = []
        let date = Date(timeIntervalSinceNow: -age)
        for (infix, isDirectory) in [("mbundle", false), ("staging", true), ("tmp", false)] {
            let name = ".\(target).\(infix)-\(tag)"
            let path = scratch.sub(name)
            if isDirectory {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
                try Data("partial".utf8).write(to: URL(fileURLWithPath: path + "/MLmodel"))
            } else {
                try Data("partial".utf8).write(to: URL(fileURLWithPath: path))
            }
            try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path)
            names.append(name)
        }
        return names
    }

    @Test func anAtomicWriteRemovesItsTargetsStaleSiblingsOnly() throws {
        let scratch = try ScratchDirectory("stale")
        let stale = try Self.leftovers(of: "out.json", in: scratch, age: 2 * 3600, tag: "AAAAAA")
        let fresh = try Self.leftovers(of: "out.json", in: scratch, age: 60, tag: "BBBBBB")
        let otherTarget = try Self.leftovers(of: "other.json", in: scratch, age: 2 * 3600, tag: "CCCCCC")
        // Not a sibling of ours: a longer suffix than mkstemp's six characters.
        try Data().write(to: scratch.url(".out.json.tmp-notours"))
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSinceNow: -7200)],
            ofItemAtPath: scratch.sub(".out.json.tmp-notours")
        )

        let file = try AtomicFile(destination: scratch.sub("out.json"))
        try file.write(Array("{}".utf8))
        try file.commit()

        let left = Set(try FileManager.default.contentsOfDirectory(atPath: scratch.path))
        #expect(left == Set(["out.json", ".out.json.tmp-notours"] + fresh + otherTarget))
        #expect(stale.allSatisfy { !left.contains($0) })
    }

    @Test func aFailedWriteRemovesNothing() throws {
        let scratch = try ScratchDirectory("stale")
        let stale = try Self.leftovers(of: "out.json", in: scratch, age: 2 * 3600, tag: "AAAAAA")
        let file = try AtomicFile(destination: scratch.sub("out.json"))
        try file.write(Array("{}".utf8))
        file.discard()
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: scratch.path)) == Set(stale))
    }

    @Test func publishingABundleRemovesStaleStagingDirectories() throws {
        let scratch = try ScratchDirectory("stale")
        let stale = try Self.leftovers(of: "model", in: scratch, age: 2 * 3600, tag: "AAAAAA")
        try BundleWriter(destination: scratch.sub("model")).write(
            manifest: ModelManifest(flavors: [("python_function", ManifestMap([]))]),
            files: []
        )
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: scratch.path))
        #expect(left == ["model"], "\(left), stale: \(stale)")
    }
}
