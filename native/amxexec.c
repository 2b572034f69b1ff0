// amxexec: runs an amxstate scenario on the running Linux kernel and prints what each step did, in the
// JSON-lines form of `amxstate simulate --json`. It is the only place in the project that says how a
// scenario step runs on the kernel: `amxstate conform` runs it, and the kernel selftests that
// `amxstate paths --emit kselftest` writes compile this same file (with AMXEXEC_NO_MAIN defined).
//
//   amxexec --platform        measure this machine (JSON, src/kernel/measurement.ts)
//   amxexec run [FILE|-]      run one scenario in the executor's line form (src/kernel/encode.ts)
//   amxexec --resume ...      internal: the image an EXEC step starts, carrying on as the same task
//
// Exit status of run: 0 done (each step's result printed), 2 malformed input, 3 a system call of the
// coordinator failed, 4 this process cannot start a scenario's first thread as the model does (its
// inherited altstack flags; see altstack_never_set).
//
// Input lines:  TASK <index> <name as a JSON string>
//               STEP <n> <OP> <task index> <report flags: t tiles, b buffer, - none> [key=value ...]
//               TIMEOUT <ms per step>
//
// Design, and why:
// - Every scenario task is a real thread that runs a small command loop; the coordinator (this
//   program's first process, outside the scenario) writes each step to its task's pipe and reads one
//   result line back. The task performs the step itself, so every syscall, instruction and signal
//   happens in the thread the scenario names.
// - Task code uses raw syscalls and no libc state (no malloc, no stdio, no TLS): threads are made with
//   a raw clone and forks with clone(CLONE_PARENT), so every scenario process is a child of the
//   coordinator, which learns each death and its signal from waitpid. A fatal signal's si_code is not
//   visible to anyone without a handler, so it is reported as unobserved.
// - The command loop also runs inside signal handlers, on the altstack when the scenario asks for one:
//   it keeps its buffers in the task's slot, not on the stack, to stay within a few hundred bytes.

#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#define ARCH_GET_XCOMP_SUPP 0x1021
#define ARCH_GET_XCOMP_PERM 0x1022
#define ARCH_REQ_XCOMP_PERM 0x1023
#define ARCH_GET_XCOMP_GUEST_PERM 0x1024
#define ARCH_REQ_XCOMP_GUEST_PERM 0x1025
#define XFEATURE_XTILEDATA 18
#define XTILE_BITS ((1ULL << 17) | (1ULL << 18))
#define KVM_CREATE_VM_IOCTL 0xAE01
#define KVM_CREATE_VCPU_IOCTL 0xAE41

#define MAX_TASKS 64
#define MAX_STEPS 4096
#define MAX_DEPTH 16
#define RESULT_FD 99
#define COMMAND_FD_BASE 100
#define LINE_MAX_BYTES 480
#define REFAULT_BOUND 100
#define THREAD_STACK_BYTES (256 * 1024)
#define MAX_ALTSTACKS 8
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31) // linux/signal.h; older libc headers lack it
#endif

// ---------------------------------------------------------------------------------------------------
// Raw syscalls: the task side never touches errno or other libc state.

static inline long sys6(long n, long a, long b, long c, long d, long e, long f) {
  long ret;
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9) : "rcx", "r11", "memory");
  return ret;
}
#define sys0(n) sys6((n), 0, 0, 0, 0, 0, 0)
#define sys1(n, a) sys6((n), (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b) sys6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c) sys6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)

/** clone() onto a new stack: the child calls fn(arg) there and exits when it returns. */
static long clone_on_stack(unsigned long flags, void *stack_top, void (*fn)(long), long arg) {
  long ret;
  void **sp = (void **)stack_top;
  *--sp = (void *)arg;
  *--sp = (void *)fn;
  register long r10 __asm__("r10") = 0;
  register long r8 __asm__("r8") = 0;
  __asm__ volatile(
      "syscall\n\t"
      "test %%rax, %%rax\n\t"
      "jnz 1f\n\t"
      "xor %%ebp, %%ebp\n\t"
      "pop %%rax\n\t"
      "pop %%rdi\n\t"
      "and $-16, %%rsp\n\t"
      "call *%%rax\n\t"
      "mov $60, %%eax\n\t"
      "xor %%edi, %%edi\n\t"
      "syscall\n\t"
      "hlt\n"
      "1:"
      : "=a"(ret)
      : "a"(SYS_clone), "D"(flags), "S"(sp), "d"(0), "r"(r10), "r"(r8)
      : "rcx", "r11", "memory");
  return ret;
}

// ---------------------------------------------------------------------------------------------------
// Tile instructions by their encodings (no assembler support needed). Each records its length first,
// so that a `skip` handler can step over it.

static const uint8_t INSN_LDTILECFG = 5, INSN_TILELOADD = 6, INSN_TILESTORED = 6, INSN_TILERELEASE = 5, INSN_XRSTOR64 = 4;

static inline void ldtilecfg(const void *cfg) { __asm__ volatile(".byte 0xc4,0xe2,0x78,0x49,0x00" ::"a"(cfg) : "memory"); }
static inline void tileloadd_tmm0(const void *src) { __asm__ volatile(".byte 0xc4,0xe2,0x7b,0x4b,0x04,0x08" ::"a"(src), "c"(64L) : "memory"); }
static inline void tilestored_tmm0(void *dst) { __asm__ volatile(".byte 0xc4,0xe2,0x7a,0x4b,0x04,0x08" ::"a"(dst), "c"(64L) : "memory"); }
static inline void tilerelease(void) { __asm__ volatile(".byte 0xc4,0xe2,0x78,0x49,0xc0" ::: "memory"); }
// XSAVE64 / XRSTOR64 (%rdi) with RFBM = EDX:EAX = all ones, so XCR0 decides.
static inline void xsave64(void *area) { __asm__ volatile(".byte 0x48,0x0f,0xae,0x27" ::"D"(area), "a"(-1), "d"(-1) : "memory"); }
static inline void xrstor64(const void *area) { __asm__ volatile(".byte 0x48,0x0f,0xae,0x2f" ::"D"(area), "a"(-1), "d"(-1) : "memory"); }
static inline uint64_t xgetbv(uint32_t index) {
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(index));
  return ((uint64_t)hi << 32) | lo;
}

// ---------------------------------------------------------------------------------------------------
// Per-process state of the task side (copied by fork, shared by threads, fresh after exec).

enum disposition { DISP_DEFAULT, DISP_SKIP, DISP_REQUEST_PERMISSION, DISP_IGNORE };

struct task {
  int used;
  int tid;
  int cmd_fd;
  int depth; // signal handlers running now
  // The step being run, and what a fault handler saw during it.
  int step;
  char op[24];
  char flags[4];
  uint8_t insn_len;
  volatile int fault_signo, fault_code, fault_count;
  // SIGRETURN: the step it answers and how to edit the frame; reported once the handler has returned.
  int sigreturn_step;
  char tile_bits[8];
  uint8_t corrupt_header;
  int probe_large;
  // The memory of the last altstacks this task installed (a handler may run on one that SS_AUTODISARM
  // disarmed, or that sigreturn put back), and how many of its running handlers are on one.
  uintptr_t alt_lo[MAX_ALTSTACKS], alt_hi[MAX_ALTSTACKS];
  int alt_count;
  int alt_frames;
  uint8_t frame_on_alt[MAX_DEPTH];
  // Whose tile pattern tmm0 holds when the program's data is intact: the task's own once it loaded
  // it, but a frame's after sigreturn, and a child forked inside a handler returns through a frame
  // its parent wrote. Each frame keeps the owner of the data it saved.
  uint8_t held;
  uint8_t frame_held[MAX_DEPTH];
  char parent_buffer[8];
  char line[LINE_MAX_BYTES];
  char cmd[256];
  int cmd_len;
  uint8_t cfg[64] __attribute__((aligned(64)));
  uint8_t pattern[1024] __attribute__((aligned(64)));
  uint8_t store[1024] __attribute__((aligned(64)));
};

static struct task tasks[MAX_TASKS];
static volatile int dispositions[2]; // [0] SIGILL, [1] SIGSEGV
static int xgetbv1_supported;
static uint32_t tilecfg_offset, tiledata_offset;
static int kvm_fd = -1, vm_fd = -1;
static char self_exe[4096];

// rt_sigaction without libc: the kernel's struct, and a restorer that calls rt_sigreturn.
extern void amxexec_restore_rt(void);
__asm__(".text\n.globl amxexec_restore_rt\namxexec_restore_rt:\n\tmov $15, %rax\n\tsyscall\n\thlt\n");
struct kernel_sigaction {
  void *handler;
  unsigned long flags;
  void (*restorer)(void);
  uint64_t mask;
};
#define SA_RESTORER_FLAG 0x04000000UL

