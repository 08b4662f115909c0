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

/// The profiles of every customer, by customer index, stored by column: the customers dump
/// repeats a few hundred segments, branches and managers over half a million customers, so
/// each is a 4-byte code (17 bytes a customer instead of 64). An absent text reads as nil,
/// as an empty one did: the outputs write both as an empty field.
public struct ProfileTable: RandomAccessCollection, Sendable {
    /// Day number, or `Int32.min` when unknown.
    public private(set) var onboarded: [Int32] = []
    /// 1…10, or 0 when unknown.
    public private(set) var risk: [Int8] = []
    /// "" when unknown.
    public private(set) var segment = CodedStrings()
    public private(set) var branch = CodedStrings()
    public private(set) var manager = CodedStrings()

    public init() {}

    public init(_ rows: [CustomerProfile]) {
        for p in rows { append(p) }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { risk.count }

    public subscript(i: Int) -> CustomerProfile {
        get {
            func text(_ s: String) -> String? { s.isEmpty ? nil : s }
            return CustomerProfile(onboardedOn: onboarded[i] == Int32.min ? nil : Day(number: onboarded[i]), segment: text(segment[i]),
                                   riskRating: risk[i] == 0 ? nil : risk[i], branch: text(branch[i]), manager: text(manager[i]))
        }
        set {
            onboarded[i] = newValue.onboardedOn?.number ?? Int32.min
            risk[i] = newValue.riskRating ?? 0
            segment.set(i, newValue.segment ?? "")
            branch.set(i, newValue.branch ?? "")
            manager.set(i, newValue.manager ?? "")
        }
    }

    /// Replaces row i with a customers dump row's values, the texts as the field's bytes (nil
    /// when empty): coding them from bytes costs no `String` per row, and the dump's rows are
    /// taken on one thread in file order.
    public mutating func set(_ i: Int, onboardedOn: Day?, riskRating: Int8?, segment: UnsafeRawBufferPointer?, branch: UnsafeRawBufferPointer?,
                             manager: UnsafeRawBufferPointer?) {
        onboarded[i] = onboardedOn?.number ?? Int32.min
        risk[i] = riskRating ?? 0
        self.segment.set(i, bytes: segment)
        self.branch.set(i, bytes: branch)
        self.manager.set(i, bytes: manager)
    }

    /// Appends a row that knows nothing, as `append(CustomerProfile())` does without making
    /// and dropping a profile: ingest adds one for every new customer.
    public mutating func appendEmpty() {
        onboarded.append(Int32.min)
        risk.append(0)
        segment.appendEmpty()
        branch.appendEmpty()
        manager.appendEmpty()
    }

    public mutating func append(_ p: CustomerProfile) {
        onboarded.append(p.onboardedOn?.number ?? Int32.min)
        risk.append(p.riskRating ?? 0)
        segment.append(p.segment ?? "")
        branch.append(p.branch ?? "")
        manager.append(p.manager ?? "")
    }
}
