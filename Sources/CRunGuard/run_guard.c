// A crash or an exit() inside a plugin's hook ends the process: these handlers make it say which
// run and which plugin did it, and that the runs already finished are kept (each run's record is
// written atomically), before the process ends as it would have.
//
// Only async-signal-safe calls (write, signal, raise, _exit) run in the handlers; the message is
// composed when the run starts.
#include "run_guard.h"
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static _Thread_local char message[2048];  // "<results>: run <what>" for this thread's run
static _Thread_local int active;
static atomic_int installed;

static void say(const char *text) {
    size_t left = strlen(text);
    while (left > 0) {
        ssize_t n = write(STDERR_FILENO, text, left);
        if (n <= 0) return;
        text += n;
        left -= (size_t)n;
    }
}

static const char *signal_name(int sig) {
    switch (sig) {
    case SIGSEGV: return "signal 11 (SIGSEGV)";
    case SIGBUS: return "signal 7 (SIGBUS)";
    case SIGILL: return "signal 4 (SIGILL)";
    case SIGFPE: return "signal 8 (SIGFPE)";
    case SIGABRT: return "signal 6 (SIGABRT)";
    default: return "a signal";
    }
}

static void on_crash(int sig) {
    if (active) {
        say("\nerror: ");
        say(message);
        say(" crashed the process: ");
        say(signal_name(sig));
        say(". The runs finished before it are kept; `poslab run` retries this one, so fix or remove the encoding first.\n");
    }
    signal(sig, SIG_DFL);  // end as the crash would have: the shell and Slurm see the signal
    raise(sig);
}

static void on_exit_call(void) {
    if (!active) return;
    say("\nerror: ");
    say(message);
    say(" ended the process with exit() while training. The runs finished before it are kept; `poslab run` retries this one, so fix or remove the encoding first.\n");
    _exit(1);  // never a silent success
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int running;                        // runs inside enter/leave, over all threads
static const int guarded[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
enum { guarded_count = sizeof guarded / sizeof guarded[0] };
static struct sigaction previous[guarded_count];  // the program's own handlers, put back after the last run

void poslab_run_guard_enter(const char *what, const char *results) {
    pthread_mutex_lock(&lock);
    if (running++ == 0) {
        // Installed while runs are in progress only: a program embedding PosLab has its handlers back
        // when the last run ends.
        for (size_t i = 0; i < guarded_count; i++) {
            struct sigaction action;
            memset(&action, 0, sizeof action);
            action.sa_handler = on_crash;
            sigemptyset(&action.sa_mask);
            action.sa_flags = SA_RESETHAND;
            sigaction(guarded[i], &action, &previous[i]);
        }
        if (atomic_exchange(&installed, 1) == 0) atexit(on_exit_call);  // cannot be undone; silent outside a run
    }
    pthread_mutex_unlock(&lock);
    snprintf(message, sizeof message, "%s: run %.1024s", results, what);
    active = 1;
}

void poslab_run_guard_leave(void) {
    active = 0;
    pthread_mutex_lock(&lock);
    if (running > 0 && --running == 0)
        for (size_t i = 0; i < guarded_count; i++) sigaction(guarded[i], &previous[i], NULL);
    pthread_mutex_unlock(&lock);
}
