/*
 * Attack behaviours as one static program, bind-mounted into test containers.
 * The behaviour is chosen by the program's name (a copy or link named "ssh" or
 * "logrotate") or by the first argument. Each does the real system calls an
 * attacker's tool would, then exits; none needs anything from the image.
 *
 *   vigil-attack memfd-exec       copy itself into a memfd and run it from there
 *   vigil-attack packet-socket    open an AF_PACKET raw socket
 *   vigil-attack traceme          ptrace(PTRACE_TRACEME)
 *   vigil-attack ptrace-attach    fork a child, PTRACE_ATTACH to it, detach
 *   vigil-attack reverse-shell    connect a TCP socket (to a listener of its own) and run sh -c id with it as stdin and stdout
 *   vigil-attack noop [I]         exit 0
 *   vigil-attack burst N RATE     run N copies of itself (noop 0 … noop N-1), one after the other, RATE a second
 *   ssh -p PORT HOST              one TCP connect to HOST:PORT (1 s at most)
 *   logrotate FILE...             rotate each log: rename FILE to FILE.1, recreate FILE empty
 *   nginx                         a "server" that runs sh -c id in a child, as a web shell would
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int memfd_exec(void) {
  int self = open("/proc/self/exe", O_RDONLY);
  int mem = memfd_create("payload", MFD_CLOEXEC);
  if (self < 0 || mem < 0) { perror("memfd_create"); return 1; }
  char buf[65536];
  ssize_t n;
  while ((n = read(self, buf, sizeof buf)) > 0) {
    if (write(mem, buf, (size_t)n) != n) { perror("write"); return 1; }
  }
  char *argv[] = {"payload", "noop", NULL};
  fexecve(mem, argv, environ);
  perror("fexecve");
  return 1;
}

static int packet_socket(void) {
  int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
  if (fd < 0) { perror("socket(AF_PACKET)"); return 1; }
  close(fd);
  return 0;
}

static int traceme(void) {
  if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0) { perror("ptrace"); return 1; }
  return 0;
}

static int ptrace_attach(void) {
  pid_t child = fork();
  if (child == 0) {
    pause();
    _exit(0);
  }
  if (child < 0) { perror("fork"); return 1; }
  int rc = 0;
  if (ptrace(PTRACE_ATTACH, child, NULL, NULL) != 0) { perror("ptrace(PTRACE_ATTACH)"); rc = 1; }
  else {
    waitpid(child, NULL, 0);
    ptrace(PTRACE_DETACH, child, NULL, NULL);
  }
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  return rc;
}

static int reverse_shell(void) {
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof addr;
  if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(listener, 1) != 0 ||
      getsockname(listener, (struct sockaddr *)&addr, &len) != 0) { perror("listener"); return 1; }
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) { perror("connect"); return 1; }
  dup2(fd, 0);
  dup2(fd, 1);
  execl("/bin/sh", "sh", "-c", "id", (char *)NULL);
  perror("exec /bin/sh");
  return 1;
}

static int server_shell(void) {
  pid_t child = fork();
  if (child == 0) {
    execl("/bin/sh", "sh", "-c", "id", (char *)NULL);
    _exit(127);
  }
  if (child < 0) { perror("fork"); return 1; }
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static int ssh(int argc, char **argv) {
  const char *host = NULL;
  int port = 22;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-p") == 0 && i + 1 < argc) port = atoi(argv[++i]);
    else host = argv[i];
  }
  if (host == NULL) { fprintf(stderr, "usage: ssh -p PORT HOST\n"); return 2; }
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct timeval timeout = {1, 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) { fprintf(stderr, "ssh: %s is not an IPv4 address\n", host); return 2; }
  int rc = connect(fd, (struct sockaddr *)&addr, sizeof addr);
  close(fd);
  return rc == 0 ? 0 : 255;
}

static int logrotate(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    char rotated[4096];
    snprintf(rotated, sizeof rotated, "%s.1", argv[i]);
    if (rename(argv[i], rotated) != 0) { perror("rename"); return 1; }
    int fd = open(argv[i], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) { perror("open"); return 1; }
    close(fd);
  }
  return 0;
}

/* Short-lived processes: each child execs this program again and exits at once (well under 1 ms). */
static int burst(const char *self, int n, int rate) {
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (int i = 0; i < n; i++) {
    char index[16];
    snprintf(index, sizeof index, "%d", i);
    pid_t pid = fork();
    if (pid == 0) {
      execl(self, self, "noop", index, (char *)NULL);
      _exit(127);
    }
    if (pid < 0 || waitpid(pid, NULL, 0) < 0) { perror("burst"); return 1; }
    /* Pace to RATE a second from the start, so the run is not limited by how fast the loop goes. */
    double due = start.tv_sec + start.tv_nsec / 1e9 + (double)(i + 1) / rate;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double wait = due - (now.tv_sec + now.tv_nsec / 1e9);
    if (wait > 0) {
      struct timespec pause = {(time_t)wait, (long)((wait - (time_t)wait) * 1e9)};
      nanosleep(&pause, NULL);
    }
  }
  return 0;
}

int main(int argc, char **argv) {
  const char *name = basename(argv[0]);
  if (strcmp(name, "ssh") == 0) return ssh(argc, argv);
  if (strcmp(name, "logrotate") == 0) return logrotate(argc, argv);
  if (strcmp(name, "nginx") == 0) return server_shell();
  const char *what = argc > 1 ? argv[1] : "";
  if (strcmp(what, "memfd-exec") == 0) return memfd_exec();
  if (strcmp(what, "packet-socket") == 0) return packet_socket();
  if (strcmp(what, "traceme") == 0) return traceme();
  if (strcmp(what, "ptrace-attach") == 0) return ptrace_attach();
  if (strcmp(what, "reverse-shell") == 0) return reverse_shell();
  if (strcmp(what, "noop") == 0) return 0;
  if (strcmp(what, "burst") == 0 && argc == 4) return burst(argv[0], atoi(argv[2]), atoi(argv[3]));
  fprintf(stderr, "usage: vigil-attack memfd-exec|packet-socket|traceme|ptrace-attach|reverse-shell|noop|burst N RATE, or run as ssh, logrotate or nginx\n");
  return 2;
}
