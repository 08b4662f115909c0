import Foundation // XMLParser is used only in the tests
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Charts

/// Collects elements and attributes; `ok` is false if the document is not well-formed.
final class XMLCollector: NSObject, XMLParserDelegate {
    var elements: [(name: String, attrs: [String: String])] = []
    var text = ""
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        elements.append((name, attributes))
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    static func parse(_ s: String) -> (ok: Bool, collector: XMLCollector) {
        let c = XMLCollector()
        let p = XMLParser(data: Data(s.utf8))
        p.delegate = c
        let ok = p.parse()
        return (ok, c)
    }

    func count(_ name: String, cls: String) -> Int {
        elements.filter { $0.name == name && $0.attrs["class"] == cls }.count
    }
}

let nasty = "Tier <A> & \"best\""

func sampleBar() -> BarChart {
    BarChart(title: "Profit by tier", categories: [nasty, "B", "C", "D"],
             series: [.init("This year", [4_800_000, 3_100_000, 1_400_000, -386_000]),
                      .init("Prior & \"old\"", [4_400_000, 3_200_000, 1_200_000, -512_000])],
             xAxisTitle: "Customer tier", yAxisTitle: "Profit (£)", valueFormat: .money("£"))
}

func sampleHeat() -> HeatMap {
    HeatMap(title: "RFM <counts>", rowLabels: ["R5", "R4", "R3", "R2", "R1"], columnLabels: ["F1", "F2", "F3", "F4", "F5 & up"],
            values: (0..<5).map { r in (0..<5).map { c in Double(100 * r + 10 * c) } },
            rowAxisTitle: "Recency score", columnAxisTitle: "Frequency score", legendTitle: "Customers")
}

func sampleLine() -> LineChart {
    LineChart(title: "Pareto curve", series: [.init("Profit share", [(0, 0), (0.2, 0.78), (0.5, 0.95), (1, 1)]),
                                              .init("Equal", [(0, 0), (1, 1)])],
              xAxisTitle: "Share of customers (%)", yAxisTitle: "Share of profit (%)",
              xFormat: .percent(0), yFormat: .percent(0), xDomain: 0...1, yDomain: 0...1,
              referenceLines: [.init(axis: .x, value: 0.2, label: "20 % <of> customers")],
              markers: [.init(x: 0.2, y: 0.78, label: "Top 20 % earn 78 %")])
}

func sampleHistogram() -> Histogram {
    Histogram(title: "P(alive)", edges: [0, 0.25, 0.5, 0.75, 1], counts: [120, 340, 560, 980],
              xAxisTitle: "P(alive) (%)", yAxisTitle: "Customers (count)", edgeFormat: .percent(0))
}

@Suite struct FormatTests {
    @Test func integers() {
        #expect(NumberFormat.integer(1_234_567) == "1,234,567")
        #expect(NumberFormat.integer(-1_234) == "-1,234")
        #expect(NumberFormat.integer(999) == "999")
        #expect(NumberFormat.integer(0) == "0")
    }
    @Test func decimalsPercentMoney() {
        #expect(NumberFormat.decimal(1234.5, places: 2) == "1,234.50")
        #expect(NumberFormat.decimal(-0.004, places: 2) == "0.00")
        #expect(NumberFormat.percent(0.1234) == "12.3 %")
        #expect(NumberFormat.percent(1) == "100.0 %")
        #expect(NumberFormat.money(1234567.891, symbol: "£") == "£1,234,567.89")
        #expect(NumberFormat.money(-1234.5, symbol: "£") == "-£1,234.50")
        #expect(NumberFormat.money(8_952_335.4, symbol: "£", places: 0) == "£8,952,335")
        #expect(NumberFormat.decimal(.nan) == "n/a")
    }
    @Test func compact() {
        #expect(NumberFormat.compact(1_234_567) == "1.2M")
        #expect(NumberFormat.compact(34_000) == "34k")
        #expect(NumberFormat.compact(950) == "950")
        #expect(NumberFormat.compact(999_960) == "1M")
        #expect(NumberFormat.compact(-2_500_000_000) == "-2.5bn")
        #expect(NumberFormat.compact(0) == "0")
    }
    @Test func tickLabels() {
        #expect(ValueFormat.integer.tick(1_250_000, step: 250_000) == "1.25M")
        #expect(ValueFormat.percent(1).tick(0.2, step: 0.2) == "20 %")
        #expect(ValueFormat.money("£").tick(-2_000_000, step: 2_000_000) == "-£2M")
        #expect(ValueFormat.decimal(2).tick(0.3, step: 0.1) == "0.3")
    }
}

