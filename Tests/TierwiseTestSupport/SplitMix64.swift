import SyntheticBank

/// The generator for tests that draw random inputs: SyntheticBank's SplitMix64, the same
/// values on every run, so a failure names an input that can be reproduced.
public typealias SplitMix64 = SyntheticBank.SplitMix64

extension SyntheticBank.SplitMix64 {
    public init(state: UInt64) { self.init(seed: state) }

    public mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next() >> 24) } }

    /// A value in `0..<bound`.
    public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
