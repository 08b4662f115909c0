/// Rows × columns grid, each cell shaded on a light→dark single-hue ramp and labelled with its value,
/// with row/column labels, axis titles and a min→max colour legend.
public struct HeatMap: Sendable {
    /// How values map onto the colour ramp. `.sqrt` keeps small cells visible next to one dominant cell
    /// (e.g. the diagonal of a movement matrix); the legend says so.
    public enum Scaling: Sendable { case linear, sqrt }

    public var title: String
    public var subtitle: String?
    /// Labels down the left side (top row first).
    public var rowLabels: [String]
    /// Labels along the bottom (left column first).
    public var columnLabels: [String]
    /// `values[row][column]`; `nil` or NaN cells are shown as "n/a" on a neutral background.
    public var values: [[Double?]]
    /// Title of the row axis (left, rotated), e.g. "Recency score (R)".
    public var rowAxisTitle: String
    /// Title of the column axis (bottom), e.g. "Frequency score (F)".
    public var columnAxisTitle: String
    public var valueFormat: ValueFormat
    /// Legend caption with unit, e.g. "Customers (count)".
    public var legendTitle: String
    /// Outline the diagonal (useful for from→to movement matrices: diagonal = no change).
    public var highlightDiagonal: Bool
    /// Fixed colour range; defaults to the data's min…max.
    public var range: ClosedRange<Double>?
    public var scaling: Scaling
    public var width: Double

    public init(title: String, subtitle: String? = nil, rowLabels: [String], columnLabels: [String],
                values: [[Double?]], rowAxisTitle: String, columnAxisTitle: String,
                valueFormat: ValueFormat = .integer, legendTitle: String = "Value",
                highlightDiagonal: Bool = false, range: ClosedRange<Double>? = nil, scaling: Scaling = .linear,
                width: Double = 800) {
        self.title = title
        self.subtitle = subtitle
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.values = values
        self.rowAxisTitle = rowAxisTitle
        self.columnAxisTitle = columnAxisTitle
        self.valueFormat = valueFormat
        self.legendTitle = legendTitle
        self.highlightDiagonal = highlightDiagonal
        self.range = range
        self.scaling = scaling
        self.width = width
    }

    /// Convenience for fully populated grids.
    public init(title: String, subtitle: String? = nil, rowLabels: [String], columnLabels: [String],
                values: [[Double]], rowAxisTitle: String, columnAxisTitle: String,
                valueFormat: ValueFormat = .integer, legendTitle: String = "Value",
                highlightDiagonal: Bool = false, range: ClosedRange<Double>? = nil, scaling: Scaling = .linear,
                width: Double = 800) {
        self.init(title: title, subtitle: subtitle, rowLabels: rowLabels, columnLabels: columnLabels,
                  values: values.map { $0.map { Optional($0) } }, rowAxisTitle: rowAxisTitle,
                  columnAxisTitle: columnAxisTitle, valueFormat: valueFormat, legendTitle: legendTitle,
                  highlightDiagonal: highlightDiagonal, range: range, scaling: scaling, width: width)
    }

    func value(_ r: Int, _ c: Int) -> Double? {
        guard r < values.count, c < values[r].count, let v = values[r][c], v.isFinite else { return nil }
        return v
    }

