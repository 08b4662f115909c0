import Charts
import TierwiseAnalytics

/// report.md: the figures of report.html as plain Markdown, so they paste into an email or a
/// ticket. Built from `Summary` alone (no timings, no clock), so the same summary gives the
/// same bytes. Unknown values say "not available" and why, never 0.
public enum MarkdownReport {
    public static func render(_ s: Summary) -> String {
        var md = MarkdownText()
        let cur = s.reportingCurrency
        let h = s.headline

        md.line("# Customer value report — as of \(s.asOf)")
        md.line()
        md.line("\(s.windowDays)-day window ending \(s.asOf) · amounts in \(cur) · tierwise \(s.toolVersion) · summary schema \(s.schemaVersion)")
        md.line()

        // Headline.
        md.heading("Headline figures")
        md.table(["Figure", "Value"], [
            ["Customers", ReportText.count(h.customers)],
            ["Active customers (customer-initiated transaction in the window)", "\(ReportText.count(h.activeCustomers)) (\(ReportText.share(h.activeCustomers, of: h.customers)))"],
            ["Total profit (\(cur), a year)", ReportText.money(h.totalProfit)],
            ["Total CLV (\(cur))", ReportText.money(h.totalClv, unknown: "no lifetime-value model (see Lifetime value)")],
            ["Customers flagged", "\(ReportText.count(h.customersFlagged)) (\(ReportText.share(h.customersFlagged, of: h.customers)))"],
            ["Value at risk (\(cur))", ReportText.money(h.valueAtRisk, unknown: "no lifetime-value model (see Lifetime value)")],
            ["Data quality", ReportText.qualityStatus(s)],
        ], right: [1])
        md.notes(ReportText.notes(s, .general))

        // Profit.
        md.heading("Profit and its parts")
        let p = s.profit
        let niiReason = MarkdownText.escape(ReportText.profitReason(s))
        md.table(["Part", "Contribution to profit (\(cur), a year)"], [
            ["Net interest income", ReportText.money(p.netInterestIncome, unknown: niiReason)],
            ["Fee income", ReportText.money(p.feeIncome)],
            ["Expected loss", ReportText.money(p.expectedLoss.map { -$0 }, unknown: niiReason)],
            ["Cost to serve", ReportText.money(-p.costToServe)],
            ["**Profit**", "**\(ReportText.money(p.total))**"],
        ], right: [1], escape: false)
        md.line("Customers with negative profit: \(ReportText.count(p.negativeProfitCustomers)) (\(ReportText.share(p.negativeProfitCustomers, of: h.customers))).")
        md.line()
        // The reason for missing parts is in the table already.
        md.notes(Array(ReportText.notes(s, .profit).dropFirst(p.netInterestIncome == nil ? 1 : 0)))

        // Tiers.
        md.heading("Tiers")
        let tierRows = s.tiers.rows.map { t in
            ["Tier \(t.tier)", ReportText.count(t.customers), ReportText.share(t.customers, of: h.customers), ReportText.money(t.profit),
             ReportText.money(t.clv, unknown: nil), ReportText.money(t.relationshipBalance), t.cadence,
             NumberFormat.decimal(t.contactsPerWeek, places: 1), ReportText.count(t.privateBankingOverrides)]
        }
        let totalCLV: Double? = s.tiers.rows.contains { $0.clv == nil } ? nil : s.tiers.rows.reduce(0) { $0 + ($1.clv ?? 0) }
        let totalRow = ["**Total**", ReportText.count(s.tiers.rows.reduce(0) { $0 + $1.customers }), ReportText.share(h.customers, of: h.customers),
                        ReportText.money(s.tiers.rows.reduce(0) { $0 + $1.profit }), ReportText.money(totalCLV, unknown: nil),
                        ReportText.money(s.tiers.rows.reduce(0) { $0 + $1.relationshipBalance }), "",
                        NumberFormat.decimal(s.tiers.contactsPerWeek, places: 1), ReportText.count(s.tiers.rows.reduce(0) { $0 + $1.privateBankingOverrides })]
        md.table(["Tier", "Customers", "Share", "Profit (\(cur))", "CLV (\(cur))", "Relationship balance (\(cur))", "Cadence", "Contacts/week", "Private-banking overrides"],
                 tierRows.map { $0.map(MarkdownText.escape) } + [totalRow], right: [1, 2, 3, 4, 5, 7, 8], escape: false)
        if s.tiers.rows.contains(where: { $0.clv == nil }) {
            md.line("CLV per tier is not available: there is no lifetime-value model (see Lifetime value).")
            md.line()
        }
        md.line("The contact cadences imply \(NumberFormat.decimal(s.tiers.contactsPerWeek, places: 1)) relationship-manager contacts a week. "
                + ReportText.weightsSentence(s))
        md.line()
        md.line(ReportText.top20(p))
        md.line()

        // RFM.
        md.heading("RFM")
        md.line("Customers by recency score (rows, R5 = most recent) and frequency score (columns, F5 = most frequent):")
        md.line()
        md.table(["R \\ F"] + (1...5).map { "F\($0)" },
                 s.rfm.countsRByF.enumerated().map { r, row in ["R\(5 - r)"] + row.map(ReportText.count) }, right: Set(1...5))
        md.line("Mean monetary value (\(cur), sum of customer-initiated amounts in the window) in the same grid:")
        md.line()
        md.table(["R \\ F"] + (1...5).map { "F\($0)" },
                 s.rfm.meanMonetaryRByF.enumerated().map { r, row in ["R\(5 - r)"] + row.map { ReportText.money($0, unknown: nil, missing: "—") } }, right: Set(1...5))
        md.table(["Segment", "Customers", "Share", "Monetary (\(cur))", "Profit (\(cur))"],
                 s.rfm.segments.map { [$0.segment, ReportText.count($0.customers), ReportText.share($0.customers, of: h.customers),
                                       ReportText.money($0.monetary), ReportText.money($0.profit)] }, right: [1, 2, 3, 4])

        // Lifetime value.
        md.heading("Lifetime value")
        let m = s.models
        if let reason = m.unavailableReason { md.line("**Not available:** \(MarkdownText.escape(reason)).\n") }
        md.line("BG/NBD (purchase and drop-out model), time unit: \(MarkdownText.escape(m.timeUnit)).")
        md.line()
        md.table(["Parameter", "Value", "Meaning"], ReportText.bgnbdRows(m.bgnbd, timeUnit: m.timeUnit), right: [1])
        if let gg = m.gammaGamma {
            md.line("Gamma-Gamma (spend per purchase day) on customers with repeat purchases.")
            md.line()
            md.table(["Parameter", "Value", "Meaning"], ReportText.gammaGammaRows(gg, currency: cur), right: [1])
        } else {
            md.line("Gamma-Gamma (spend per purchase day): not fitted.")
            md.line()
        }
        for para in ReportText.modelReading(s) { md.line(MarkdownText.escape(para)); md.line() }
        if m.unavailableReason == nil && m.pAliveHistogram.reduce(0, +) > 0 {
            md.line("P(alive), the probability that a customer is still active:")
            md.line()
            let total = m.pAliveHistogram.reduce(0, +)
            md.table(["P(alive)", "Customers", "Share"], m.pAliveHistogram.enumerated().map { i, n in
                ["\(i * 10)–\(i * 10 + 10) %", ReportText.count(n), ReportText.share(n, of: total)]
            }, right: [1, 2])
        }
        if let fr = m.frequencyRecency {
            md.line("Mean expected transactions in the next 12 months by frequency (rows: repeat purchase days) "
                    + "and recency (columns: weeks since the last purchase):")
            md.line()
            md.table(["Repeat days \\ weeks since"] + fr.recencyBuckets, fr.frequencyBuckets.enumerated().map { f, label in
                [label] + fr.recencyBuckets.indices.map { r in
                    let v = f < fr.expectedTransactions.count && r < fr.expectedTransactions[f].count ? fr.expectedTransactions[f][r] : nil
                    return v.map { NumberFormat.decimal($0, places: 2) } ?? "—"
                }
            }, right: Set(1...max(1, fr.recencyBuckets.count)))
        }
        md.notes(ReportText.notes(s, .lifetimeValue).filter { m.unavailableReason == nil || !$0.hasPrefix("Lifetime value is not available") })

        // Churn.
        md.heading("Churn warnings")
        md.notes(ReportText.churnNotes(s))
        let unchecked = ReportText.uncheckedFlags(s)
        md.table(["Flag", "Customers"], ReportText.flagCounts(s.churn.byFlag).map {
            [ReportText.flagLabel($0.code) + " (`\($0.code)`)", unchecked.contains($0.code) ? "not checked" : ReportText.count($0.count)]
        }, right: [1], escape: false)
        md.table(["Severity", "Customers", "Share"], ReportText.severityCounts(s.churn.bySeverity).map {
            [ReportText.severityLabel($0.name), ReportText.count($0.count), ReportText.share($0.count, of: h.customers)]
        }, right: [1, 2])
        if s.churn.top.isEmpty {
            md.line("No customer is flagged.")
            md.line()
        } else {
            md.line(s.churn.top.allSatisfy { $0.valueAtRisk == nil }
                    ? "The first \(s.churn.top.count) flagged customers, most severe first (value at risk needs the lifetime-value model):"
                    : "Top \(s.churn.top.count) flagged customers by value at risk:")
            md.line()
            md.table(["#", "Customer", "Tier", "Manager", "Severity", "Value at risk (\(cur))", "Flags", "Reasons"],
                     s.churn.top.enumerated().map { k, w in
                         [String(k + 1), w.customerId, w.tier, ReportText.manager(w.managerId), w.severity, ReportText.money(w.valueAtRisk, unknown: nil),
                          w.flags.joined(separator: ", "), w.reasons]
                     }, right: [0, 5])
        }

        // Movement.
        md.heading("Tier movement")
        let mv = s.tierMovement
        if let prev = mv.previousRun {
            md.line("Against the previous run (\(MarkdownText.escape(prev))): \(ReportText.count(mv.moved)) customers changed tier, "
                    + "\(ReportText.count(mv.up)) up and \(ReportText.count(mv.down)) down.")
            md.line()
            let names = ReportText.movementTiers(s)
            md.table(["From \\ To"] + names.map { "To \($0)" }, mv.matrix.enumerated().map { r, row in
                ["From \(r < names.count ? names[r] : "?")"] + row.map(ReportText.count)
            }, right: Set(1...max(1, names.count)))
        } else {
            md.line("No previous run: tier movement starts with the next run.")
            md.line()
        }
        md.notes(ReportText.notes(s, .movement).filter { !(mv.previousRun == nil && $0.hasPrefix("No previous run")) })

        // Managers.
        md.heading("Relationship managers")
        let tiers = ReportText.tierNames(s)
        if s.managers.isEmpty {
            md.line("No customers.")
            md.line()
        } else {
            md.table(["Manager", "Customers"] + tiers.map { "Tier \($0)" } + ["Profit (\(cur))", "On watchlist", "Value at risk (\(cur))"],
                     s.managers.map { r in
                         [ReportText.manager(r.managerId), ReportText.count(r.customers)] + tiers.map { ReportText.count(r.byTier[$0] ?? 0) }
                             + [ReportText.money(r.profit), ReportText.count(r.watchlistCustomers), ReportText.money(r.valueAtRisk, unknown: nil)]
                     }, right: Set(1...(tiers.count + 4)))
        }

        // Data quality.
        md.heading("Data quality")
        md.line("Status: \(ReportText.qualityStatus(s)). A run fails when more than \(NumberFormat.percent(s.dataQuality.rejectThreshold)) of an input's rows are rejected.")
        md.line()
        md.table(["Input", "Rows read", "Accepted", "Rejected", "Rejected share", "After as-of date"], s.dataQuality.inputs.map { i in
            [i.name, ReportText.count(i.rowsRead), ReportText.count(i.accepted), ReportText.count(i.rejected), ReportText.share(i.rejected, of: i.rowsRead),
             ReportText.count(i.afterAsOf)]
        }, right: [1, 2, 3, 4, 5])
        let reasons = ReportText.rejectReasons(s.dataQuality)
        if reasons.isEmpty {
            md.line("No rows were rejected.")
            md.line()
        } else {
            md.table(["Input", "Reject reason", "Rows"], reasons.map { [$0.input, $0.reason, ReportText.count($0.rows)] }, right: [2])
        }
        let files = s.dataQuality.inputs.flatMap { i in i.files.map { (i.name, $0) } }
        if !files.isEmpty {
            md.table(["Input", "File", "Bytes", "Compression", "SHA-256"], files.map { name, f in
                [MarkdownText.escape(name), MarkdownText.escape(f.path), NumberFormat.integer(Int(f.bytes)), MarkdownText.escape(f.compression),
                 f.sha256.map { "`\($0)`" } ?? "not computed"]
            }, right: [2], escape: false)
        }

        // Notes.
        md.heading("Notes")
        if s.notes.isEmpty {
            md.line("None.")
        } else {
            for n in s.notes { md.line("- " + MarkdownText.escape(n)) }
        }
        return md.text
    }
}

