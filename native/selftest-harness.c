// The harness of the kernel selftests that `amxstate paths --emit kselftest` writes. The generated
// amx_model_test.c defines struct model_test, the table TESTS and TEST_COUNT, then includes this file;
// native/amxexec.c is copied beside it. Each
// test runs through the very executor `amxstate conform` uses, and its output is compared with the
// model's prediction for this kind of machine (with or without AMX), chosen at run time. KTAP output,
// kselftest exit codes: 0 pass, 1 fail, 4 skip. The first diagnostics are the time, the suite and the machine
// (`# host: {...}`, the executor's --platform JSON); with -v each test also lists the kernel's
// observation of every step it compared (`# step: {...}`), its wall time and its number of steps,
// which `amxstate conform --from-selftest` reads back.

#include <sys/wait.h>

#define KSFT_PASS 0
#define KSFT_FAIL 1
#define KSFT_SKIP 4

/** Copies the raw value of "key" in a flat JSON object into out; 0 when the key is absent. */
static int json_value(const char *obj, const char *key, char *out, size_t n) {
  char pattern[80];
  snprintf(pattern, sizeof pattern, "\"%s\":", key);
  const char *p = strstr(obj, pattern);
  if (!p) return 0;
  p += strlen(pattern);
  const char *end = p;
  if (*p == '"') {
    end = strchr(p + 1, '"');
    end = end ? end + 1 : p + strlen(p);
  } else if (*p == '[') {
    end = strchr(p, ']');
    end = end ? end + 1 : p + strlen(p);
  } else {
    while (*end && *end != ',' && *end != '}') end++;
  }
  size_t len = (size_t)(end - p) < n - 1 ? (size_t)(end - p) : n - 1;
  memcpy(out, p, len);
  out[len] = 0;
  return 1;
}

/** The keys of a flat JSON object, in order, separated by spaces. */
static void json_keys(const char *obj, char *out, size_t n) {
  out[0] = 0;
  int depth = 0;
  for (const char *p = obj; *p; p++) {
    if (*p == '[') depth++;
    if (*p == ']') depth--;
    if (*p == '"' && depth == 0 && (p[-1] == '{' || p[-1] == ',')) {
      const char *end = strchr(p + 1, '"');
      if (!end) break;
      if (strlen(out) + (size_t)(end - p) + 2 < n) strncat(out, p + 1, (size_t)(end - p - 1)), strcat(out, " ");
      p = end;
    }
  }
}

static char supp_hex[24], perm_hex[24], perm_amx_hex[24], gperm_hex[24], gperm_amx_hex[24];

/** A bitmap the model named by its meaning ($SUPP, $PERM, $PERM_AMX, ...), as this machine spells it. */
static const char *resolve(const char *value) {
  if (strcmp(value, "\"$SUPP\"") == 0) return supp_hex;
  if (strcmp(value, "\"$PERM\"") == 0) return perm_hex;
  if (strcmp(value, "\"$PERM_AMX\"") == 0) return perm_amx_hex;
  if (strcmp(value, "\"$GUEST_PERM\"") == 0) return gperm_hex;
  if (strcmp(value, "\"$GUEST_PERM_AMX\"") == 0) return gperm_amx_hex;
  return value;
}

/** Whether one observation agrees with the expected one over the fields the kernel could see. */
static int agrees(const char *expected, const char *got, char *why, size_t n) {
  char keys[2048], more[1024], hidden[256] = "", a[256], b[256];
  json_keys(expected, keys, sizeof more);
  json_keys(got, more, sizeof more);
  memcpy(keys + strlen(keys), more, strlen(more) + 1); // both fit: each list is under 1024 bytes
  json_value(got, "unobserved", hidden, sizeof hidden);
  for (char *k = strtok(keys, " "); k; k = strtok(0, " ")) {
    char quoted[80];
    snprintf(quoted, sizeof quoted, "\"%s\"", k);
    if (strcmp(k, "unobserved") == 0 || strstr(hidden, quoted)) continue;
    int in_a = json_value(expected, k, a, sizeof a), in_b = json_value(got, k, b, sizeof b);
    if (in_a != in_b || (in_a && strcmp(resolve(a), b) != 0)) {
      snprintf(why, n, "%s: expected %s, got %s", k, in_a ? resolve(a) : "nothing", in_b ? b : "nothing");
      return 0;
    }
  }
  return 1;
}

/** Runs one scenario through the executor in a child process; its observations land in out. */
static int run_test(const char *input, char *out, size_t n) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    dup2(fds[1], 1);
    alarm(120);
    static struct coordinator c;
    FILE *in = fmemopen((void *)input, strlen(input), "r");
    if (!in || !parse_input(&c, in)) _exit(2);
    _exit(run_scenario(&c));
  }
  close(fds[1]);
  size_t len = 0;
  ssize_t got;
  while ((got = read(fds[0], out + len, n - 1 - len)) > 0) len += (size_t)got;
  out[len] = 0;
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int verbose;

