import Foundation
import TierwiseIO

/// Helpers shared by the test targets: temporary folders, the package's paths, the real
/// `tierwise` binary, and small file utilities.
public enum TestSupport {
    /// The package root, found from this file's path.
    public static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
        }
        return FileManager.default.currentDirectoryPath
    }()

    /// The `tierwise` executable built beside the tests.
    public static var binary: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tierwise").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        for candidate in ["/.build/debug/tierwise", "/.build/release/tierwise"] where FileManager.default.isExecutableFile(atPath: packageRoot + candidate) {
            return packageRoot + candidate
        }
        return packageRoot + "/.build/debug/tierwise"
    }

    /// A new empty folder under the system's temporary folder, removed when the test process
    /// exits (`TIERWISE_KEEP_TEST_FOLDERS=1` keeps them, to look at what a test wrote): left
    /// behind, a few hundred runs of the suite filled a developer's disk.
    public static func temporaryFolder(_ label: String = "tierwise-test") -> String {
        let path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        made.add(path)
        return path
    }

    /// The folders `temporaryFolder` made in this process.
    private static let made = MadeFolders()

    private final class MadeFolders: @unchecked Sendable {
        private let lock = NSLock()
        private var paths: [String] = []

        func add(_ path: String) {
            lock.lock()
            defer { lock.unlock() }
            if paths.isEmpty && ProcessInfo.processInfo.environment["TIERWISE_KEEP_TEST_FOLDERS"] == nil {
                atexit { TestSupport.made.removeAll() }
            }
            paths.append(path)
        }

        func removeAll() {
            lock.lock()
            defer { lock.unlock() }
            for path in paths { try? FileManager.default.removeItem(atPath: path) }
            paths = []
        }
    }

    public static func write(_ path: String, _ text: String) {
        try! FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    }

    public static func write(_ path: String, bytes: [UInt8]) {
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
    }

    public static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    public static func readBytes(_ path: String) -> [UInt8] {
        (FileManager.default.contents(atPath: path)).map { Array($0) } ?? []
    }

    public static func zstd(_ bytes: [UInt8]) throws -> [UInt8] {
        let memory = MemorySink()
        let encoder = try ZstdEncoder(sink: memory)
        try encoder.write(bytes)
        try encoder.finish()
        return memory.bytes
    }

    public static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let memory = MemorySink()
        let encoder = try GzipEncoder(sink: memory)
        try encoder.write(bytes)
        try encoder.finish()
        return memory.bytes
    }

    /// What a finished process printed and its exit status.
    public struct Result {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs the real binary with `arguments` and waits for it.
    @discardableResult
    public static func run(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil) throws -> Result {
        try launch(binary, arguments, environment: environment, directory: directory)
    }

    /// Runs a shell command (for tools outside tierwise, such as `zstd -dc`) and returns what
    /// it printed; throws when it fails.
    public static func shell(_ command: String) throws -> String {
        let r = try launch("/bin/sh", ["-c", command])
        guard r.status == 0 else { throw ShellError(command: command, status: r.status, stderr: r.stderr) }
        return r.stdout
    }

    public struct ShellError: Error {
        public var command: String
        public var status: Int32
        public var stderr: String
    }

    private static func launch(_ executable: String, _ arguments: [String], environment: [String: String] = [:], directory: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        // Files, not pipes: Foundation's pipe reads trap on EINTR when other tests' children exit.
        let scratch = temporaryFolder("run")
        FileManager.default.createFile(atPath: scratch + "/out", contents: nil)
        FileManager.default.createFile(atPath: scratch + "/err", contents: nil)
        let out = FileHandle(forWritingAtPath: scratch + "/out")!, err = FileHandle(forWritingAtPath: scratch + "/err")!
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try? out.close()
        try? err.close()
        let outData = Data(readBytes(scratch + "/out")), errData = Data(readBytes(scratch + "/err"))
        try? FileManager.default.removeItem(atPath: scratch)
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Parses a small CSV we wrote ourselves (RFC 4180) into rows of fields.
    public static func csv(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var chars = Array(text)
        var i = 0
        if chars.last != "\n" { chars.append("\n") }
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < chars.count && chars[i + 1] == "\"" { field.append("\""); i += 1 } else { quoted = false }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                row.append(field); field = ""
            } else if c == "\n" {
                row.append(field); field = ""
                rows.append(row); row = []
            } else {
                field.append(c)
            }
            i += 1
        }
        return rows
    }

    /// The rows of a CSV file as dictionaries by header.
    public static func records(_ path: String) -> [[String: String]] {
        let rows = csv(read(path))
        guard let header = rows.first else { return [] }
        return rows.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }
}
