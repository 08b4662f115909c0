/// Line chart of one or more (x, y) series on numeric axes, with optional reference lines and
/// labelled markers (e.g. a Pareto curve with a marker at 20 % of customers).
public struct LineChart: Sendable {
    public struct Point: Sendable, Equatable {
        public var x: Double
        public var y: Double
        public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
    }

    /// A series drawn as a line (series 0 solid, then dashed, dotted, dash-dot).
    public struct Series: Sendable {
        public var name: String
        public var points: [Point]
        /// Draw a small dot at every point (for short series).
        public var showPoints: Bool
        public init(_ name: String, points: [Point], showPoints: Bool = false) {
            self.name = name
            self.points = points
            self.showPoints = showPoints
        }
        public init(_ name: String, _ xy: [(Double, Double)], showPoints: Bool = false) {
            self.init(name, points: xy.map { Point($0.0, $0.1) }, showPoints: showPoints)
        }
    }

    /// A dashed line across the plot at a fixed x (vertical) or y (horizontal), with a label.
    public struct ReferenceLine: Sendable {
        public enum Axis: Sendable { case x, y }
        public var axis: Axis
        public var value: Double
        public var label: String
        public init(axis: Axis, value: Double, label: String) {
            self.axis = axis
            self.value = value
            self.label = label
        }
    }

    /// A highlighted point with guide lines to both axes and a label.
    public struct Marker: Sendable {
        public var x: Double
        public var y: Double
        public var label: String
        public init(x: Double, y: Double, label: String) {
            self.x = x
            self.y = y
            self.label = label
        }
    }

    public var title: String
    public var subtitle: String?
    public var series: [Series]
    /// Axis titles with units, e.g. "Cumulative share of customers (%)".
    public var xAxisTitle: String
    public var yAxisTitle: String
    public var xFormat: ValueFormat
    public var yFormat: ValueFormat
    /// Minimum axis ranges; extended if the data (or markers/reference lines) fall outside.
    public var xDomain: ClosedRange<Double>?
    public var yDomain: ClosedRange<Double>?
    public var referenceLines: [ReferenceLine]
    public var markers: [Marker]
    public var width: Double
    public var height: Double

    public init(title: String, subtitle: String? = nil, series: [Series], xAxisTitle: String, yAxisTitle: String,
                xFormat: ValueFormat = .decimal(1), yFormat: ValueFormat = .decimal(1),
                xDomain: ClosedRange<Double>? = nil, yDomain: ClosedRange<Double>? = nil,
                referenceLines: [ReferenceLine] = [], markers: [Marker] = [],
                width: Double = 800, height: Double = 440) {
        self.title = title
        self.subtitle = subtitle
        self.series = series
        self.xAxisTitle = xAxisTitle
        self.yAxisTitle = yAxisTitle
        self.xFormat = xFormat
        self.yFormat = yFormat
        self.xDomain = xDomain
        self.yDomain = yDomain
        self.referenceLines = referenceLines
        self.markers = markers
        self.width = width
        self.height = height
    }