static long set_handler(int sig, void *handler, unsigned long flags) {
  struct kernel_sigaction k = {handler, flags | SA_RESTORER_FLAG, amxexec_restore_rt, 0};
  return sys6(SYS_rt_sigaction, sig, (long)&k, 0, 8, 0, 0);
}

static struct task *self_task(void) {
  int tid = (int)sys0(SYS_gettid);
  for (int i = 0; i < MAX_TASKS; i++)
    if (tasks[i].used && tasks[i].tid == tid) return &tasks[i];
  return 0;
}

// ---------------------------------------------------------------------------------------------------
// Building a result line without printf (whose stack use would not fit on a small altstack).

static inline __attribute__((always_inline)) void put(struct task *t, const char *s) {
  size_t n = strlen(t->line);
  while (*s && n + 1 < sizeof t->line) t->line[n++] = *s++;
  t->line[n] = 0;
}

static inline __attribute__((always_inline)) void put_u64(struct task *t, uint64_t v, int hexa) {
  // Digits straight into the line: no buffer on the (possibly tiny) stack.
  unsigned base = hexa ? 16 : 10;
  if (hexa) put(t, "0x");
  size_t n = strlen(t->line), digits = 1;
  for (uint64_t x = v; x >= base; x /= base) digits++;
  if (n + digits + 1 >= sizeof t->line) return;
  for (size_t i = digits; i > 0; i--, v /= base) t->line[n + i - 1] = "0123456789abcdef"[v % base];
  t->line[n + digits] = 0;
}

static inline __attribute__((always_inline)) void put_field(struct task *t, const char *name, const char *value) {
  put(t, ",\"");
  put(t, name);
  put(t, "\":\"");
  put(t, value);
  put(t, "\"");
}

static inline __attribute__((always_inline)) void begin_result(struct task *t, int step) {
  t->line[0] = 0;
  put(t, "R ");
  put_u64(t, (uint64_t)step, 0);
  put(t, " {");
}

static inline __attribute__((always_inline)) void end_result(struct task *t) {
  put(t, "}\n");
  sys3(SYS_write, RESULT_FD, t->line, strlen(t->line));
}

static void utoa(unsigned v, char out[12]) {
  char buf[12];
  int i = 11;
  buf[i] = 0;
  do buf[--i] = (char)('0' + v % 10), v /= 10;
  while (v);
  memcpy(out, buf + i, (size_t)(12 - i));
}

static const char *errno_name(long e) {
  switch (e) {
  case 0: return "ok";
  case EINVAL: return "EINVAL";
  case EOPNOTSUPP: return "EOPNOTSUPP";
  case ENOSPC: return "ENOSPC";
  case ENOMEM: return "ENOMEM";
  case EBUSY: return "EBUSY";
  case EFAULT: return "EFAULT";
  case EPERM: return "EPERM";
  case ENOENT: return "ENOENT";
  case EACCES: return "EACCES";
  case EAGAIN: return "EAGAIN";
  case ENODEV: return "ENODEV";
  default: return "EUNKNOWN";
  }
}

static const char *signal_name(int sig) {
  switch (sig) {
  case SIGILL: return "SIGILL";
  case SIGSEGV: return "SIGSEGV";
  case SIGBUS: return "SIGBUS";
  case SIGKILL: return "SIGKILL";
  case SIGABRT: return "SIGABRT";
  case SIGTRAP: return "SIGTRAP";
  case SIGFPE: return "SIGFPE";
  case SIGUSR1: return "SIGUSR1";
  case SIGUSR2: return "SIGUSR2";
  default: return "SIGNAL_OTHER";
  }
}

static const char *si_code_name(int sig, int code) {
  if (code == 128) return "SI_KERNEL";
  if (sig == SIGILL && code == ILL_ILLOPC) return "ILL_ILLOPC";
  if (sig == SIGILL && code == ILL_ILLOPN) return "ILL_ILLOPN";
  if (sig == SIGSEGV && code == SEGV_MAPERR) return "SEGV_MAPERR";
  if (sig == SIGSEGV && code == SEGV_ACCERR) return "SEGV_ACCERR";
  return "SI_OTHER";
}

static const char *arg(const char *cmd, const char *key) {
  size_t k = strlen(key);
  for (const char *p = cmd; *p; p++)
    if ((p == cmd || p[-1] == ' ') && strncmp(p, key, k) == 0 && p[k] == '=') return p + k + 1;
  return 0;
}

static long arg_long(const char *cmd, const char *key, long fallback) {
  const char *v = arg(cmd, key);
  if (!v) return fallback;
  int neg = *v == '-';
  if (neg) v++;
  long n = 0;
  while (*v >= '0' && *v <= '9') n = n * 10 + (*v++ - '0');
  return neg ? -n : n;
}

static int arg_is(const char *cmd, const char *key, const char *value) {
  const char *v = arg(cmd, key);
  if (!v) return 0;
  size_t n = strlen(value);
  return strncmp(v, value, n) == 0 && (v[n] == ' ' || v[n] == 0 || v[n] == '\n');
}

// ---------------------------------------------------------------------------------------------------
// What a step shows: the tile registers and the size of the task's fpstate buffer.

static inline __attribute__((always_inline)) const char *tiles_now(struct task *t) {
  if (!xgetbv1_supported) return "init";
  if (!(xgetbv(1) & (1ULL << XFEATURE_XTILEDATA))) return "init";
  t->insn_len = INSN_TILESTORED;
  tilestored_tmm0(t->store);
  for (int i = 0; i < 1024; i++)
    if (t->store[i] != tasks[t->held].pattern[i]) return "lost";
  return "intact";
}

static void probe_handler(int sig, siginfo_t *info, void *ucv) {
  (void)sig;
  (void)info;
  ucontext_t *uc = ucv;
  struct task *t = self_task();
  const uint8_t *fx = (const uint8_t *)uc->uc_mcontext.fpregs;
  uint64_t xfeatures;
  memcpy(&xfeatures, fx + 464 + 8, 8);
  if (t) t->probe_large = (xfeatures >> XFEATURE_XTILEDATA) & 1;
}

/** The buffer size, read from the sw_reserved bytes of a probe signal's frame; 0 when it cannot be seen. */
static inline __attribute__((always_inline)) const char *buffer_now(struct task *t) {
  // A probe frame on a small altstack could overflow it: there the size stays unobserved.
  if (t->alt_frames > 0) return 0;
  t->probe_large = -1;
  sys3(SYS_tgkill, sys0(SYS_getpid), t->tid, SIGUSR2);
  return t->probe_large == 1 ? "large" : t->probe_large == 0 ? "default" : 0;
}

static inline __attribute__((always_inline)) void put_unobserved(struct task *t, const char *fields) {
  put(t, ",\"unobserved\":[");
  put(t, fields);
  put(t, "]");
}

/** The step's outcome fields: a fault that a handler took, or `outcome` as given. */
static inline __attribute__((always_inline)) void put_outcome(struct task *t, const char *outcome) {
  if (t->fault_count > 0) {
    put(t, "\"outcome\":\"");
    put(t, signal_name(t->fault_signo));
    put(t, "\"");
    put_field(t, "si_code", si_code_name(t->fault_signo, t->fault_code));
    put(t, ",\"fatal\":false");
    put_field(t, "handler", dispositions[t->fault_signo == SIGILL ? 0 : 1] == DISP_SKIP ? "skip" : "request-permission");
  } else {
    put(t, "\"outcome\":\"");
    put(t, outcome);
    put(t, "\"");
  }
}

static inline __attribute__((always_inline)) void put_state(struct task *t, const char *flags, const char *unobserved) {
  // `unobserved`: fields the step shows that no program can see (a JSON list body), or 0.
  if (strchr(flags, 't')) put_field(t, "tiles", tiles_now(t));
  int buffer_hidden = 0;
  if (strchr(flags, 'b')) {
    const char *b = buffer_now(t);
    if (b)
      put_field(t, "buffer", b);
    else
      buffer_hidden = 1;
  }
  if (unobserved || buffer_hidden) {
    put(t, ",\"unobserved\":[");
    if (unobserved) put(t, unobserved);
    if (buffer_hidden) put(t, unobserved ? ",\"buffer\"" : "\"buffer\"");
    put(t, "]");
  }
}

static __attribute__((noinline)) void report(struct task *t, const char *outcome, const char *unobserved) {
  begin_result(t, t->step);
  put_outcome(t, outcome);
  put_state(t, t->flags, unobserved);
  end_result(t);
}

// ---------------------------------------------------------------------------------------------------
// Fault handlers: the dispositions a scenario gives SIGILL and SIGSEGV.

