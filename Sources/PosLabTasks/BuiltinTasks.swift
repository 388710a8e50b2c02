/// The tasks PosLab ships. To add one: a file in `Tasks/` with a type conforming to
/// `RegisteredTask`, and one line here.
let builtinTasks: [any RegisteredTask.Type] = [
    ReverseTask.self,
    ShiftTask.self,
    LookupTask.self,
    BeforeTask.self,
    DuplicateTask.self,
    OddsFirstTask.self,
    AdjacentRepeatTask.self,
    MajorityTask.self,
    TextTask.self,
    // DeepMind's Chomsky-hierarchy tasks (Tasks/Chomsky), at their definitions.
    ReverseStringTask.self,
    // regular
    EvenPairsTask.self,
    ModularArithmeticTask.self,
    ParityCheckTask.self,
    CycleNavigationTask.self,
    // deterministic context-free (reverse_string above)
    StackManipulationTask.self,
    ModularArithmeticBracketsTask.self,
    SolveEquationTask.self,
    // context-sensitive
    DuplicateStringTask.self,
    MissingDuplicateStringTask.self,
    ChomskyOddsFirstTask.self,
    BinaryAdditionTask.self,
    BinaryMultiplicationTask.self,
    ComputeSqrtTask.self,
    BucketSortTask.self,
    // The decoder tasks of the NoPE study (Tasks/Decoder; Kazemnejad et al. 2023), no scratchpad.
    S2SCopyTask.self,
    S2SReverseTask.self,
    S2SSortTask.self,
    S2SAdditionTask.self,
    S2SSumTask.self,
    S2SParityTask.self,
    S2SPolynomialTask.self,
    // Arithmetic with index hints and coupled positions (Tasks/Decoder/AdditionTask.swift).
    AdditionTask.self,
]