/// Builds the Markdown text. Tables are padded to column width so the raw text reads as a
/// table too (in a plain-text email), not only once rendered.
struct MarkdownText {
    var text = ""

    mutating func line(_ s: String = "") { text += s + "\n" }

    mutating func heading(_ title: String) {
        line("## " + title)
        line()
    }

    /// Notes as a quoted list, so they stand out from the figures around them.
    mutating func notes(_ notes: [String]) {
        guard !notes.isEmpty else { return }
        for n in notes { line("> **Note:** " + MarkdownText.escape(n)) }
        line()
    }

    /// `right`: indexes of right-aligned (numeric) columns. Cells are escaped unless `escape`
    /// is false (then the caller escaped data cells and may use Markdown itself).
    mutating func table(_ headers: [String], _ rows: [[String]], right: Set<Int> = [], escape: Bool = true) {
        let cols = headers.count
        let body = rows.map { row in (0..<cols).map { i in i < row.count ? (escape ? MarkdownText.escape(row[i]) : row[i]) : "" } }
        var widths = headers.map { max(3, $0.count) }
        for row in body { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        func pad(_ s: String, _ i: Int) -> String {
            let fill = String(repeating: " ", count: widths[i] - s.count)
            return right.contains(i) ? fill + s : s + fill
        }
        line("| " + headers.enumerated().map { pad($0.element, $0.offset) }.joined(separator: " | ") + " |")
        line("|" + (0..<cols).map { i in
            right.contains(i) ? " " + String(repeating: "-", count: widths[i] - 1) + ": " : " " + String(repeating: "-", count: widths[i]) + " "
        }.joined(separator: "|") + "|")
        for row in body { line("| " + row.enumerated().map { pad($0.element, $0.offset) }.joined(separator: " | ") + " |") }
        line()
    }

    /// Customer ids, reasons and file names come from the bank's data: escape what would
    /// break a table row or be read as Markdown or HTML. Underscores are left alone (ids
    /// like C_00012 are common and CommonMark does not emphasise inside words), and so are
    /// `>` and `#`, which only mean something at the start of a line, where data never is.
    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "\\", "|", "*", "`", "[", "]", "<": out += "\\" + String(ch)
            case "\n", "\r", "\t": out += " "
            default: out.append(ch)
            }
        }
        return out
    }
}