static void fault_handler(int sig, siginfo_t *info, void *ucv) {
  ucontext_t *uc = ucv;
  struct task *t = self_task();
  if (!t) return;
  if (t->fault_count == 0) {
    t->fault_signo = sig;
    t->fault_code = info->si_code;
  }
  t->fault_count++;
  int d = dispositions[sig == SIGILL ? 0 : 1];
  if (d == DISP_SKIP) {
    uc->uc_mcontext.gregs[REG_RIP] += t->insn_len;
    return;
  }
  // request-permission: ask, and return to the same instruction, as lazy-permission runtimes do.
  sys2(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA);
  if (t->fault_count > REFAULT_BOUND) {
    // The same instruction faulted again after the request: it would refault forever.
    begin_result(t, t->step);
    put(t, "\"outcome\":\"");
    put(t, signal_name(t->fault_signo));
    put(t, "\"");
    put_field(t, "si_code", si_code_name(t->fault_signo, t->fault_code));
    put(t, ",\"fatal\":false,\"handler\":\"request-permission\",\"hang\":true");
    put_state(t, t->flags, 0);
    end_result(t);
    for (;;) sys0(SYS_pause);
  }
}

static int set_disposition(int sig, int disp) {
  dispositions[sig == SIGILL ? 0 : 1] = disp;
  if (disp == DISP_DEFAULT) return (int)set_handler(sig, SIG_DFL, 0);
  // SIG_IGN: a fault's forced signal is reset to SIG_DFL and kills (force_sig_info_to_task; row 2g).
  if (disp == DISP_IGNORE) return (int)set_handler(sig, SIG_IGN, 0);
  return (int)set_handler(sig, (void *)fault_handler, SA_SIGINFO);
}

// ---------------------------------------------------------------------------------------------------
// The command loop and the ops.

static int task_loop(struct task *t);
static void usr1_handler(int sig, siginfo_t *info, void *ucv);

static void begin_step(struct task *t, const char *cmd) {
  // "<n> <OP> <task> <flags> ..." as the coordinator wrote it.
  const char *p = cmd;
  t->step = (int)strtol(p, 0, 10);
  while (*p && *p != ' ') p++;
  while (*p == ' ') p++;
  size_t i = 0;
  while (*p && *p != ' ' && i + 1 < sizeof t->op) t->op[i++] = *p++;
  t->op[i] = 0;
  while (*p == ' ') p++;
  while (*p && *p != ' ') p++; // task index
  while (*p == ' ') p++;
  i = 0;
  while (*p && *p != ' ' && i + 1 < sizeof t->flags) t->flags[i++] = *p++;
  t->flags[i] = 0;
  t->fault_signo = t->fault_code = t->fault_count = 0;
  t->insn_len = 0;
}

static __attribute__((noinline)) void op_arch_prctl_get(struct task *t, int code) {
  uint64_t v = 0;
  long r = sys2(SYS_arch_prctl, code, &v);
  begin_result(t, t->step);
  put(t, "\"outcome\":\"");
  put(t, errno_name(-r));
  put(t, "\"");
  if (r == 0) {
    put(t, ",\"bitmap\":\"");
    put_u64(t, v, 1);
    put(t, "\"");
  }
  end_result(t);
}

static __attribute__((noinline)) void op_arch_prctl_req(struct task *t, int code, long feature) {
  long r = sys2(SYS_arch_prctl, code, (unsigned long)feature);
  report(t, errno_name(-r), 0);
}

static __attribute__((noinline)) void op_vcpu_create(struct task *t) {
  long r = 0;
  if (kvm_fd < 0) kvm_fd = (int)sys3(SYS_open, "/dev/kvm", O_RDWR | O_CLOEXEC, 0);
  if (kvm_fd < 0) r = kvm_fd;
  if (r == 0 && vm_fd < 0) {
    vm_fd = (int)sys3(SYS_ioctl, kvm_fd, KVM_CREATE_VM_IOCTL, 0);
    if (vm_fd < 0) r = vm_fd;
  }
  if (r == 0) {
    static int next_vcpu;
    long v = sys3(SYS_ioctl, vm_fd, KVM_CREATE_VCPU_IOCTL, next_vcpu++);
    if (v < 0) r = v;
  }
  report(t, errno_name(-r), 0);
}

static void op_ldtilecfg_config(struct task *t, long palette) {
  memset(t->cfg, 0, sizeof t->cfg);
  t->cfg[0] = (uint8_t)palette;
  for (int i = 0; i < 8 && palette == 1; i++) {
    t->cfg[16 + 2 * i] = 64; // colsb
    t->cfg[48 + i] = 16;     // rows
  }
}

static __attribute__((noinline)) void op_ldtilecfg(struct task *t, long palette) {
  op_ldtilecfg_config(t, palette);
  t->insn_len = INSN_LDTILECFG;
  ldtilecfg(t->cfg);
  report(t, "ok", 0);
}

static __attribute__((noinline)) void op_touch(struct task *t) {
  t->insn_len = INSN_TILELOADD;
  tileloadd_tmm0(t->pattern);
  t->held = (uint8_t)(t - tasks);
  report(t, "ok", 0);
}

/** Each task's XSAVE image for XRSTOR steps: static, not on a stack that may be a small altstack. */
static uint8_t xsave_areas[MAX_TASKS][16384] __attribute__((aligned(64)));

/**
 * A user XRSTOR of the task's current state, with the tile bits of XSTATE_BV replaced: none (INIT),
 * a palette-1 config (17), or the config and the task's tile pattern (17 and 18).
 */
static __attribute__((noinline)) void op_xrstor(struct task *t, const char *cmd) {
  uint8_t *area = xsave_areas[t - tasks];
  memset(area, 0, sizeof xsave_areas[0]);
  xsave64(area); // never traps, XFD or not (observed row 13b)
  uint64_t bv;
  memcpy(&bv, area + 512, 8);
  bv &= ~XTILE_BITS;
  int data = arg_is(cmd, "tileBits", "data"), config = data || arg_is(cmd, "tileBits", "config");
  if (config) {
    bv |= 1ULL << 17;
    op_ldtilecfg_config(t, 1);
    if (tilecfg_offset) memcpy(area + tilecfg_offset, t->cfg, 64);
  }
  if (data) {
    bv |= 1ULL << 18;
    if (tiledata_offset) memcpy(area + tiledata_offset, t->pattern, 1024);
    t->held = (uint8_t)(t - tasks);
  }
  memcpy(area + 512, &bv, 8);
  t->insn_len = INSN_XRSTOR64;
  xrstor64(area);
  report(t, "ok", 0);
}

static __attribute__((noinline)) void op_tilerelease(struct task *t) {
  t->insn_len = INSN_TILERELEASE;
  tilerelease();
  report(t, "ok", 0);
}

static __attribute__((noinline)) void op_context_switch(struct task *t) {
  struct timespec ts = {0, 200000};
  sys2(SYS_nanosleep, &ts, 0);
  report(t, "ok", 0);
}

static void start_task(struct task *t) {
  t->tid = (int)sys0(SYS_gettid);
  t->depth = 0;
  t->held = (uint8_t)(t - tasks);
  t->used = 1;
}

static void thread_main(long index) {
  struct task *t = &tasks[index];
  start_task(t);
  task_loop(t);
  sys1(SYS_exit, 0);
}

