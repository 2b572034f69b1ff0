// altstack-probe: what this kernel does with sigaltstack() sizes, SS_AUTODISARM, SS_ONSTACK, a query
// with sigaltstack(NULL, &old), and the altstack sigreturn puts back. No AMX needed: every answer is
// about the signal code of kernel/signal.c and arch/x86/kernel/signal.c. Each line is one JSON object
// {"probe": name, ...}. test/fixtures/altstack-probe-linux-6.18.jsonl records the answers of Linux 6.18.44; the
// tests take their expected values from it (test/model/altstack.test.ts), and test/kernel/altstack-probe
// reruns this program to check the record still matches the kernel it runs on.
//
//   cc -O1 -pthread -o altstack-probe native/altstack-probe.c && ./altstack-probe
//
// Run it from a process's first thread: its answers about a thread that "never set" an altstack are
// about the flags it inherits through exec (sas_ss_flags, which exec keeps).

#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31) // linux/signal.h
#endif
#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif

static const char *errno_name(int e) {
  return e == 0 ? "ok" : e == ENOMEM ? "ENOMEM" : e == EPERM ? "EPERM" : e == EINVAL ? "EINVAL" : "other";
}

static void flags_text(int f, char *out, size_t n) {
  out[0] = 0;
  if (f & SS_ONSTACK) strncat(out, "SS_ONSTACK|", n - strlen(out) - 1);
  if (f & SS_DISABLE) strncat(out, "SS_DISABLE|", n - strlen(out) - 1);
  if (f & SS_AUTODISARM) strncat(out, "SS_AUTODISARM|", n - strlen(out) - 1);
  size_t len = strlen(out);
  if (len == 0) strncpy(out, "0", n);
  else out[len - 1] = 0;
}

/** An altstack of `bytes` ending at its mapping's top, a PROT_NONE page below it. */
static char *altstack_memory(size_t bytes) {
  size_t pages = (bytes + 4095) / 4096 + 1;
  char *base = mmap(0, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  mprotect(base, 4096, PROT_NONE);
  return base + pages * 4096 - bytes;
}

static int install(size_t bytes, int flags) {
  stack_t ss = {.ss_sp = altstack_memory(bytes), .ss_size = bytes, .ss_flags = flags};
  return sigaltstack(&ss, 0) == 0 ? 0 : errno;
}

static stack_t query(void) {
  stack_t old;
  sigaltstack(0, &old);
  return old;
}

static void print_query(const char *probe, stack_t s) {
  char f[64];
  flags_text(s.ss_flags, f, sizeof f);
  printf("{\"probe\":\"%s\",\"ss_size\":%zu,\"ss_flags\":\"%s\"}\n", probe, s.ss_size, f);
}

// What the handlers saw, kept in statics: the handlers print nothing themselves.
static volatile uintptr_t handler_sp;
static stack_t inside;
static volatile int inside_install;
static volatile size_t install_inside_bytes;
static volatile int install_inside_flags;
static volatile int raise_nested;
static volatile uintptr_t nested_sp;

static void nested_handler(int sig) {
  (void)sig;
  int here;
  nested_sp = (uintptr_t)&here;
}

static void handler(int sig) {
  (void)sig;
  int here;
  handler_sp = (uintptr_t)&here;
  inside = query();
  if (install_inside_bytes) inside_install = install(install_inside_bytes, install_inside_flags);
  if (raise_nested) raise(SIGUSR2);
}

static void on_signal(int sig, void (*fn)(int), int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = fn;
  sa.sa_flags = flags;
  sigaction(sig, &sa, 0);
}

static int on(uintptr_t sp, stack_t s) { return sp >= (uintptr_t)s.ss_sp && sp < (uintptr_t)s.ss_sp + s.ss_size; }

static void disable(void) {
  stack_t off = {.ss_flags = SS_DISABLE};
  sigaltstack(&off, 0);
}

/** In a child: SIGUSR1 (SA_ONSTACK) on an altstack of `bytes`; how the child ended, and on which stack a SIGSEGV handler ran. */
static void delivery(size_t bytes, int segv_handler) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    install(bytes, 0);
    stack_t alt = query();
    if (segv_handler) on_signal(SIGSEGV, handler, 0);
    on_signal(SIGUSR1, nested_handler, SA_ONSTACK);
    raise(SIGUSR1);
    // 1: the SIGUSR1 handler ran; 2: the SIGSEGV handler ran on the thread stack; 3: on the altstack.
    _exit(nested_sp ? 1 : handler_sp ? (on(handler_sp, alt) ? 3 : 2) : 0);
  }
  int status;
  waitpid(pid, &status, 0);
  const char *fate = WIFSIGNALED(status) ? (WTERMSIG(status) == SIGSEGV ? "killed by SIGSEGV" : "killed by another signal")
                     : WEXITSTATUS(status) == 1 ? "handler ran"
                     : WEXITSTATUS(status) == 2 ? "SIGSEGV handler ran on the thread stack"
                     : WEXITSTATUS(status) == 3 ? "SIGSEGV handler ran on the altstack"
                                                : "nothing ran";
  printf("{\"probe\":\"deliver SIGUSR1 SA_ONSTACK on %zu bytes%s\",\"fate\":\"%s\"}\n", bytes, segv_handler ? ", SIGSEGV handled" : "", fate);
}

