import Foundation
import PosLabModel
import PosLabSupport
import PosLabStudy

/// The results folder of one suite.
///
/// Each finished run is its own record, `runs/<id>.json` (see `RunRecord`), written atomically;
/// `runs.csv` and `curves.csv` are derived from the records (`rebuild`) and never read back to
/// decide what to run, so a damaged or deleted CSV costs nothing. Several processes can share the
/// folder: each run is claimed (`RunClaim`) before it is trained.
public final class ResultsStore: @unchecked Sendable {
    /// runs.csv's columns, in order: identity, settings (every one, swept or not), evaluation, results.
    public static let runColumns = RunColumn.allCases.map(\.rawValue)
    /// runs.csv's columns before prompt tasks (sequence_length, generated_token_accuracy): such a
    /// file is still read, those columns empty.
    public static let runColumnsBefore22 = runColumns.filter { $0 != "sequence_length" && $0 != "generated_token_accuracy" }
    /// The columns holding settings a grid can sweep.
    public static let settingColumns = RunColumn.settings.map(\.rawValue)
    /// curves.csv's columns, in order.
    public static let curveColumns = ["run_id", "step", "train_loss"]
    /// Files PosLab derives in a results folder (only these, records and run claims are ever deleted; claims.csv is `poslab claims`' output).
    static let derivedFiles = ["runs.csv", "curves.csv", "summary.csv", "rankings.csv", "comparisons.csv", "claims.csv",
                               "validation.csv", "selection.csv"]

    public let directory: URL
    public let suite: Suite
    public var runsURL: URL { directory.appendingPathComponent("runs.csv") }
    public var curvesURL: URL { directory.appendingPathComponent("curves.csv") }
    public var manifestURL: URL { directory.appendingPathComponent("manifest.json") }
    /// A tuned study's validation results (runs.csv's columns) and its selection (`Selection`).
    public var validationURL: URL { directory.appendingPathComponent("validation.csv") }
    public var selectionURL: URL { directory.appendingPathComponent("selection.csv") }
    /// The folder of run records and claims.
    public var recordsURL: URL { directory.appendingPathComponent("runs") }

    /// Opens the results folder of `suite`; with `fresh`, first deletes what PosLab wrote there.
    ///
    /// A folder whose files PosLab did not write, or (with `fresh`) one another live process is
    /// working in, is an error that names the file or the process.
    public init(directory: URL, suite: Suite, fresh: Bool) throws {
        self.directory = directory
        self.suite = suite
        let fm = FileManager.default
        // A folder whose manifest is PosLab's is PosLab's: a derived file there that does not look
        // like one was damaged, and is rewritten. Elsewhere such a file may be a user's: refused.
        let manifest = directory.appendingPathComponent("manifest.json")
        let ours = fm.fileExists(atPath: manifest.path) && Self.isOurs(manifest)
        for name in Self.derivedFiles + ["manifest.json"] {
            let url = directory.appendingPathComponent(name)
            if fm.fileExists(atPath: url.path) && !Self.isOurs(url) && !(ours && name != "manifest.json") {
                if name == "manifest.json", !Self.isJSON(url), let record = Self.someRecord(in: recordsURL) {
                    // Not even JSON beside PosLab's records: PosLab's manifest, damaged (someone else's JSON is refused below).
                    throw ResultsError("\(url.path) is damaged (not a manifest PosLab can read), yet \(record.path) and the other records "
                                       + "beside it are PosLab's, so nothing was written. To recover, move the damaged file aside "
                                       + "(mv \(url.path) \(url.path).damaged) and run the suite again (poslab run SUITE --out \(directory.path)): "
                                       + "finished runs are not trained again, and manifest.json is written anew")
                }
                throw ResultsError("\(url.path) was not written by PosLab; choose another folder with --out")
            }
        }
        if fresh { try clear() }
        try fm.createDirectory(at: recordsURL, withIntermediateDirectories: true)
    }

