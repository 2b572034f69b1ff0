// The bounds on what amxstate reads and on what a scenario may make the model hold, each checked
// before the work it bounds, each an input error that names the file or the step (docs/scenarios.md,
// "Errors and exit codes"). A scenario is a short story: these are far above any story, and below
// what would make a run slow or exhaust memory.

/** The largest file or standard input read as a scenario, a measurement or the manifest. */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;
export const MAX_INPUT_TEXT = '16 MiB';

/** The most steps in one scenario. */
export const MAX_STEPS = 100_000;

/**
 * The most threads one process may have had: its first, and the ones CLONE_THREAD made. Threads that
 * have exited count, since the model keeps them (their names stay taken, a later step on one says it
 * exited), and every step of a process costs time in proportion to them.
 */
export const MAX_THREADS_PER_PROCESS = 1024;

/** The most processes: the first, and the ones FORK and VFORK made, ended ones included. */
export const MAX_PROCESSES = 1024;

/**
 * The most signal handlers running at once in one task (nested SIGNAL steps). The model keeps every
 * frame in the task's state, so each distinct stack of frames is a new chart state; a real altstack
 * overflows after a few frames (on `large`: two AMX frames, six default ones), and the kernel executor of `conform` stops at 16.
 */
export const MAX_SIGNAL_DEPTH = 64;
