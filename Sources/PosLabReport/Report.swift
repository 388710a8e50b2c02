import Foundation
import PosLabModel
import PosLabResults
import PosLabTasks

/// `poslab report`: a self-contained HTML page (inline SVG and CSS, no script, nothing fetched)
/// and one standalone SVG per figure, drawn from a results folder alone.
public struct Report {
    public let data: ReportData
    /// The metric of the length and heatmap figures.
    public let metric: String

    /// A figure: its file name, caption and SVG.
    public struct Figure { public var file: String, caption: String, svg: SVG }

    public init(data: ReportData, metric: String = "token_accuracy") {
        self.data = data
        self.metric = metric
    }

    /// Chance levels per scope and evaluation length, from the tasks PosLab knows (others: none).
    func chanceLevels(tasks: TaskRegistry) -> [String: [Int: Double]] {
        var out: [String: [Int: Double]] = [:]
        for scope in data.scopes {
            let rows = data.rows.filter { $0.scope == scope }
            guard let first = rows.first, let spec = try? Spec(parsing: first.task), let task = try? tasks.make(spec) else { continue }
            for length in Set(rows.map(\.evalLength)) { out[scope, default: [:]][length] = task.chanceLevel(length: length, trials: 500) }
        }
        return out
    }

    /// Every figure the data allows: length generalisation, the overview, training curves, the grid
    /// (when settings are swept) and, where checkpoints exist, inside the models.
    public func figures(tasks: TaskRegistry = .shared, encodings: EncodingRegistry = .shared) -> [Figure] {
        let name = metric.replacingOccurrences(of: "_", with: " ")
        var out = [Figure(file: "length-generalization.svg",
                          caption: "\(name.capitalizedFirst) against evaluation length: mean over seeds (line and marker) with its 95% t interval "
                            + "(band, clipped to the metric's range); grey: the training lengths; dashed: chance (the best input-blind guess). "
                            + "Gaps: the encoding has no numbers at that length (unsupported or diverged).",
                          svg: LengthFigure(data: data, metric: metric, chance: metric.hasSuffix("accuracy") ? chanceLevels(tasks: tasks) : [:]).render()),
                   Figure(file: "overview.svg", caption: "Mean \(name) per task and encoding, at the training length and at the longest length.",
                          svg: HeatmapFigure(data: data, metric: metric).render())]
        if let curves = CurvesFigure(data: data).render() {
            out.append(Figure(file: "training-curves.svg",
                              caption: "Training loss against step: mean over seeds, band from the lowest to the highest seed.", svg: curves))
        }
        if let grid = GridFigure(data: data, metric: metric).render() {
            out.append(Figure(file: "grid.svg",
                              caption: "\(name.capitalizedFirst) at the training length against each swept setting (values evenly spaced in "
                                + "their order): mean over seeds with its 95% t interval, one panel per task and combination of the other settings.",
                              svg: grid))
        }
        let inside = InsideFigure(data: data, tasks: tasks, encodings: encodings).render()
        out += inside.figures.map { f in
            var f = f
            if !inside.leftOut.isEmpty { f.caption += " Left out: \(inside.leftOut.joined(separator: "; "))." }
            return f
        }
        return out
    }

    /// Runs by status, each counted once: `ok` if it has numbers at any length (a run unsupported
    /// beyond its table is still an ok run), else `failed` if any row failed, else its first row's status.
    var statusCounts: [(String, Int)] {
        var status: [String: String] = [:]
        for r in data.rows {
            let now = status[r.runID]
            if now == nil || r.status == "ok" || (r.status == "failed" && now != "ok") { status[r.runID] = r.status }
        }
        let order = ["ok", "unsupported", "diverged", "failed"]
        let counts = Dictionary(grouping: status.values, by: { $0 }).mapValues(\.count)
        return order.compactMap { s in counts[s].map { (s, $0) } }
            + counts.filter { !order.contains($0.key) }.sorted { $0.key < $1.key }
    }

    /// Writes report.html and the figures' SVG files into `folder`; returns the HTML's URL.
    @discardableResult
    public func write(to folder: URL, tasks: TaskRegistry = .shared) throws -> URL {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let figures = self.figures(tasks: tasks)
        for f in figures {
            try Data(f.svg.document(title: f.caption).utf8).write(to: folder.appendingPathComponent(f.file), options: .atomic)
        }
        let url = folder.appendingPathComponent("report.html")
        try Data(html(figures).utf8).write(to: url, options: .atomic)
        return url
    }