static void *new_stack(void) {
  void *p = (void *)sys6(SYS_mmap, 0, THREAD_STACK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if ((long)p < 0 && (long)p > -4096) return 0;
  return (char *)p + THREAD_STACK_BYTES;
}

static __attribute__((noinline)) void op_clone_thread(struct task *t, int child) {
  void *stack = new_stack();
  long r = stack ? clone_on_stack(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM, stack, thread_main, child) : -ENOMEM;
  // The new thread's id, for the coordinator's ptrace of it (a private field it takes out).
  begin_result(t, t->step);
  put_outcome(t, r < 0 ? errno_name(-r) : "ok");
  put(t, ",\"_tid\":");
  put_u64(t, (uint64_t)(r < 0 ? 0 : r), 0);
  put_state(t, t->flags, 0);
  end_result(t);
}

/** A step the coordinator made on this task from outside (ptrace): report its outcome and the task's state. */
static __attribute__((noinline)) void op_report(struct task *t, const char *cmd) {
  begin_result(t, t->step);
  put(t, "\"outcome\":\"");
  const char *o = arg(cmd, "outcome");
  for (size_t i = 0; o && o[i] && o[i] != ' ' && i < 24; i++) {
    char one[2] = {o[i], 0};
    put(t, one);
  }
  put(t, "\"");
  const char *b = arg(cmd, "bitmap");
  if (b) {
    put(t, ",\"bitmap\":\"");
    for (size_t i = 0; b[i] && b[i] != ' ' && i < 24; i++) {
      char one[2] = {b[i], 0};
      put(t, one);
    }
    put(t, "\"");
  }
  put_state(t, t->flags, 0);
  end_result(t);
}

static void as_new_process(int child) {
  // A new process: only the calling thread exists in it; it is now task `child`.
  for (int i = 0; i < MAX_TASKS; i++) tasks[i].used = 0;
  start_task(&tasks[child]);
  sys2(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL);
}

static __attribute__((noinline)) void op_fork(struct task *t, int child) {
  long r = sys6(SYS_clone, SIGCHLD | CLONE_PARENT, 0, 0, 0, 0, 0);
  if (r == 0) {
    // The child carries on in the parent's call chain (inside its handlers too, on the parent's
    // altstack if it ran there), as task `child`: it takes over the parent's slot, all but who it is
    // and its own tile pattern (tile data is not inherited).
    struct task *c = &tasks[child];
    int cmd_fd = c->cmd_fd;
    memcpy(&c->depth, &t->depth, offsetof(struct task, cmd) - offsetof(struct task, depth));
    c->cmd_fd = cmd_fd;
    int depth = t->depth;
    as_new_process(child);
    c->depth = depth;
    return;
  }
  begin_result(t, t->step);
  put_outcome(t, r < 0 ? errno_name(-r) : "ok");
  put(t, ",\"_pid\":");
  put_u64(t, (uint64_t)(r < 0 ? 0 : r), 0);
  put_state(t, t->flags, 0);
  end_result(t);
}

static struct task *vfork_parent;

static void vfork_child_main(long child) {
  // The child shares the parent's memory until it execs or exits: register it, and leave the
  // parent's task table as it is.
  start_task(&tasks[child]);
  sys2(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL);
  struct task *c = &tasks[child];
  // It has the parent's altstack (copy_process resets it only for CLONE_VM without CLONE_VFORK), so a
  // handler of its own may run on that memory; it runs none of the parent's handlers.
  memcpy(c->alt_lo, vfork_parent->alt_lo, sizeof c->alt_lo);
  memcpy(c->alt_hi, vfork_parent->alt_hi, sizeof c->alt_hi);
  c->alt_count = vfork_parent->alt_count;
  c->alt_frames = 0;
  // The parent sleeps in clone() until this child execs or exits; the child reports the step for it.
  begin_result(c, vfork_parent->step);
  put(c, "\"outcome\":\"ok\",\"_pid\":");
  put_u64(c, (uint64_t)sys0(SYS_getpid), 0);
  if (vfork_parent->parent_buffer[0]) put_field(c, "buffer", vfork_parent->parent_buffer);
  else if (strchr(vfork_parent->flags, 'b')) put_unobserved(c, "\"buffer\"");
  end_result(c);
  task_loop(c);
  sys1(SYS_exit, 0);
}

static __attribute__((noinline)) void op_vfork(struct task *t, int child) {
  void *stack = new_stack();
  const char *b = strchr(t->flags, 'b') ? buffer_now(t) : 0;
  t->parent_buffer[0] = 0;
  if (b) strcpy(t->parent_buffer, b);
  vfork_parent = t;
  long r = stack ? clone_on_stack(CLONE_VM | CLONE_VFORK | CLONE_PARENT | SIGCHLD, stack, vfork_child_main, child) : -ENOMEM;
  if (r < 0) report(t, errno_name(-r), 0);
}

static __attribute__((noinline)) void op_exec(struct task *t, int index, int fails) {
  if (fails) {
    char *argv[] = {"amxexec-enoent", 0};
    long r = sys3(SYS_execve, "/nonexistent/amxexec-enoent", argv, 0);
    report(t, errno_name(-r), "\"leakedBuffers\"");
    return;
  }
  // No snprintf: its stack use would not fit a handler on a small altstack.
  char idx[12], step[12];
  utoa((unsigned)index, idx);
  utoa((unsigned)t->step, step);
  char *argv[] = {"amxexec", "--resume", idx, step, t->flags, 0};
  extern char **environ;
  long r = sys3(SYS_execve, self_exe, argv, environ);
  report(t, errno_name(-r), 0);
}

static __attribute__((noinline)) void op_exit(struct task *t) {
  begin_result(t, t->step);
  put(t, "\"outcome\":\"ok\"");
  put_unobserved(t, "\"leakedBuffers\"");
  end_result(t);
  sys1(SYS_exit, 0);
}

static __attribute__((noinline)) void op_sigaltstack(struct task *t, const char *cmd) {
  stack_t ss;
  memset(&ss, 0, sizeof ss);
  if (arg_is(cmd, "size", "disable")) {
    ss.ss_flags = SS_DISABLE;
  } else {
    long bytes = arg_long(cmd, "size", 0);
    // The altstack ends exactly at a guard page's edge below it, so an overflow faults.
    long pages = (bytes + 4095) / 4096 + 1;
    char *base = (char *)sys6(SYS_mmap, 0, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if ((long)base < 0 && (long)base > -4096) {
      report(t, "ENOMEM", 0);
      return;
    }
    sys3(SYS_mprotect, base, 4096, PROT_NONE);
    ss.ss_sp = base + pages * 4096 - bytes;
    ss.ss_size = (size_t)bytes;
  }
  if (arg_is(cmd, "flags", "autodisarm")) ss.ss_flags |= (int)SS_AUTODISARM;
  long r = sys2(SYS_sigaltstack, &ss, 0);
  if (r == 0 && ss.ss_size > 0) {
    int slot = t->alt_count++ % MAX_ALTSTACKS;
    t->alt_lo[slot] = (uintptr_t)ss.ss_sp;
    t->alt_hi[slot] = (uintptr_t)ss.ss_sp + ss.ss_size;
  }
  report(t, errno_name(-r), 0);
}

/** SIGALTSTACK_QUERY: sigaltstack(NULL, &old), its ss_size and ss_flags. */
static __attribute__((noinline)) void op_sigaltstack_query(struct task *t) {
  stack_t old;
  memset(&old, 0, sizeof old);
  long r = sys2(SYS_sigaltstack, 0, &old);
  if (r != 0) {
    report(t, errno_name(-r), 0);
    return;
  }
  begin_result(t, t->step);
  put(t, "\"outcome\":\"ok\",\"ss_size\":");
  put_u64(t, old.ss_size, 0);
  put(t, ",\"ss_flags\":\"");
  unsigned flags = (unsigned)old.ss_flags;
  const char *sep = "";
  if (flags & SS_ONSTACK) put(t, "SS_ONSTACK"), sep = "|";
  if (flags & SS_DISABLE) put(t, sep), put(t, "SS_DISABLE"), sep = "|";
  if (flags & SS_AUTODISARM) put(t, sep), put(t, "SS_AUTODISARM"), sep = "|";
  if (!*sep) put(t, "0");
  put(t, "\"");
  end_result(t);
}

/** Whether sp lies on the memory of an altstack the task installed. */
static inline __attribute__((always_inline)) int on_altstack_memory(const struct task *t, uintptr_t sp) {
  int n = t->alt_count < MAX_ALTSTACKS ? t->alt_count : MAX_ALTSTACKS;
  for (int i = 0; i < n; i++)
    if (sp >= t->alt_lo[i] && sp < t->alt_hi[i]) return 1;
  return 0;
}

static __attribute__((noinline)) void op_set_disposition(struct task *t, const char *cmd) {
  int sig = arg_is(cmd, "signal", "SIGILL") ? SIGILL : SIGSEGV;
  int disp = arg_is(cmd, "handler", "skip")                 ? DISP_SKIP
             : arg_is(cmd, "handler", "request-permission") ? DISP_REQUEST_PERMISSION
             : arg_is(cmd, "handler", "ignore")             ? DISP_IGNORE
                                                            : DISP_DEFAULT;
  int r = set_disposition(sig, disp);
  report(t, r == 0 ? "ok" : "EINVAL", 0);
}

static __attribute__((noinline)) void op_signal(struct task *t, const char *cmd) {
  set_handler(SIGUSR1, (void *)usr1_handler, SA_SIGINFO | SA_NODEFER | (arg_is(cmd, "onstack", "true") ? SA_ONSTACK : 0));
  t->sigreturn_step = 0;
  sys3(SYS_tgkill, sys0(SYS_getpid), t->tid, SIGUSR1);
  t = self_task(); // a child forked in the handler comes back here as itself
  if (!t) return;
  // The frame did not fit the altstack: SIGUSR1 was dropped and SIGSEGV forced (force_sigsegv), which
  // a `skip` handler took, stepping over nothing (insn_len is 0): report that SIGSEGV for this step.
  if (!t->sigreturn_step && t->fault_count > 0) {
    report(t, "ok", 0);
    return;
  }
  // Back from the handler: report the SIGRETURN step that ended it, in the interrupted context.
  if (t->sigreturn_step) {
    // A fault of the sigreturn itself (a forged frame: SIGSEGV) was counted for this step.
    t->step = t->sigreturn_step;
    report(t, "ok", 0);
    t->sigreturn_step = 0;
  }
}

static __attribute__((noinline)) void signal_entered(struct task *t, ucontext_t *uc) {
  const uint8_t *fx = (const uint8_t *)uc->uc_mcontext.fpregs;
  uint64_t xstate_bv, xfeatures;
  memcpy(&xfeatures, fx + 464 + 8, 8);
  memcpy(&xstate_bv, fx + 512, 8);
  uintptr_t sp = (uintptr_t)&xstate_bv;
  int on_alt = on_altstack_memory(t, sp);
  if (t->depth < MAX_DEPTH) t->frame_on_alt[t->depth] = (uint8_t)on_alt, t->frame_held[t->depth] = t->held;
  t->alt_frames += on_alt;
  t->depth++;
  begin_result(t, t->step);
  put(t, "\"outcome\":\"ok\"");
  if (strchr(t->flags, 't')) put_field(t, "tiles", tiles_now(t));
  put(t, (xstate_bv >> XFEATURE_XTILEDATA) & 1 ? ",\"frameHasTiles\":true" : ",\"frameHasTiles\":false");
  put_field(t, "stack", on_alt ? "altstack" : "thread");
  if (strchr(t->flags, 'b')) put_field(t, "buffer", (xfeatures >> XFEATURE_XTILEDATA) & 1 ? "large" : "default");
  end_result(t);
}

/** SIGRETURN: edit the tile bits of the frame's XSTATE_BV as the step says, before returning through it. */
static __attribute__((noinline)) void signal_returning(struct task *t, ucontext_t *uc) {
  t->depth--;
  if (t->depth < MAX_DEPTH) t->alt_frames -= t->frame_on_alt[t->depth], t->held = t->frame_held[t->depth];
  uint8_t *w = (uint8_t *)uc->uc_mcontext.fpregs;
  uint64_t xstate_bv, xfeatures;
  memcpy(&xstate_bv, w + 512, 8);
  memcpy(&xfeatures, w + 464 + 8, 8);
  if (strcmp(t->tile_bits, "clear") == 0) xstate_bv &= ~XTILE_BITS;
  if (strcmp(t->tile_bits, "forge") == 0) {
    uint32_t xstate_size;
    memcpy(&xstate_size, w + 464 + 16, 4);
    xstate_bv |= XTILE_BITS;
    xfeatures |= XTILE_BITS;
    if (tilecfg_offset && tilecfg_offset + 64 <= xstate_size) {
      op_ldtilecfg_config(t, 1);
      memcpy(w + tilecfg_offset, t->cfg, 64);
    }
    if (tiledata_offset && tiledata_offset + 1024 <= xstate_size) memcpy(w + tiledata_offset, t->pattern, 1024);
    t->held = (uint8_t)(t - tasks);
    memcpy(w + 464 + 8, &xfeatures, 8);
  }
  memcpy(w + 512, &xstate_bv, 8);
  if (t->corrupt_header) w[512 + 8] = 1; // XCOMP_BV's low byte: reserved in the standard format
}

static void usr1_handler(int sig, siginfo_t *info, void *ucv) {
  (void)sig;
  (void)info;
  struct task *t = self_task();
  if (!t) return;
  signal_entered(t, ucv);
  task_loop(t);
  // A fork inside the handler: the child returns through the parent's frame as itself.
  t = self_task();
  if (t) signal_returning(t, ucv);
}

/** Reads one command line for task t; 0 at end of input (the coordinator is gone). */
static int read_command(struct task *t) {
  t->cmd_len = 0;
  for (;;) {
    char c;
    long r = sys3(SYS_read, t->cmd_fd, &c, 1);
    if (r == -EINTR) continue;
    if (r <= 0) return 0;
    if (c == '\n') break;
    if (t->cmd_len + 1 < (int)sizeof t->cmd) t->cmd[t->cmd_len++] = c;
  }
  t->cmd[t->cmd_len] = 0;
  return 1;
}

/** Runs commands until the input ends, or (inside a handler) until SIGRETURN. */
static int task_loop(struct task *t) {
  for (;;) {
    if (!read_command(t)) sys1(SYS_exit_group, 0);
    const char *cmd = t->cmd;
    begin_step(t, cmd);
    const char *op = t->op;
    int index = (int)(t - tasks);
    if (strcmp(op, "SIGRETURN") == 0) {
      t->sigreturn_step = t->step;
      const char *bits = arg(cmd, "tileBits");
      size_t n = 0;
      while (bits && bits[n] && bits[n] != ' ' && n + 1 < sizeof t->tile_bits) t->tile_bits[n] = bits[n], n++;
      t->tile_bits[n] = 0;
      t->corrupt_header = (uint8_t)arg_is(cmd, "xsaveHeader", "corrupt");
      if (t->depth > 0) return 0;
      report(t, "EINVAL", 0);
      continue;
    }
    if (strcmp(op, "GET_SUPP") == 0) op_arch_prctl_get(t, ARCH_GET_XCOMP_SUPP);
    else if (strcmp(op, "GET_PERM") == 0) op_arch_prctl_get(t, ARCH_GET_XCOMP_PERM);
    else if (strcmp(op, "GET_GUEST_PERM") == 0) op_arch_prctl_get(t, ARCH_GET_XCOMP_GUEST_PERM);
    else if (strcmp(op, "REQ_PERM") == 0) op_arch_prctl_req(t, ARCH_REQ_XCOMP_PERM, arg_long(cmd, "feature", 18));
    else if (strcmp(op, "REQ_GUEST_PERM") == 0) op_arch_prctl_req(t, ARCH_REQ_XCOMP_GUEST_PERM, arg_long(cmd, "feature", 18));
    else if (strcmp(op, "VCPU_CREATE") == 0) op_vcpu_create(t);
    else if (strcmp(op, "LDTILECFG") == 0) op_ldtilecfg(t, arg_long(cmd, "palette", 1));
    else if (strcmp(op, "TOUCH") == 0) op_touch(t);
    else if (strcmp(op, "TILERELEASE") == 0) op_tilerelease(t);
    else if (strcmp(op, "XRSTOR") == 0) op_xrstor(t, cmd);
    else if (strcmp(op, "CHECK_TILES") == 0) report(t, "ok", 0);
    else if (strcmp(op, "CONTEXT_SWITCH") == 0) op_context_switch(t);
    else if (strcmp(op, "CLONE_THREAD") == 0) op_clone_thread(t, (int)arg_long(cmd, "child", 0));
    else if (strcmp(op, "FORK") == 0) op_fork(t, (int)arg_long(cmd, "child", 0));
    else if (strcmp(op, "VFORK") == 0) op_vfork(t, (int)arg_long(cmd, "child", 0));
    else if (strcmp(op, "EXEC") == 0) op_exec(t, index, arg_is(cmd, "fails", "true"));
    else if (strcmp(op, "EXIT") == 0) op_exit(t);
    else if (strcmp(op, "SIGALTSTACK") == 0) op_sigaltstack(t, cmd);
    else if (strcmp(op, "SIGALTSTACK_QUERY") == 0) op_sigaltstack_query(t);
    else if (strcmp(op, "SET_DISPOSITION") == 0) op_set_disposition(t, cmd);
    else if (strcmp(op, "SIGNAL") == 0) op_signal(t, cmd);
    else if (strcmp(op, "REPORT") == 0) op_report(t, cmd);
    else report(t, "EUNSUPPORTED", 0);
    // After a fork the child runs on as its own task: reload who this thread is.
    struct task *now = self_task();
    if (now && now != t) t = now;
  }
}

static void task_side_init(void) {
  unsigned a, b, c, d;
  __cpuid_count(0xd, 1, a, b, c, d);
  xgetbv1_supported = (a >> 2) & 1;
  __cpuid_count(0xd, 17, a, b, c, d);
  tilecfg_offset = a ? b : 0;
  __cpuid_count(0xd, 18, a, b, c, d);
  tiledata_offset = a ? b : 0;
  for (int i = 0; i < MAX_TASKS; i++) {
    tasks[i].cmd_fd = COMMAND_FD_BASE + i;
    for (int j = 0; j < 1024; j++) tasks[i].pattern[j] = (uint8_t)(0x11 * (i + 1) + j);
  }
  ssize_t n = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
  self_exe[n > 0 ? n : 0] = 0;
  set_handler(SIGUSR2, (void *)probe_handler, SA_SIGINFO | SA_RESTART);
}

/** The image an EXEC step started: report the step, then carry on as the same task. */
static int resume_after_exec(int index, int step, const char *flags) {
  task_side_init();
  sys2(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL);
  struct task *t = &tasks[index];
  start_task(t);
  t->step = step;
  strncpy(t->flags, flags, sizeof t->flags - 1);
  begin_result(t, step);
  put(t, "\"outcome\":\"ok\"");
  // The model counts leaked buffers system-wide; only /proc/vmallocinfo (root) could show them.
  put_state(t, flags, "\"leakedBuffers\"");
  end_result(t);
  task_loop(t);
  return 0;
}

// ---------------------------------------------------------------------------------------------------
// The coordinator: outside the scenario, it feeds steps to tasks and collects what they report.

struct step_line {
  int number;
  int task;
  char op[24];
  char text[256];
};

struct coordinator {
  int ntasks;
  char names[MAX_TASKS][160];
  int task_proc[MAX_TASKS];  // index into pids, -1 before the task exists
  int task_state[MAX_TASKS]; // 0 not yet, 1 running, 2 gone
  pid_t pids[MAX_TASKS];
  pid_t tids[MAX_TASKS];
  int proc_alive[MAX_TASKS];
  int proc_signal[MAX_TASKS];
  int nprocs;
  int cmd_w[MAX_TASKS];
  int result_r;
  int timeout_ms;
  struct step_line *steps;
  int nsteps;
  char pending[8192];
  size_t pending_len;
};

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int proc_of_pid(struct coordinator *c, pid_t pid) {
  for (int i = 0; i < c->nprocs; i++)
    if (c->pids[i] == pid) return i;
  return -1;
}

static void mark_process_gone(struct coordinator *c, int p, int sig) {
  c->proc_alive[p] = 0;
  c->proc_signal[p] = sig;
  for (int i = 0; i < c->ntasks; i++)
    if (c->task_proc[i] == p && c->task_state[i] == 1) c->task_state[i] = 2;
}

static void reap(struct coordinator *c) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG | __WALL)) > 0) {
    int p = proc_of_pid(c, pid);
    if (p >= 0) mark_process_gone(c, p, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  }
}