    /// Whether the file holds valid JSON.
    static func isJSON(_ url: URL) -> Bool {
        guard let data = try? Data(contentsOf: url) else { return false }
        return (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil
    }

    /// A run record of PosLab's in `folder` (runs/), if there is one.
    static func someRecord(in folder: URL) -> URL? {
        guard isDirectory(folder) else { return nil }
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted().lazy
            .filter(isRecordName).map { folder.appendingPathComponent($0) }
            .first { isRegularFile($0) && isOurRecord($0) }
    }

    /// Whether a derived file or manifest looks like PosLab's (by its header or its keys). The
    /// manifest is read whole: its keys are sorted, and a long `encodings_resolved` list comes first.
    static func isOurs(_ url: URL) -> Bool {
        if url.lastPathComponent == "manifest.json" {
            guard let data = try? Data(contentsOf: url) else { return false }
            if data.isEmpty { return true }  // truncated by a crash
            if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
                return ["git_commit", "suite", "poslab_version"].contains { object[$0] != nil }
            }
            let text = String(decoding: data, as: UTF8.self)  // damaged JSON: PosLab's if it has PosLab's keys
            return text.hasPrefix("{") && ["\"git_commit\"", "\"suite\"", "\"poslab_version\""].contains { text.contains($0) }
        }
        guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        let head = String(decoding: (try? handle.read(upToCount: 256)) ?? Data(), as: UTF8.self)
        if head.isEmpty { return true }  // an empty file: truncated by a crash
        switch url.lastPathComponent {
        case "runs.csv", "validation.csv": return head.hasPrefix("suite,run_id,")
        case "selection.csv": return head.hasPrefix("task,task_args,encoding,encoding_args,setting,tuned,")
        case "curves.csv": return head.hasPrefix("run_id,step,")
        case "summary.csv", "rankings.csv", "comparisons.csv": return head.hasPrefix("task,") || head.hasPrefix("metric,")
        case "claims.csv": return head.hasPrefix("source,line,claim,")  // poslab claims' verdicts (not a run's .claim)
        default: return head.hasPrefix("{") && ["\"git_commit\"", "\"suite\"", "\"poslab_version\""].contains { head.contains($0) }
        }
    }

    /// Deletes the records, claims, derived files and manifest PosLab wrote here, and nothing else:
    /// never through a symbolic link, and only files whose contents show they are PosLab's (a run
    /// record, a checkpoint PosLab wrote, a claim, a derived file, the report PosLab wrote and the
    /// figures it names). A link where PosLab keeps its files is refused before anything is deleted.
    private func clear() throws {
        let fm = FileManager.default
        let report = directory.appendingPathComponent("report"), page = report.appendingPathComponent("report.html")
        // First, before deleting anything: no link among the folders and files --fresh would delete.
        for url in [recordsURL, report, page] + (Self.derivedFiles + ["manifest.json", "rebuild.lock", SuiteLock.fileName]).map({ directory.appendingPathComponent($0) })
        where Self.isLink(url) {
            throw Self.linkRefusal(url)
        }
        if let live = SuiteLock.liveHolder(directory) {
            let who = live.map { "suite \($0.suite) (\($0.holder))" } ?? "another process"
            throw ResultsError("\(directory.path): \(who) is running a suite in this folder; --fresh would delete its results, "
                               + "so nothing was deleted: wait for it to finish, or choose another folder with --out")
        }
        let names = Self.isDirectory(recordsURL) ? ((try? fm.contentsOfDirectory(atPath: recordsURL.path)) ?? []) : []
        let candidates = names.filter { Self.isRecordName($0) || Self.isCheckpointName($0) || $0.hasSuffix(".claim") }
        let figures = Self.isRegularFile(page) && Self.isOurReport(page) ? Self.figuresNamed(by: page) : []
        for url in candidates.map({ recordsURL.appendingPathComponent($0) }) + figures.map({ report.appendingPathComponent($0) })
        where Self.isLink(url) {
            throw Self.linkRefusal(url)
        }
        for name in names where name.hasSuffix(".claim") {
            let url = recordsURL.appendingPathComponent(name)
            if let holder = RunClaim.holder(of: url), !RunClaim.isStale(url, holder: holder), holder.pid != RunClaim.me.pid {
                throw ResultsError("\(url.path): run claimed by \(holder), which is still working in this folder; --fresh would delete its results")
            }
        }
        for name in candidates {
            let url = recordsURL.appendingPathComponent(name)
            guard Self.isRegularFile(url) else { continue }
            let ours = Self.isRecordName(name) ? Self.isOurRecord(url) : Self.isCheckpointName(name) ? Self.isOurCheckpoint(url)
                : RunClaim.isClaimFile(url)
            if ours { try fm.removeItem(at: url) }
        }
        if Self.isDirectory(recordsURL), (try? fm.contentsOfDirectory(atPath: recordsURL.path))?.isEmpty == true { try fm.removeItem(at: recordsURL) }
        for name in Self.derivedFiles + ["manifest.json"] {
            let url = directory.appendingPathComponent(name)
            if Self.isRegularFile(url) && Self.isOurs(url) { try fm.removeItem(at: url) }
        }
        // suite.lock as PosLab writes it, no process holding it (checked above).
        let suiteLock = directory.appendingPathComponent(SuiteLock.fileName)
        if Self.isRegularFile(suiteLock), SuiteLock.contents(suiteLock) != nil { try fm.removeItem(at: suiteLock) }
        // rebuild.lock as PosLab leaves it: empty (a user's file of that name has something in it).
        let lock = directory.appendingPathComponent("rebuild.lock")
        if Self.isRegularFile(lock), (try? fm.attributesOfItem(atPath: lock.path)[.size] as? Int) == 0 { try fm.removeItem(at: lock) }
        // The report `poslab run` wrote: report.html and the figures it names, nothing else of report/.
        if !figures.isEmpty || (Self.isRegularFile(page) && Self.isOurReport(page)) {
            for name in figures where Self.isRegularFile(report.appendingPathComponent(name)) {
                try fm.removeItem(at: report.appendingPathComponent(name))
            }
            try fm.removeItem(at: page)
            if (try? fm.contentsOfDirectory(atPath: report.path))?.isEmpty == true { try fm.removeItem(at: report) }
        }
    }

