/*
 * probe-calls N: makes each system call a runtime probe added for the runtime
 * rules watches, N times, so the kernel's per-program accounting gives each
 * probe's cost per run. Failures (no CAP_NET_RAW, a second PTRACE_TRACEME) do
 * not matter: the probe runs on the call's entry either way. The paths are
 * ones the default pack watches, so every call is also reported (the probe's
 * whole cost, record included).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/if_ether.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000;
  for (int i = 0; i < n; i++) {
    int m = memfd_create("probe", MFD_CLOEXEC);
    if (m >= 0) close(m);
    int s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    if (s >= 0) close(s);
    if (symlink("/etc/shadow", "/tmp/probe-symlink") == 0) unlink("/tmp/probe-symlink");
    if (link("/etc/shadow", "/tmp/probe-hardlink") == 0) unlink("/tmp/probe-hardlink");
    (void)truncate("/var/log/probe.log", 0);
    (void)ptrace(PTRACE_TRACEME, 0, NULL, NULL);
  }
  printf("{\"calls\":%d}\n", n);
  return 0;
}
