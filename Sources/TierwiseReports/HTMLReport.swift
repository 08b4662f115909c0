import Charts

/// report.html: one self-contained page (inline CSS and SVG, no script, nothing fetched) for
/// a bank's head of retail, with the figures of `Summary` as charts and tables. Stage timings
/// and the run's parameters come in beside the summary because they are not in summary.json
/// (timings differ run to run); everything else on the page is the same for the same summary.
public enum HTMLReport {
    public static func render(_ s: Summary, stages: [Summary.StageTiming], parameters: [(String, String)]) -> String {
        let sections = [
            HTML.Section(id: "headline", title: "Headline figures", body: headline(s)),
            HTML.Section(id: "tiers", title: "Tiers", body: tiers(s)),
            HTML.Section(id: "rfm", title: "RFM", body: rfm(s)),
            HTML.Section(id: "lifetime-value", title: "Lifetime value", body: lifetimeValue(s)),
            HTML.Section(id: "churn", title: "Churn warnings", body: churn(s)),
            HTML.Section(id: "tier-movement", title: "Tier movement", body: movement(s)),
            HTML.Section(id: "managers", title: "Relationship managers", body: managers(s)),
            HTML.Section(id: "data-quality", title: "Data quality", body: dataQuality(s, stages: stages, parameters: parameters)),
        ]
        return HTML.page(
            title: "Customer value report — as of \(s.asOf)",
            subtitle: "\(s.windowDays)-day window ending \(s.asOf) · amounts in \(s.reportingCurrency) · \(NumberFormat.integer(s.headline.customers)) customers",
            sections: sections,
            footer: "tierwise \(s.toolVersion) · summary schema \(s.schemaVersion) · the same figures are in summary.json and report.md")
    }

    /// A chart in a figure. Inline SVG in HTML needs no namespace declaration, and without it
    /// the page holds no "http" at all, so "no external references" is a plain text check.
    static func figure(_ svg: String, caption: String? = nil) -> String {
        HTML.figure(svg.replacing(" xmlns=\"http://www.w3.org/2000/svg\"", with: ""), caption: caption)
    }

    static func h3(_ title: String) -> String { "<h3>\(HTML.escape(title))</h3>\n" }

    static func notices(_ notes: [String]) -> String { notes.map { HTML.notice($0, kind: .warning) }.joined() }

    /// Money on cards: whole units, so eight cards fit on two rows; the tables carry cents.
    static func cardMoney(_ v: Double) -> String { NumberFormat.money(v, places: 0) }

    // MARK: Sections

