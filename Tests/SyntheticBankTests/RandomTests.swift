import Foundation
import Testing
@testable import SyntheticBank

@Suite struct RandomTests {
    @Test func splitMixReferenceVector() {
        var s = SplitMix64(seed: 1234567)
        let got = (0..<5).map { _ in s.next() }
        #expect(got == [6457827717110365317, 3203168211198807973, 9817491932198370423,
                        4593380528125082431, 16408922859458223821])
    }

    @Test func xoshiroReferenceVector() {
        var x = Xoshiro256(state: (1, 2, 3, 4))
        let got = (0..<4).map { _ in x.next() }
        #expect(got == [11520, 0, 1509978240, 1215971899390074240])
    }

    @Test func detMathMatchesLibm() {
        var rng = Xoshiro256(seed: 99)
        var worstExp = 0.0, worstLog = 0.0
        for _ in 0..<20_000 {
            let x = rng.uniform(-700, 700)
            worstExp = max(worstExp, abs(DetMath.exp(x) / Foundation.exp(x) - 1))
            let y = DetMath.exp(rng.uniform(-700, 700))
            worstLog = max(worstLog, abs(DetMath.log(y) - Foundation.log(y)) / max(1, abs(Foundation.log(y))))
        }
        #expect(worstExp < 1e-14)
        #expect(worstLog < 1e-14)
        #expect(DetMath.log(1) == 0)
        #expect(DetMath.exp(0) == 1)
        #expect(abs(DetMath.log(Double.leastNonzeroMagnitude) - Foundation.log(Double.leastNonzeroMagnitude)) < 1e-10)
    }

    @Test func samplerMoments() {
        var rng = Xoshiro256(seed: 2024)
        let n = 100_000
        var sum = 0.0, sum2 = 0.0
        for _ in 0..<n { let z = rng.normal(); sum += z; sum2 += z * z }
        #expect(abs(sum / Double(n)) < 0.02)
        #expect(abs(sum2 / Double(n) - 1) < 0.02)

        sum = 0
        for _ in 0..<n { sum += rng.gamma(shape: 0.8, scale: 12.5) }
        #expect(abs(sum / Double(n) - 10) < 0.2)
        sum = 0
        for _ in 0..<n { sum += rng.gamma(shape: 5, scale: 0.2) }
        #expect(abs(sum / Double(n) - 1) < 0.01)

        for lambda in [0.3, 4.2, 75.0] {
            sum = 0; sum2 = 0
            for _ in 0..<20_000 { let k = Double(rng.poisson(lambda)); sum += k; sum2 += k * k }
            let mean = sum / 20_000, variance = sum2 / 20_000 - mean * mean
            #expect(abs(mean / lambda - 1) < 0.03)
            #expect(abs(variance / lambda - 1) < 0.06)
        }

        var values = (0..<20_001).map { _ in rng.lognormal(median: 2600, sigma: 0.3) }
        values.sort()
        #expect(abs(values[10_000] / 2600 - 1) < 0.02)

        var counts = [0, 0, 0]
        for _ in 0..<30_000 { counts[rng.int(3)] += 1 }
        #expect(counts.allSatisfy { abs($0 - 10_000) < 400 })
    }
}