/// Wording and number formats shared by the Markdown and HTML reports, so both say the same
/// thing in the same words.
enum ReportText {
    static func count(_ n: Int) -> String { NumberFormat.integer(n) }

    static func money(_ v: Double) -> String { NumberFormat.money(v) }

    /// An unknown amount is "not available" (with the reason when there is room), never 0.
    static func money(_ v: Double?, unknown reason: String?, missing: String = "not available") -> String {
        if let v { return NumberFormat.money(v) }
        if let reason, !reason.isEmpty { return "\(missing) — \(reason)" }
        return missing
    }

    /// One decimal, but a small non-zero share (a few rejected rows in millions) keeps enough
    /// places not to read as 0.
    static func share(_ part: Int, of whole: Int) -> String {
        guard whole > 0 else { return NumberFormat.notAvailable }
        let f = Double(part) / Double(whole)
        if part == 0 || f >= 0.0005 { return NumberFormat.percent(f) }
        return f >= 0.000005 ? NumberFormat.percent(f, places: 3) : "< 0.001 %"
    }

    /// Customers without a relationship manager are grouped under an empty id.
    static func manager(_ id: String) -> String { id.isEmpty ? "(no manager)" : id }

    /// Model parameters: four decimals, enough to compare with the published CDNOW fit.
    static func parameter(_ v: Double?) -> String { v.map { NumberFormat.decimal($0, places: 4) } ?? "not available" }

