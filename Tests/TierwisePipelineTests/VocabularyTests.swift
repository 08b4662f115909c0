import Testing
import TierwiseAnalytics
@testable import TierwisePipeline

private func look<V>(_ v: Vocabulary<V>, _ text: String) -> V? {
    Array(text.utf8).withUnsafeBytes { v.lookup($0) }
}

/// Labels of up to 16 bytes are compared packed, longer ones byte by byte: both must match
/// without ASCII case, and only whole labels.
@Test func vocabularyMatchesLabelsOfAnyLengthWithoutCase() {
    let v = Vocabulary(contract: TransactionType.named,
                       labels: ["POS PURCHASE": "card", "Kartenzahlung Inland EUR": "card", "SEPA-GUTSCHRIFT!": "deposit", "Überweisung": "transfer"])
    #expect(look(v, "card") == .card && look(v, "CARD") == .card && look(v, "Card") == .card)
    #expect(look(v, "withdrawal") == .withdrawal && look(v, "WithDrawal") == .withdrawal)
    #expect(look(v, "pos purchase") == .card && look(v, "POS Purchase") == .card)
    #expect(look(v, "KARTENZAHLUNG INLAND EUR") == .card && look(v, "kartenzahlung inland eur") == .card)
    #expect(look(v, "sepa-gutschrift!") == .deposit)  // exactly 16 bytes
    #expect(look(v, "Überweisung") == .transfer)  // non-ASCII bytes compared as they are
    #expect(look(v, "cards") == nil && look(v, "car") == nil && look(v, "") == nil)
    #expect(look(v, "SEPA-GUTSCHRIFT!x") == nil && look(v, "Kartenzahlung Inland EURO") == nil)
    #expect(look(v, "POS  PURCHASE") == nil)
}

@Test func currencyTableKnowsTheReportingCurrencyAndTheRates() {
    let t = CurrencyTable(reporting: "EUR", rates: ["USD": 0.92])
    func outcome(_ code: String) -> String {
        switch Array(code.utf8).withUnsafeBytes({ t.lookup($0) }) {
        case .same: "same"
        case .rate(let r): "rate \(r)"
        case .unknown: "unknown"
        }
    }
    #expect(outcome("EUR") == "same")
    #expect(outcome("USD") == "rate 92000000")
    #expect(outcome("eur") == "unknown" && outcome("EURO") == "unknown" && outcome("XYZ") == "unknown")
    let long = CurrencyTable(reporting: "A-CURRENCY-CODE-OVER-16", rates: [:])
    #expect(Array("A-CURRENCY-CODE-OVER-16".utf8).withUnsafeBytes { if case .same = long.lookup($0) { true } else { false } })
}
