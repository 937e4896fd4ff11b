/* syscall_probe: makes named system calls inside a container and prints what the kernel (or the
 * seccomp filter) answered, one line per probe: "NAME 0" on success, "NAME <errno>" on failure.
 * Static (gcc -static), so it runs in a busybox root filesystem. Raw syscall(2), never the C
 * library's wrapper, so that the call made is exactly the one named. Arguments are chosen so
 * that a call that reaches the kernel fails with an errno other than EPERM (or succeeds): an
 * EPERM then means the filter stopped it. Exit status 0, or 2 for an unknown probe name.
 * Usage: syscall_probe [-o FILE] PROBE... */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/kcmp.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long Fork(unsigned long flags) {
  long pid = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
  if (pid == 0) _exit(0);
  if (pid > 0) waitpid((pid_t)pid, NULL, 0);
  return pid < 0 ? -1 : 0;
}

/* A TCP connection over loopback within this process: socket, bind, listen, connect, accept4,
 * write, read. */
static long TcpLoopback(void) {
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof addr;
  char byte = 'x';
  long server = syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
  long client = syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
  if (server < 0 || client < 0) return -1;
  if (syscall(SYS_bind, server, &addr, sizeof addr) != 0) return -1;
  if (syscall(SYS_listen, server, 1) != 0) return -1;
  if (syscall(SYS_getsockname, server, &addr, &len) != 0) return -1;
  if (syscall(SYS_connect, client, &addr, sizeof addr) != 0) return -1;
  long conn = syscall(SYS_accept4, server, NULL, NULL, 0);
  if (conn < 0) return -1;
  if (syscall(SYS_write, client, &byte, 1) != 1) return -1;
  return syscall(SYS_read, conn, &byte, 1) == 1 ? 0 : -1;
}

/* The 32-bit x86 ABI of an x86_64 kernel (int 0x80, i386 numbers): a filter must cover it too,
 * which is what the profile's SCMP_ARCH_X86 is for. Elsewhere ENOSYS. */
static long I386(long number, long a1, long a2, long a3) {
#if defined(__x86_64__)
  long ret;
  __asm__ volatile("int $0x80" : "=a"(ret) : "a"(number), "b"(a1), "c"(a2), "d"(a3) : "memory");
  if (ret < 0 && ret > -4096) {
    errno = (int)-ret;
    return -1;
  }
  return ret;
#else
  (void)number, (void)a1, (void)a2, (void)a3;
  errno = ENOSYS;
  return -1;
#endif
}

static long Socket(int family, int type) {
  long fd = syscall(SYS_socket, family, type, 0);
  return fd < 0 ? -1 : 0;
}

/* Returns the call's result: >= 0 success, -1 with errno set; -2 for an unknown name. */
static long Probe(const char* name) {
  if (!strcmp(name, "fork")) return Fork(0);
  if (!strcmp(name, "clone_newuts")) return Fork(CLONE_NEWUTS);
  if (!strcmp(name, "clone3")) return syscall(SYS_clone3, NULL, 0); /* kernel: EINVAL */
  if (!strcmp(name, "unshare_user")) return syscall(SYS_unshare, CLONE_NEWUSER);
  if (!strcmp(name, "mount")) /* kernel: ENOENT */
    return syscall(SYS_mount, "none", "/csp-no-such-dir", "tmpfs", 0, NULL);
  if (!strcmp(name, "keyctl")) return syscall(SYS_keyctl, 0, -100, 0); /* kernel: EINVAL */
  if (!strcmp(name, "bpf")) return syscall(SYS_bpf, 9999, NULL, 0);    /* kernel: EINVAL */
  if (!strcmp(name, "kexec_load"))                                     /* kernel: EINVAL */
    return syscall(SYS_kexec_load, 0, 0, NULL, 0xdead0000UL);
  if (!strcmp(name, "ptrace")) /* not our tracee; kernel: ESRCH */
    return syscall(SYS_ptrace, PTRACE_PEEKUSER, getpid(), 0, 0);
  if (!strcmp(name, "getpid_i386")) return I386(20, 0, 0, 0);
  if (!strcmp(name, "keyctl_i386")) return I386(288, 0, -100, 0); /* kernel: EINVAL */
  if (!strcmp(name, "kcmp")) return syscall(SYS_kcmp, getpid(), getpid(), KCMP_FILE, 0, 0);
  if (!strcmp(name, "personality_query")) return syscall(SYS_personality, 0xffffffffUL);
  if (!strcmp(name, "personality_linux")) return syscall(SYS_personality, 0x0UL);
  if (!strcmp(name, "personality_no_aslr")) return syscall(SYS_personality, 0x0040000UL);
  if (!strcmp(name, "chroot")) return syscall(SYS_chroot, "/");
  if (!strcmp(name, "userfaultfd")) return syscall(SYS_userfaultfd, 0);
  if (!strcmp(name, "io_uring_setup")) return syscall(SYS_io_uring_setup, 0, NULL);
  if (!strcmp(name, "socket_inet")) return Socket(AF_INET, SOCK_STREAM);
  if (!strcmp(name, "socket_unix")) return Socket(AF_UNIX, SOCK_STREAM);
  if (!strcmp(name, "socket_alg")) return Socket(38, SOCK_SEQPACKET);
  if (!strcmp(name, "socket_vsock")) return Socket(40, SOCK_STREAM);
  if (!strcmp(name, "tcp_loopback")) return TcpLoopback();
  return -2;
}

int main(int argc, char** argv) {
  int first = 1;
  /* -o FILE: answers to FILE (a Pod's /dev/termination-log) instead of stdout. */
  if (argc > 2 && !strcmp(argv[1], "-o")) {
    if (!freopen(argv[2], "w", stdout)) return 2;
    first = 3;
  }
  for (int i = first; i < argc; ++i) {
    errno = 0;
    long result = Probe(argv[i]);
    if (result == -2) {
      fprintf(stderr, "syscall_probe: unknown probe %s\n", argv[i]);
      return 2;
    }
    printf("%s %d\n", argv[i], result < 0 ? errno : 0);
  }
  return 0;
}