    /// Removes what interrupted writers left in the folder, and says what it removed: temporaries
    /// of atomic writes (`.dat.nosync…` in the folder and in runs/) whose contents are PosLab's and
    /// that are older than `RunClaim.staleAfter` (an atomic write takes well under a second), and
    /// run claims (`runs/<id>.claim`, or one moved aside to be taken over) whose holder is provably
    /// gone: a dead pid on this host, or no touch for `RunClaim.staleAfter` seconds from another
    /// host. Nothing else, never through a link, and nothing outside the folder.
    public func removeStaleLeftovers() -> [String] {
        let fm = FileManager.default
        var removed: [String] = []
        for folder in [directory, recordsURL] where Self.isDirectory(folder) {
            for name in (try? fm.contentsOfDirectory(atPath: folder.path)) ?? [] where name.hasPrefix(".dat.nosync") {
                let url = folder.appendingPathComponent(name)
                guard Self.isRegularFile(url), let age = Self.age(url), age > RunClaim.staleAfter, Self.isOurTemporary(url) else { continue }
                if (try? fm.removeItem(at: url)) != nil {
                    removed.append("removed \(url.path): a temporary file PosLab left when a write was interrupted (\(Int(age / 60)) minutes old)")
                }
            }
        }
        guard Self.isDirectory(recordsURL) else { return removed }
        for name in (try? fm.contentsOfDirectory(atPath: recordsURL.path)) ?? [] {
            let id = String(name.prefix(20))
            guard name.count >= 26, id.allSatisfy({ $0.isHexDigit && !$0.isUppercase }),
                  name.dropFirst(20) == ".claim" || name.dropFirst(20).hasPrefix(".claim.stale-") else { continue }
            let url = recordsURL.appendingPathComponent(name)
            guard Self.isRegularFile(url), RunClaim.isClaimFile(url), let holder = RunClaim.holder(of: url),
                  holder.pid != RunClaim.me.pid || holder.host != RunClaim.me.host, RunClaim.isStale(url, holder: holder) else { continue }
            // As a take-over does: move it aside (one mover wins), check again, then delete it.
            let aside = recordsURL.appendingPathComponent(".\(name).removing-\(getpid())")
            guard rename(url.path, aside.path) == 0 else { continue }
            if RunClaim.isClaimFile(aside), let again = RunClaim.holder(of: aside), again.pid == holder.pid, again.host == holder.host {
                unlink(aside.path)
                removed.append("removed \(url.path): a stale claim of \(holder), which is no longer running")
            } else {  // a new claim came meanwhile: put it back
                _ = link(aside.path, url.path)
                unlink(aside.path)
            }
        }
        return removed
    }