/** The next result line for `step`, or 0 when none came; copies its JSON body into out. */
static int await_result(struct coordinator *c, int step, int proc, char *out, size_t outsz) {
  long deadline = now_ms() + c->timeout_ms;
  for (;;) {
    char *nl;
    while ((nl = memchr(c->pending, '\n', c->pending_len)) != 0) {
      size_t len = (size_t)(nl - c->pending);
      char line[LINE_MAX_BYTES + 64];
      size_t copy = len < sizeof line - 1 ? len : sizeof line - 1;
      memcpy(line, c->pending, copy);
      line[copy] = 0;
      memmove(c->pending, nl + 1, c->pending_len - len - 1);
      c->pending_len -= len + 1;
      int n = 0;
      char *body = 0;
      if (line[0] == 'R' && sscanf(line, "R %d", &n) == 1 && (body = strchr(line, '{')) != 0 && n == step) {
        snprintf(out, outsz, "%s", body);
        return 1;
      }
    }
    if (proc >= 0 && !c->proc_alive[proc]) return 0;
    long left = deadline - now_ms();
    if (left <= 0) return -1;
    struct pollfd pfd = {c->result_r, POLLIN, 0};
    int r = poll(&pfd, 1, left < 10 ? (int)left : 10);
    if (r > 0) {
      // A line that fills the whole buffer is no result line: the run is broken, and ends as a timeout.
      if (c->pending_len >= sizeof c->pending) return -1;
      ssize_t got = read(c->result_r, c->pending + c->pending_len, sizeof c->pending - c->pending_len);
      if (got > 0) {
        c->pending_len += (size_t)got;
        continue; // read everything a dying process wrote before looking at its death
      }
      // Every writer is gone: wait for the deaths to be reported rather than spin on the end of the pipe.
      struct timespec pause_ts = {0, 2000000};
      nanosleep(&pause_ts, 0);
    }
    reap(c);
  }
}