    static func headline(_ s: Summary) -> String {
        let h = s.headline, cur = s.reportingCurrency
        let critical = s.churn.bySeverity["critical"] ?? 0
        let rejected = s.dataQuality.inputs.reduce(0) { $0 + $1.rejected }
        let read = s.dataQuality.inputs.reduce(0) { $0 + $1.rowsRead }
        // Cards stay short; the reason is in the Lifetime value section.
        let modelMissing = "no lifetime-value model; see Lifetime value"
        let cards = [
            HTML.Card(label: "Customers", value: NumberFormat.integer(h.customers), note: "as of \(s.asOf)"),
            HTML.Card(label: "Active customers", value: NumberFormat.integer(h.activeCustomers),
                      note: "\(ReportText.share(h.activeCustomers, of: h.customers)) transacted in the last \(s.windowDays) days"),
            HTML.Card(label: "Total profit (\(cur))", value: cardMoney(h.totalProfit),
                      note: "a year; \(NumberFormat.integer(s.profit.negativeProfitCustomers)) customers loss-making"),
            HTML.Card(label: "Total CLV (\(cur))", value: h.totalClv.map(cardMoney) ?? "not available",
                      note: h.totalClv == nil ? modelMissing : "bank's lifetime value of all customers"),
            HTML.Card(label: "Top 20 % share of profit", value: s.profit.top20Share.map { NumberFormat.percent($0) } ?? "not available",
                      note: "of profit from the best 20 % of customers"),
            HTML.Card(label: "Customers flagged", value: NumberFormat.integer(h.customersFlagged),
                      note: "\(ReportText.share(h.customersFlagged, of: h.customers)) of customers; \(NumberFormat.integer(critical)) critical"),
            HTML.Card(label: "Value at risk (\(cur))", value: h.valueAtRisk.map(cardMoney) ?? "not available",
                      note: h.valueAtRisk == nil ? modelMissing : "CLV of flagged customers × (1 − P(alive))"),
            HTML.Card(label: "Data quality", value: rejected == 0 ? "OK" : "Rejects",
                      note: rejected == 0 ? "no rows rejected"
                          : "\(NumberFormat.integer(rejected)) of \(NumberFormat.integer(read)) rows (\(ReportText.share(rejected, of: read))); limit \(NumberFormat.percent(s.dataQuality.rejectThreshold))"),
        ]
        var b = HTML.headlineCards(cards)
        b += notices(ReportText.notes(s, .general))

        // Profit bridge: the parts add up to the profit, costs below zero.
        let p = s.profit
        b += h3("Profit and its parts")
        let nan = Double.nan
        b += figure(BarChart(
            title: "Where the profit comes from", subtitle: "All customers, a year; costs and losses are below zero",
            categories: ["Net interest income", "Fee income", "Expected loss", "Cost to serve", "Profit"],
            values: [p.netInterestIncome ?? nan, p.feeIncome, p.expectedLoss.map { -$0 } ?? nan, -p.costToServe, p.total],
            seriesName: "Contribution", xAxisTitle: "Part of profit", yAxisTitle: "Contribution to profit (\(cur))",
            valueFormat: .money(""), height: 360).svg(),
            caption: p.netInterestIncome == nil ? "Net interest income and expected loss are not available, so they have no bar." : nil)
        // The reason for a missing part is in the notice under the table.
        b += HTML.table(headers: ["Part", "Contribution to profit (\(cur), a year)"], rows: [
            ["Net interest income", ReportText.money(p.netInterestIncome, unknown: nil)],
            ["Fee income", ReportText.money(p.feeIncome)],
            ["Expected loss", ReportText.money(p.expectedLoss.map { -$0 }, unknown: nil)],
            ["Cost to serve", ReportText.money(-p.costToServe)],
            ["Profit", ReportText.money(p.total)],
        ], numericColumns: [1])
        b += notices(ReportText.notes(s, .profit))
        return b
    }

    static let noCustomers = HTML.notice("There are no customers in this run.")

