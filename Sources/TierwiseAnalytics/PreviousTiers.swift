/// The previous run's tier and value-score components per customer id, for the tier
/// changes. Keyed by the id's bytes (`IdInterner`): the previous customers.csv of half a
/// million customers was a `Dictionary` of `String`s, whose hashing took longer than the rest
/// of the tier stage.
public struct PreviousTiers: Sendable {
    private var ids = IdInterner()
    private var tiers: [Tier] = []
    private var components: [ValueComponents] = []

    public init() {}

    /// Sets the customer's tier and components; a customer set twice keeps the last.
    public mutating func set(_ id: UnsafeRawBufferPointer, tier: Tier, components c: ValueComponents) {
        let k = Int(ids.intern(id))
        if k == tiers.count {
            tiers.append(tier)
            components.append(c)
        } else {
            tiers[k] = tier
            components[k] = c
        }
    }

    /// The customer's previous tier and components; nil for a customer the previous run did
    /// not have, and at once, without hashing the id, when there was no previous run.
    public func lookup(_ id: String) -> (tier: Tier, components: ValueComponents)? {
        guard !tiers.isEmpty, let k = ids.find(id) else { return nil }
        return (tiers[Int(k)], components[Int(k)])
    }
}
