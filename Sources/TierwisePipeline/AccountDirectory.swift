import TierwiseAnalytics
import TierwiseIO

/// The accounts by dense key (`IdInterner.denseKey`), each with its customer and that
/// customer's dense key, for the transactions validator.
///
/// A row names an account and its customer. Finding the account's index, then the
/// account's customer, then the customer id's index were three cache misses into tables of
/// a million entries, a third of the validator's own time on L. With the directory, one
/// entry gives the account and its customer, and the row's customer id is checked by
/// comparing dense keys, which needs no memory at all; the interners are asked only when
/// an id is not of the dominant shape or the customer differs.
struct AccountDirectory: Sendable {
    struct Entry: Sendable {
        /// The account's index, or −1 when no account has this key.
        var account: Int32 = -1
        /// The account's customer, and that customer's dense key (−1 when it has none).
        var customer: Int32 = -1
        var customerKey: Int32 = -1
    }

    let entries: [Entry]

    /// Nil when the accounts' dense keys are too sparse for a directory to pay (it would
    /// take more than 16 bytes per account).
    init?(accounts: IdInterner, owner: [Int32], customers: IdInterner) {
        let n = accounts.denseKeyCount
        guard n > 0, n <= 4 * owner.count + 1024, customers.denseKeyCount <= Int(Int32.max) else { return nil }
        // Read at a random place for nearly every transaction, like the fold's tables.
        var entries = ProcessMemory.arrayOnHugePages(repeating: Entry(), count: n)
        for a in owner.indices {
            let key = accounts.denseKey(ofIndex: Int32(a))
            guard key >= 0 else { continue }
            let c = owner[a]
            entries[key] = Entry(account: Int32(a), customer: c, customerKey: c >= 0 ? Int32(customers.denseKey(ofIndex: c)) : -1)
        }
        self.entries = entries
    }
}
