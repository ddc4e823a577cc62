/*
 * Exec storm for the runtime benchmark: WORKERS processes each vfork+exec
 * PROGRAM at RATE/WORKERS execs/s (RATE 0: as fast as they can) for SECONDS,
 * each with at most 64 children alive at once.
 * Prints one JSON line: {"execs":N,"failed":F,"seconds":S}.
 * Built static (gcc -static) so it runs in any container it is mounted into.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One worker: returns through *out the execs made and failed. */
static void storm(double rate, double seconds, char **child_argv, long *out) {
  char *envp[] = {NULL};
  long execs = 0, failed = 0;
  int alive = 0;
  double start = now(), end = start + seconds, t;
  while ((t = now()) < end) {
    long due = rate > 0 ? (long)((t - start) * rate) + 1 : execs + 1;
    if (execs >= due) {
      struct timespec nap = {0, 200000}; /* 0.2 ms */
      nanosleep(&nap, NULL);
    }
    while (execs < due && alive < 64) {
      pid_t pid = vfork();
      if (pid == 0) {
        execve(child_argv[0], child_argv, envp);
        _exit(127);
      }
      if (pid < 0) {
        failed++;
        break;
      }
      execs++;
      alive++;
    }
    int status;
    pid_t done;
    while (alive > 0 && (done = waitpid(-1, &status, alive >= 64 ? 0 : WNOHANG)) > 0) {
      alive--;
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failed++;
    }
  }
  int status;
  while (alive > 0 && waitpid(-1, &status, 0) > 0) {
    alive--;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failed++;
  }
  out[0] = execs;
  out[1] = failed;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: storm RATE SECONDS WORKERS PROGRAM [ARGS...]\n");
    return 2;
  }
  double rate = atof(argv[1]);
  double seconds = atof(argv[2]);
  int workers = atoi(argv[3]);
  if (workers < 1) workers = 1;
  long *results = mmap(NULL, sizeof(long) * 2 * workers, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (results == MAP_FAILED) return 1;
  double start = now();
  for (int w = 0; w < workers; w++) {
    if (fork() == 0) {
      storm(rate / workers, seconds, argv + 4, results + 2 * w);
      _exit(0);
    }
  }
  int status;
  while (wait(&status) > 0) {
  }
  long execs = 0, failed = 0;
  for (int w = 0; w < workers; w++) {
    execs += results[2 * w];
    failed += results[2 * w + 1];
  }
  printf("{\"execs\":%ld,\"failed\":%ld,\"seconds\":%.3f}\n", execs, failed, now() - start);
  return 0;
}