    public func svg() -> String {
        let pts = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        var xs = pts.map(\.x) + markers.map(\.x) + referenceLines.filter { $0.axis == .x }.map(\.value)
        var ys = pts.map(\.y) + markers.map(\.y) + referenceLines.filter { $0.axis == .y }.map(\.value)
        if let d = xDomain { xs += [d.lowerBound, d.upperBound] }
        if let d = yDomain { ys += [d.lowerBound, d.upperBound] }
        xs = xs.filter(\.isFinite); ys = ys.filter(\.isFinite)
        let xScale = NiceScale(min: xs.min() ?? 0, max: xs.max() ?? 1, targetTicks: 6)
        let yScale = NiceScale(min: ys.min() ?? 0, max: ys.max() ?? 1, targetTicks: 6)
        let colors = Palette.series(count: series.count)

        var w = SVGWriter(width: width, height: height, title: title, description: subtitle)
        let left = SVGWriter.leftMargin(scale: yScale, format: yFormat)
        let right = width - 28
        var y = w.header(title: title, subtitle: subtitle, left: 16)
        if series.count > 1 {
            let items = series.enumerated().map { (i, s) in
                (s.name, SVGWriter.LegendSwatch.line(color: colors[i], dash: Palette.dash(i)))
            }
            y = w.legend(items, x: left, y: y + 14, maxWidth: right - left)
        }
        let top = y + 14
        let bottom = height - 56
        w.yAxis(scale: yScale, format: yFormat, title: yAxisTitle, left: left, right: right, top: top, bottom: bottom)
        func px(_ v: Double) -> Double { xScale.map(v, from: left, to: right) }
        func py(_ v: Double) -> Double { yScale.map(v, from: bottom, to: top) }

        // X ticks with light vertical gridlines.
        w.raw("<g class=\"x-axis\">\n")
        let xLabels = xScale.ticks.map { xFormat.tick($0, step: xScale.step) }
        let widest = (xLabels.map { textWidth($0, size: 12) }.max() ?? 0) + 8
        let spacing = xScale.ticks.count > 1 ? (right - left) / Double(xScale.ticks.count - 1) : right - left
        let every = Swift.max(1, Int((widest / Swift.max(1, spacing)).rounded(.up)))
        for (i, t) in xScale.ticks.enumerated() {
            let x = px(t)
            if i > 0 { w.line(x1: x, y1: top, x2: x, y2: bottom, stroke: gridColor, width: 1, cls: "grid") }
            w.line(x1: x, y1: bottom, x2: x, y2: bottom + 5, stroke: inkColor, width: 1)
            if i % every == 0 { w.text(xLabels[i], x: x, y: bottom + 19, size: 12, anchor: "middle", fill: mutedColor, cls: "tick") }
        }
        w.line(x1: left, y1: bottom, x2: right, y2: bottom, stroke: inkColor, width: 1.2, cls: "x-axis-line")
        w.raw("</g>\n")

        if pts.isEmpty { w.noData(left: left, right: right, top: top, bottom: bottom) }

        // Reference lines.
        for r in referenceLines where r.value.isFinite {
            w.raw("<g class=\"reference-line\">\n")
            switch r.axis {
            case .x:
                let x = px(r.value)
                w.line(x1: x, y1: top, x2: x, y2: bottom, stroke: mutedColor, width: 1.2, dash: "5 4")
                let anchor = x > (left + right) / 2 ? "end" : "start"
                w.text(r.label, x: x + (anchor == "end" ? -5 : 5), y: top + 12, size: 11, anchor: anchor, fill: mutedColor, halo: true)
            case .y:
                let yy = py(r.value)
                w.line(x1: left, y1: yy, x2: right, y2: yy, stroke: mutedColor, width: 1.2, dash: "5 4")
                w.text(r.label, x: right - 4, y: yy - 5, size: 11, anchor: "end", fill: mutedColor, halo: true)
            }
            w.raw("</g>\n")
        }

        // Series lines; NaN points break the line.
        for (i, s) in series.enumerated() {
            var d = ""
            var penDown = false
            for p in s.points {
                guard p.x.isFinite, p.y.isFinite else { penDown = false; continue }
                d += (penDown ? "L" : "M") + w.c(px(p.x)) + " " + w.c(py(p.y))
                penDown = true
            }
            w.raw("<path class=\"series\" d=\"\(d)\" fill=\"none\" stroke=\"\(colors[i])\" stroke-width=\"2.5\" stroke-linejoin=\"round\" stroke-linecap=\"round\"")
            if let dash = Palette.dash(i) { w.raw(" stroke-dasharray=\"\(dash)\"") }
            w.raw("><title>\(xmlEscape(s.name))</title></path>\n")
            if s.showPoints {
                for p in s.points where p.x.isFinite && p.y.isFinite {
                    w.raw("<circle cx=\"\(w.c(px(p.x)))\" cy=\"\(w.c(py(p.y)))\" r=\"3\" fill=\"\(colors[i])\" stroke=\"#ffffff\" stroke-width=\"1\"/>\n")
                }
            }
        }

        // Markers: guide lines to the axes, a ringed dot and a haloed label.
        for m in markers where m.x.isFinite && m.y.isFinite {
            let mx = px(m.x), my = py(m.y)
            w.raw("<g class=\"marker\">\n")
            w.line(x1: mx, y1: my, x2: mx, y2: bottom, stroke: inkColor, width: 1, dash: "3 3")
            w.line(x1: left, y1: my, x2: mx, y2: my, stroke: inkColor, width: 1, dash: "3 3")
            w.raw("<circle cx=\"\(w.c(mx))\" cy=\"\(w.c(my))\" r=\"5.5\" fill=\"#ffffff\" stroke=\"\(inkColor)\" stroke-width=\"2\"/>\n")
            let tw = textWidth(m.label, size: 12.5, bold: true)
            let toLeft = mx + 12 + tw > right
            let lx = toLeft ? mx - 12 : mx + 12
            let ly = my + 22 > bottom - 6 ? my - 12 : my + 22
            w.text(m.label, x: lx, y: ly, size: 12.5, anchor: toLeft ? "end" : "start", weight: "600", halo: true)
            w.raw("</g>\n")
        }

        w.xAxisTitle(xAxisTitle, left: left, right: right, y: height - 12)
        return w.finish()
    }
}
