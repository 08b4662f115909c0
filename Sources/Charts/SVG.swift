// Shared SVG plumbing: escaping, palette, patterns, legend, text metrics.

/// Escapes text for XML/HTML content and attribute values (`& < > " '`) and drops
/// control characters that are not allowed in XML 1.0.
public func xmlEscape(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for u in s.unicodeScalars {
        switch u {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        case "\t", "\n", "\r": out.unicodeScalars.append(u)
        default:
            if u.value < 0x20 || (u.value >= 0xFFFE && u.value <= 0xFFFF) { continue }
            out.unicodeScalars.append(u)
        }
    }
    return out
}

/// Colours chosen to stay distinguishable when printed in greyscale.
public enum Palette {
    /// Viridis anchor colours, dark → light (monotonic lightness).
    static let viridis: [(Double, Double, Double)] = [
        (68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
        (31, 158, 137), (53, 183, 121), (109, 205, 89), (180, 222, 44), (253, 231, 37),
    ]
    /// Single-hue blue ramp (ColorBrewer "Blues"), light → dark.
    static let blues: [(Double, Double, Double)] = [
        (247, 251, 255), (222, 235, 247), (198, 219, 239), (158, 202, 225), (107, 174, 214),
        (66, 146, 198), (33, 113, 181), (8, 81, 156), (8, 48, 107),
    ]

    static func interpolate(_ stops: [(Double, Double, Double)], _ t: Double) -> (Double, Double, Double) {
        let x = Swift.max(0, Swift.min(1, t.isFinite ? t : 0)) * Double(stops.count - 1)
        let i = Swift.min(stops.count - 2, Int(x))
        let f = x - Double(i)
        let a = stops[i], b = stops[i + 1]
        return (a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f, a.2 + (b.2 - a.2) * f)
    }

    static func hex(_ c: (Double, Double, Double)) -> String {
        let digits = Array("0123456789abcdef")
        var s = "#"
        for v in [c.0, c.1, c.2] {
            let n = Int(Swift.max(0, Swift.min(255, v.rounded())))
            s.append(digits[n / 16]); s.append(digits[n % 16])
        }
        return s
    }

    /// Series colours, dark → light, evenly spread over viridis 0.05…0.80 (skipping the pale yellow end).
    public static func series(count: Int) -> [String] {
        guard count > 0 else { return [] }
        if count == 1 { return [hex(interpolate(viridis, 0.30))] }
        return (0..<count).map { i in
            hex(interpolate(viridis, 0.05 + 0.75 * Double(i) / Double(count - 1)))
        }
    }

    /// Sequential ramp colour for t in 0…1 (light → dark).
    public static func sequential(_ t: Double) -> String { hex(interpolate(blues, t)) }

    /// Relative luminance (0 dark … 1 light) of a sequential ramp colour, used to pick the label colour.
    static func sequentialLuminance(_ t: Double) -> Double {
        let c = interpolate(blues, t)
        return (0.2126 * c.0 + 0.7152 * c.1 + 0.0722 * c.2) / 255
    }

    /// Stroke dash pattern for line series (solid, dashed, dotted, dash-dot).
    static func dash(_ index: Int) -> String? {
        let dashes: [String?] = [nil, "8 4", "2 3", "10 3 2 3"]
        return dashes[index % dashes.count]
    }
}

/// FNV-1a hash, used for deterministic per-chart id prefixes (pattern ids must be unique in a page).
func stableID(_ parts: String...) -> String {
    var h: UInt64 = 0xcbf29ce484222325
    for p in parts {
        for b in p.utf8 { h ^= UInt64(b); h = h &* 0x100000001b3 }
        h ^= 0xff; h = h &* 0x100000001b3
    }
    let digits = Array("0123456789abcdef")
    var s = ""
    var x = h
    for _ in 0..<8 { s.append(digits[Int(x & 15)]); x >>= 4 }
    return "c" + s
}

/// Approximate rendered width of text in a sans-serif system font (errs on the wide side,
/// matching DejaVu Sans, the widest common fallback).
func textWidth(_ s: String, size: Double, bold: Bool = false) -> Double {
    var units = 0.0
    for ch in s {
        switch ch {
        case "i", "l", "j", "'", ".", ",", ":", ";", "|", "!", " ": units += 0.32
        case "f", "t", "r", "(", ")", "[", "]", "-": units += 0.42
        case "m", "w", "M", "W", "%", "@": units += 0.92
        case "0"..."9": units += 0.64
        default:
            units += ch.isUppercase ? 0.72 : 0.61
        }
    }
    return units * size * (bold ? 1.1 : 1)
}

/// Shortens a label to at most `maxChars` characters with an ellipsis.
func truncate(_ s: String, _ maxChars: Int) -> String {
    guard s.count > maxChars, maxChars > 1 else { return s }
    return String(s.prefix(maxChars - 1)) + "…"
}

let fontStack = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
let inkColor = "#1f2933"
let mutedColor = "#52606d"
let gridColor = "#dde1e6"

/// Minimal string builder for SVG output.
struct SVGWriter {
    var out = ""
    let width: Double
    let height: Double

    init(width: Double, height: Double, title: String, description: String?) {
        self.width = width
        self.height = height
        let t = xmlEscape(title)
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(c(width)) \(c(height))\""
        out += " width=\"100%\" preserveAspectRatio=\"xMidYMid meet\" role=\"img\" aria-label=\"\(t)\""
        out += " style=\"width:100%;height:auto;display:block\""
        out += " font-family=\"\(fontStack)\" font-size=\"12\" fill=\"\(inkColor)\">\n"
        out += "<title>\(t)</title>\n"
        if let d = description, !d.isEmpty { out += "<desc>\(xmlEscape(d))</desc>\n" }
        out += "<rect x=\"0\" y=\"0\" width=\"\(c(width))\" height=\"\(c(height))\" fill=\"#ffffff\"/>\n"
    }

