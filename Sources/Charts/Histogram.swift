/// Histogram: contiguous bars over bucket `edges` (n + 1 edges for n counts) on a numeric x axis.
public struct Histogram: Sendable {
    public var title: String
    public var subtitle: String?
    /// Bucket boundaries, ascending; `edges.count == counts.count + 1`.
    public var edges: [Double]
    public var counts: [Double]
    /// X-axis title with unit, e.g. "P(alive) (%)".
    public var xAxisTitle: String
    /// Y-axis title with unit, e.g. "Customers (count)".
    public var yAxisTitle: String
    /// Format of the edge labels on the x axis (e.g. `.percent(0)`).
    public var edgeFormat: ValueFormat
    /// Format of counts (value labels and y ticks).
    public var countFormat: ValueFormat
    public var showValueLabels: Bool
    public var width: Double
    public var height: Double

    public init(title: String, subtitle: String? = nil, edges: [Double], counts: [Double],
                xAxisTitle: String, yAxisTitle: String, edgeFormat: ValueFormat = .decimal(1),
                countFormat: ValueFormat = .integer, showValueLabels: Bool = true,
                width: Double = 800, height: Double = 380) {
        self.title = title
        self.subtitle = subtitle
        self.edges = edges
        self.counts = counts
        self.xAxisTitle = xAxisTitle
        self.yAxisTitle = yAxisTitle
        self.edgeFormat = edgeFormat
        self.countFormat = countFormat
        self.showValueLabels = showValueLabels
        self.width = width
        self.height = height
    }

    public init(title: String, subtitle: String? = nil, edges: [Double], counts: [Int],
                xAxisTitle: String, yAxisTitle: String, edgeFormat: ValueFormat = .decimal(1),
                countFormat: ValueFormat = .integer, showValueLabels: Bool = true,
                width: Double = 800, height: Double = 380) {
        self.init(title: title, subtitle: subtitle, edges: edges, counts: counts.map(Double.init),
                  xAxisTitle: xAxisTitle, yAxisTitle: yAxisTitle, edgeFormat: edgeFormat,
                  countFormat: countFormat, showValueLabels: showValueLabels, width: width, height: height)
    }

    /// Label of bucket `i`, e.g. "10 %–20 %".
    public func bucketLabel(_ i: Int) -> String {
        guard i + 1 < edges.count else { return "" }
        return "\(edgeFormat.format(edges[i]))–\(edgeFormat.format(edges[i + 1]))"
    }

    public func svg() -> String {
        let n = Swift.min(counts.count, Swift.max(0, edges.count - 1))
        let shown = counts.prefix(n).filter { $0.isFinite }
        let scale = NiceScale(min: 0, max: Swift.max(0, shown.max() ?? 0))
        var w = SVGWriter(width: width, height: height, title: title, description: subtitle)
        let left = SVGWriter.leftMargin(scale: scale, format: countFormat)
        let right = width - 24
        let top = w.header(title: title, subtitle: subtitle, left: 16) + 22
        let bottom = height - 56
        w.yAxis(scale: scale, format: countFormat, title: yAxisTitle, left: left, right: right, top: top, bottom: bottom)
        let lo = edges.first ?? 0
        let hi = edges.last ?? 1
        let span = hi - lo
        func xOf(_ e: Double) -> Double { span > 0 ? left + (e - lo) / span * (right - left) : left }

        if n == 0 || shown.isEmpty || !(span > 0) {
            w.noData(left: left, right: right, top: top, bottom: bottom)
        } else {
            let color = Palette.series(count: 1)[0]
            w.raw("<g class=\"bars\">\n")
            for i in 0..<n where counts[i].isFinite {
                let x0 = xOf(edges[i]), x1 = xOf(edges[i + 1])
                let y = scale.map(counts[i], from: bottom, to: top)
                let tip = "\(bucketLabel(i)): \(countFormat.format(counts[i]))"
                w.raw("<rect class=\"bar\" x=\"\(w.c(x0 + 0.5))\" y=\"\(w.c(y))\" width=\"\(w.c(Swift.max(0, x1 - x0 - 1)))\" height=\"\(w.c(bottom - y))\" fill=\"\(color)\" stroke=\"\(inkColor)\" stroke-width=\"0.6\"><title>\(xmlEscape(tip))</title></rect>\n")
            }
            w.raw("</g>\n")
            if showValueLabels {
                w.raw("<g class=\"value-labels\">\n")
                for i in 0..<n where counts[i].isFinite {
                    let x0 = xOf(edges[i]), x1 = xOf(edges[i + 1])
                    var text = countFormat.format(counts[i])
                    if textWidth(text, size: 11) > x1 - x0 { text = countFormat.short(counts[i]) }
                    guard textWidth(text, size: 11) <= x1 - x0 + 2 else { continue }
                    let y = scale.map(counts[i], from: bottom, to: top)
                    w.text(text, x: (x0 + x1) / 2, y: y - 4, size: 11, anchor: "middle", cls: "value-label", halo: true)
                }
                w.raw("</g>\n")
            }
        }
        w.line(x1: left, y1: bottom, x2: right, y2: bottom, stroke: inkColor, width: 1.2, cls: "zero-axis")
        // Edge labels; thin them out so they never overlap.
        let labels = edges.map { edgeFormat.format($0) }
        let widest = (labels.map { textWidth($0, size: 12) }.max() ?? 0) + 8
        let spacing = edges.count > 1 ? (right - left) / Double(edges.count - 1) : right - left
        let every = Swift.max(1, Int((widest / Swift.max(1, spacing)).rounded(.up)))
        w.raw("<g class=\"x-labels\">\n")
        for (i, e) in edges.enumerated() where i % every == 0 || i == edges.count - 1 {
            if i == edges.count - 1 && i % every != 0 && (Double(i % every) * spacing) < widest { continue }
            let x = xOf(e)
            w.line(x1: x, y1: bottom, x2: x, y2: bottom + 5, stroke: inkColor, width: 1)
            w.text(labels[i], x: x, y: bottom + 19, size: 12, anchor: "middle", cls: "tick")
        }
        w.raw("</g>\n")
        w.xAxisTitle(xAxisTitle, left: left, right: right, y: height - 12)
        return w.finish()
    }
}
