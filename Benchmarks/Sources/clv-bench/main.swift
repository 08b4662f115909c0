// Benchmark: BG/NBD + Gamma-Gamma fit and CLV scoring on simulated customers.
//
//   swift build -c release && .build/release/clv-bench [customers] [threads] [--cdnow PATH]
//
// Simulation is not timed; grouping is (it is part of fitting raw summaries).
import Dispatch
import Foundation
import LifetimeValue

func seconds(_ start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}

let args = Array(CommandLine.arguments.dropFirst())
if let i = args.firstIndex(of: "--cdnow"), i + 1 < args.count {
    // Optional: fit the CDNOW sample (same summary as the tests build) and print it.
    let text = try String(contentsOfFile: args[i + 1], encoding: .utf8)
    func day(_ ymd: Int) -> Int {
        var comps = DateComponents(); comps.year = ymd / 10000; comps.month = ymd / 100 % 100; comps.day = ymd % 100
        var cal = Calendar(identifier: .gregorian); cal.timeZone = TimeZone(identifier: "UTC")!
        return Int(cal.date(from: comps)!.timeIntervalSince1970 / 86400)
    }
    let end = day(19970930)
    var days: [Int: [Int: Double]] = [:]
    for line in text.split(whereSeparator: \.isNewline) {
        let f = line.split(separator: " ", omittingEmptySubsequences: true)
        guard f.count >= 5, let id = Int(f[0]), let date = Int(f[2]), let usd = Double(f[4]) else { continue }
        let d = day(date)
        if d <= end { days[id, default: [:]][d, default: 0] += usd }
    }
    var s: [PurchaseSummary] = [], m: [Double] = []
    for id in days.keys.sorted() {
        let per = days[id]!.sorted { $0.key < $1.key }
        s.append(PurchaseSummary(x: Double(per.count - 1), tx: Double(per.last!.key - per[0].key) / 7, T: Double(end - per[0].key) / 7))
        m.append(per.count > 1 ? per.dropFirst().map(\.value).reduce(0, +) / Double(per.count - 1) : 0)
    }
    let bg = BGNBDFit.fit(.group(s), threads: 2)
    let gg = GammaGammaFit.fit(frequency: s.map(\.x), meanValue: m, threads: 2)
    print("CDNOW customers \(s.count)")
    print("BG/NBD", bg.parameters.map { "r=\($0.r) alpha=\($0.alpha) a=\($0.a) b=\($0.b)" } ?? "nil",
          "LL=\(bg.logLikelihood ?? .nan) iters=\(bg.iterations) evals=\(bg.evaluations) |g|=\(bg.gradientNorm) \(bg.method)")
    print("Gamma-Gamma", gg.parameters.map { "p=\($0.p) q=\($0.q) gamma=\($0.gamma)" } ?? "nil",
          "n=\(gg.customers) LL=\(gg.logLikelihood ?? .nan) iters=\(gg.iterations) evals=\(gg.evaluations) |g|=\(gg.gradientNorm)")
    exit(0)
}

let n = args.first.flatMap(Int.init) ?? 1_000_000
let threads = args.dropFirst().first.flatMap(Int.init) ?? 2
let truth = BGNBDParameters(r: 0.2426, alpha: 4.4135, a: 0.7929, b: 2.4258)
let truthGG = GammaGammaParameters(p: 6.2488, q: 3.7446, gamma: 15.4477)
var t0 = DispatchTime.now()
let (summaries, values) = CustomerSimulator(bgnbd: truth, gammaGamma: truthGG, maxAgeDays: 728).simulate(count: n, seed: 42)
print("simulated \(n) customers in \(String(format: "%.3f", seconds(t0))) s (not timed below)")

t0 = DispatchTime.now()
let grouped = WeightedSummaries.group(summaries)
let tGroup = seconds(t0)
let bg = BGNBDFit.fit(grouped, threads: threads)
let tBG = seconds(t0)
let gg = GammaGammaFit.fit(frequency: summaries.map(\.x), meanValue: values, threads: threads)
let tFit = seconds(t0)
guard let pb = bg.parameters, let pg = gg.parameters else {
    print("fit failed: \(bg.reason ?? "") \(gg.reason ?? "")"); exit(1)
}
precondition(pb.r > 0 && pg.q > 1)
print("groups \(grouped.summaries.count) (grouping \(String(format: "%.3f", tGroup)) s)")
print("BG/NBD r=\(pb.r) alpha=\(pb.alpha) a=\(pb.a) b=\(pb.b) iters=\(bg.iterations) evals=\(bg.evaluations) |g|=\(bg.gradientNorm) [\(String(format: "%.3f", tBG)) s incl. grouping]")
print("Gamma-Gamma p=\(pg.p) q=\(pg.q) gamma=\(pg.gamma) repeat=\(gg.customers) iters=\(gg.iterations) evals=\(gg.evaluations) [\(String(format: "%.3f", tFit - tBG)) s incl. grouping]")
print(String(format: "FIT total (BG/NBD + Gamma-Gamma, %d threads): %.3f s", threads, tFit))

let model = LifetimeValueModel(bgnbd: pb, gammaGamma: pg)
let xs = summaries.map(\.x), txs = summaries.map(\.tx), Ts = summaries.map(\.T)
let perTx = [Double](repeating: 2.5, count: n)
t0 = DispatchTime.now()
let scores = model.scoreBatch(x: xs, tx: txs, T: Ts, meanValue: values, valuePerTransaction: perTx, threads: threads)
let tScore = seconds(t0)
var total = 0.0, spend = 0.0, alive = 0.0
for i in 0..<n { total += scores.clv[i]; spend += scores.clvSpend[i]; alive += scores.pAlive[i] }
precondition(total.isFinite && spend.isFinite && spend > 0 && alive > 0)
print(String(format: "SCORE %d customers (p_alive, E[Y(36m)], clvSpend, clv; %d threads): %.3f s", n, threads, tScore))
print(String(format: "  mean p_alive %.4f, mean clvSpend %.2f, mean clv %.3f", alive / Double(n), spend / Double(n), total / Double(n)))

// Worst case for the (x, T) cache: every customer has a distinct T.
let jittered = Ts.indices.map { Ts[$0] + Double($0 % 1000) * 1e-6 }
t0 = DispatchTime.now()
let scores2 = model.scoreBatch(x: xs, tx: txs, T: jittered, meanValue: values, valuePerTransaction: perTx, threads: threads)
let tScore2 = seconds(t0)
precondition(scores2.clv.reduce(0, +).isFinite)
print(String(format: "SCORE with ~no repeated (x, T) (cache mostly missing): %.3f s", tScore2))
