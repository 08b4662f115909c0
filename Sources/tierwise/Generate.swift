import ArgumentParser
import Foundation
import SyntheticBank
import TierwiseIO
import TierwisePipeline

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write realistic synthetic dumps (transactions, accounts, customers) for trying tierwise out and for tests.",
        discussion: """
        The data is seeded: the same options give the same bytes. It has heavy-tailed activity, dormant, \
        lapsing and new customers, salaries that stop, several products with balances and rates, and \
        relationship managers. --bad-rows adds deliberately broken transaction rows to show rejects.
        """)

    enum Compress: String, ExpressibleByArgument, CaseIterable { case zstd, gzip, none }

    @Option(help: "How many customers.") var customers: Int = 2000
    @Option(help: "How many months of history before the as-of date.") var months: Int = 24
    @Option(help: "The random seed.") var seed: UInt64 = 1
    @Option(help: "The folder to write transactions.csv[.zst|.gz], accounts.csv and customers.csv into.") var output: String
    @Option(help: "Compression of the transactions file: zstd, gzip or none.") var compress: Compress = .none
    @Option(name: .customLong("bad-rows"), help: "Broken transaction rows to include (bad date, bad amount, unknown account, duplicate id, unknown currency, too few fields).")
    var badRows: Int = 0
    @Option(name: .customLong("as-of"), help: "The last day of the data, YYYY-MM-DD.") var asOf: String = "2026-10-31"
    @Option(help: "Scale of customer-initiated activity: 1 is realistic (about 12 rows per active customer a month); smaller gives smaller files with the same customers.")
    var activity: Double = 1

    func validate() throws {
        guard customers >= 1 && customers <= 50_000_000 else { throw ValidationError("--customers must be between 1 and 50,000,000") }
        guard months >= 1 && months <= 240 else { throw ValidationError("--months must be between 1 and 240") }
        guard CivilDate(parsing: asOf) != nil else { throw ValidationError("--as-of must be a date YYYY-MM-DD") }
        guard activity > 0 && activity <= 10 else { throw ValidationError("--activity must be above 0 and at most 10") }
    }

    func run() throws {
        do {
            try FileSystem.makeDirectories(output)
            let name = "transactions.csv" + (compress == .zstd ? ".zst" : compress == .gzip ? ".gz" : "")
            let file = try FileSink(path: output + "/transactions.csv.tmp" , mode: 0o640)
            let txSink: TierwiseIO.ByteSink
            switch compress {
            case .zstd: txSink = try ZstdEncoder(sink: file)
            case .gzip: txSink = try GzipEncoder(sink: file)
            case .none: txSink = file
            }
            var tx = SinkAdapter(sink: txSink)
            var accounts = SinkAdapter(sink: try FileSink(path: output + "/accounts.csv", mode: 0o640))
            var people = SinkAdapter(sink: try FileSink(path: output + "/customers.csv", mode: 0o640))
            let options = GeneratorOptions(customers: customers, months: months, seed: seed, asOf: CivilDate(parsing: asOf)!, badRows: badRows,
                                           activityScale: activity)
            let stats = try SyntheticBank.generate(options, transactions: &tx, accounts: &accounts, customers: &people)
            try tx.sink.finish()
            try accounts.sink.finish()
            try people.sink.finish()
            try FileSystem.rename(output + "/transactions.csv.tmp", output + "/" + name)
            print("wrote \(stats.transactions) transactions, \(stats.accounts) accounts, \(stats.customers) customers to \(output) (\(name))")
        } catch {
            fail(PipelineError.from(error))
        }
    }
}

/// Feeds the generator's bytes into one of tierwise's sinks (file, zstd, gzip).
struct SinkAdapter: SyntheticBank.ByteSink {
    let sink: TierwiseIO.ByteSink
    mutating func write(_ bytes: UnsafeRawBufferPointer) throws { try sink.write(bytes) }
}
