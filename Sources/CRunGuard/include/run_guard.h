#ifndef POSLAB_RUN_GUARD_H
#define POSLAB_RUN_GUARD_H

// While a thread trains a run whose encoding comes from a plugin, a crash (SIGSEGV, SIGBUS, SIGILL,
// SIGFPE, SIGABRT) or an exit() in the plugin's code names that run before the process ends.

/// Marks the calling thread as training `what` (copied; at most 1 KB is kept), with `results` the
/// results folder named in the message. The handlers are installed while any run is inside
/// enter/leave, and the program's own put back when the last one leaves.
void poslab_run_guard_enter(const char *what, const char *results);
/// The calling thread's run is over.
void poslab_run_guard_leave(void);

#endif