/** Takes a private field ("_pid", "_tid": process and thread ids for the coordinator) out of a result body. */
static pid_t take_private(char *body, const char *name) {
  char key[16];
  snprintf(key, sizeof key, ",\"%s\":", name);
  char *p = strstr(body, key);
  if (!p) return 0;
  size_t k = strlen(key);
  pid_t pid = (pid_t)strtol(p + k, 0, 10);
  char *end = p + k;
  while (*end >= '0' && *end <= '9') end++;
  memmove(p, end, strlen(end) + 1);
  return pid;
}

static void print_observation(struct coordinator *c, struct step_line *s, const char *body) {
  // body is "{...}" without step/op/task: splice them in front, as simulate --json orders them.
  const char *inner = body + 1;
  printf("{\"step\":%d,\"op\":\"%s\",\"task\":%s%s%s\n", s->number, s->op, c->names[s->task], *inner == '}' ? "" : ",", inner);
  fflush(stdout);
}

#define NT_X86_XSTATE_NOTE 0x202

/**
 * PTRACE_GETREGSET / PTRACE_SETREGSET of NT_X86_XSTATE, made by the coordinator as the tracer while
 * the task waits for its next command; the task then reports the outcome with its own state. Returns
 * the REPORT command for the task, in line.
 */
static int ptrace_step(struct coordinator *c, struct step_line *s, int task, char *line, size_t n) {
  pid_t tid = c->tids[task];
  static uint8_t buf[65536] __attribute__((aligned(64)));
  const char *outcome = "ok";
  char bitmap[32] = "";
  int status;
  char flags[8] = "-";
  sscanf(s->text, "%*d %*s %*d %7s", flags);
  if (ptrace(PTRACE_SEIZE, tid, 0, 0) != 0) {
    outcome = errno == EPERM ? "ptrace-EPERM" : "ptrace-failed";
    return snprintf(line, n, "%d REPORT %d %s outcome=%s\n", s->number, task, flags, outcome);
  }
  ptrace(PTRACE_INTERRUPT, tid, 0, 0);
  while (waitpid(tid, &status, __WALL) == tid && !WIFSTOPPED(status)) {
  }
  struct iovec iov = {buf, sizeof buf};
  memset(buf, 0, sizeof buf);
  long r = ptrace(PTRACE_GETREGSET, tid, NT_X86_XSTATE_NOTE, &iov);
  size_t full = iov.iov_len;
  uint64_t xstate_bv;
  memcpy(&xstate_bv, buf + 512, 8);
  if (r != 0) {
    outcome = errno_name(errno);
  } else if (strcmp(s->op, "PTRACE_GETREGSET") == 0) {
    snprintf(bitmap, sizeof bitmap, " bitmap=0x%llx", (unsigned long long)(xstate_bv & XTILE_BITS));
  } else {
    // The tracer writes a tile config (XSTATE_BV bit 17), or a config and the task's own tile data (17 and 18).
    int data = strstr(s->text, "tileBits=data") != 0;
    xstate_bv = (xstate_bv & ~XTILE_BITS) | (data ? XTILE_BITS : (1ULL << 17));
    memcpy(buf + 512, &xstate_bv, 8);
    unsigned a, b, cc, d;
    __cpuid_count(0xd, 17, a, b, cc, d);
    if (a && b + 64 <= full) {
      uint8_t cfg[64] = {1};
      for (int i = 0; i < 8; i++) cfg[16 + 2 * i] = 64, cfg[48 + i] = 16;
      memcpy(buf + b, cfg, 64);
    }
    __cpuid_count(0xd, 18, a, b, cc, d);
    if (data && a && b + 1024 <= full)
      for (int j = 0; j < 1024; j++) buf[b + j] = (uint8_t)(0x11 * (task + 1) + j);
    iov.iov_len = strstr(s->text, "length=short") ? full - 64 : full;
    outcome = ptrace(PTRACE_SETREGSET, tid, NT_X86_XSTATE_NOTE, &iov) == 0 ? "ok" : errno_name(errno);
  }
  ptrace(PTRACE_DETACH, tid, 0, 0);
  return snprintf(line, n, "%d REPORT %d %s outcome=%s%s\n", s->number, task, flags, outcome, bitmap);
}

// The model's first thread never set an altstack (sas_ss_flags 0), as in a process started from a
// shell's main thread. The flags come through exec unchanged, and one SS_DISABLE (a thread made by
// clone, or sigaltstack(SS_DISABLE), in some ancestor) cannot be undone: a sigreturn after a handler
// installed an altstack then removes it where the model keeps it. So a run checks first.
static char fresh_probe_stack[16384];
static void fresh_probe_handler(int sig) {
  (void)sig;
  stack_t ss = {.ss_sp = fresh_probe_stack, .ss_size = sizeof fresh_probe_stack, .ss_flags = 0};
  sigaltstack(&ss, 0);
}