/** The smallest altstack on which a SIGUSR1 SA_ONSTACK frame with a minimal handler is delivered. */
static size_t smallest_delivering(void) {
  size_t lo = 2048, hi = 65536;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
      install(mid, 0);
      on_signal(SIGUSR1, nested_handler, SA_ONSTACK);
      raise(SIGUSR1);
      _exit(nested_sp ? 1 : 0);
    }
    int status;
    waitpid(pid, &status, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 1) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Whether sigreturn removes an altstack a thread-stack handler installed: restore_altstack() puts back
 * the altstack saved at delivery, and a saved size of 0 disables only with SS_DISABLE in its flags.
 */
static void handler_installs(const char *who) {
  on_signal(SIGUSR1, handler, 0);
  install_inside_bytes = 16384;
  install_inside_flags = 0;
  raise(SIGUSR1);
  char name[160];
  snprintf(name, sizeof name, "%s: sigaltstack 16384 in a thread-stack handler", who);
  printf("{\"probe\":\"%s\",\"result\":\"%s\"}\n", name, errno_name(inside_install));
  snprintf(name, sizeof name, "%s: query after that handler returned", who);
  print_query(name, query());
  fflush(stdout);
}

static void *thread_installs(void *who) {
  handler_installs(who);
  return 0;
}

/** Runs `fn` in a child process (the parent's altstack untouched) and waits for it. */
static void in_child(void (*fn)(void)) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    fn();
    fflush(stdout);
    _exit(0);
  }
  waitpid(pid, 0, 0);
}

static void never_set(void) { handler_installs("never set"); }

static void never_set_child_of_disabled(void) { handler_installs("fork after SS_DISABLE"); }

static void new_thread(void) {
  pthread_t t;
  if (pthread_create(&t, 0, thread_installs, "new thread") == 0) pthread_join(t, 0);
}

static void fork_after_disable(void) {
  disable();
  in_child(never_set_child_of_disabled);
}

static const char *exec_label;
static char self_path[4096];

/** Execs this program, which reports the altstack it finds (main's --after-exec). */
static void exec_self(void) {
  fflush(stdout);
  execl(self_path, self_path, "--after-exec", exec_label, (char *)0);
  _exit(1);
}

static void exec_after_autodisarm(void) {
  install(8192, SS_AUTODISARM);
  exec_label = "exec after sigaltstack 8192 SS_AUTODISARM";
  exec_self();
}

static void exec_after_install(void) {
  install(8192, 0);
  exec_label = "exec after sigaltstack 8192";
  exec_self();
}