/** The machine as the executor's --platform describes it, measured in a child so nothing here changes. */
static void print_host(void) {
  printf("# host: ");
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) _exit(measure_platform());
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) printf("null\n");
}

static double wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/** Compares line by line; on the first difference prints a KTAP diagnostic and returns 0. */
static int compare_runs(const char *expected, const char *got) {
  const char *e = expected, *g = got;
  while (*e) {
    const char *ee = strchr(e, '\n'), *ge = strchr(g, '\n');
    char el[1024], gl[1024], why[600];
    size_t elen = ee ? (size_t)(ee - e) : strlen(e), glen = ge ? (size_t)(ge - g) : strlen(g);
    snprintf(el, sizeof el, "%.*s", (int)elen, e);
    snprintf(gl, sizeof gl, "%.*s", (int)glen, g);
    if (glen == 0) {
      printf("# model : %s\n# kernel: nothing (the executor stopped)\n", el);
      return 0;
    }
    if (!agrees(el, gl, why, sizeof why)) {
      printf("# %s\n# model : %s\n# kernel: %s\n", why, el, gl);
      return 0;
    }
    if (verbose) printf("# step: %s\n", gl);
    e = ee ? ee + 1 : e + elen;
    g = ge ? ge + 1 : g + glen;
  }
  return 1;
}

int main(int argc, char **argv) {
  if (argc >= 5 && strcmp(argv[1], "--resume") == 0) return resume_after_exec(atoi(argv[2]), atoi(argv[3]), argv[4]);
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-v") == 0) verbose = 1;
    else {
      fprintf(stderr, "usage: %s [-v]   (-v: every step's kernel observation and each test's time)\n", argv[0]);
      return KSFT_FAIL;
    }
  }
  setvbuf(stdout, 0, _IOLBF, 0);
  printf("TAP version 13\n");
  time_t now = time(0);
  char day[32];
  strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
  printf("# date: %s\n", day);
  printf("# suite: %s\n", SUITE);
  print_host();
  uint64_t supp = 0, perm = 0, gperm = 0;
  if (syscall(SYS_arch_prctl, ARCH_GET_XCOMP_SUPP, &supp) != 0 || syscall(SYS_arch_prctl, ARCH_GET_XCOMP_PERM, &perm) != 0 ||
      syscall(SYS_arch_prctl, ARCH_GET_XCOMP_GUEST_PERM, &gperm) != 0) {
    printf("1..0 # SKIP this kernel has no ARCH_GET_XCOMP_SUPP (Linux 5.16 and later have it)\n");
    return KSFT_SKIP;
  }
  if (!altstack_never_set()) {
    printf("1..0 # SKIP %s\n", ALTSTACK_NOT_FRESH_MESSAGE);
    return KSFT_SKIP;
  }
  int amx = (supp >> XFEATURE_XTILEDATA) & 1;
  snprintf(supp_hex, sizeof supp_hex, "\"0x%llx\"", (unsigned long long)supp);
  snprintf(perm_hex, sizeof perm_hex, "\"0x%llx\"", (unsigned long long)perm);
  snprintf(perm_amx_hex, sizeof perm_amx_hex, "\"0x%llx\"", (unsigned long long)(perm | (1ULL << XFEATURE_XTILEDATA)));
  snprintf(gperm_hex, sizeof gperm_hex, "\"0x%llx\"", (unsigned long long)gperm);
  snprintf(gperm_amx_hex, sizeof gperm_amx_hex, "\"0x%llx\"", (unsigned long long)(gperm | (1ULL << XFEATURE_XTILEDATA)));
  printf("# expectations of the model for a machine %s AMX (ARCH_GET_XCOMP_SUPP 0x%llx)\n", amx ? "with" : "without", (unsigned long long)supp);
  printf("1..%d\n", TEST_COUNT);
  int failed = 0, skipped = 0;
  static char out[1 << 16];
  for (int i = 0; i < TEST_COUNT; i++) {
    const struct model_test *t = &TESTS[i];
    if (!strstr(t->input[amx], "STEP ")) {
      printf("ok %d %s # SKIP %s\n", i + 1, t->id, t->model_only[amx] ? t->model_only[amx] : "no step to run");
      skipped++;
      continue;
    }
    double start = wall_ms();
    int status = run_test(t->input[amx], out, sizeof out);
    double took = wall_ms() - start;
    int ok = status == 0 && compare_runs(t->expected[amx], out);
    if (status != 0) printf("# the executor ended with status %d\n", status);
    if (verbose) printf("# wall: %.1f ms; steps: %d\n", took, t->steps);
    if (t->model_only[amx]) printf("# %s\n", t->model_only[amx]);
    printf("%sok %d %s\n", ok ? "" : "not ", i + 1, t->id);
    failed += !ok;
  }
  printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n", TEST_COUNT - failed - skipped, failed, skipped);
  return failed ? KSFT_FAIL : KSFT_PASS;
}
