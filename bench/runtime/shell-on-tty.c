/*
 * Latency driver for the runtime benchmark: COUNT times, every INTERVAL_MS,
 * starts SHELL -c 'exit 0' MARKER-<i> on a fresh pseudo-terminal (its
 * controlling tty, like `docker exec -t … sh`), and prints "<i> <unix µs>"
 * with the wall-clock time taken in the child just before execve.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: shell-on-tty INTERVAL_MS COUNT SHELL MARKER\n");
    return 2;
  }
  long interval = atol(argv[1]), count = atol(argv[2]);
  setvbuf(stdout, NULL, _IOLBF, 0);
  for (long i = 0; i < count; i++) {
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) { perror("pty"); return 1; }
    char *slave = ptsname(master);
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) { perror("pipe"); return 1; }
    char marker[64];
    snprintf(marker, sizeof marker, "%s-%ld", argv[4], i);
    pid_t pid = fork();
    if (pid == 0) {
      setsid();
      int fd = open(slave, O_RDWR); /* first tty opened by a session leader: controlling terminal */
      if (fd < 0) _exit(126);
      dup2(fd, 0); dup2(fd, 1); dup2(fd, 2);
      if (fd > 2) close(fd);
      struct timespec ts;
      clock_gettime(CLOCK_REALTIME, &ts);
      int64_t us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
      (void)!write(pipefd[1], &us, sizeof us);
      char *child_argv[] = {argv[3], "-c", "exit 0", marker, NULL};
      char *envp[] = {NULL};
      execve(argv[3], child_argv, envp);
      _exit(127);
    }
    close(pipefd[1]);
    int64_t us = 0;
    if (read(pipefd[0], &us, sizeof us) != sizeof us) us = 0;
    close(pipefd[0]);
    int status;
    waitpid(pid, &status, 0);
    close(master);
    printf("%ld %lld\n", i, (long long)us);
    struct timespec nap = {interval / 1000, (interval % 1000) * 1000000L};
    nanosleep(&nap, NULL);
  }
  return 0;
}
