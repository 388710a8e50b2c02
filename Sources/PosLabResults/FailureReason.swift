import Foundation

/// A failed run's message (runs.csv's `message`) in a few words, for the summary table's notes:
/// the signal a worker died by (`PluginWorker.Death`: "… signal 11 (SIGSEGV) …" → `SIGSEGV`), how it
/// exited ("… exit(3) …" → `exit(3)`), else the message's first clause, cut at 60 characters. The
/// whole message stays in runs.csv and in the run's record.
public enum FailureReason {
    public static func short(_ message: String) -> String {
        if let r = message.range(of: #"signal [0-9]+ \([A-Za-z0-9 ]+\)"#, options: .regularExpression) {
            let match = message[r]
            let open = match.firstIndex(of: "(")!
            return String(match[match.index(after: open)..<match.index(before: match.endIndex)])
        }
        if let r = message.range(of: #"exit\(-?[0-9]+\)"#, options: .regularExpression) { return String(message[r]) }
        let clause = message.split(separator: ";", maxSplits: 1).first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        return clause.count <= 60 ? clause : String(clause.prefix(59)) + "…"
    }
}
