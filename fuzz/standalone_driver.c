/* SPDX-License-Identifier: MIT */
/*
 * standalone_driver.c — replays a corpus through a fuzz target without
 * libFuzzer, so ctest checks every saved input on any compiler (libgit2's
 * standalone_driver.c, zstd's regression_driver.c). Arguments are files or
 * folders (every regular file directly inside). Prints "N passed, M failed";
 * a crash fails the test by itself, an unreadable file counts as failed. A
 * missing folder (a target without a corpus yet) is noted, not failed.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;
	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return -1;
	}
	/* an exact-size heap copy, so ASan sees reads past the end */
	buf = malloc(n ? (size_t)n : 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int i, passed = 0, failed = 0;
	for (i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "%s: no such corpus (nothing replayed)\n", argv[i]);
		} else if (S_ISDIR(st.st_mode)) {
			DIR *d = opendir(argv[i]);
			struct dirent *de;
			while (d && (de = readdir(d)) != NULL) {
				char path[4096];
				if (de->d_name[0] == '.')
					continue;
				snprintf(path, sizeof path, "%s/%s", argv[i], de->d_name);
				if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
					continue;
				if (run_file(path) == 0)
					passed++;
				else
					failed++;
			}
			if (d)
				closedir(d);
		} else if (run_file(argv[i]) == 0) {
			passed++;
		} else {
			failed++;
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
