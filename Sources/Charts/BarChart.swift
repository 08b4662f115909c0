/// Vertical bar chart: categories on x, one or more (grouped) series, y axis with nice ticks.
/// Negative values are drawn below a zero axis.
public struct BarChart: Sendable {
    /// One series of values, aligned with `categories`. NaN/missing values draw no bar.
    public struct Series: Sendable {
        public var name: String
        public var values: [Double]
        public init(_ name: String, _ values: [Double]) {
            self.name = name
            self.values = values
        }
    }

    public var title: String
    public var subtitle: String?
    public var categories: [String]
    public var series: [Series]
    /// X-axis title, e.g. "Customer tier".
    public var xAxisTitle: String
    /// Y-axis title with unit, e.g. "Profit (£)".
    public var yAxisTitle: String
    public var valueFormat: ValueFormat
    /// Print the value above (or below, if negative) each bar when it fits.
    public var showValueLabels: Bool
    /// viewBox size; the rendered SVG is always 100 % wide.
    public var width: Double
    public var height: Double

    public init(title: String, subtitle: String? = nil, categories: [String], series: [Series],
                xAxisTitle: String, yAxisTitle: String, valueFormat: ValueFormat = .integer,
                showValueLabels: Bool = true, width: Double = 800, height: Double = 400) {
        self.title = title
        self.subtitle = subtitle
        self.categories = categories
        self.series = series
        self.xAxisTitle = xAxisTitle
        self.yAxisTitle = yAxisTitle
        self.valueFormat = valueFormat
        self.showValueLabels = showValueLabels
        self.width = width
        self.height = height
    }

    /// Single-series convenience.
    public init(title: String, subtitle: String? = nil, categories: [String], values: [Double], seriesName: String = "Value",
                xAxisTitle: String, yAxisTitle: String, valueFormat: ValueFormat = .integer,
                showValueLabels: Bool = true, width: Double = 800, height: Double = 400) {
        self.init(title: title, subtitle: subtitle, categories: categories, series: [Series(seriesName, values)],
                  xAxisTitle: xAxisTitle, yAxisTitle: yAxisTitle, valueFormat: valueFormat,
                  showValueLabels: showValueLabels, width: width, height: height)
    }

    public func svg() -> String {
        let prefix = stableID("bar", title, categories.joined(separator: "\u{1}"), series.map(\.name).joined(separator: "\u{1}"))
        let colors = Palette.series(count: series.count)
        let values = series.flatMap { $0.values.prefix(categories.count) }.filter { $0.isFinite }
        let scale = NiceScale(min: Swift.min(0, values.min() ?? 0), max: Swift.max(0, values.max() ?? 0))

        var w = SVGWriter(width: width, height: height, title: title, description: subtitle)
        w.seriesPatterns(prefix: prefix, colors: colors)
        let left = SVGWriter.leftMargin(scale: scale, format: valueFormat)
        let right = width - 20
        var y = w.header(title: title, subtitle: subtitle, left: 16)
        if series.count > 1 {
            let items = series.enumerated().map { (i, s) in
                (s.name, SVGWriter.LegendSwatch.box(fill: SVGWriter.seriesFill(prefix: prefix, colors: colors, index: i)))
            }
            y = w.legend(items, x: left, y: y + 14, maxWidth: right - left)
        }
        let top = y + 20 // room for value labels above the tallest bar
        let n = Swift.max(1, categories.count)
        let band = (right - left) / Double(n)
        let labelHeight = w.categoryLabels(categories, left: left, band: band, y: 0, measureOnly: true)
        let labelTop = height - 22 - labelHeight - 6
        // Leave room under the lowest negative bar for its value label.
        let bottom = labelTop - ((values.min() ?? 0) < 0 && showValueLabels ? 16 : 0)
        w.yAxis(scale: scale, format: valueFormat, title: yAxisTitle, left: left, right: right, top: top, bottom: bottom)

        if values.isEmpty {
            w.noData(left: left, right: right, top: top, bottom: bottom)
        }
        let zeroY = scale.map(0, from: bottom, to: top)
        let groupWidth = band * (series.count > 1 ? 0.8 : 0.62)
        let barWidth = groupWidth / Double(Swift.max(1, series.count))
        let gap = series.count > 1 ? Swift.min(2, barWidth * 0.1) : 0

        w.raw("<g class=\"bars\">\n")
        for (si, s) in series.enumerated() {
            let fill = SVGWriter.seriesFill(prefix: prefix, colors: colors, index: si)
            for ci in 0..<categories.count {
                guard ci < s.values.count, s.values[ci].isFinite else { continue }
                let v = s.values[ci]
                let x = left + band * Double(ci) + (band - groupWidth) / 2 + barWidth * Double(si) + gap / 2
                let vy = scale.map(v, from: bottom, to: top)
                let label = "\(categories[ci]) – \(s.name): \(valueFormat.format(v))"
                w.raw("<rect class=\"bar\" x=\"\(w.c(x))\" y=\"\(w.c(Swift.min(vy, zeroY)))\" width=\"\(w.c(barWidth - gap))\" height=\"\(w.c((vy - zeroY).magnitude))\" fill=\"\(fill)\" stroke=\"\(inkColor)\" stroke-width=\"0.6\"><title>\(xmlEscape(label))</title></rect>\n")
            }
        }
        w.raw("</g>\n")
        // Zero axis drawn over the bars.
        w.line(x1: left, y1: zeroY, x2: right, y2: zeroY, stroke: inkColor, width: 1.2, cls: "zero-axis")

        if showValueLabels {
            // One label style for the whole chart: full format if every label fits, else the short one.
            let room = series.count > 1 ? barWidth - 2 : barWidth + (band - groupWidth) * 0.5
            var finite: [(si: Int, ci: Int, v: Double)] = []
            for (si, s) in series.enumerated() {
                for ci in 0..<Swift.min(categories.count, s.values.count) where s.values[ci].isFinite {
                    finite.append((si, ci, s.values[ci]))
                }
            }
            let size = series.count > 2 ? 10.0 : 11.0
            let fullFits = finite.allSatisfy { textWidth(valueFormat.format($0.v), size: size) <= room }
            let shortFits = finite.allSatisfy { textWidth(valueFormat.short($0.v), size: size) <= room }
            if fullFits || shortFits {
                w.raw("<g class=\"value-labels\">\n")
                for item in finite {
                    let cx = left + band * Double(item.ci) + (band - groupWidth) / 2 + barWidth * (Double(item.si) + 0.5)
                    let text = fullFits ? valueFormat.format(item.v) : valueFormat.short(item.v)
                    let vy = scale.map(item.v, from: bottom, to: top)
                    let ty = item.v < 0 ? vy + size + 3 : vy - 4
                    w.text(text, x: cx, y: ty, size: size, anchor: "middle", cls: "value-label", halo: true)
                }
                w.raw("</g>\n")
            }
        }
        _ = w.categoryLabels(categories, left: left, band: band, y: labelTop)
        w.xAxisTitle(xAxisTitle, left: left, right: right, y: height - 12)
        return w.finish()
    }
}
