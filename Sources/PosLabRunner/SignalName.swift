#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The names of the signals a crashing encoding ends a process with, for messages.
public enum SignalName {
    /// "SIGSEGV" for 11, …; "signal N" for one without a name here.
    public static func of(_ signal: Int32) -> String {
        [SIGSEGV: "SIGSEGV", SIGABRT: "SIGABRT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE",
         SIGKILL: "SIGKILL", SIGTERM: "SIGTERM"][signal] ?? "signal \(signal)"
    }
}
