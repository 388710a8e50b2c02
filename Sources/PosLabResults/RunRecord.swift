import Foundation
import PosLabModel
import PosLabStudy

/// A finished run's record, `runs/<id>.json`: self-contained (configuration, evaluation settings,
/// per-length results, curve, timings, the build that trained it) and checksummed. Written
/// atomically once a run ends; runs.csv and curves.csv are derived from these files.
public struct RunRecord: Codable, Sendable, Equatable {
    /// The value of `format`: files without it are not PosLab run records.
    public static let formatName = "poslab-run-1"

    /// The build that trained a run.
    public struct Build: Codable, Sendable, Equatable {
        public var version: String, commit: String, blas: String, numerics: Int
        /// The OpenBLAS kernel the process ran and who chose it (`BLASKernel`).
        public var blasKernel: String
    }

    /// The run's saved model, `runs/<id>.safetensors` (see `Checkpoint`).
    public struct SavedCheckpoint: Codable, Sendable, Equatable {
        /// The file's name in runs/.
        public var file: String
        /// SHA-256 of the file as written: a changed or damaged file is named, not used.
        public var sha256: String
        public var bytes: Int

        package init(file: String, sha256: String, bytes: Int) {
            self.file = file
            self.sha256 = sha256
            self.bytes = bytes
        }
    }

    /// One logged training step.
    public struct CurvePoint: Codable, Sendable, Equatable {
        public var step: Int, loss: Double

        package init(step: Int, loss: Double) {
            self.step = step
            self.loss = loss
        }
    }

    public var format: String
    /// The run's identity, `configuration.id`.
    public var id: String
    public var configuration: RunConfiguration
    /// The task's and encoding's names and resolved arguments, as runs.csv shows them.
    public var taskName: String, taskArguments: String, encodingName: String, encodingArguments: String
    /// The evaluation settings the results were computed with.
    public var evaluationSize: Int, evaluationSeed: UInt64
    public var status: RunStatus
    /// Why a failed run failed.
    public var message: String?
    public var steps: Int
    public var finalTrainLoss: Double
    public var curve: [CurvePoint]
    public var results: [EvaluationResult]
    /// The results on a tuned suite's validation sets (`EvaluationSplit.validation`); nil in a
    /// suite that is not tuned (and in records from before tuning).
    public var validation: [EvaluationResult]?
    public var wallSeconds: Double
    /// The saved model (nil: not saved — `training.checkpoint: false`, a diverged or failed run, or
    /// a record from before checkpoints).
    public var checkpoint: SavedCheckpoint?
    public var finishedAt: String
    public var host: String
    public var build: Build
    /// SHA-256 of the record encoded with this field empty.
    public var checksum: String

    /// The record of a finished (or failed) run.
    public init(run: ResolvedRun, evaluation: Suite.Evaluation, status: RunStatus, message: String? = nil, steps: Int,
                finalTrainLoss: Double, curve: [CurvePoint], results: [EvaluationResult], validation: [EvaluationResult] = [],
                wallSeconds: Double, checkpoint: SavedCheckpoint? = nil) {
        format = Self.formatName
        id = run.id
        configuration = run.configuration
        taskName = run.taskName
        taskArguments = run.taskArguments
        encodingName = run.encodingName
        encodingArguments = run.encodingArguments
        evaluationSize = evaluation.size
        evaluationSeed = evaluation.seed
        self.status = status
        self.message = message
        self.steps = steps
        self.finalTrainLoss = finalTrainLoss
        self.curve = curve
        self.results = results
        self.validation = validation.isEmpty ? nil : validation
        self.wallSeconds = wallSeconds
        self.checkpoint = checkpoint
        finishedAt = Manifest.now()
        host = ProcessInfo.processInfo.hostName
        build = Build(version: Manifest.version, commit: Self.commit, blas: BLAS.configuration,
                      numerics: RunConfiguration.numericsVersion, blasKernel: BLAS.kernel.description)
        checksum = ""
        checksum = computedChecksum
    }

    /// The git commit of this build, looked up once.
    package static let commit = Manifest.gitCommit()

    /// The record with `results` at `lengths` replaced or added (sorted by length) and evaluated
    /// with `evaluation`'s set, its wall time grown by `seconds`; everything else as trained.
    public func extended(with results: [EvaluationResult], validation: [EvaluationResult] = [], evaluation: Suite.Evaluation,
                         seconds: Double) -> RunRecord {
        var copy = self
        let sameSet = evaluation.size == evaluationSize && evaluation.seed == evaluationSeed
        func merged(_ old: [EvaluationResult], _ new: [EvaluationResult]) -> [EvaluationResult] {
            let lengths = Set(new.map(\.length))
            return ((sameSet ? old.filter { !lengths.contains($0.length) } : []) + new).sorted { $0.length < $1.length }
        }
        copy.results = merged(self.results, results)
        let validated = merged(self.validation ?? [], validation)
        copy.validation = validated.isEmpty ? nil : validated
        copy.evaluationSize = evaluation.size
        copy.evaluationSeed = evaluation.seed
        copy.wallSeconds += seconds
        copy.checksum = ""
        copy.checksum = copy.computedChecksum
        return copy
    }

    /// The checksum this record should carry.
    var computedChecksum: String {
        var copy = self
        copy.checksum = ""
        return SHA256.hex((try? Self.encoder.encode(copy)) ?? Data())
    }

    /// Whether the record has numbers for every one of `lengths` (and validation lengths) with
    /// these evaluation settings.
    public func covers(_ evaluation: Suite.Evaluation) -> Bool {
        evaluation.size == evaluationSize && evaluation.seed == evaluationSeed
            && Set(evaluation.lengths).isSubset(of: results.map(\.length))
            && Set(evaluation.validation).isSubset(of: (validation ?? []).map(\.length))
    }

    package static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.keyEncodingStrategy = .convertToSnakeCase
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }

    package static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }

    /// The record as written: one line of JSON.
    public func encoded() throws -> Data {
        var data = try Self.encoder.encode(self)
        data.append(0x0A)
        return data
    }

    /// Reads the record at `url`, checking that it is one (format, checksum) and that it holds the
    /// run `id`; the error says what is wrong with it.
    public static func read(_ url: URL, id: String) throws(RecordDamage) -> RunRecord {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw RecordDamage(file: url.path, reason: "cannot be read (\(error.localizedDescription))") }
        let record: RunRecord
        do { record = try decoder.decode(RunRecord.self, from: data) } catch {
            let looksOurs = String(decoding: data.prefix(4096), as: UTF8.self).contains(formatName)
            throw RecordDamage(file: url.path, reason: looksOurs ? "is truncated or garbled (not valid JSON of a run record)"
                                                                 : "is not a PosLab run record")
        }
        guard record.format == formatName else { throw RecordDamage(file: url.path, reason: "is not a PosLab run record (format '\(record.format)')") }
        guard record.checksum == record.computedChecksum else { throw RecordDamage(file: url.path, reason: "fails its checksum (edited or garbled)") }
        guard record.id == id, record.configuration.id == id else {
            throw RecordDamage(file: url.path, reason: "holds run \(record.configuration.id), not \(id) (a copied or renamed record)")
        }
        return record
    }
}

/// A record file that cannot be used, and why: it is reported by name and its run trained again.
public struct RecordDamage: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var reason: String
    public var description: String { "\(file) \(reason)" }
}
