/// What the customers dump says of a customer. Every field is optional: the dump is.
public struct CustomerProfile: Sendable, Equatable {
    public var onboardedOn: Day?
    public var segment: String?
    /// 1 (safest) … 10 (riskiest).
    public var riskRating: Int8?
    public var branch: String?
    /// The relationship manager's id.
    public var manager: String?

    public init(onboardedOn: Day? = nil, segment: String? = nil, riskRating: Int8? = nil, branch: String? = nil, manager: String? = nil) {
        self.onboardedOn = onboardedOn
        self.segment = segment
        self.riskRating = riskRating
        self.branch = branch
        self.manager = manager
    }
}