static void exec_after_disable(void) {
  disable();
  exec_label = "exec after SS_DISABLE";
  exec_self();
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "--after-exec") == 0) {
    char name[160];
    snprintf(name, sizeof name, "%s: query after exec", argv[2]);
    print_query(name, query());
    handler_installs(argv[2]);
    return 0;
  }
  ssize_t len = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
  self_path[len > 0 ? len : 0] = 0;

  // Before this process sets any altstack: what sigreturn does to one a handler installed, by how the
  // thread came to have none (the flags a fork copies, a new thread's reset, exec's cleared size).
  in_child(never_set);
  in_child(new_thread);
  in_child(fork_after_disable);
  in_child(exec_after_autodisarm);
  in_child(exec_after_install);
  in_child(exec_after_disable);

  printf("{\"probe\":\"AT_MINSIGSTKSZ\",\"bytes\":%lu}\n", getauxval(AT_MINSIGSTKSZ));
  print_query("query before any sigaltstack", query());
  printf("{\"probe\":\"sigaltstack 2047\",\"result\":\"%s\"}\n", errno_name(install(2047, 0)));
  print_query("query after sigaltstack 2047", query());
  printf("{\"probe\":\"sigaltstack 2048\",\"result\":\"%s\"}\n", errno_name(install(2048, 0)));
  print_query("query after sigaltstack 2048", query());
  printf("{\"probe\":\"sigaltstack 3001 SS_AUTODISARM\",\"result\":\"%s\"}\n", errno_name(install(3001, SS_AUTODISARM)));
  print_query("query after sigaltstack 3001 SS_AUTODISARM", query());
  disable();
  print_query("query after SS_DISABLE", query());

  // The smallest altstack that takes a frame, and what happens below it.
  size_t smallest = smallest_delivering();
  printf("{\"probe\":\"smallest altstack a SIGUSR1 frame is delivered on\",\"bytes\":%zu}\n", smallest);
  delivery(2048, 0);
  delivery(2048, 1);
  delivery(smallest - 1, 0);
  delivery(smallest, 0);

  // A handler on an altstack without SS_AUTODISARM: SS_ONSTACK, and sigaltstack() is EPERM.
  install(8192, 0);
  stack_t alt = query();
  on_signal(SIGUSR1, handler, SA_ONSTACK);
  install_inside_bytes = 16384;
  raise(SIGUSR1);
  printf("{\"probe\":\"handler on an 8192-byte altstack\",\"onAltstack\":%s}\n", on(handler_sp, alt) ? "true" : "false");
  print_query("query inside that handler", inside);
  printf("{\"probe\":\"sigaltstack 16384 inside that handler\",\"result\":\"%s\"}\n", errno_name(inside_install));
  print_query("query after that handler returned", query());

  // The same with SS_AUTODISARM: disarmed while the handler runs, put back by sigreturn.
  install(8192, SS_AUTODISARM);
  alt = query();
  install_inside_bytes = 0;
  raise(SIGUSR1);
  printf("{\"probe\":\"handler on an 8192-byte SS_AUTODISARM altstack\",\"onAltstack\":%s}\n", on(handler_sp, alt) ? "true" : "false");
  print_query("query inside the SS_AUTODISARM handler", inside);
  print_query("query after the SS_AUTODISARM handler returned", query());

  // A sigaltstack() inside an SS_AUTODISARM handler succeeds, and sigreturn undoes it.
  install_inside_bytes = 16384;
  raise(SIGUSR1);
  printf("{\"probe\":\"sigaltstack 16384 inside the SS_AUTODISARM handler\",\"result\":\"%s\"}\n", errno_name(inside_install));
  print_query("query after that SS_AUTODISARM handler returned", query());

  // A nested SA_ONSTACK signal inside the SS_AUTODISARM handler: nothing is installed, so its frame
  // goes below the current stack pointer, which is on the disarmed altstack's memory.
  install_inside_bytes = 0;
  raise_nested = 1;
  on_signal(SIGUSR2, nested_handler, SA_ONSTACK);
  nested_sp = 0;
  raise(SIGUSR1);
  printf("{\"probe\":\"nested SA_ONSTACK signal in the SS_AUTODISARM handler\",\"onDisarmedAltstackMemory\":%s}\n", on(nested_sp, alt) ? "true" : "false");
  raise_nested = 0;

  // A handler on the thread stack (no SA_ONSTACK) disarms an SS_AUTODISARM altstack too.
  install(8192, SS_AUTODISARM);
  on_signal(SIGUSR1, handler, 0);
  install_inside_bytes = 0;
  raise(SIGUSR1);
  print_query("query inside a thread-stack handler with an SS_AUTODISARM altstack installed", inside);
  print_query("query after that thread-stack handler returned with SS_AUTODISARM", query());

  // A handler on the thread stack (no SA_ONSTACK) that installs an altstack: sigreturn undoes it.
  disable();
  on_signal(SIGUSR1, handler, 0);
  install_inside_bytes = 16384;
  install_inside_flags = 0;
  raise(SIGUSR1);
  printf("{\"probe\":\"sigaltstack 16384 in a thread-stack handler, none installed at delivery\",\"result\":\"%s\"}\n", errno_name(inside_install));
  print_query("query after that thread-stack handler returned", query());
  return 0;
}
