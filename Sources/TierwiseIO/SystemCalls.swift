#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one place that calls libc for files, so the rest of the module speaks typed Swift.
enum SystemCalls {
    static func describe(errno code: Int32) -> String {
        String(cString: strerror(code))
    }

    static var lastErrno: Int32 { errno }

    static func openForReading(_ path: String) -> Int32 {
        open(path, O_RDONLY | O_CLOEXEC)
    }

    static func openForWriting(_ path: String, mode: UInt32, exclusive: Bool) -> Int32 {
        var flags = O_WRONLY | O_CREAT | O_CLOEXEC
        flags |= exclusive ? O_EXCL : O_TRUNC
        return open(path, flags, mode_t(mode))
    }

    static func openForLocking(_ path: String) -> Int32 {
        open(path, O_RDWR | O_CREAT | O_CLOEXEC, mode_t(0o640))
    }

    static func truncate(_ fd: Int32) {
        _ = ftruncate(fd, 0)
        _ = lseek(fd, 0, SEEK_SET)
    }

    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n < 0 && errno == EINTR { continue }
            return n
        }
    }

    /// Writes all of `buffer`, at the file position or, with `offset`, at that place in the
    /// file (pwrite, leaving the position alone); the errno on failure.
    static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, at offset: Int64? = nil) -> Int32? {
        var done = 0
        while done < buffer.count {
            let from = buffer.baseAddress! + done, count = buffer.count - done
            let n = offset.map { pwrite(fd, from, count, off_t($0) + off_t(done)) } ?? Glibc.write(fd, from, count)
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            done += n
        }
        return nil
    }

    /// Moves the file position to `offset`; the errno on failure.
    static func seek(_ fd: Int32, to offset: Int64) -> Int32? {
        lseek(fd, off_t(offset), SEEK_SET) < 0 ? errno : nil
    }

    static func fsync(_ fd: Int32) -> Int32? {
        Glibc.fsync(fd) == 0 ? nil : errno
    }

    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    struct FileStatus: Equatable, Sendable {
        var size: Int64
        var modifiedNanoseconds: Int64
        var isDirectory: Bool
        var isSymlink: Bool
    }

    static func status(_ path: String, followLinks: Bool = true) -> FileStatus? {
        var st = stat()
        let rc = followLinks ? stat(path, &st) : lstat(path, &st)
        guard rc == 0 else { return nil }
        let mtime = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        let type = st.st_mode & S_IFMT
        return FileStatus(size: Int64(st.st_size), modifiedNanoseconds: mtime,
                          isDirectory: type == S_IFDIR, isSymlink: type == S_IFLNK)
    }

    static func status(fd: Int32) -> FileStatus? {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        let mtime = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        return FileStatus(size: Int64(st.st_size), modifiedNanoseconds: mtime,
                          isDirectory: (st.st_mode & S_IFMT) == S_IFDIR, isSymlink: false)
    }

    static func makeDirectory(_ path: String, mode: UInt32) -> Int32? {
        mkdir(path, mode_t(mode)) == 0 ? nil : errno
    }

    static func chmod(_ path: String, mode: UInt32) {
        _ = Glibc.chmod(path, mode_t(mode))
    }

    static func rename(_ from: String, _ to: String) -> Int32? {
        Glibc.rename(from, to) == 0 ? nil : errno
    }

    static func unlink(_ path: String) -> Int32? {
        Glibc.unlink(path) == 0 ? nil : errno
    }

    static func removeDirectory(_ path: String) -> Int32? {
        rmdir(path) == 0 ? nil : errno
    }

    static func listDirectory(_ path: String) -> [String]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func processID() -> Int32 { getpid() }

    /// The process's peak resident memory so far, in KiB (getrusage's ru_maxrss on Linux).
    static func peakResidentKiB() -> Int {
        var usage = rusage()
        #if canImport(Glibc)
        let who = __rusage_who_t(RUSAGE_SELF.rawValue)
        #else
        let who = RUSAGE_SELF
        #endif
        return getrusage(who, &usage) == 0 ? Int(usage.ru_maxrss) : 0
    }

    /// Hands free heap memory back to the system. glibc keeps what a thread freed in that
    /// thread's arena, where the next stage's allocations on another thread cannot reuse it.
    static func releaseFreeMemory() {
        CSysShims_releaseFreeMemory()
    }

    static func mapAllocations(from bytes: Int) {
        CSysShims_mapAllocationsFrom(Int32(bytes))
    }

    /// Gives back the whole pages inside `bytes` (MADV_DONTNEED): they read as zeros after.
    static func discardPages(_ bytes: UnsafeMutableRawBufferPointer) {
        advise(MADV_DONTNEED, wholeStretchesOf: Int(sysconf(Int32(_SC_PAGESIZE))), in: bytes)
    }

    /// Marks the whole 2 MiB stretches inside `bytes` for transparent huge pages
    /// (MADV_HUGEPAGE): pages touched after this come 2 MiB at a time where the system
    /// allows it. Nothing changes where huge pages are off, and pages touched before keep
    /// their size.
    static func adviseHugePages(_ bytes: UnsafeMutableRawBufferPointer) {
        advise(MADV_HUGEPAGE, wholeStretchesOf: 2 << 20, in: bytes)
    }

    /// `madvise` over the stretches of `size` bytes (a power of two) that lie wholly inside
    /// `bytes`; nothing when there are none. The memory around them may be another buffer's.
    private static func advise(_ advice: Int32, wholeStretchesOf size: Int, in bytes: UnsafeMutableRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        let start = (Int(bitPattern: base) + size - 1) / size * size
        let end = (Int(bitPattern: base) + bytes.count) / size * size
        guard end > start else { return }
        _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, advice)
    }

    /// True when a process with this pid exists (it may belong to another user).
    static func processExists(_ pid: Int32) -> Bool {
        if kill(pid, 0) == 0 { return true }
        return errno == EPERM
    }

    static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard Glibc.glob(pattern, 0, nil, &result) == 0 else { return [] }
        var paths: [String] = []
        for i in 0..<Int(result.gl_pathc) {
            if let p = result.gl_pathv[i] { paths.append(String(cString: p)) }
        }
        return paths.sorted()
    }

    static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    static func fileLock(_ fd: Int32) -> Bool {
        flock(fd, LOCK_EX | LOCK_NB) == 0
    }
}

import CSysShims

extension SystemCalls {
    /// Lowers the calling thread's priority to `nice`. It cannot be raised again without
    /// privileges, so only a thread that ends afterwards may call this.
    static func lowerThreadPriority(to nice: Int32) {
        _ = CSysShims_setThreadNice(nice)
    }

    /// Starts the write-back of a file's range without waiting for it; errors are left to
    /// the fsync that follows, which reports them.
    static func startWriteback(_ fd: Int32, from offset: Int64, count: Int64) {
        _ = CSysShims_startWriteback(fd, offset, count)
    }

    /// Swaps two existing paths in one step; nil on success, else errno.
    static func exchange(_ a: String, _ b: String) -> Int32? {
        CSysShims_renameExchange(a, b) == 0 ? nil : errno
    }

    static func readSmallFile(_ path: String) -> [UInt8]? {
        let fd = openForReading(path)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var block = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = block.withUnsafeMutableBytes { read(fd, into: $0) }
            if n <= 0 { break }
            out += block[0..<n]
            if out.count > 1 << 20 { break }
        }
        return out
    }
}