/** Whether this process's altstack flags are those of a thread that never set one (probed in a child). */
static int altstack_never_set(void) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) return 0;
  if (pid == 0) {
    stack_t old;
    if (sigaltstack(0, &old) != 0 || old.ss_size != 0 || (old.ss_flags & SS_AUTODISARM)) _exit(1);
    signal(SIGUSR1, fresh_probe_handler);
    raise(SIGUSR1);
    _exit(sigaltstack(0, &old) == 0 && old.ss_size == sizeof fresh_probe_stack ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

#define ALTSTACK_NOT_FRESH_STATUS 4
#define ALTSTACK_NOT_FRESH_MESSAGE                                                                              \
  "this process inherited altstack flags (SS_DISABLE or SS_AUTODISARM) that the model's first thread " \
  "does not have; start it from a shell, or from a main thread that never set an altstack"

static int run_scenario(struct coordinator *c) {
  if (!altstack_never_set()) {
    fprintf(stderr, "amxexec: %s\n", ALTSTACK_NOT_FRESH_MESSAGE);
    return ALTSTACK_NOT_FRESH_STATUS;
  }
  int result_pipe[2];
  if (pipe2(result_pipe, O_CLOEXEC) != 0) return 3;
  c->result_r = result_pipe[0];
  int cmd_r[MAX_TASKS];
  for (int i = 0; i < c->ntasks; i++) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return 3;
    cmd_r[i] = p[0];
    c->cmd_w[i] = p[1];
    c->task_proc[i] = -1;
  }
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  pid_t first = fork();
  if (first < 0) return 3;
  if (first == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(result_pipe[1], RESULT_FD);
    for (int i = 0; i < c->ntasks; i++) dup2(cmd_r[i], COMMAND_FD_BASE + i);
    for (int i = 0; i < c->ntasks; i++) close(c->cmd_w[i]);
    task_side_init();
    start_task(&tasks[0]);
    task_loop(&tasks[0]);
    _exit(0);
  }
  setpgid(first, first);
  close(result_pipe[1]);
  for (int i = 0; i < c->ntasks; i++) close(cmd_r[i]);
  c->pids[0] = first;
  c->tids[0] = first;
  c->proc_alive[0] = 1;
  c->nprocs = 1;
  c->task_proc[0] = 0;
  c->task_state[0] = 1;

  for (int k = 0; k < c->nsteps; k++) {
    struct step_line *s = &c->steps[k];
    int task = s->task;
    reap(c);
    if (c->task_state[task] != 1) {
      // The task no longer runs (it exited, was killed, or hangs): the step cannot be made.
      printf("{\"step\":%d,\"op\":\"%s\",\"task\":%s,\"outcome\":\"gone\"}\n", s->number, s->op, c->names[task]);
      fflush(stdout);
      continue;
    }
    int proc = c->task_proc[task];
    char line[320];
    int len = snprintf(line, sizeof line, "%s\n", s->text);
    if (strncmp(s->op, "PTRACE_", 7) == 0) len = ptrace_step(c, s, task, line, sizeof line);
    if (write(c->cmd_w[task], line, (size_t)len) != len) return 3;
    char body[LINE_MAX_BYTES + 64];
    int got = await_result(c, s->number, proc, body, sizeof body);
    if (got == 0) {
      // The task's process died during the step: the signal that killed it is the outcome.
      reap(c);
      int sig = c->proc_signal[proc];
      if (sig)
        snprintf(body, sizeof body, "{\"outcome\":\"%s\",\"fatal\":true,\"unobserved\":[\"si_code\"]}", signal_name(sig));
      else
        snprintf(body, sizeof body, "{\"outcome\":\"exited\"}");
    } else if (got < 0) {
      snprintf(body, sizeof body, "{\"outcome\":\"timeout\",\"timeoutMs\":%d}", c->timeout_ms);
      c->task_state[task] = 2;
    } else {
      pid_t pid = take_private(body, "_pid");
      const char *child = strstr(s->text, "child=");
      int ci = child ? atoi(child + 6) : -1;
      if (strcmp(s->op, "CLONE_THREAD") == 0 && strstr(body, "\"outcome\":\"ok\"") && ci >= 0) {
        c->task_proc[ci] = proc;
        c->task_state[ci] = 1;
      }
      pid_t tid = take_private(body, "_tid");
      if (strcmp(s->op, "CLONE_THREAD") == 0 && ci >= 0) c->tids[ci] = tid;
      if ((strcmp(s->op, "FORK") == 0 || strcmp(s->op, "VFORK") == 0) && pid > 0 && ci >= 0) {
        c->tids[ci] = pid;
        c->pids[c->nprocs] = pid;
        c->proc_alive[c->nprocs] = 1;
        c->task_proc[ci] = c->nprocs++;
        c->task_state[ci] = 1;
      }
      if (strcmp(s->op, "EXEC") == 0 && strstr(body, "\"outcome\":\"ok\"")) c->tids[task] = c->pids[proc]; // the exec'ing thread leads now
      if (strcmp(s->op, "EXEC") == 0 && strstr(body, "\"outcome\":\"ok\""))
        for (int i = 0; i < c->ntasks; i++)
          if (i != task && c->task_proc[i] == proc && c->task_state[i] == 1) c->task_state[i] = 2; // de_thread
      if (strcmp(s->op, "EXIT") == 0) c->task_state[task] = 2;
      if (strstr(body, "\"hang\":true")) c->task_state[task] = 2;
    }
    print_observation(c, s, body);
  }
  // Nothing may outlive the run: the scenario's processes share one process group.
  kill(-first, SIGKILL);
  for (int i = 0; i < c->nprocs; i++)
    if (c->proc_alive[i]) kill(c->pids[i], SIGKILL);
  for (int i = 0; i < c->ntasks; i++) close(c->cmd_w[i]);
  int status;
  while (waitpid(-1, &status, __WALL) > 0) {
  }
  return 0;
}

static int parse_input(struct coordinator *c, FILE *in) {
  static char buf[1024];
  c->timeout_ms = 5000;
  c->steps = calloc(MAX_STEPS, sizeof *c->steps);
  if (!c->steps) return 0;
  while (fgets(buf, sizeof buf, in)) {
    buf[strcspn(buf, "\n")] = 0;
    int idx, n;
    if (strncmp(buf, "TASK ", 5) == 0) {
      char *name = 0;
      if (sscanf(buf, "TASK %d %n", &idx, &n) < 1 || idx < 0 || idx >= MAX_TASKS) return 0;
      name = buf + n;
      snprintf(c->names[idx], sizeof c->names[idx], "%s", name);
      if (idx + 1 > c->ntasks) c->ntasks = idx + 1;
    } else if (strncmp(buf, "STEP ", 5) == 0) {
      if (c->nsteps >= MAX_STEPS) return 0;
      struct step_line *s = &c->steps[c->nsteps];
      if (sscanf(buf, "STEP %d %23s %d", &s->number, s->op, &s->task) != 3 || s->task < 0 || s->task >= MAX_TASKS) return 0;
      snprintf(s->text, sizeof s->text, "%.255s", buf + 5);
      c->nsteps++;
    } else if (strncmp(buf, "TIMEOUT ", 8) == 0) {
      c->timeout_ms = atoi(buf + 8);
    } else if (buf[0] != 0 && buf[0] != '#') {
      return 0;
    }
  }
  return c->ntasks > 0;
}

// ---------------------------------------------------------------------------------------------------
// --platform: what this machine is, as far as AMX and signal stacks go.

static uint8_t *measure_stack;
static size_t measure_size = 65536;
static volatile int measure_nest;

static void measure_handler(int sig, siginfo_t *info, void *uc) {
  (void)info;
  (void)uc;
  if (measure_nest-- > 0) raise(sig);
}

static long altstack_bytes_used(int nested) {
  memset(measure_stack, 0xa5, measure_size);
  stack_t ss = {.ss_sp = measure_stack, .ss_size = measure_size, .ss_flags = 0};
  if (sigaltstack(&ss, 0) != 0) return -1;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = measure_handler;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigaction(SIGUSR1, &sa, 0);
  measure_nest = nested;
  raise(SIGUSR1);
  ss.ss_flags = SS_DISABLE;
  sigaltstack(&ss, 0);
  size_t i = 0;
  while (i < measure_size && measure_stack[i] == 0xa5) i++;
  return (long)(measure_size - i);
}

static int child_status(void (*fn)(void)) {
  pid_t pid = fork();
  if (pid == 0) {
    fn();
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

static void request_in_child(void) { _exit(syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0 ? 0 : errno); }

static int smallest_altstack(void) {
  static char mem[65536];
  int lo = 1, hi = 65536;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    stack_t ss = {.ss_sp = mem, .ss_size = (size_t)mid, .ss_flags = 0};
    if (sigaltstack(&ss, 0) == 0) hi = mid;
    else lo = mid + 1;
  }
  stack_t off = {.ss_flags = SS_DISABLE};
  sigaltstack(&off, 0);
  return lo;
}

static void json_string(const char *s) {
  putchar('"');
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '"' || ch == '\\') printf("\\%c", ch);
    else if (ch < 0x20 || ch >= 0x7f) printf("\\u%04x", ch);
    else putchar(ch);
  }
  putchar('"');
}