    static func tiers(_ s: Summary) -> String {
        guard s.headline.customers > 0 else { return noCustomers }
        let cur = s.reportingCurrency, rows = s.tiers.rows
        let names = rows.map { "Tier \($0.tier)" }
        let clvKnown = !rows.contains { $0.clv == nil }
        var b = figure(BarChart(
            title: "Customers per tier", categories: names, values: rows.map { Double($0.customers) }, seriesName: "Customers",
            xAxisTitle: "Tier", yAxisTitle: "Customers (count)", valueFormat: .integer, height: 340).svg())
        var series = [BarChart.Series("Profit, a year", rows.map(\.profit))]
        if clvKnown { series.append(BarChart.Series("CLV", rows.map { $0.clv ?? .nan })) }
        b += figure(BarChart(
            title: clvKnown ? "Profit and lifetime value per tier" : "Profit per tier",
            subtitle: "Sum over the tier's customers",
            categories: names, series: series, xAxisTitle: "Tier", yAxisTitle: "Amount (\(cur))", valueFormat: .money(""), height: 380).svg(),
            caption: clvKnown ? nil : "CLV per tier is not available: there is no lifetime-value model (see Lifetime value).")
        let total = s.headline.customers
        // Nine columns of cents do not fit the page: private-banking overrides go in the text below.
        b += HTML.table(
            headers: ["Tier", "Customers", "Share", "Profit (\(cur))", "CLV (\(cur))", "Balance (\(cur))", "Cadence", "Contacts a week"],
            rows: rows.map { t in
                [t.tier, ReportText.count(t.customers), ReportText.share(t.customers, of: total), ReportText.money(t.profit),
                 ReportText.money(t.clv, unknown: nil), ReportText.money(t.relationshipBalance), t.cadence,
                 NumberFormat.decimal(t.contactsPerWeek, places: 1)]
            } + [["Total", ReportText.count(rows.reduce(0) { $0 + $1.customers }), ReportText.share(total, of: total),
                  ReportText.money(rows.reduce(0) { $0 + $1.profit }),
                  clvKnown ? ReportText.money(rows.reduce(0) { $0 + ($1.clv ?? 0) }) : "not available",
                  ReportText.money(rows.reduce(0) { $0 + $1.relationshipBalance }), "",
                  NumberFormat.decimal(s.tiers.contactsPerWeek, places: 1)]],
            numericColumns: [1, 2, 3, 4, 5, 7], caption: "Tiers (balance: deposits, investments and loans)")
        let overrides = rows.reduce(0) { $0 + $1.privateBankingOverrides }
        var text = "Tiers rank customers by a value score. \(ReportText.weightsSentence(s))"
        if overrides > 0 {
            text += " \(NumberFormat.integer(overrides)) \(overrides == 1 ? "customer is" : "customers are") in tier A by the private-banking "
                + "threshold on relationship balance rather than by rank."
        }
        b += HTML.paragraph(text)

        // Pareto.
        b += h3("Concentration of profit")
        let pts = s.profit.pareto.compactMap { $0.count >= 2 ? LineChart.Point($0[0], $0[1]) : nil }
        if pts.count >= 2 {
            let peak = pts.map(\.y).max() ?? 1
            var markers: [LineChart.Marker] = []
            if let top = s.profit.top20Share {
                markers.append(.init(x: 0.2, y: top, label: "Top 20 % of customers: \(NumberFormat.percent(top)) of profit"))
            }
            b += figure(LineChart(
                title: "Cumulative share of profit (Pareto curve)", subtitle: "Customers ranked from most to least profitable",
                series: [.init("Cumulative share of profit", points: pts), .init("Equal share for every customer", [(0, 0), (1, 1)])],
                xAxisTitle: "Share of customers, most profitable first (%)", yAxisTitle: "Cumulative share of total profit (%)",
                xFormat: .percent(0), yFormat: .percent(0), xDomain: 0...1, yDomain: 0...1,
                referenceLines: peak > 1.0001 ? [.init(axis: .y, value: 1, label: "100 % of total profit")] : [],
                markers: markers).svg(),
                caption: peak > 1.0001 ? "The curve rises above 100 % and falls back because loss-making customers (at the right) take profit away." : nil)
            b += HTML.paragraph(ReportText.top20(s.profit))
        } else {
            b += HTML.notice("The Pareto curve is not available: the total profit is zero.")
        }

        // Contact workload.
        b += h3("Contact workload")
        b += figure(BarChart(
            title: "Relationship-manager contacts a week", subtitle: "From each tier's contact cadence; \(NumberFormat.decimal(s.tiers.contactsPerWeek, places: 1)) a week in all",
            categories: rows.map { "Tier \($0.tier) (\($0.cadence))" }, values: rows.map(\.contactsPerWeek), seriesName: "Contacts a week",
            xAxisTitle: "Tier (contact cadence)", yAxisTitle: "Contacts a week (count)", valueFormat: .decimal(1), height: 320).svg())
        return b
    }

