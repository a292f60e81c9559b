import SystemPlatform

/// Removes the temporary siblings a killed write left beside its target: `.NAME.mbundle-*`
/// (``AtomicFile``), `.NAME.staging-*` (``StagingDirectory``) and `.NAME.tmp-*` (archives being
/// packed). Called after the next successful write of the same target; only siblings older than
/// ``minimumAge`` are removed, so a write still running in another process keeps its own.
package enum StaleSiblings {
    /// Siblings younger than this may belong to a write in progress.
    package static let minimumAge: Int = 3600
    /// The infixes of the temporary siblings the package creates.
    package static let infixes = ["mbundle", "staging", "tmp"]

    /// Removes the stale temporary siblings of `target`. Best effort: failures are ignored (the
    /// write itself already succeeded), and links are never followed.
    package static func remove(of target: String, now: Int? = nil) {
        let (directory, name) = PathParts.split(target)
        guard !name.isEmpty, let names = DirectoryListing.names(ofDirectoryAt: directory) else { return }
        let current = now ?? Int(time(nil))
        let prefixes = infixes.map { ".\(name).\($0)-" }
        for entry in names {
            guard let prefix = prefixes.first(where: { entry.hasPrefix($0) }),
                entry.utf8.count == prefix.utf8.count + 6
            else { continue }
            let path = "\(directory)/\(entry)"
            var info = stat()
            guard lstat(path, &info) == 0, current - Int(info.st_mtim.tv_sec) > minimumAge else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFREG: unlink(path)
            case S_IFDIR: removeTree(path)
            default: break
            }
        }
    }

    /// Deletes a directory tree without following links.
    package static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for entry in DirectoryListing.names(ofDirectoryAt: path) ?? [] {
                removeTree("\(path)/\(entry)")
            }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}