    func c(_ v: Double) -> String { NumberFormat.coord(v) }

    mutating func raw(_ s: String) { out += s }

    mutating func text(_ s: String, x: Double, y: Double, size: Double = 12, anchor: String = "start",
                       weight: String? = nil, fill: String? = nil, rotate: Double? = nil, cls: String? = nil,
                       halo: Bool = false) {
        out += "<text x=\"\(c(x))\" y=\"\(c(y))\" font-size=\"\(c(size))\""
        if anchor != "start" { out += " text-anchor=\"\(anchor)\"" }
        if let w = weight { out += " font-weight=\"\(w)\"" }
        if let f = fill { out += " fill=\"\(f)\"" }
        if let r = rotate { out += " transform=\"rotate(\(c(r)) \(c(x)) \(c(y)))\"" }
        if let k = cls { out += " class=\"\(k)\"" }
        if halo { out += " stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\"" }
        out += ">\(xmlEscape(s))</text>\n"
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1,
                       dash: String? = nil, cls: String? = nil) {
        out += "<line x1=\"\(c(x1))\" y1=\"\(c(y1))\" x2=\"\(c(x2))\" y2=\"\(c(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(c(width))\""
        if let d = dash { out += " stroke-dasharray=\"\(d)\"" }
        if let k = cls { out += " class=\"\(k)\"" }
        out += "/>\n"
    }

    mutating func rect(x: Double, y: Double, w: Double, h: Double, fill: String, stroke: String? = nil,
                       strokeWidth: Double = 1, cls: String? = nil, extra: String = "") {
        out += "<rect x=\"\(c(x))\" y=\"\(c(y))\" width=\"\(c(Swift.max(0, w)))\" height=\"\(c(Swift.max(0, h)))\" fill=\"\(fill)\""
        if let s = stroke { out += " stroke=\"\(s)\" stroke-width=\"\(c(strokeWidth))\"" }
        if let k = cls { out += " class=\"\(k)\"" }
        out += extra
        out += "/>\n"
    }

    mutating func finish() -> String {
        out += "</svg>\n"
        return out
    }

    /// Title (bold) and optional subtitle; returns the y below them.
    mutating func header(title: String, subtitle: String?, left: Double) -> Double {
        text(title, x: left, y: 26, size: 17, weight: "600", cls: "chart-title")
        if let s = subtitle, !s.isEmpty {
            text(s, x: left, y: 46, size: 12, fill: mutedColor, cls: "chart-subtitle")
            return 56
        }
        return 38
    }

    /// Pattern definitions giving series 1, 2, 3… a hatch/dot texture on top of their colour.
    mutating func seriesPatterns(prefix: String, colors: [String]) {
        guard colors.count > 1 else { return }
        out += "<defs>\n"
        for (i, col) in colors.enumerated() where i > 0 {
            let id = "\(prefix)-s\(i)"
            switch (i - 1) % 3 {
            case 0: // diagonal hatch
                out += "<pattern id=\"\(id)\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\" patternTransform=\"rotate(45)\">"
                out += "<rect width=\"6\" height=\"6\" fill=\"\(col)\"/><rect width=\"2\" height=\"6\" fill=\"#ffffff\" fill-opacity=\"0.6\"/></pattern>\n"
            case 1: // dots
                out += "<pattern id=\"\(id)\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\">"
                out += "<rect width=\"6\" height=\"6\" fill=\"\(col)\"/><circle cx=\"3\" cy=\"3\" r=\"1.3\" fill=\"\(inkColor)\" fill-opacity=\"0.75\"/></pattern>\n"
            default: // cross hatch
                out += "<pattern id=\"\(id)\" patternUnits=\"userSpaceOnUse\" width=\"7\" height=\"7\">"
                out += "<rect width=\"7\" height=\"7\" fill=\"\(col)\"/><path d=\"M0 0L7 7M7 0L0 7\" stroke=\"\(inkColor)\" stroke-opacity=\"0.55\" stroke-width=\"1\"/></pattern>\n"
            }
        }
        out += "</defs>\n"
    }

    static func seriesFill(prefix: String, colors: [String], index: Int) -> String {
        index == 0 || colors.count < 2 ? colors[index] : "url(#\(prefix)-s\(index))"
    }

    enum LegendSwatch { case box(fill: String), line(color: String, dash: String?) }

    /// Horizontal legend that wraps; returns the y below it.
    mutating func legend(_ items: [(String, LegendSwatch)], x: Double, y: Double, maxWidth: Double) -> Double {
        var cx = x
        var cy = y
        let rowHeight = 20.0
        out += "<g class=\"legend\">\n"
        for (name, swatch) in items {
            let label = truncate(name, 40)
            let w = 22 + textWidth(label, size: 12) + 20
            if cx > x && cx + w > x + maxWidth { cx = x; cy += rowHeight }
            switch swatch {
            case .box(let fill):
                rect(x: cx, y: cy - 10, w: 14, h: 14, fill: fill, stroke: inkColor, strokeWidth: 0.6)
            case .line(let color, let dash):
                line(x1: cx - 2, y1: cy - 3, x2: cx + 18, y2: cy - 3, stroke: color, width: 2.5, dash: dash)
            }
            text(label, x: cx + 22, y: cy + 2, size: 12)
            cx += w
        }
        out += "</g>\n"
        return cy + 12
    }
}