    func html(_ figures: [Figure]) -> String {
        let e = SVG.escape
        let suite = data.manifest?["suite"] as? [String: Any]
        let machine = data.manifest?["machine"] as? [String: Any]
        let name = (suite?["name"] as? String) ?? data.folder.lastPathComponent
        var facts: [(String, String)] = [("results", data.folder.path)]
        if let commit = data.manifest?["git_commit"] as? String { facts.append(("PosLab commit", commit)) }
        if let version = data.manifest?["poslab_version"] as? String { facts.append(("PosLab version", version)) }
        if let machine {
            facts.append(("machine", "\(machine["cpu"] as? String ?? "?"), \(machine["cores"] as? Int ?? 0) cores"))
            if let kernel = machine["blas_kernel"] as? String { facts.append(("BLAS kernel", kernel)) }
            if let blas = machine["blas"] as? String { facts.append(("OpenBLAS", blas)) }
        }
        let seeds = data.rows.map(\.seed).uniqued()
        facts.append(("encodings", data.encodings.joined(separator: ", ")))
        facts.append(("tasks", data.rows.map(\.task).uniqued().joined(separator: ", ")))
        facts.append(("seeds", "\(seeds.count) (\(seeds.joined(separator: ", ")))"))
        let settings = data.rows.map(\.setting).uniqued().filter { !$0.isEmpty }
        if !settings.isEmpty { facts.append(("grid points", settings.joined(separator: " · "))) }
        let counts = statusCounts
        facts.append(("runs", counts.map { "\($0.1) \($0.0)" }.joined(separator: ", ")))
        let expected = (suite?["seeds"] as? [Any]).map { seedsList in
            ((suite?["encodings"] as? [Any])?.count ?? 0) * ((suite?["tasks"] as? [Any])?.count ?? 0) * seedsList.count
                * max(1, (suite?["grid"] as? [Any])?.count ?? 1)
        }
        let done = Set(data.rows.map(\.runID)).count
        var banner = ""
        if let expected, expected > done {
            banner = "<p class=\"banner\">Incomplete study: \(done) of \(expected) runs have results (the suite is still running, "
                + "or was interrupted). Each figure rests on the runs listed in its data.</p>"
        } else if data.manifest?["finished_at"] == nil || data.manifest?["finished_at"] is NSNull {
            banner = data.manifest == nil ? "" : "<p class=\"banner\">The manifest has no finish time: the study may still be running.</p>"
        }
        var comparisons = ""
        if let c = data.comparisons, let verdict = c.header.firstIndex(of: "verdict") {
            let shown = c.rows.prefix(200)
            comparisons = "<h2>Comparisons</h2><p>From comparisons.csv (`poslab compare`), \(c.rows.count) rows\(c.rows.count > shown.count ? ", the first \(shown.count) shown" : "").</p><table><tr><th>verdict</th></tr>"
                + shown.map { "<tr><td>\(e($0[verdict]))</td></tr>" }.joined() + "</table>"
        }
        // claims.csv (`poslab claims`): a paper's claims, one row each, with the verdict and its numbers.
        var claims = ""
        if let c = data.claims {
            let k = Dictionary(c.header.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            func cell(_ row: [String], _ name: String) -> String { k[name].map { row[$0] } ?? "" }
            func number(_ text: String) -> String { Double(text).map { String(format: "%+.3f", $0) } ?? "" }
            let sources = c.rows.map { cell($0, "source") }.filter { !$0.isEmpty }.uniqued()
            claims = "<h2>Claims</h2><p>From claims.csv (`poslab claims`)\(sources.isEmpty ? "" : ", claims of " + sources.map(e).joined(separator: "; "))"
                + ": each decided by a paired test over seeds, Holm-corrected over the claims file.</p>"
                + "<table><tr><th>line</th><th>claim</th><th>verdict</th><th>difference</th><th>interval</th><th>p_holm</th><th>why</th></tr>"
                + c.rows.map { r in
                    let ci = cell(r, "ci_low").isEmpty ? "" : "[\(number(cell(r, "ci_low"))), \(number(cell(r, "ci_high")))]"
                    let p = Double(cell(r, "p_holm")).map { Comparison.formatP($0) } ?? ""
                    return "<tr><td>\(e(cell(r, "line")))</td><td>\(e(cell(r, "claim")))</td><td><b>\(e(cell(r, "verdict")))</b></td>"
                        + "<td>\(number(cell(r, "estimate")))</td><td>\(ci)</td><td>\(p)</td><td>\(e(cell(r, "reason")))</td></tr>"
                }.joined() + "</table>"
        }
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <title>PosLab report: \(e(name))</title>
        <style>
        body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 24px; color: #222; max-width: 1100px; }
        h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
        table { border-collapse: collapse; font-size: 13px; } td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: left; }
        figure { margin: 16px 0; } figcaption { font-size: 13px; color: #444; max-width: 900px; }
        .banner { background: #fff3cd; border: 1px solid #e0c36a; padding: 8px 12px; }
        svg { max-width: 100%; height: auto; }
        </style></head><body>
        <h1>PosLab report: \(e(name))</h1>
        \(banner)
        <table>\(facts.map { "<tr><th>\(e($0.0))</th><td>\(e($0.1))</td></tr>" }.joined())</table>
        \(figures.map { "<figure id=\"\(e($0.file))\">\($0.svg.inline(title: $0.caption))<figcaption>\(e($0.caption)) (<a href=\"\(e($0.file))\">\(e($0.file))</a>)</figcaption></figure>" }.joined(separator: "\n"))
        \(comparisons)
        \(claims)
        </body></html>

        """
    }
}

extension String {
    /// The string with its first letter upper-cased.
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
