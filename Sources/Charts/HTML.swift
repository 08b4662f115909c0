/// Self-contained HTML report building blocks (inline CSS, no scripts, no external resources).
public enum HTML {
    /// A report section: anchor id, heading and pre-rendered HTML body.
    public struct Section: Sendable {
        public var id: String
        public var title: String
        public var body: String
        public init(id: String, title: String, body: String) {
            self.id = id
            self.title = title
            self.body = body
        }
    }

    /// A headline figure card.
    public struct Card: Sendable {
        public var label: String
        public var value: String
        public var note: String?
        public init(label: String, value: String, note: String? = nil) {
            self.label = label
            self.value = value
            self.note = note
        }
    }

    public enum NoticeKind: Sendable { case info, warning }

    /// Escapes `& < > " '` for HTML text and attributes.
    public static func escape(_ s: String) -> String { xmlEscape(s) }

    /// Turns an arbitrary string into a safe anchor id ("Tier movement" → "tier-movement").
    public static func anchor(_ s: String) -> String {
        var out = ""
        var lastDash = false
        for ch in s.lowercased().unicodeScalars {
            let ok = (ch >= "a" && ch <= "z") || (ch >= "0" && ch <= "9") || ch == "_"
            if ok { out.unicodeScalars.append(ch); lastDash = false } else if !lastDash && !out.isEmpty { out += "-"; lastDash = true }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "section" : out
    }

    /// Complete HTML5 document: header, table of contents, sections, optional footer text.
    public static func page(title: String, subtitle: String? = nil, sections: [Section], footer: String? = nil) -> String {
        var h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        h += "<title>\(escape(title))</title>\n<style>\n\(css)</style>\n</head>\n<body>\n<main class=\"report\">\n"
        h += "<header class=\"report-header\">\n<h1>\(escape(title))</h1>\n"
        if let s = subtitle, !s.isEmpty { h += "<p class=\"subtitle\">\(escape(s))</p>\n" }
        h += "</header>\n"
        if sections.count > 1 {
            h += "<nav class=\"toc\" aria-label=\"Contents\">\n<h2>Contents</h2>\n<ol>\n"
            for s in sections { h += "<li><a href=\"#\(anchor(s.id))\">\(escape(s.title))</a></li>\n" }
            h += "</ol>\n</nav>\n"
        }
        for s in sections {
            h += "<section id=\"\(anchor(s.id))\">\n<h2>\(escape(s.title))</h2>\n\(s.body)\n</section>\n"
        }
        if let f = footer, !f.isEmpty { h += "<footer class=\"report-footer\">\(escape(f))</footer>\n" }
        h += "</main>\n</body>\n</html>\n"
        return h
    }

    /// Row of key-figure cards.
    public static func headlineCards(_ cards: [Card]) -> String {
        var h = "<div class=\"cards\">\n"
        for c in cards {
            h += "<div class=\"card\"><div class=\"card-label\">\(escape(c.label))</div>"
            h += "<div class=\"card-value\">\(escape(c.value))</div>"
            if let n = c.note, !n.isEmpty { h += "<div class=\"card-note\">\(escape(n))</div>" }
            h += "</div>\n"
        }
        return h + "</div>\n"
    }

    /// Tuple convenience: `[(label, value, note)]`.
    public static func headlineCards(_ cards: [(label: String, value: String, note: String?)]) -> String {
        headlineCards(cards.map { Card(label: $0.label, value: $0.value, note: $0.note) })
    }

    /// Data table; cells are plain text (escaped). Columns in `numericColumns` are right-aligned
    /// with tabular figures. Rows shorter than the header are padded.
    public static func table(headers: [String], rows: [[String]], numericColumns: Set<Int> = [], caption: String? = nil) -> String {
        var h = "<div class=\"table-wrap\"><table>\n"
        if let c = caption, !c.isEmpty { h += "<caption>\(escape(c))</caption>\n" }
        h += "<thead><tr>"
        for (i, head) in headers.enumerated() {
            h += numericColumns.contains(i) ? "<th scope=\"col\" class=\"num\">" : "<th scope=\"col\">"
            h += escape(head) + "</th>"
        }
        h += "</tr></thead>\n<tbody>\n"
        for row in rows {
            h += "<tr>"
            for i in 0..<Swift.max(headers.count, row.count) {
                let cell = i < row.count ? row[i] : ""
                h += (numericColumns.contains(i) ? "<td class=\"num\">" : "<td>") + escape(cell) + "</td>"
            }
            h += "</tr>\n"
        }
        return h + "</tbody>\n</table></div>\n"
    }

    /// Callout box, e.g. "This figure is not available because …".
    public static func notice(_ text: String, kind: NoticeKind = .info) -> String {
        let (cls, label) = kind == .info ? ("info", "Note") : ("warning", "Caution")
        return "<div class=\"notice \(cls)\" role=\"note\"><strong>\(label):</strong> \(escape(text))</div>\n"
    }

    /// Wraps a chart SVG (trusted markup from this library) in a figure with an optional caption.
    public static func figure(_ svg: String, caption: String? = nil) -> String {
        var h = "<figure class=\"chart-figure\">\n\(svg)"
        if let c = caption, !c.isEmpty { h += "<figcaption>\(escape(c))</figcaption>\n" }
        return h + "</figure>\n"
    }

    /// Escaped paragraph of text.
    public static func paragraph(_ text: String) -> String { "<p>\(escape(text))</p>\n" }

    static let css = """
    :root { --ink:#1f2933; --muted:#52606d; --line:#d9dee4; --bg:#f4f6f8; --accent:#1d3f6e; --zebra:#f6f8fa; }
    * { box-sizing: border-box; }
    html { -webkit-text-size-adjust: 100%; }
    body { margin:0; background:var(--bg); color:var(--ink);
      font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
      font-size:15px; line-height:1.5; }
    .report { max-width:1000px; margin:0 auto; padding:32px 28px 48px; }
    .report-header { border-bottom:3px solid var(--accent); padding-bottom:14px; margin-bottom:20px; }
    h1 { font-size:28px; line-height:1.2; margin:0 0 6px; color:var(--accent); letter-spacing:-0.01em; }
    .subtitle { margin:0; color:var(--muted); font-size:15px; }
    h2 { font-size:20px; margin:0 0 14px; color:var(--accent); }
    h3 { font-size:16px; margin:22px 0 8px; }
    p { margin:0 0 12px; max-width:75ch; }
    .toc { background:#fff; border:1px solid var(--line); border-radius:8px; padding:14px 20px; margin:0 0 24px; }
    .toc h2 { font-size:14px; text-transform:uppercase; letter-spacing:.06em; color:var(--muted); margin:0 0 6px; }
    .toc ol { margin:0; padding-left:22px; columns:2; column-gap:32px; }
    .toc li { margin:2px 0; }
    .toc a { color:var(--accent); text-decoration:none; }
    .toc a:hover { text-decoration:underline; }
    section { background:#fff; border:1px solid var(--line); border-radius:8px; padding:22px 26px;
      margin:0 0 22px; box-shadow:0 1px 3px rgba(16,24,40,.06); }
    .cards { display:grid; grid-template-columns:repeat(auto-fit, minmax(190px, 1fr)); gap:14px; margin:4px 0 16px; }
    .card { border:1px solid var(--line); border-left:4px solid var(--accent); border-radius:6px; padding:12px 14px; background:#fff; }
    .card-label { font-size:12px; text-transform:uppercase; letter-spacing:.05em; color:var(--muted); }
    .card-value { font-size:24px; font-weight:650; line-height:1.25; margin-top:4px; font-variant-numeric:tabular-nums; }
    .card-note { font-size:13px; color:var(--muted); margin-top:4px; }
    .table-wrap { overflow-x:auto; margin:8px 0 16px; }
    table { border-collapse:collapse; width:100%; font-size:14px; }
    caption { text-align:left; font-weight:600; padding:0 0 6px; }
    th, td { padding:7px 10px; border-bottom:1px solid var(--line); text-align:left; vertical-align:top; }
    thead th { background:#e9edf2; border-bottom:2px solid #b8c2cc; font-weight:600; }
    tbody tr:nth-child(even) { background:var(--zebra); }
    .num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
    .notice { border-radius:6px; padding:10px 14px; margin:10px 0 16px; font-size:14px; border:1px solid; border-left-width:5px; }
    .notice.info { background:#eef4fb; border-color:#9fb9d8; }
    .notice.warning { background:#fdf6e7; border-color:#d9a441; }
    figure.chart-figure { margin:10px 0 18px; }
    figure.chart-figure svg { max-width:100%; }
    figcaption { font-size:13px; color:var(--muted); margin-top:6px; }
    .report-footer { color:var(--muted); font-size:12px; margin-top:28px; }
    @page { size:A4; margin:14mm 12mm; }
    @media print {
      body { background:#fff; font-size:11pt; }
      .report { max-width:none; padding:0; }
      section { box-shadow:none; border:none; border-radius:0; padding:0; margin:0; break-before:page; page-break-before:always; }
      section:first-of-type { break-before:auto; page-break-before:auto; }
      .toc { border:none; padding:0; }
      .cards { grid-template-columns:repeat(auto-fit, minmax(140px, 1fr)); gap:10px; }
      .card-value { font-size:17pt; }
      .card, .notice { box-shadow:none; break-inside:avoid; page-break-inside:avoid; }
      figure.chart-figure, svg { break-inside:avoid; page-break-inside:avoid; }
      h2, h3, caption { break-after:avoid; page-break-after:avoid; }
      table { break-inside:auto; }
      tr { break-inside:avoid; page-break-inside:avoid; }
      thead { display:table-header-group; }
      .table-wrap { overflow:visible; }
      a { color:inherit; text-decoration:none; }
      * { -webkit-print-color-adjust:exact; print-color-adjust:exact; }
    }

    """
}
