/// A lock file that stops a second run on the same output folder while one is going.
///
/// It holds `flock` on `<output>/.tierwise.lock`; the kernel drops that lock when the holder
/// dies, however it dies, so a lock left by a killed run is simply taken over. The file
/// records the holder's pid and start time, which the refusal message names.
public final class RunLock {
    public struct Held: Error, CustomStringConvertible {
        public let path: String
        public let holder: String
        public var description: String {
            "\(path): another tierwise run holds the lock (\(holder)). Wait for it to finish, or stop it"
        }
    }

    public let path: String
    private var fd: Int32
    /// The previous holder, when a lock left by a process that is gone was taken over.
    public private(set) var tookOverFrom: String?

    /// Takes the lock or throws `Held`. `startedAt` is written into the file for the message.
    public init(directory: String, startedAt: String) throws {
        try FileSystem.makeDirectories(directory)
        path = directory + "/.tierwise.lock"
        let previous = FileSystem.readSmallFile(path).map { String(decoding: $0, as: UTF8.self) }
        let fd = SystemCalls.openForLocking(path)
        guard fd >= 0 else {
            throw IOError(.cannotWrite, path: path, message: "cannot create the lock file", errno: SystemCalls.lastErrno)
        }
        guard SystemCalls.fileLock(fd) else {
            SystemCalls.close(fd)
            let text = (FileSystem.readSmallFile(path).map { String(decoding: $0, as: UTF8.self) } ?? previous ?? "").trimmingSpaces
            throw Held(path: path, holder: text.isEmpty ? "holder unknown" : text)
        }
        self.fd = fd
        if let previous, !previous.trimmingSpaces.isEmpty {
            tookOverFrom = previous.trimmingSpaces
        }
        SystemCalls.truncate(fd)
        let text = "pid \(FileSystem.processID), started \(startedAt)\n"
        _ = text.utf8.withContiguousStorageIfAvailable { SystemCalls.writeAll(fd, UnsafeRawBufferPointer($0)) }
    }

    /// Releases the lock. The file stays, empty: removing it would let a waiting process lock
    /// the removed file while a third locks a new one.
    public func release() {
        guard fd >= 0 else { return }
        SystemCalls.truncate(fd)
        SystemCalls.close(fd)
        fd = -1
    }

    deinit { release() }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\n" || c == "\r" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\n" || c == "\r" { s.removeLast() }
        return String(s)
    }
}
