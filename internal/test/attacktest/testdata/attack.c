/* attack.c: what a hostile image's entrypoint tries, one mode a run. Each
 * attempt prints "name: ok" or "name: errno-text" on stdout; the tests read
 * the host, not these lines, to decide. Built static, so that the image
 * needs nothing else. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <unistd.h>

static void report(const char *what, int rc) {
	printf("%s: %s\n", what, rc < 0 ? strerror(errno) : "ok");
	fflush(stdout);
}

/* touch creates dir/name, the proof of a write on the host. */
static int touch(const char *dir, const char *name) {
	char p[4096];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	int fd = open(p, O_WRONLY | O_CREAT, 0666);
	if (fd >= 0) close(fd);
	return fd;
}

/* escape: the classic way out of a chroot, as root: chroot into a
 * subdirectory, climb with "..", chroot to where that leads. */
static void escape(const char *canary) {
	mkdir("/escape", 0755);
	report("chroot /escape", chroot("/escape"));
	for (int i = 0; i < 64; i++) chdir("..");
	report("chroot .", chroot("."));
	report("write canary", touch(canary, "escaped"));
	char p[4096];
	snprintf(p, sizeof p, "/proc/1/root%s", canary);
	report("write canary through /proc/1/root", touch(p, "escaped-proc"));
}

/* devices: make a block device for the first disk, mount, and write
 * the kernel's settings. */
static void devices(const char *canary) {
	report("mknod /dev/vda", mknod("/dev/diet-vda", S_IFBLK | 0600, makedev(253, 0)));
	report("mknod /dev/sda", mknod("/dev/diet-sda", S_IFBLK | 0600, makedev(8, 0)));
	mkdir("/mnt", 0755);
	report("mount tmpfs", mount("none", "/mnt", "tmpfs", 0, NULL));
	report("mount proc", mount("proc", "/mnt", "proc", 0, NULL));
	int fd = open("/proc/sys/kernel/hostname", O_WRONLY);
	report("open /proc/sys/kernel/hostname", fd);
	if (fd >= 0) report("write /proc/sys/kernel/hostname", (int)write(fd, "pwned", 5));
	fd = open("/proc/sysrq-trigger", O_WRONLY);
	report("open /proc/sysrq-trigger", fd);
	report("write canary", touch(canary, "devices"));
}

/* whoami: what a setuid-root program gets. */
static void whoami(void) {
	printf("euid=%d uid=%d\n", (int)geteuid(), (int)getuid());
	report("setuid 0", setuid(0));
	fflush(stdout);
}

/* linger: children that leave the session, ignore every signal they can,
 * and never exit; the parent stays too. */
static void linger(void) {
	for (int i = 0; i < 3; i++) {
		if (fork() == 0) {
			setsid();
			if (fork() == 0) {
				for (int s = 1; s < 32; s++) signal(s, SIG_IGN);
				for (;;) pause();
			}
			_exit(0);
		}
	}
	printf("lingering\n");
	fflush(stdout);
	for (;;) pause();
}

/* kernel: the calls the seccomp filter refuses, made directly. */
static void kernel(void) {
	report("keyctl", (int)syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -1 /* thread */, 0));
	report("add_key", (int)syscall(SYS_add_key, "user", "diet", "x", 1, -2 /* process keyring */));
	report("bpf", (int)syscall(SYS_bpf, 0, NULL, 0));
	report("perf_event_open", (int)syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0));
	report("ptrace traceme", (int)ptrace(PTRACE_TRACEME, 0, NULL, NULL));
	report("unshare user", unshare(CLONE_NEWUSER));
	report("unshare mount", unshare(CLONE_NEWNS));
	report("setns", (int)syscall(SYS_setns, 0, 0));
	report("kexec_load", (int)syscall(SYS_kexec_load, 0, 0, NULL, 0));
	report("init_module", (int)syscall(SYS_init_module, NULL, 0, ""));
	report("swapon", (int)syscall(SYS_swapon, "/x", 0));
	report("userfaultfd", (int)syscall(SYS_userfaultfd, 0));
}

/* limits: a file, memory and processes beyond the sandbox's limits. */
static void limits(void) {
	signal(SIGXFSZ, SIG_IGN);
	int fd = open("/tmp/big", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	static char chunk[1 << 16];
	int rc = 0;
	for (int i = 0; i < 64 && rc >= 0; i++) rc = (int)write(fd, chunk, sizeof chunk); /* 4 MiB */
	report("write 4 MiB", rc);
	char *big = malloc(256 << 20);
	if (big) memset(big, 1, 256 << 20);
	report("malloc 256 MiB", big ? 0 : -1);
	rc = 0;
	for (int i = 0; i < 200 && rc >= 0; i++) {
		rc = fork();
		if (rc == 0) { pause(); _exit(0); }
	}
	report("fork 200", rc);
}

int main(int argc, char **argv) {
	if (argc < 2) return 2;
	const char *canary = argc > 2 ? argv[2] : "/nonexistent";
	if (!strcmp(argv[1], "escape")) escape(canary);
	else if (!strcmp(argv[1], "devices")) devices(canary);
	else if (!strcmp(argv[1], "whoami")) whoami();
	else if (!strcmp(argv[1], "linger")) linger();
	else if (!strcmp(argv[1], "getenv")) printf("%s=%s\n", canary, getenv(canary) ? getenv(canary) : "");
	else if (!strcmp(argv[1], "kernel")) kernel();
	else if (!strcmp(argv[1], "limits")) limits();
	else if (!strcmp(argv[1], "true")) return 0;
	else return 2;
	return 0;
}