    // MARK: Notes

    /// Where a note of `Summary.notes` belongs. The notes are plain sentences, so this goes
    /// by their subject; a note nobody claims is shown with the headline figures.
    enum Topic { case general, profit, lifetimeValue, churn, movement }

    static func topic(of note: String) -> Topic {
        let n = note.lowercased()
        if n.contains("churn") { return .churn }
        if n.contains("previous run") || n.contains("tier movement") { return .movement }
        if n.contains("net interest income") || n.contains("expected loss") { return .profit }
        if n.contains("lifetime value") || n.contains("clv") || n.contains("bg/nbd") || n.contains("gamma-gamma") { return .lifetimeValue }
        return .general
    }

    static func notes(_ s: Summary, _ t: Topic) -> [String] { s.notes.filter { topic(of: $0) == t } }

    /// "X is not available: because …." → "because …".
    static func reason(in note: String) -> String {
        var r = Substring(note)
        if let range = note.range(of: "not available: ") { r = note[range.upperBound...] }
        while r.hasSuffix(".") { r = r.dropLast() }
        return String(r)
    }

    /// Why net interest income and expected loss are unknown.
    static func profitReason(_ s: Summary) -> String {
        notes(s, .profit).first.map(reason(in:)) ?? "no balances"
    }

    /// The churn notes, with the rules that could not be checked in one sentence (each once,
    /// whether it came as a note or only in `churn.unchecked`).
    static func churnNotes(_ s: Summary) -> [String] {
        let prefix = "Churn rule not checked: "
        var items: [String] = [], others: [String] = []
        for n in notes(s, .churn) {
            if n.hasPrefix(prefix) { items.append(trimmedSentence(String(n.dropFirst(prefix.count)))) } else { others.append(n) }
        }
        items += s.churn.unchecked.filter { !items.contains($0) }
        guard !items.isEmpty else { return others }
        let phrases = items.map { item -> String in
            guard let colon = item.range(of: ": ") else { return item }
            return "\(item[..<colon.lowerBound]) (\(item[colon.upperBound...]))"
        }
        return ["Not checked: \(phrases.joined(separator: "; "))."] + others
    }