    static func rfm(_ s: Summary) -> String {
        guard s.headline.customers > 0 else { return noCustomers }
        let cur = s.reportingCurrency
        let rowLabels = ["R5 (most recent)", "R4", "R3", "R2", "R1 (least recent)"]
        let colLabels = ["F1 (fewest)", "F2", "F3", "F4", "F5 (most)"]
        var b = HTML.paragraph("Each customer gets a score from 1 to 5 for recency (days since the last customer-initiated transaction), "
                               + "frequency (transactions in the window) and monetary value (amount moved in the window), 5 best, against the other customers.")
        b += figure(HeatMap(
            title: "Customers by recency and frequency score", rowLabels: rowLabels, columnLabels: colLabels,
            values: s.rfm.countsRByF.map { $0.map { Optional(Double($0)) } }, rowAxisTitle: "Recency score (R)",
            columnAxisTitle: "Frequency score (F)", valueFormat: .integer, legendTitle: "Customers (count)").svg())
        b += figure(HeatMap(
            title: "Mean monetary value by recency and frequency score", subtitle: "Amount moved in the window, per customer; n/a where a cell has no customers",
            rowLabels: rowLabels, columnLabels: colLabels, values: s.rfm.meanMonetaryRByF, rowAxisTitle: "Recency score (R)",
            columnAxisTitle: "Frequency score (F)", valueFormat: .money(""), legendTitle: "Mean monetary value (\(cur))").svg())
        b += h3("Segments")
        let segs = s.rfm.segments
        b += figure(BarChart(
            title: "Customers per RFM segment", categories: segs.map(\.segment), values: segs.map { Double($0.customers) }, seriesName: "Customers",
            xAxisTitle: "Segment", yAxisTitle: "Customers (count)", valueFormat: .integer, height: 420).svg())
        b += HTML.table(headers: ["Segment", "Customers", "Share", "Monetary (\(cur))", "Profit (\(cur))", "Profit per customer (\(cur))"],
                        rows: segs.map { g in
                            [g.segment, ReportText.count(g.customers), ReportText.share(g.customers, of: s.headline.customers),
                             ReportText.money(g.monetary), ReportText.money(g.profit),
                             g.customers > 0 ? ReportText.money(g.profit / Double(g.customers)) : NumberFormat.notAvailable]
                        }, numericColumns: [1, 2, 3, 4, 5])
        return b
    }

    static func lifetimeValue(_ s: Summary) -> String {
        let m = s.models, cur = s.reportingCurrency
        var b = ""
        if let reason = m.unavailableReason {
            b += HTML.notice("Lifetime value is not available: \(reason). CLV, value at risk and the LOW_P_ALIVE warning are left out of this report.", kind: .warning)
        }
        b += notices(ReportText.notes(s, .lifetimeValue).filter { m.unavailableReason == nil || !$0.hasPrefix("Lifetime value is not available") })
        for para in ReportText.modelReading(s) { b += HTML.paragraph(para) }
        b += HTML.table(headers: ["Parameter", "Value", "Meaning"], rows: ReportText.bgnbdRows(m.bgnbd, timeUnit: m.timeUnit), numericColumns: [1],
                        caption: "BG/NBD: purchases and drop-out (time unit: \(m.timeUnit))")
        if let gg = m.gammaGamma {
            b += HTML.table(headers: ["Parameter", "Value", "Meaning"], rows: ReportText.gammaGammaRows(gg, currency: cur), numericColumns: [1],
                            caption: "Gamma-Gamma: spend per purchase day")
        }
        guard m.unavailableReason == nil else { return b }

        if m.pAliveHistogram.reduce(0, +) > 0 {
            b += h3("Who is still active")
            b += figure(Histogram(
                title: "Customers by P(alive)", subtitle: "Probability that the customer has not left for good (BG/NBD)",
                edges: (0...10).map { Double($0) / 10 }, counts: m.pAliveHistogram,
                xAxisTitle: "P(alive) (%)", yAxisTitle: "Customers (count)", edgeFormat: .percent(0)).svg())
        }
        if let fr = m.frequencyRecency, !fr.frequencyBuckets.isEmpty, !fr.recencyBuckets.isEmpty {
            // As the lifetimes package draws it: recency down the side, frequency along the bottom
            // (recency here is weeks since the last purchase, so the most recent row is on top).
            let cells: [[Double?]] = fr.recencyBuckets.indices.map { r in
                fr.frequencyBuckets.indices.map { f in
                    f < fr.expectedTransactions.count && r < fr.expectedTransactions[f].count ? fr.expectedTransactions[f][r] : nil
                }
            }
            b += h3("Expected purchases by frequency and recency")
            b += figure(HeatMap(
                title: "Expected transactions in the next 12 months", subtitle: "Mean per customer, by purchase history (BG/NBD)",
                rowLabels: fr.recencyBuckets.map { "\($0) wk" }, columnLabels: fr.frequencyBuckets, values: cells,
                rowAxisTitle: "Recency: weeks since the last purchase", columnAxisTitle: "Frequency: repeat purchase days in the history",
                valueFormat: .decimal(2), legendTitle: "Expected transactions (count)").svg(),
                caption: "Customers who bought often and recently (top right) are expected to buy most; frequent buyers "
                    + "who have not bought for many weeks (bottom right) have probably left. n/a: no customers in the cell.")
        }
        return b
    }

