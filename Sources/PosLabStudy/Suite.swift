import PosLabModel

/// A whole experiment: every (task × encoding × seed) run, the model they share, how each is
/// trained and where it is evaluated. Read from a YAML suite file (see `Suite+YAML.swift` and the
/// docs/suite-files.md); written back, fully resolved, into `manifest.json`.
public struct Suite: Codable, Sendable, Equatable {
    /// How runs are trained.
    public struct Training: Codable, Sendable, Hashable {
        /// Optimizer steps per run.
        public var steps: Int
        /// Sequences per batch.
        public var batchSize: Int
        /// Training lengths: each batch's length is drawn uniformly from minLength...maxLength.
        public var minLength: Int, maxLength: Int
        /// `adam` or `adamw`.
        public var optimizer: String
        /// Adam's step size.
        public var learningRate: Double
        /// L2 (adam) or decoupled (adamw) weight decay.
        public var weightDecay: Double
        /// Global gradient-norm clip (0: none).
        public var clipNorm: Double
        /// The training loss is logged to curves.csv every this many steps (and at the last step).
        public var logEvery: Int
    }

    /// Where and on what runs are evaluated.
    public struct Evaluation: Codable, Sendable, Hashable {
        /// Every length evaluated, ascending.
        public var lengths: [Int]
        /// Sequences per length (the same set for every encoding and seed of a task).
        public var size: Int
        /// The seed of the evaluation sets.
        public var seed: UInt64
        /// The validation lengths of a tuned suite (`tune.select_on.lengths`; empty when untuned):
        /// each run is also scored there on sets drawn from their own streams, `validation/<task>/<length>`
        /// of `seed`, never the evaluation sets' `eval/<task>/<length>`.
        public var validation: [Int] = []

        public init(lengths: [Int], size: Int, seed: UInt64, validation: [Int] = []) {
            self.lengths = lengths
            self.size = size
            self.seed = seed
            self.validation = validation
        }

        enum CodingKeys: String, CodingKey { case lengths, size, seed, validation }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(lengths: try c.decode([Int].self, forKey: .lengths), size: try c.decode(Int.self, forKey: .size),
                      seed: try c.decode(UInt64.self, forKey: .seed),
                      validation: try c.decodeIfPresent([Int].self, forKey: .validation) ?? [])  // absent before tuning
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(lengths, forKey: .lengths)
            try c.encode(size, forKey: .size)
            try c.encode(seed, forKey: .seed)
            if !validation.isEmpty { try c.encode(validation, forKey: .validation) }  // untuned manifests unchanged
        }
    }

    /// What a suite's `tune:` block asks for: which swept settings are tuned, and the metric the
    /// selection maximises (or minimises) on the validation lengths (`evaluation.validation`).
    /// See `Selection`.
    public struct Tuning: Codable, Sendable, Hashable {
        /// The tuned settings as suite keys, e.g. `training.learning_rate`: swept like any list,
        /// then one value per (task, encoding) is selected.
        public var keys: [String]
        /// The metric (a `Metric` raw value) of the selection.
        public var metric: String

        public init(keys: [String], metric: String) {
            self.keys = keys
            self.metric = metric
        }
    }

    /// The shape of the model (the vocabulary comes from the task, max_length from training).
    public struct Model: Codable, Sendable, Hashable {
        public var dModel: Int, layers: Int, heads: Int
        public var attention: AttentionMode
    }

    /// The suite's name: results go to `Results/<name>/`.
    public var name: String
    /// Plugin libraries (absolute paths) whose encodings the suite may name.
    public var plugins: [String] = []
    /// Encodings (`relative-bias(buckets=16;max_distance=64)`), parsed once when the suite is read.
    public var encodings: [Spec]
    /// Tasks (`shift(k=2)`), parsed once when the suite is read.
    public var tasks: [Spec]
    /// Training seeds; seed s gives the same batches and shared initial weights to every encoding.
    public var seeds: [UInt64]
    public var model: Model
    public var training: Training
    public var evaluation: Evaluation
    /// The grid points when settings are swept (see `GridPoint`); empty: one point, `model` and `training`.
    public var grid: [GridPoint] = []
    /// The tuning (nil: every grid point is reported; see `Selection`).
    public var tuning: Tuning?
    /// Whether each run's final weights are saved, `runs/<id>.safetensors` (YAML `training.checkpoint`,
    /// default true). Not part of a run's identity: it changes what is kept, not what is trained.
    public var checkpoint = true

    enum CodingKeys: String, CodingKey { case name, plugins, encodings, tasks, seeds, model, training, evaluation, grid, checkpoint, tuning }

    public init(name: String, plugins: [String] = [], encodings: [Spec], tasks: [Spec], seeds: [UInt64],
                model: Model, training: Training, evaluation: Evaluation) {
        self.name = name
        self.plugins = plugins
        self.encodings = encodings
        self.tasks = tasks
        self.seeds = seeds
        self.model = model
        self.training = training
        self.evaluation = evaluation
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try c.decode(String.self, forKey: .name),
                  plugins: try c.decodeIfPresent([String].self, forKey: .plugins) ?? [],  // absent before plugins existed
                  encodings: try c.decode([Spec].self, forKey: .encodings), tasks: try c.decode([Spec].self, forKey: .tasks),
                  seeds: try c.decode([UInt64].self, forKey: .seeds), model: try c.decode(Model.self, forKey: .model),
                  training: try c.decode(Training.self, forKey: .training),
                  evaluation: try c.decode(Evaluation.self, forKey: .evaluation))
        grid = try c.decodeIfPresent([GridPoint].self, forKey: .grid) ?? []
        checkpoint = try c.decodeIfPresent(Bool.self, forKey: .checkpoint) ?? false  // absent before checkpoints existed
        tuning = try c.decodeIfPresent(Tuning.self, forKey: .tuning)
    }

    /// The points runs are trained at: the grid, or the one point of `model` and `training`.
    public var points: [GridPoint] { grid.isEmpty ? [GridPoint(model: model, training: training, swept: [:])] : grid }

    /// The model config for a task with `vocabSize` tokens.
    public func modelConfig(vocabSize: Int) -> ModelConfig {
        ModelConfig(vocabSize: vocabSize, dModel: model.dModel, layers: model.layers, heads: model.heads,
                    maxLength: training.maxLength, attention: model.attention)
    }
}
