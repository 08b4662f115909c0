// Axis drawing shared by bar, histogram and line charts.

extension SVGWriter {
    /// Width needed left of the plot for y tick labels plus the rotated axis title.
    static func leftMargin(scale: NiceScale, format: ValueFormat) -> Double {
        let widest = scale.ticks.map { textWidth(format.tick($0, step: scale.step), size: 12) }.max() ?? 20
        return 30 + widest + 10
    }

    /// Horizontal gridlines, tick labels and rotated title for a y axis.
    mutating func yAxis(scale: NiceScale, format: ValueFormat, title: String,
                        left: Double, right: Double, top: Double, bottom: Double) {
        out += "<g class=\"y-axis\">\n"
        for t in scale.ticks {
            let y = scale.map(t, from: bottom, to: top)
            line(x1: left, y1: y, x2: right, y2: y, stroke: gridColor, width: 1, cls: "grid")
            text(format.tick(t, step: scale.step), x: left - 8, y: y + 4, size: 12, anchor: "end", fill: mutedColor, cls: "tick")
        }
        line(x1: left, y1: top, x2: left, y2: bottom, stroke: "#9aa5b1", width: 1)
        let mid = (top + bottom) / 2
        text(truncate(title, 60), x: 16, y: mid, size: 13, anchor: "middle", weight: "600", rotate: -90, cls: "axis-title")
        out += "</g>\n"
    }

    /// Centred x-axis title.
    mutating func xAxisTitle(_ title: String, left: Double, right: Double, y: Double) {
        text(truncate(title, 90), x: (left + right) / 2, y: y, size: 13, anchor: "middle", weight: "600", cls: "axis-title")
    }

    /// Category labels under bands. Rotates them when they do not fit; returns the height used.
    mutating func categoryLabels(_ labels: [String], left: Double, band: Double, y: Double, measureOnly: Bool = false) -> Double {
        let shown = labels.map { truncate($0, 28) }
        let widest = shown.map { textWidth($0, size: 12) }.max() ?? 0
        let rotate = widest > band - 6
        if !measureOnly {
            out += "<g class=\"x-labels\">\n"
            for (i, l) in shown.enumerated() {
                let x = left + band * (Double(i) + 0.5)
                if rotate {
                    text(l, x: x + 4, y: y + 12, size: 12, anchor: "end", rotate: -35, cls: "tick")
                } else {
                    text(l, x: x, y: y + 16, size: 12, anchor: "middle", cls: "tick")
                }
            }
            out += "</g>\n"
        }
        return rotate ? 18 + widest * 0.574 + 6 : 24
    }

    /// "No data" placeholder inside a plot area.
    mutating func noData(left: Double, right: Double, top: Double, bottom: Double) {
        text("No data available", x: (left + right) / 2, y: (top + bottom) / 2, size: 14, anchor: "middle", fill: mutedColor, cls: "no-data")
    }
}