    static func trimmedSentence(_ s: String) -> String {
        var t = Substring(s)
        while t.hasSuffix(".") { t = t.dropLast() }
        return String(t)
    }

    /// Flag codes that could not be checked ("BALANCE_DROP: no accounts dump" → BALANCE_DROP):
    /// their count is unknown, not 0. A rule listed as unchecked that still flagged someone
    /// was checked for part of the customers, so its count stands.
    static func uncheckedFlags(_ s: Summary) -> Set<String> {
        Set(s.churn.unchecked.compactMap { u in u.range(of: ":").map { String(u[..<$0.lowerBound]) } }
            .filter { (s.churn.byFlag[$0] ?? 0) == 0 })
    }

    static func top20(_ p: Summary.ProfitSummary) -> String {
        if let top = p.top20Share { return "The top 20 % of customers by profit bring \(NumberFormat.percent(top)) of the total profit." }
        return "The top 20 % share of profit is not available: there are no customers or the total profit is zero."
    }

    static func qualityStatus(_ s: Summary) -> String {
        let rejected = s.dataQuality.inputs.reduce(0) { $0 + $1.rejected }
        let read = s.dataQuality.inputs.reduce(0) { $0 + $1.rowsRead }
        if rejected == 0 { return "OK, no rows rejected" }
        return "\(count(rejected)) of \(count(read)) rows rejected (\(share(rejected, of: read))), below the threshold"
    }

    // MARK: Orders and labels

    /// Tier names in report order: the tier rows' order (A first).
    static func tierNames(_ s: Summary) -> [String] {
        let names = s.tiers.rows.map(\.tier)
        return names.isEmpty ? Tier.allCases.map(\.name) : names
    }

    /// Labels of the movement matrix: the tier rows when they match its size, else A…D.
    static func movementTiers(_ s: Summary) -> [String] {
        let names = tierNames(s)
        return names.count == s.tierMovement.matrix.count ? names : Array(Tier.allCases.map(\.name).prefix(s.tierMovement.matrix.count))
    }