@Suite struct TickTests {
    @Test func zeroTo97() {
        let s = NiceScale(min: 0, max: 97)
        #expect(s.ticks == [0, 20, 40, 60, 80, 100])
        #expect(s.step == 20)
    }
    @Test func negativeRange() {
        let s = NiceScale(min: -512_000, max: 4_800_000)
        #expect(s.ticks.first! <= -512_000 && s.ticks.last! >= 4_800_000)
        #expect(s.ticks.contains(0))
        #expect(s.step == 1_000_000)
    }
    @Test func fractionsAreClean() {
        let s = NiceScale(min: 0, max: 1.0000001)
        #expect(s.ticks == [0, 0.2, 0.4, 0.6, 0.8, 1.0])
        let t = NiceScale(min: 0, max: 0.7)
        #expect(t.ticks == [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7])
    }
    @Test func niceSteps() {
        for (lo, hi) in [(0.0, 3.0), (0, 13), (-7, 42), (0, 12_345), (0.001, 0.0372), (5, 5), (0, 0)] {
            let s = NiceScale(min: lo, max: hi)
            #expect(s.lower <= lo && s.upper >= hi)
            var m = s.step
            while m >= 10 { m /= 10 }
            while m < 1 { m *= 10 }
            #expect([1.0, 2.0, 5.0].contains { ($0 - m).magnitude < 1e-9 }, "step \(s.step)")
            #expect(s.ticks.count >= 2 && s.ticks.count <= 12)
        }
    }
}

@Suite struct SVGTests {
    @Test func allChartsAreWellFormedAndDeterministic() {
        let charts: [() -> String] = [sampleBar().svg, sampleHeat().svg, sampleLine().svg, sampleHistogram().svg]
        for make in charts {
            let a = make(), b = make()
            #expect(a == b)
            let (ok, c) = XMLCollector.parse(a)
            #expect(ok)
            #expect(c.elements.first?.name == "svg")
            #expect(c.elements.first?.attrs["viewBox"] != nil)
            #expect(c.elements.first?.attrs["width"] == "100%")
            #expect(!a.contains("<script") && !a.contains("href") && !a.contains("<image"))
        }
    }

    @Test func barChartContents() {
        let svg = sampleBar().svg()
        let (ok, c) = XMLCollector.parse(svg)
        #expect(ok)
        #expect(c.text.contains("Profit by tier"))
        #expect(c.text.contains("Customer tier"))
        #expect(c.text.contains("Profit (£)"))
        #expect(c.count("rect", cls: "bar") == 8)
        // Legend for two series.
        #expect(c.text.contains("This year") && c.text.contains("Prior & \"old\""))
        // Escaping: raw characters never appear unescaped in the markup.
        #expect(svg.contains("Tier &lt;A&gt; &amp; &quot;best&quot;"))
        #expect(!svg.contains("Tier <A>"))
        #expect(c.text.contains(nasty))
    }

    @Test func negativeBarsHangBelowTheAxis() {
        let chart = BarChart(title: "Net", categories: ["A", "B"], values: [50, -30],
                             xAxisTitle: "Tier", yAxisTitle: "Profit (£)")
        let (ok, c) = XMLCollector.parse(chart.svg())
        #expect(ok)
        let zero = c.elements.first { $0.attrs["class"] == "zero-axis" }!
        let zeroY = Double(zero.attrs["y1"]!)!
        let bars = c.elements.filter { $0.attrs["class"] == "bar" }
        #expect(bars.count == 2)
        let pos = bars[0].attrs, neg = bars[1].attrs
        #expect(Double(pos["y"]!)! + Double(pos["height"]!)! <= zeroY + 0.1)
        #expect(Double(neg["y"]!)! >= zeroY - 0.1)
        #expect(Double(neg["height"]!)! > 0)
        #expect(c.text.contains("-30"))
    }

    @Test func singleSeriesHasNoLegend() {
        let svg = BarChart(title: "Customers", categories: ["A"], values: [10], xAxisTitle: "Tier", yAxisTitle: "Customers").svg()
        #expect(!svg.contains("class=\"legend\""))
        #expect(sampleBar().svg().contains("class=\"legend\""))
    }