static __attribute__((unused)) int measure_platform(void) {
  struct utsname u;
  uname(&u);
  char cpu[256] = "unknown", flags_line[8192] = "";
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (f) {
    static char line[16384];
    while (fgets(line, sizeof line, f)) {
      if (strncmp(line, "model name", 10) == 0 && strcmp(cpu, "unknown") == 0) {
        char *v = strchr(line, ':');
        if (v) snprintf(cpu, sizeof cpu, "%s", v + 2), cpu[strcspn(cpu, "\n")] = 0;
      }
      if (strncmp(line, "flags", 5) == 0 && flags_line[0] == 0) snprintf(flags_line, sizeof flags_line, "%.8191s", line);
    }
    fclose(f);
  }
  int amx_tile = strstr(flags_line, " amx_tile") != 0;
  uint64_t supp = 0, perm = 0, gperm = 0;
  syscall(SYS_arch_prctl, ARCH_GET_XCOMP_SUPP, &supp);
  syscall(SYS_arch_prctl, ARCH_GET_XCOMP_PERM, &perm);
  syscall(SYS_arch_prctl, ARCH_GET_XCOMP_GUEST_PERM, &gperm);
  int req = child_status(request_in_child);
  unsigned a, b, c, d;
  __cpuid_count(0xd, 0, a, b, c, d);
  unsigned user_size = b, max_size = c;
  __cpuid_count(0xd, 1, a, b, c, d);
  int xfd = (a >> 4) & 1;
  unsigned cfg_size, cfg_off, data_size, data_off;
  __cpuid_count(0xd, 17, cfg_size, cfg_off, c, d);
  __cpuid_count(0xd, 18, data_size, data_off, c, d);
  measure_stack = mmap(0, measure_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  long one = altstack_bytes_used(0), two = altstack_bytes_used(1);
  int minimum = smallest_altstack();
  unsigned long minsig = getauxval(AT_MINSIGSTKSZ);
  int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
  printf("{\"kernel\":");
  json_string(u.release);
  printf(",\"cpu\":");
  json_string(cpu);
  printf(",\"amxTile\":%s,\"amxUsable\":%s", amx_tile ? "true" : "false", (supp >> XFEATURE_XTILEDATA) & 1 ? "true" : "false");
  printf(",\"xcompSupported\":\"0x%llx\",\"defaultPermission\":\"0x%llx\",\"defaultGuestPermission\":\"0x%llx\"", (unsigned long long)supp,
         (unsigned long long)perm, (unsigned long long)gperm);
  printf(",\"requestPermission18\":\"%s\"", errno_name(req));
  printf(",\"cpuidXsave\":{\"xcr0\":\"0x%llx\",\"userSize\":%u,\"maxSize\":%u,\"xfd\":%s,", (unsigned long long)xgetbv(0), user_size, max_size,
         xfd ? "true" : "false");
  if (cfg_size) printf("\"tileConfig\":{\"size\":%u,\"offset\":%u},", cfg_size, cfg_off);
  else printf("\"tileConfig\":null,");
  if (data_size) printf("\"tileData\":{\"size\":%u,\"offset\":%u}}", data_size, data_off);
  else printf("\"tileData\":null}");
  printf(",\"minSigStackSize\":%lu,\"sigaltstackMinimum\":%d,\"strictSigaltstack\":%s", minsig, minimum,
         minsig && (unsigned long)minimum >= minsig ? "true" : "false");
  printf(",\"frameBytes\":%ld,\"nestedFrameBytes\":%ld,\"kvm\":%s,\"root\":%s}\n", one, two, kvm >= 0 ? "true" : "false", geteuid() == 0 ? "true" : "false");
  return 0;
}

// ---------------------------------------------------------------------------------------------------
// --exec-leak N: does exec free a thread's large AMX buffer? (observed row 9c: it does not.) A bounded
// measurement, N <= 50: N children each touch AMX and exec; N control children touch and exit.

static long vmalloc_used_kb(void) {
  FILE *f = fopen("/proc/meminfo", "r");
  char line[256];
  long kb = -1;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "VmallocUsed: %ld kB", &kb) == 1) break;
  if (f) fclose(f);
  return kb;
}

/** vmalloc areas of expanded fpstate buffers (root only: /proc/vmallocinfo is mode 0400); -1 unreadable. */
static long xfd_areas(void) {
  FILE *f = fopen("/proc/vmallocinfo", "r");
  if (!f) return -1;
  char line[512];
  long n = 0;
  while (fgets(line, sizeof line, f))
    if (strstr(line, "xfd_enable_feature") || strstr(line, "fpstate_realloc")) n++;
  fclose(f);
  return n;
}

static void touch_amx_then(int exec_after) {
  struct task *t = &tasks[0];
  op_ldtilecfg_config(t, 1);
  ldtilecfg(t->cfg);
  tileloadd_tmm0(t->pattern);
  if (exec_after) {
    char *argv[] = {"amxexec", "--exit", 0};
    execv(self_exe, argv);
  }
  _exit(0);
}

static __attribute__((unused)) int measure_exec_leak(int n) {
  task_side_init();
  uint64_t supp = 0;
  syscall(SYS_arch_prctl, ARCH_GET_XCOMP_SUPP, &supp);
  if (!((supp >> XFEATURE_XTILEDATA) & 1)) {
    printf("{\"amxUsable\":false,\"execs\":0}\n");
    return 0;
  }
  if (syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) != 0) {
    printf("{\"amxUsable\":true,\"execs\":0,\"error\":\"ARCH_REQ_XCOMP_PERM: %s\"}\n", errno_name(errno));
    return 0;
  }
  struct timespec settle = {2, 0}; // freeing at task release can lag (observed row 9b)
  long kb0 = vmalloc_used_kb(), areas0 = xfd_areas();
  for (int i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid == 0) touch_amx_then(1);
    waitpid(pid, 0, 0);
  }
  nanosleep(&settle, 0);
  long kb1 = vmalloc_used_kb(), areas1 = xfd_areas();
  for (int i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid == 0) touch_amx_then(0);
    waitpid(pid, 0, 0);
  }
  nanosleep(&settle, 0);
  long kb2 = vmalloc_used_kb(), areas2 = xfd_areas();
  printf("{\"amxUsable\":true,\"execs\":%d,\"vmallocUsedKb\":[%ld,%ld,%ld],\"fpstateAreas\":", n, kb0, kb1, kb2);
  if (areas0 < 0) printf("null}\n");
  else printf("[%ld,%ld,%ld]}\n", areas0, areas1, areas2);
  return 0;
}

#ifndef AMXEXEC_NO_MAIN
int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "--platform") == 0) return measure_platform();
  if (argc >= 2 && strcmp(argv[1], "--exit") == 0) return 0;
  if (argc >= 3 && strcmp(argv[1], "--exec-leak") == 0) {
    int n = atoi(argv[2]);
    if (n < 1 || n > 50) {
      fprintf(stderr, "amxexec: --exec-leak takes 1 to 50 execs\n");
      return 2;
    }
    return measure_exec_leak(n);
  }
  if (argc >= 5 && strcmp(argv[1], "--resume") == 0) return resume_after_exec(atoi(argv[2]), atoi(argv[3]), argv[4]);
  if (argc >= 2 && strcmp(argv[1], "run") == 0) {
    FILE *in = stdin;
    if (argc >= 3 && strcmp(argv[2], "-") != 0) in = fopen(argv[2], "r");
    if (!in) {
      fprintf(stderr, "amxexec: cannot read %s\n", argv[2]);
      return 2;
    }
    static struct coordinator c;
    if (!parse_input(&c, in)) {
      fprintf(stderr, "amxexec: malformed scenario input\n");
      return 2;
    }
    return run_scenario(&c);
  }
  fprintf(stderr, "usage: amxexec --platform | amxexec run [FILE|-]\n");
  return 2;
}
#endif