    /// Flags in the order of metrics.md, then any code this version does not know, by name.
    static func flagCounts(_ byFlag: [String: Int]) -> [(code: String, count: Int)] {
        let known = ChurnFlags.all.map(\.1)
        return (known + byFlag.keys.filter { !known.contains($0) }.sorted()).map { ($0, byFlag[$0] ?? 0) }
    }

    static func flagLabel(_ code: String) -> String {
        switch code {
        case "DORMANT": return "Dormant"
        case "ACTIVITY_DROP": return "Activity drop"
        case "BALANCE_DROP": return "Balance drop"
        case "SALARY_STOPPED": return "Salary stopped"
        case "PRODUCT_CLOSED": return "Product closed"
        case "LOW_P_ALIVE": return "Low P(alive)"
        default: return code
        }
    }

    /// Most severe first.
    static func severityCounts(_ bySeverity: [String: Int]) -> [(name: String, count: Int)] {
        let known = Severity.allCases.reversed().map(\.name)
        return (known + bySeverity.keys.filter { !known.contains($0) }.sorted()).map { ($0, bySeverity[$0] ?? 0) }
    }

    static func severityLabel(_ name: String) -> String {
        switch name {
        case "critical": return "critical (three or more flags, or salary stopped with a balance drop)"
        case "warning": return "warning (two flags)"
        case "watch": return "watch (one flag)"
        case "none": return "none (not flagged)"
        default: return name
        }
    }

    /// The value-score weights in a fixed order.
    static func weights(_ w: [String: Double]) -> String {
        let known = [("clv", "CLV"), ("profit", "profit"), ("balance", "balance"), ("rfm", "RFM")]
        let extra = w.keys.filter { k in !known.contains { $0.0 == k } }.sorted().map { ($0, $0) }
        return (known + extra).compactMap { key, label in w[key].map { "\(label) \(NumberFormat.decimal($0, places: 2))" } }.joined(separator: ", ")
    }

    static func weightsSentence(_ s: Summary) -> String {
        var t = "Value score weights used: \(weights(s.tiers.weights))."
        if s.headline.totalClv == nil { t += " CLV's weight is spread over the others because there is no lifetime-value model." }
        return t
    }

    struct RejectReason { var input: String; var reason: String; var rows: Int }

    /// Per input in input order, most frequent reason first.
    static func rejectReasons(_ q: Summary.DataQuality) -> [RejectReason] {
        q.inputs.flatMap { i in
            i.rejectsByReason.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .map { RejectReason(input: i.name, reason: $0.key, rows: $0.value) }
        }
    }

    // MARK: Models

    /// "weeks" → "week".
    static func unit(_ timeUnit: String) -> String { timeUnit.hasSuffix("s") ? String(timeUnit.dropLast()) : timeUnit }

    static func unitsPerYear(_ timeUnit: String) -> Double? {
        switch timeUnit {
        case "weeks": return 365.25 / 7
        case "days": return 365.25
        default: return nil
        }
    }

    static func yesNo(_ b: Bool) -> String { b ? "yes" : "no" }

    /// Parameter, value, and what it means, for the BG/NBD fit.
    static func bgnbdRows(_ b: Summary.BGNBDSummary, timeUnit: String) -> [[String]] {
        let u = unit(timeUnit)
        let rate = b.r.flatMap { r in b.alpha.flatMap { $0 > 0 ? r / $0 : nil } }
        let drop = b.a.flatMap { a in b.b.flatMap { a + $0 > 0 ? a / (a + $0) : nil } }
        return [
            ["r", parameter(b.r), "shape of purchase rates across customers; below 1: most buy rarely, a few often"],
            ["α", parameter(b.alpha), "scale of purchase rates" + (rate.map { "; r/α = \(NumberFormat.decimal($0, places: 3)) purchase days a \(u) while active" } ?? "")],
            ["a", parameter(b.a), "with b, the chance of leaving after a purchase" + (drop.map { ": a/(a+b) = \(NumberFormat.percent($0))" } ?? "")],
            ["b", parameter(b.b), "with a, the chance of leaving after a purchase"],
            ["Log-likelihood", b.logLikelihood.map { NumberFormat.decimal($0, places: 2) } ?? "not available", "summed over customers, time in \(timeUnit)"],
            ["Customers", count(b.customers), "in the fit"],
            ["Repeat customers", count(b.repeatCustomers), "with at least two purchase days"],
            ["Converged", yesNo(b.converged), b.reason ?? ""],
            ["Iterations", count(b.iterations), b.method],
        ]
    }