    public func svg() -> String {
        let rows = rowLabels.count, cols = columnLabels.count
        var all: [Double] = []
        for r in 0..<rows { for c in 0..<cols { if let v = value(r, c) { all.append(v) } } }
        let lo = range?.lowerBound ?? all.min() ?? 0
        let hi = range?.upperBound ?? all.max() ?? 1
        func t(_ v: Double) -> Double {
            guard hi > lo else { return 0.5 }
            let f = Swift.max(0, Swift.min(1, (v - lo) / (hi - lo)))
            return scaling == .sqrt ? f.squareRoot() : f
        }

        let rowLabelsShown = rowLabels.map { truncate($0, 24) }
        let rowLabelWidth = rowLabelsShown.map { textWidth($0, size: 12) }.max() ?? 0
        let blockLeftPad = 30 + rowLabelWidth + 10
        let available = width - blockLeftPad - 24
        let cellW = cols > 0 ? Swift.min(130, available / Double(cols)) : available
        let cellH = Swift.max(26, Swift.min(46, cellW * 0.62))
        let gridW = cellW * Double(cols)
        let gridLeft = blockLeftPad + (available - gridW) / 2
        let colLabelsShown = columnLabels.map { truncate($0, 24) }
        let colWidest = colLabelsShown.map { textWidth($0, size: 12) }.max() ?? 0
        let rotateCols = colWidest > cellW - 6
        let colLabelHeight = rotateCols ? 14 + colWidest * 0.574 + 6 : 22

        let headerBottom = subtitle.map { $0.isEmpty ? 38.0 : 56.0 } ?? 38
        let gridTop = headerBottom + 14
        let gridBottom = gridTop + cellH * Double(rows)
        let axisTitleY = gridBottom + colLabelHeight + 18
        let legendY = axisTitleY + 22
        let height = legendY + 40

        var w = SVGWriter(width: width, height: height, title: title, description: subtitle)
        _ = w.header(title: title, subtitle: subtitle, left: 16)

        if rows == 0 || cols == 0 {
            w.noData(left: blockLeftPad, right: width - 24, top: gridTop, bottom: gridTop + 60)
        }
        // Cells.
        w.raw("<g class=\"cells\">\n")
        for r in 0..<rows {
            for c in 0..<cols {
                let x = gridLeft + cellW * Double(c)
                let y = gridTop + cellH * Double(r)
                let v = value(r, c)
                let fill = v.map { Palette.sequential(t($0)) } ?? "#eef0f2"
                let label = v.map { valueFormat.format($0) } ?? "n/a"
                let tip = "\(rowLabels[r]) × \(columnLabels[c]): \(label)"
                w.raw("<rect class=\"cell\" x=\"\(w.c(x))\" y=\"\(w.c(y))\" width=\"\(w.c(cellW))\" height=\"\(w.c(cellH))\" fill=\"\(fill)\" stroke=\"#ffffff\" stroke-width=\"1.5\"><title>\(xmlEscape(tip))</title></rect>\n")
                var text = label
                var size = Swift.min(14, cellH * 0.36)
                if let v = v, textWidth(text, size: size, bold: true) > cellW - 6 { text = valueFormat.short(v) }
                while textWidth(text, size: size, bold: true) > cellW - 4 && size > 8 { size -= 0.5 }
                let textFill = v.map { Palette.sequentialLuminance(t($0)) < 0.45 ? "#ffffff" : inkColor } ?? mutedColor
                w.text(text, x: x + cellW / 2, y: y + cellH / 2 + size * 0.36, size: size, anchor: "middle",
                       weight: v == nil ? nil : "600", fill: textFill, cls: "cell-label")
            }
        }
        w.raw("</g>\n")
        if highlightDiagonal {
            w.raw("<g class=\"diagonal\">\n")
            for i in 0..<Swift.min(rows, cols) {
                w.rect(x: gridLeft + cellW * Double(i) + 1.5, y: gridTop + cellH * Double(i) + 1.5, w: cellW - 3, h: cellH - 3,
                       fill: "none", stroke: inkColor, strokeWidth: 2)
            }
            w.raw("</g>\n")
        }
        // Row labels and axis title.
        for (r, l) in rowLabelsShown.enumerated() {
            w.text(l, x: gridLeft - 8, y: gridTop + cellH * (Double(r) + 0.5) + 4, size: 12, anchor: "end", cls: "tick")
        }
        let rowTitleX = Swift.max(16, gridLeft - rowLabelWidth - 24)
        w.text(truncate(rowAxisTitle, 50), x: rowTitleX, y: (gridTop + gridBottom) / 2, size: 13, anchor: "middle",
               weight: "600", rotate: -90, cls: "axis-title")
        // Column labels and axis title.
        for (c, l) in colLabelsShown.enumerated() {
            let x = gridLeft + cellW * (Double(c) + 0.5)
            if rotateCols {
                w.text(l, x: x + 4, y: gridBottom + 14, size: 12, anchor: "end", rotate: -35, cls: "tick")
            } else {
                w.text(l, x: x, y: gridBottom + 17, size: 12, anchor: "middle", cls: "tick")
            }
        }
        w.xAxisTitle(columnAxisTitle, left: gridLeft, right: gridLeft + gridW, y: axisTitleY)

        // Colour legend: stepped ramp min → max.
        let legendW = 220.0
        let caption = legendTitle + (scaling == .sqrt ? " (square-root scale)" : "")
        let captionW = textWidth(caption, size: 12, bold: true)
        let minText = valueFormat.format(lo), maxText = valueFormat.format(hi)
        let minW = textWidth(minText, size: 12), maxW = textWidth(maxText, size: 12)
        let totalW = captionW + 16 + minW + 8 + legendW + 8 + maxW
        var lx = Swift.max(16, (gridLeft + gridW / 2) - totalW / 2)
        w.raw("<g class=\"color-legend\">\n")
        w.text(caption, x: lx, y: legendY + 13, size: 12, weight: "600")
        lx += captionW + 16
        w.text(minText, x: lx + minW, y: legendY + 13, size: 12, anchor: "end", fill: mutedColor)
        lx += minW + 8
        let steps = 44
        for i in 0..<steps {
            let tt = Double(i) / Double(steps - 1)
            w.rect(x: lx + legendW * Double(i) / Double(steps), y: legendY, w: legendW / Double(steps) + 0.4, h: 16, fill: Palette.sequential(tt))
        }
        w.rect(x: lx, y: legendY, w: legendW, h: 16, fill: "none", stroke: "#9aa5b1", strokeWidth: 0.8)
        lx += legendW + 8
        w.text(maxText, x: lx, y: legendY + 13, size: 12, fill: mutedColor)
        w.raw("</g>\n")
        return w.finish()
    }
}