    /// Seconds since `url` was last modified.
    static func age(_ url: URL) -> TimeInterval? {
        (try? FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date).map { Date().timeIntervalSince($0) }
    }

    /// Whether a temporary of an atomic write holds what PosLab writes: a run record (whole, or cut
    /// short: its sorted keys open with `{"build":{"blas":`), a checkpoint, a derived CSV file, the
    /// manifest, or the suite's lock.
    static func isOurTemporary(_ url: URL) -> Bool {
        if isOurCheckpoint(url) { return true }
        guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        let head = String(decoding: (try? handle.read(upToCount: 1 << 20)) ?? Data(), as: UTF8.self)
        if head.hasPrefix("{\"build\":{\"blas\":") || (head.hasPrefix("{") && head.contains("\"format\":\"\(RunRecord.formatName)\"")) { return true }
        if ["suite,run_id,", "run_id,step,", "task,", "metric,", "source,line,claim,"].contains(where: { head.hasPrefix($0) }) { return true }
        return head.hasPrefix("{") && ["\"git_commit\"", "\"poslab_version\""].allSatisfy { head.contains($0) }
    }

    /// Why --fresh stops at a symbolic link.
    static func linkRefusal(_ url: URL) -> ResultsError {
        let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: url.path)).map { " to \($0)" } ?? ""
        return ResultsError("\(url.path) is a symbolic link\(target); --fresh deletes only PosLab's files inside the results folder "
                            + "and never follows a link, so nothing was deleted: remove the link, or choose another folder with --out")
    }

    /// The kind of file at `url` itself (a link is not followed), or nil if there is nothing.
    static func fileType(_ url: URL) -> mode_t? {
        var info = stat()
        guard lstat(url.path, &info) == 0 else { return nil }
        return info.st_mode & S_IFMT
    }
    static func isLink(_ url: URL) -> Bool { fileType(url) == S_IFLNK }
    static func isRegularFile(_ url: URL) -> Bool { fileType(url) == S_IFREG }
    static func isDirectory(_ url: URL) -> Bool { fileType(url) == S_IFDIR }

    /// Whether the file is a PosLab run record: JSON that decodes as one, with PosLab's format
    /// (its checksum or id may be wrong: an edited record is still PosLab's).
    static func isOurRecord(_ url: URL) -> Bool {
        guard let data = try? Data(contentsOf: url), let record = try? RunRecord.decoder.decode(RunRecord.self, from: data) else { return false }
        return record.format == RunRecord.formatName
    }

    /// Whether the file is a checkpoint PosLab wrote: a safetensors header whose metadata carries `poslab.format`.
    static func isOurCheckpoint(_ url: URL) -> Bool {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        guard let prefix = try? handle.read(upToCount: 8), prefix.count == 8 else { return false }
        let length = prefix.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard length > 1, length <= 16 << 20, let header = try? handle.read(upToCount: Int(length)), header.count == Int(length),
              let object = try? JSONSerialization.jsonObject(with: header) as? [String: Any],
              let metadata = object["__metadata__"] as? [String: Any] else { return false }
        return metadata[Checkpoint.Key.version] != nil
    }

    /// Whether report.html is the page PosLab's report writes.
    static func isOurReport(_ url: URL) -> Bool {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        return String(decoding: (try? handle.read(upToCount: 512)) ?? Data(), as: UTF8.self).contains("<title>PosLab report")
    }

    /// The figure files (plain names ending in .svg, in its folder) that PosLab's report page links to.
    static func figuresNamed(by page: URL) -> [String] {
        guard let html = try? String(contentsOf: page, encoding: .utf8) else { return [] }
        let names = html.components(separatedBy: "<a href=\"").dropFirst().compactMap { $0.split(separator: "\"", maxSplits: 1).first.map(String.init) }
        return Array(Set(names.filter { $0.hasSuffix(".svg") && !$0.contains("/") && !$0.hasPrefix(".") && !$0.contains("&") })).sorted()
    }

    /// Whether a file name in runs/ is a record's: 20 hex digits and `.json`.
    static func isRecordName(_ name: String) -> Bool {
        name.hasSuffix(".json") && name.count == 25 && name.prefix(20).allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    /// Whether a file name in runs/ is a run's checkpoint: 20 hex digits and `.safetensors`.
    static func isCheckpointName(_ name: String) -> Bool {
        name.hasSuffix(".safetensors") && name.count == 32 && name.prefix(20).allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    public func recordURL(_ id: String) -> URL { recordsURL.appendingPathComponent("\(id).json") }
    /// Where run `id`'s model is saved.
    public func checkpointURL(_ id: String) -> URL { recordsURL.appendingPathComponent("\(id).safetensors") }
    public func claimURL(_ id: String) -> URL { recordsURL.appendingPathComponent("\(id).claim") }

    /// Why a record's saved model cannot give it new evaluation lengths.
    public struct CheckpointProblem: Sendable, CustomStringConvertible {
        /// What is wrong, naming the file if there is one.
        public var description: String
        /// Whether a checkpoint was saved and is now missing or changed (rather than never saved).
        public var damaged: Bool
    }

    /// Why `record`'s saved model cannot give it new evaluation lengths, or nil if it can (a
    /// diverged run needs none: its every length is diverged).
    public func checkpointProblem(_ record: RunRecord) -> CheckpointProblem? {
        if record.status == .diverged { return nil }
        guard let saved = record.checkpoint else {
            return CheckpointProblem(description: "it has no checkpoint (trained with training.checkpoint: false, or before PosLab saved models)",
                                     damaged: false)
        }
        let url = recordsURL.appendingPathComponent(saved.file)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            return CheckpointProblem(description: "its checkpoint \(url.path) is missing", damaged: true)
        }
        guard data.count == saved.bytes else {
            return CheckpointProblem(description: "its checkpoint \(url.path) has \(data.count) bytes where \(saved.bytes) were written "
                                         + "(truncated or replaced)", damaged: true)
        }
        guard SHA256.hex(data) == saved.sha256 else {
            return CheckpointProblem(description: "its checkpoint \(url.path) differs from the one written (its SHA-256 is not "
                                         + "the record's: changed or damaged)", damaged: true)
        }
        return nil
    }

    /// The record of run `id`: nil if there is none, an error saying what is wrong if it is damaged.
    public func record(_ id: String) -> Result<RunRecord?, RecordDamage> {
        let url = recordURL(id)
        guard FileManager.default.fileExists(atPath: url.path) else { return .success(nil) }
        do { return .success(try RunRecord.read(url, id: id)) } catch { return .failure(error) }
    }

    /// Writes a run's record atomically (a temporary file renamed over the old one).
    public func write(_ record: RunRecord) throws {
        try record.encoded().write(to: recordURL(record.id), options: .atomic)
    }

    /// Files in runs/ that are neither records nor claims (left alone, but reported).
    public func foreignFiles() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: recordsURL.path)) ?? []
        return names.filter { !Self.isRecordName($0) && !Self.isCheckpointName($0) && !$0.hasSuffix(".claim") && !$0.contains(".json.") && !$0.contains(".safetensors.") && !$0.hasPrefix(".") }
            .sorted().map { recordsURL.appendingPathComponent($0).path }
    }

    /// What the last `rebuild` changed in a tuned study's selection (one line per group whose
    /// selected point moved as the study grew).
    public internal(set) var selectionChanges: [String] = []

    /// Runs `body` holding an exclusive lock on the folder's `rebuild.lock` (flock), so two
    /// processes rewriting the derived files do not interleave.
    func withFolderLock<T>(_ body: () throws -> T) throws -> T {
        let path = directory.appendingPathComponent("rebuild.lock").path
        let fd = open(path, O_CREAT | O_RDWR, 0o644)
        guard fd >= 0 else { throw ResultsError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        flock(fd, LOCK_EX)
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    /// The rows of runs.csv as last written (header in `runColumns`).
    public var runRows: [[String]] {
        (try? CSVTable.read(runsURL, expectedHeader: Self.runColumns, accepting: [Self.runColumnsBefore22]))??.rows ?? []
    }

    /// The run ids with rows in runs.csv.
    public var completedRunIDs: Set<String> { Self.runIDs(in: runRows) }

    /// The run ids of runs.csv rows (in `runColumns`).
    static func runIDs(in rows: [[String]]) -> Set<String> {
        let id = RunColumn.allCases.firstIndex(of: .runID)!
        return Set(rows.map { $0[id] })
    }
}