    @Test func heatMapCells() {
        let svg = sampleHeat().svg()
        let (ok, c) = XMLCollector.parse(svg)
        #expect(ok)
        #expect(c.count("rect", cls: "cell") == 25)
        #expect(c.count("text", cls: "cell-label") == 25)
        #expect(c.text.contains("Recency score") && c.text.contains("Frequency score"))
        #expect(c.text.contains("RFM <counts>"))
        #expect(svg.contains("F5 &amp; up"))
        #expect(svg.contains("class=\"color-legend\""))
        // Darkest cell (max) gets white text, lightest gets dark text.
        #expect(svg.contains("fill=\"#ffffff\" class=\"cell-label\">440</text>"))
        #expect(svg.contains("fill=\"#1f2933\" class=\"cell-label\">0</text>"))
    }

    @Test func heatMapMissingCells() {
        let h = HeatMap(title: "Moves", rowLabels: ["A", "B"], columnLabels: ["A", "B"], values: [[1, nil], [2, .nan]],
                        rowAxisTitle: "From", columnAxisTitle: "To", highlightDiagonal: true)
        let (ok, c) = XMLCollector.parse(h.svg())
        #expect(ok)
        #expect(c.count("rect", cls: "cell") == 4)
        #expect(h.svg().components(separatedBy: "class=\"cell-label\">n/a</text>").count - 1 == 2)
    }

    @Test func lineChartContents() {
        let svg = sampleLine().svg()
        let (ok, c) = XMLCollector.parse(svg)
        #expect(ok)
        #expect(c.count("path", cls: "series") == 2)
        #expect(c.count("g", cls: "marker") == 1)
        #expect(c.text.contains("Top 20 % earn 78 %"))
        #expect(c.text.contains("Share of customers (%)") && c.text.contains("Share of profit (%)"))
        #expect(svg.contains("20 % &lt;of&gt; customers"))
        #expect(c.text.contains("100 %"))
        #expect(!c.text.contains("120 %"))
    }

    @Test func histogramBars() {
        let (ok, c) = XMLCollector.parse(sampleHistogram().svg())
        #expect(ok)
        #expect(c.count("rect", cls: "bar") == 4)
        #expect(c.text.contains("50 %") && c.text.contains("980"))
        #expect(sampleHistogram().bucketLabel(1) == "25 %–50 %")
    }

    @Test func emptyDataStillRenders() {
        let svgs = [
            BarChart(title: "Empty", categories: [], series: [], xAxisTitle: "x", yAxisTitle: "y").svg(),
            HeatMap(title: "Empty", rowLabels: [], columnLabels: [], values: [[Double?]](), rowAxisTitle: "r", columnAxisTitle: "c").svg(),
            LineChart(title: "Empty", series: [], xAxisTitle: "x", yAxisTitle: "y").svg(),
            Histogram(title: "Empty", edges: [], counts: [Double](), xAxisTitle: "x", yAxisTitle: "y").svg(),
        ]
        for s in svgs {
            #expect(XMLCollector.parse(s).ok)
            #expect(s.contains("No data available"))
        }
    }
}

@Suite struct HTMLTests {
    @Test func escape() {
        #expect(HTML.escape("<a href=\"x\">&'") == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;")
    }

    @Test func pageIsSelfContained() {
        let body = HTML.headlineCards([(label: "Profit", value: "£1.2M", note: "up <5 %>")])
            + HTML.table(headers: ["Tier", "Customers"], rows: [["A & B", "1,240"]], numericColumns: [1])
            + HTML.notice("Not available because <reason>", kind: .warning)
            + HTML.figure(sampleBar().svg(), caption: "Caption")
        let page = HTML.page(title: "Report <1>", subtitle: "Bank", sections: [
            .init(id: "Overview", title: "Overview", body: body),
            .init(id: "tier movement", title: "Tier movement", body: HTML.paragraph("x")),
        ])
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(page.contains("<title>Report &lt;1&gt;</title>"))
        #expect(page.contains("href=\"#tier-movement\"") && page.contains("id=\"tier-movement\""))
        #expect(page.contains("<td class=\"num\">1,240</td>"))
        #expect(page.contains("<td>A &amp; B</td>"))
        #expect(page.contains("notice warning"))
        #expect(page.contains("@media print"))
        #expect(!page.contains("<script") && !page.contains("<link") && !page.contains("http://www.w3.org/1999") )
        #expect(!page.contains("https://"))
        #expect(page == HTML.page(title: "Report <1>", subtitle: "Bank", sections: [
            .init(id: "Overview", title: "Overview", body: body),
            .init(id: "tier movement", title: "Tier movement", body: HTML.paragraph("x")),
        ]))
    }
}
