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
    EvenPairsTask.self,
    ModularArithmeticTask.self,
    ParityCheckTask.self,
    CycleNavigationTask.self,
    StackManipulationTask.self,
    ModularArithmeticBracketsTask.self,
    SolveEquationTask.self,
]