    static func churn(_ s: Summary) -> String {
        guard s.headline.customers > 0 else { return noCustomers }
        let cur = s.reportingCurrency
        let flags = ReportText.flagCounts(s.churn.byFlag)
        let unchecked = ReportText.uncheckedFlags(s)
        var b = notices(ReportText.churnNotes(s))
        // A rule that could not be checked has no bar: its count is unknown, not 0.
        let notChecked = flags.filter { unchecked.contains($0.code) }.map { ReportText.flagLabel($0.code) }
        b += figure(BarChart(
            title: "Customers per churn warning",
            subtitle: "A customer can carry several warnings" + (notChecked.isEmpty ? "" : "; no bar, not checked: " + notChecked.joined(separator: ", ")),
            categories: flags.map { ReportText.flagLabel($0.code) },
            values: flags.map { unchecked.contains($0.code) ? .nan : Double($0.count) }, seriesName: "Customers",
            xAxisTitle: "Warning", yAxisTitle: "Customers (count)", valueFormat: .integer, height: 360).svg())
        b += HTML.table(headers: ["Severity", "Customers", "Share of customers"],
                        rows: ReportText.severityCounts(s.churn.bySeverity).map {
                            [ReportText.severityLabel($0.name), ReportText.count($0.count), ReportText.share($0.count, of: s.headline.customers)]
                        }, numericColumns: [1, 2])
        let riskKnown = s.churn.top.contains { $0.valueAtRisk != nil }
        b += h3(riskKnown ? "Watchlist: top \(s.churn.top.count) by value at risk" : "Watchlist: first \(s.churn.top.count), most severe first")
        if s.churn.top.isEmpty {
            b += HTML.paragraph("No customer is flagged.")
        } else {
            b += HTML.paragraph(riskKnown
                ? "Value at risk is max(CLV, 0) × (1 − P(alive)): what the bank stands to lose if the customer leaves. The full list is in watchlist.csv."
                : "Value at risk is not available without a lifetime-value model, so this list is by severity. The full list is in watchlist.csv.")
            b += HTML.table(headers: ["#", "Customer", "Tier", "Manager", "Severity", "Value at risk (\(cur))", "Warnings", "Reasons"],
                            rows: s.churn.top.enumerated().map { k, w in
                                [String(k + 1), w.customerId, w.tier, ReportText.manager(w.managerId), w.severity, ReportText.money(w.valueAtRisk, unknown: nil),
                                 w.flags.map(ReportText.flagLabel).joined(separator: ", "), w.reasons]
                            }, numericColumns: [0, 5])
        }
        return b
    }

    static func movement(_ s: Summary) -> String {
        let mv = s.tierMovement
        guard let prev = mv.previousRun else {
            return HTML.notice(ReportText.notes(s, .movement).first ?? "No previous run in the output folder: tier movement starts with the next run.")
        }
        let names = ReportText.movementTiers(s)
        var b = HTML.paragraph("Against the previous run (\(prev)): \(NumberFormat.integer(mv.moved)) customers changed tier, "
                               + "\(NumberFormat.integer(mv.up)) up and \(NumberFormat.integer(mv.down)) down. The full list is in tier_changes.csv.")
        b += notices(ReportText.notes(s, .movement))
        b += figure(HeatMap(
            title: "Tier movement since the previous run", subtitle: "Customers in both runs; outlined diagonal = same tier",
            rowLabels: names.map { "From \($0)" }, columnLabels: names.map { "To \($0)" },
            values: mv.matrix.map { $0.map { Optional(Double($0)) } }, rowAxisTitle: "Tier in the previous run",
            columnAxisTitle: "Tier now", valueFormat: .integer, legendTitle: "Customers", highlightDiagonal: true, scaling: .sqrt).svg(),
            caption: "Above the diagonal: moved down; below it: moved up.")
        return b
    }

