import Dispatch

/// Deterministic parallel loops.
///
/// Why fixed-size chunks summed in chunk order: floating-point addition is
/// not associative, so a sum whose grouping depended on the thread count
/// would give (slightly) different likelihoods — and different fitted
/// parameters — on different machines. Here the chunk boundaries depend only
/// on the data size and the partial sums are combined in chunk order, so the
/// result is bit-identical for any `threads`.
enum Parallel {
    /// Number of groups (or customers) per chunk.
    static let chunkSize = 2048

    /// Calls `body(chunk, range)` for every chunk of `count` items, spreading
    /// chunks statically over `threads` workers.
    static func forEachChunk(count: Int, chunkSize: Int = Parallel.chunkSize, threads: Int,
                             _ body: (Int, Range<Int>) -> Void) {
        let chunks = (count + chunkSize - 1) / chunkSize
        guard chunks > 0 else { return }
        let workers = max(1, min(threads, chunks))
        func run(_ chunk: Int) { body(chunk, chunk * chunkSize ..< min(count, (chunk + 1) * chunkSize)) }
        if workers == 1 {
            for c in 0..<chunks { run(c) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var c = w
            while c < chunks { run(c); c += workers }
        }
    }

    /// Sums `width` accumulators over `count` items: `body(range, acc)` adds
    /// its chunk's contributions into `acc` (zeroed, length `width`); chunk
    /// results are then added in chunk order.
    static func chunkedSums(count: Int, width: Int, threads: Int,
                            _ body: (Range<Int>, UnsafeMutablePointer<Double>) -> Void) -> [Double] {
        let chunks = (count + chunkSize - 1) / chunkSize
        var partial = [Double](repeating: 0, count: max(1, chunks) * width)
        partial.withUnsafeMutableBufferPointer { buf in
            let base = buf.baseAddress!
            forEachChunk(count: count, threads: threads) { chunk, range in
                body(range, base + chunk * width)
            }
        }
        var total = [Double](repeating: 0, count: width)
        for c in 0..<chunks { for k in 0..<width { total[k] += partial[c * width + k] } }
        return total
    }
}