    /// Parameter, value, and what it means, for the Gamma-Gamma fit.
    static func gammaGammaRows(_ g: Summary.GammaGammaSummary, currency: String) -> [[String]] {
        var rows = [
            ["p", parameter(g.p), "shape of one customer's spend per purchase day"],
            ["q", parameter(g.q), "shape of average spend across customers; the mean is finite only when q > 1"],
            ["γ", parameter(g.gamma), "scale of average spend across customers"],
            ["Mean spend per purchase day (\(currency))", meanSpend(g).map { NumberFormat.money($0) } ?? "not defined", "p·γ/(q−1)"],
            ["Log-likelihood", g.logLikelihood.map { NumberFormat.decimal($0, places: 2) } ?? "not available", "summed over customers"],
            ["Customers", count(g.customers), "with repeat purchases, in the fit"],
            ["Converged", yesNo(g.converged), ""],
            ["Iterations", count(g.iterations), ""],
        ]
        // The reason may be about the fit or about the mean spend (q ≤ 1), so it gets its own row.
        if let reason = g.reason { rows.append(["Note", "", reason]) }
        return rows
    }

    /// Gamma-Gamma mean spend p·γ/(q−1); infinite (so undefined) when q ≤ 1.
    static func meanSpend(_ g: Summary.GammaGammaSummary) -> Double? {
        guard let p = g.p, let q = g.q, let gamma = g.gamma, q > 1 else { return nil }
        return p * gamma / (q - 1)
    }

    /// The fitted parameters in plain words, for a reader who does not know BG/NBD: the
    /// mean purchase rate r/α, the drop-out chance a/(a+b) and the mean spend p·γ/(q−1).
    static func modelReading(_ s: Summary) -> [String] {
        let m = s.models, b = m.bgnbd
        guard let r = b.r, let alpha = b.alpha, let a = b.a, let bb = b.b, alpha > 0, a + bb > 0 else {
            // The report already says why the model is unavailable; only say so when it does not.
            return m.unavailableReason != nil ? [] : ["The purchase model has no fitted parameters, so there is nothing to read from it."]
        }
        let u = unit(m.timeUnit)
        let rate = r / alpha
        var text = "In plain words: a typical customer makes about \(NumberFormat.decimal(rate, places: 3)) purchase days a \(u) while still active"
        if let perYear = unitsPerYear(m.timeUnit) { text += " (about \(NumberFormat.decimal(rate * perYear, places: 1)) a year)" }
        text += ". "
        if r < 1 {
            text += "Purchase rates differ a lot between customers (r below 1): most buy rarely and a few buy often. "
        } else {
            text += "Purchase rates are fairly similar between customers (r of 1 or more). "
        }
        let drop = a / (a + bb)
        text += "After each purchase there is a \(NumberFormat.percent(drop)) chance that the customer becomes inactive for good, "
            + "and an inactive customer does not come back."
        if !b.converged { text += " Caution: the fit did not converge, so treat these figures as rough." }
        var paragraphs = [text]
        if let g = m.gammaGamma {
            if let spend = meanSpend(g) {
                paragraphs.append("Across customers, a purchase day is worth about \(NumberFormat.money(spend)) \(s.reportingCurrency) on average "
                                  + "(Gamma-Gamma p·γ/(q−1)); customers who have spent more per purchase day in the past are expected to keep doing so.")
            } else if let q = g.q, q <= 1 {
                paragraphs.append("The spend model's q is \(NumberFormat.decimal(q, places: 2)), not above 1, so the average spend per purchase day "
                                  + "is not defined (a few customers spend so much that the mean has no limit); spend-based CLV is left out.")
            } else if let reason = g.reason {
                paragraphs.append("The spend model could not be used: \(reason).")
            }
        }
        paragraphs.append("CLV in this report is the bank's value: each customer's expected future purchases over the horizon, discounted, "
                          + "each worth the profit the bank made per transaction with that customer in the window. It can be negative.")
        return paragraphs
    }
}