    static func managers(_ s: Summary) -> String {
        guard !s.managers.isEmpty else { return HTML.paragraph("No customers.") }
        let cur = s.reportingCurrency, tiers = ReportText.tierNames(s)
        return HTML.table(
            headers: ["Manager", "Customers"] + tiers.map { "Tier \($0)" } + ["Profit (\(cur))", "On watchlist", "Value at risk (\(cur))"],
            rows: s.managers.map { r in
                [ReportText.manager(r.managerId), ReportText.count(r.customers)] + tiers.map { ReportText.count(r.byTier[$0] ?? 0) }
                    + [ReportText.money(r.profit), ReportText.count(r.watchlistCustomers), ReportText.money(r.valueAtRisk, unknown: nil)]
            }, numericColumns: Set(1...(tiers.count + 4)))
    }

    static func dataQuality(_ s: Summary, stages: [Summary.StageTiming], parameters: [(String, String)]) -> String {
        let q = s.dataQuality
        let rejected = q.inputs.reduce(0) { $0 + $1.rejected }
        var b = rejected == 0
            ? HTML.notice("No rows were rejected.")
            : HTML.notice("\(ReportText.qualityStatus(s)) of \(NumberFormat.percent(q.rejectThreshold)) per input. The rejected rows and their reasons are in rejects.csv.", kind: .warning)
        b += HTML.table(headers: ["Input", "Rows read", "Accepted", "Rejected", "Rejected share", "After the as-of date"],
                        rows: q.inputs.map { i in
                            [i.name, ReportText.count(i.rowsRead), ReportText.count(i.accepted), ReportText.count(i.rejected),
                             ReportText.share(i.rejected, of: i.rowsRead), ReportText.count(i.afterAsOf)]
                        }, numericColumns: [1, 2, 3, 4, 5], caption: "Rows per input (rows after the as-of date are ignored)")
        let reasons = ReportText.rejectReasons(q)
        if !reasons.isEmpty {
            b += HTML.table(headers: ["Input", "Reject reason", "Rows"], rows: reasons.map { [$0.input, $0.reason, ReportText.count($0.rows)] },
                            numericColumns: [2], caption: "Rejected rows by reason")
        }
        let files = q.inputs.flatMap { i in i.files.map { (i.name, $0) } }
        if !files.isEmpty {
            // Two tables: a 64-digit hash does not wrap, and beside the path it would not fit.
            b += HTML.table(headers: ["Input", "File", "Bytes", "Compression"],
                            rows: files.map { [$0.0, $0.1.path, NumberFormat.integer(Int($0.1.bytes)), $0.1.compression] },
                            numericColumns: [2], caption: "Input files")
            b += HTML.table(headers: ["File", "SHA-256"], rows: files.map { [$0.1.path, $0.1.sha256 ?? "not computed"] },
                            caption: "Checksums of the input files")
        }
        if !parameters.isEmpty {
            b += HTML.table(headers: ["Parameter", "Value"], rows: parameters.map { [$0.0, $0.1] }, caption: "Parameters of this run")
        }
        if !stages.isEmpty {
            let total = stages.reduce(0) { $0 + $1.seconds }
            b += HTML.table(headers: ["Stage", "Status", "Seconds"],
                            rows: stages.map { [$0.stage, $0.status, NumberFormat.decimal($0.seconds, places: 3)] }
                                + [["All stages", "", NumberFormat.decimal(total, places: 3)]],
                            numericColumns: [2], caption: "Stage timings (differ from run to run; not in summary.json)")
        }
        return b
    }
}
