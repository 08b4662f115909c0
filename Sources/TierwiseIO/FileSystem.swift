/// File-system operations the pipeline needs, in typed Swift with errors that name the path.
public enum FileSystem {

    public static func exists(_ path: String) -> Bool { SystemCalls.status(path, followLinks: false) != nil }

    public static func isDirectory(_ path: String) -> Bool { SystemCalls.status(path)?.isDirectory ?? false }

    public static func isSymlink(_ path: String) -> Bool { SystemCalls.status(path, followLinks: false)?.isSymlink ?? false }

    /// Size and modification time in nanoseconds, or nil when the path does not exist.
    public static func sizeAndModified(_ path: String) -> (size: Int64, modified: Int64)? {
        SystemCalls.status(path).map { ($0.size, $0.modifiedNanoseconds) }
    }

    /// Creates a folder and its parents with `mode` (0750 by default).
    public static func makeDirectories(_ path: String, mode: UInt32 = 0o750) throws {
        if isDirectory(path) { return }
        var prefix = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/") {
            prefix += part
            if !isDirectory(prefix) {
                if let code = SystemCalls.makeDirectory(prefix, mode: mode), code != 17 {
                    throw IOError(.cannotWrite, path: prefix, message: "cannot create the folder",
                                  remedy: "Check that this user may write to its parent", errno: code)
                }
            }
            prefix += "/"
        }
    }

    public static func list(_ path: String) -> [String] { SystemCalls.listDirectory(path) ?? [] }

    /// Removes a file, or a folder with everything in it. Does not follow symlinks.
    public static func removeTree(_ path: String) {
        guard let st = SystemCalls.status(path, followLinks: false) else { return }
        if st.isDirectory {
            for name in list(path) { removeTree(path + "/" + name) }
            _ = SystemCalls.removeDirectory(path)
        } else {
            _ = SystemCalls.unlink(path)
        }
    }

    public static func rename(_ from: String, _ to: String) throws {
        if let code = SystemCalls.rename(from, to) {
            throw IOError(.cannotWrite, path: to, message: "cannot move \(from) into place", errno: code)
        }
    }

    /// Reads a small file (a config, a lock, a previous run's JSON) whole; at most 1 MiB.
    public static func readSmallFile(_ path: String) -> [UInt8]? { SystemCalls.readSmallFile(path) }

    /// Paths matching a shell glob, sorted; a path without glob characters is returned as is.
    public static func expand(_ pattern: String) -> [String] {
        if !pattern.contains(where: { "*?[".contains($0) }) { return [pattern] }
        return SystemCalls.glob(pattern)
    }

    public static func realPath(_ path: String) -> String? { SystemCalls.realPath(path) }

    public static var processID: Int32 { SystemCalls.processID() }

    public static func processExists(_ pid: Int32) -> Bool { SystemCalls.processExists(pid) }

    public static func isTerminal(fd: Int32) -> Bool { SystemCalls.isTerminal(fd) }

    /// Writes a whole small file and syncs it.
    public static func writeFile(_ path: String, _ bytes: [UInt8], mode: UInt32 = 0o640) throws {
        let sink = try FileSink(path: path, mode: mode)
        try sink.write(bytes)
        try sink.finish()
    }

    /// Writes `bytes` to a new file that `sync` makes durable in the background.
    public static func writeFile(_ path: String, _ bytes: [UInt8], mode: UInt32 = 0o640, syncingOn sync: BackgroundSync) throws {
        let sink = try FileSink(path: path, mode: mode)
        try sink.write(bytes)
        try sink.finish(syncingOn: sync)
    }
}
