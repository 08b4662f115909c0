/// Formats transaction rows, assigns increasing txn ids and intersperses bad rows.
struct TxnWriter {
    var buf = RowBuffer()
    var nextId = 1
    var validRows = 0
    var badWritten = 0
    var bytesWritten = 0
    let badRows: Int
    let spacing: Int
    let unknownAccountBase: Int

    // Last valid row, reused by bad rows.
    var lastId = 0
    var lastAccount = 0
    var lastCustomer = 0
    var lastDay: Int32 = 0
    var hasLast = false

    // Cached YYYY-MM-DD of `cachedDay`.
    var cachedDay: Int32 = .min
    var dateBytes: [UInt8] = []

    init(badRows: Int, expected: Double, accountCount: Int) {
        self.badRows = badRows
        let e = Int(expected.rounded())
        spacing = max(1, e / (badRows + 1))
        unknownAccountBase = accountCount + 1000
    }

    @inline(__always) mutating func date(_ day: Int32) {
        if day != cachedDay {
            cachedDay = day
            var b = RowBuffer(flushAt: 16)
            b.date(Int(day))
            dateBytes = b.bytes
        }
        buf.ascii(dateBytes)
    }

    @inline(__always) mutating func flushIfNeeded<S: ByteSink>(_ sink: inout S) throws {
        if buf.needsFlush {
            bytesWritten += buf.bytes.count
            try buf.flush(into: &sink)
        }
    }

    mutating func write<S: ByteSink>(_ r: TxnRow, sink: inout S) throws {
        let id = nextId
        nextId += 1
        buf.byte(84); buf.padded(id, width: 10); buf.byte(44)
        buf.byte(65); buf.padded(Int(r.account) + 1, width: 9); buf.byte(44)
        buf.byte(67); buf.padded(Int(r.customer) + 1, width: 8); buf.byte(44)
        date(r.day); buf.byte(44)
        buf.cents(r.amount); buf.byte(44)
        buf.ascii(Names.currency[Int(r.currency.rawValue)]); buf.byte(44)
        buf.ascii(Names.type[Int(r.type.rawValue)]); buf.byte(44)
        buf.ascii(Names.channel[Int(r.channel.rawValue)]); buf.byte(44)
        buf.cents(Int64(r.fee)); buf.byte(10)
        validRows += 1
        lastId = id; lastAccount = Int(r.account) + 1; lastCustomer = Int(r.customer) + 1
        lastDay = r.day; hasLast = true
        if badWritten < badRows && validRows % spacing == 0 { writeBad() }
        try flushIfNeeded(&sink)
    }

    mutating func finish<S: ByteSink>(sink: inout S) throws {
        while badWritten < badRows {
            writeBad()
            try flushIfNeeded(&sink)
        }
        bytesWritten += buf.bytes.count
        try buf.flush(into: &sink)
    }

    mutating func writeBad() {
        let kind = BadRowKind(rawValue: badWritten % BadRowKind.allCases.count)!
        badWritten += 1
        let account = hasLast ? lastAccount : 1
        let customer = hasLast ? lastCustomer : 1
        let day = hasLast ? lastDay : 0
        var id = nextId
        if kind == .duplicateTxnId && hasLast { id = lastId } else { nextId += 1 }
        buf.byte(84); buf.padded(id, width: 10); buf.byte(44)
        if kind == .unknownAccountNoCustomer {
            buf.byte(65); buf.padded(unknownAccountBase + badWritten, width: 9); buf.byte(44)
            buf.byte(44)
        } else {
            buf.byte(65); buf.padded(account, width: 9); buf.byte(44)
            buf.byte(67); buf.padded(customer, width: 8); buf.byte(44)
        }
        if kind == .badDate {
            buf.padded(CivilDate(daysSinceEpoch: Int(day)).year, width: 4)
            buf.ascii("-02-30")
        } else {
            date(day)
        }
        buf.byte(44)
        switch kind {
        case .badDate: buf.ascii("-12.50,EUR,card,pos,0.00")
        case .nonNumericAmount: buf.ascii("abc,EUR,payment,online,0.00")
        case .unknownAccountNoCustomer: buf.ascii("-40.00,EUR,transfer,online,0.00")
        case .duplicateTxnId: buf.ascii("-20.00,EUR,card,pos,0.00")
        case .unknownCurrency: buf.ascii("-15.00,XYZ,card,online,0.00")
        case .tooFewFields: buf.ascii("-9.99")
        }
        buf.byte(10)
    }
}
