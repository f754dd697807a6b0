/* preload.c: a library that, wherever it is loaded, writes a file named
 * after the program that loaded it into the directory $DIET_CANARY, or into
 * the directory compiled in. The sandbox's host tools must never load it. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#ifndef CANARY
#define CANARY "/nonexistent"
#endif

__attribute__((constructor)) static void loaded(void) {
	char self[256] = {0}, p[4096];
	readlink("/proc/self/exe", self, sizeof self - 1);
	const char *base = self;
	for (const char *c = self; *c; c++)
		if (*c == '/') base = c + 1;
	snprintf(p, sizeof p, "%s/preloaded-by-%s", CANARY, base);
	int fd = open(p, O_WRONLY | O_CREAT, 0666);
	if (fd >= 0) close(fd);
}
