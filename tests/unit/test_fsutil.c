/* cbx_rm_rf, which a node's init runs on its /tmp, /run and /dev at a
 * restart: the whole tree goes, however deep, and nothing a symlink in it
 * points to. Without root: a tree in a directory of the test's own. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "tap.h"

static int touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return -1;
	return close(fd);
}

static int exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int main(void)
{
	char top[] = "/tmp/cbxtest-fsutil-XXXXXX", path[4096], tree[64], outside[64];
	struct cbx_error err;
	size_t len;

	if (!mkdtemp(top)) {
		printf("1..0 # SKIP no temporary directory\n");
		return 0;
	}
	snprintf(outside, sizeof(outside), "%s/outside", top);
	snprintf(tree, sizeof(tree), "%s/tree", top);
	ok(mkdir(outside, 0755) == 0 && mkdir(tree, 0755) == 0,
	   "a tree and a directory outside it");
	snprintf(path, sizeof(path), "%s/keep", outside);
	ok(touch(path) == 0, "a file outside");

	/* A chain of 200 directories, a file at each level. */
	len = (size_t)snprintf(path, sizeof(path), "%s", tree);
	for (int i = 0; i < 200 && len + 8 < sizeof(path); i++) {
		len += (size_t)snprintf(path + len, sizeof(path) - len, "/d%d", i % 10);
		if (mkdir(path, 0755) < 0)
			break;
		snprintf(path + len, sizeof(path) - len, "/f");
		touch(path);
		path[len] = '\0';
	}
	ok(exists(path), "200 levels deep (%zu bytes of path)", len);
	snprintf(path, sizeof(path), "%s/link", tree);
	ok(symlink(outside, path) == 0, "a symlink to the directory outside");
	snprintf(path, sizeof(path), "%s/file", tree);
	ok(touch(path) == 0, "a file at the top");

	ok(cbx_rm_rf(tree, &err) == 0, "the tree is removed");
	ok(!exists(tree), "and gone, every level");
	snprintf(path, sizeof(path), "%s/keep", outside);
	ok(exists(path), "what the symlink pointed to is left alone");

	ok(cbx_rm_rf(tree, &err) == 0, "removing what is not there is no error");
	ok(cbx_rm_rf(path, &err) == 0 && !exists(path), "a plain file is unlinked");

	ok(cbx_rm_rf(top, &err) == 0 && !exists(top), "the test's own directory goes too");
	return tap_done();
}
