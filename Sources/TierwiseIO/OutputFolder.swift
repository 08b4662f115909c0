/// A run's output folder that appears whole or not at all.
///
/// Everything is written into a staging folder beside the final one (same file system, so
/// the rename is atomic). `publish` writes `_SUCCESS` last, then swaps the staging folder
/// into place with `renameat2(RENAME_EXCHANGE)`, so a reader sees either the previous
/// complete run or the new one, never a mix and never nothing. Where the file system cannot
/// exchange, it falls back to two renames and says so in `publishNote`.
///
/// Files written with `sync` are made durable on a thread of its own while the run writes
/// the next ones; `publish` waits for them. On L the report's fsyncs (150 MB) had held a
/// core each for up to 0.25 s while the other files still waited to be formatted.
public final class OutputFolder {
    public let finalPath: String
    public let stagingPath: String
    public let fileMode: UInt32
    public let folderMode: UInt32
    public private(set) var publishNote: String?
    /// Syncs the staged files handed to it (`FileSink.finish(syncingOn:)`).
    public let sync = BackgroundSync(remedy: "Check free space and the health of the output folder's disk")

    /// The output root may be a symlink (a bank often points it at a mounted volume): it is
    /// resolved, so staging happens on the target's file system and the swap stays atomic.
    /// A run folder that is itself a symlink is refused: tierwise replaces run folders, and
    /// swapping a link would publish into whatever it points at.
    public init(root: String, name: String, fileMode: UInt32 = 0o640, folderMode: UInt32 = 0o750) throws {
        try FileSystem.makeDirectories(root, mode: folderMode)
        let root = FileSystem.realPath(root) ?? root
        finalPath = root + "/" + name
        if FileSystem.isSymlink(finalPath) {
            throw IOError(.cannotWrite, path: finalPath, message: "the run folder is a symbolic link; tierwise replaces run folders and does not follow links there",
                          remedy: "Remove the link, or point the output folder itself at the other volume")
        }
        stagingPath = root + "/.staging-\(name)-\(FileSystem.processID)"
        self.fileMode = fileMode
        self.folderMode = folderMode
        FileSystem.removeTree(stagingPath)
        try FileSystem.makeDirectories(stagingPath, mode: folderMode)
    }

    /// The path of `relative` inside the staging folder, creating its parent folders.
    public func path(_ relative: String) throws -> String {
        if let slash = relative.lastIndex(of: "/") {
            try FileSystem.makeDirectories(stagingPath + "/" + relative[..<slash], mode: folderMode)
        }
        return stagingPath + "/" + relative
    }

    /// Writes `_SUCCESS` and moves the staging folder into place, replacing any earlier run.
    public func publish() throws {
        try sync.wait()
        try FileSystem.writeFile(stagingPath + "/_SUCCESS", [], mode: fileMode)
        try FaultPoints.hit("publish")
        if FileSystem.exists(finalPath) {
            if SystemCalls.exchange(stagingPath, finalPath) == nil {
                // The old run now sits at the staging path; remove it.
                FileSystem.removeTree(stagingPath)
                return
            }
            let old = finalPath + ".old-\(FileSystem.processID)"
            try FileSystem.rename(finalPath, old)
            try FileSystem.rename(stagingPath, finalPath)
            FileSystem.removeTree(old)
            publishNote = "the file system cannot swap folders atomically; the old run was moved aside for an instant"
        } else {
            try FileSystem.rename(stagingPath, finalPath)
        }
    }

    /// Removes the staging folder after a failure, leaving the previous run untouched.
    public func abandon() {
        _ = try? sync.wait()
        FileSystem.removeTree(stagingPath)
    }

    /// Staging folders left by runs that were killed; removed by the next run.
    public static func leftovers(in root: String) -> [String] {
        FileSystem.list(root).filter { $0.hasPrefix(".staging-") }.map { root + "/" + $0 }
    }
}
