/* crush: gzip-compress standard input with zlib, or check zlib works. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define VERSION "0.3.1"

static void version(void)
{
	printf("crush %s (zlib %s)\n", VERSION, zlibVersion());
}

/* selftest compresses a fixed text at every level and checks the round trip. */
static int selftest(void)
{
	static unsigned char in[16384], out[32768], back[16384];
	const char *line = "The quick brown fox jumps over the lazy dog.\n";
	size_t n = strlen(line);
	for (size_t i = 0; i < sizeof in; i++)
		in[i] = line[i % n] ^ (i / 997 % 2 ? 0x20 : 0);
	printf("input: %zu bytes, crc32 %08lx, adler32 %08lx\n", sizeof in,
	       crc32(0L, in, sizeof in), adler32(1L, in, sizeof in));
	for (int level = 1; level <= 9; level += 4) {
		uLongf outlen = sizeof out, backlen = sizeof back;
		if (compress2(out, &outlen, in, sizeof in, level) != Z_OK ||
		    uncompress(back, &backlen, out, outlen) != Z_OK ||
		    backlen != sizeof in || memcmp(in, back, sizeof in) != 0) {
			printf("level %d: round trip FAILED\n", level);
			return 1;
		}
		printf("level %d: %lu bytes, round trip ok\n", level, (unsigned long)outlen);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		version();
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--self-test") == 0) {
		version();
		return selftest();
	}
	if (argc > 1) {
		fprintf(stderr, "usage: crush [--version | --self-test] < in > out.gz\n");
		return 2;
	}
	gzFile gz = gzdopen(fileno(stdout), "wb9");
	if (gz == NULL)
		return 1;
	char buf[65536];
	size_t len;
	while ((len = fread(buf, 1, sizeof buf, stdin)) > 0)
		if (gzwrite(gz, buf, (unsigned)len) != (int)len)
			return 1;
	return gzclose(gz) == Z_OK ? 0 : 1;
}
