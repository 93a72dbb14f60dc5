/* Sysctl names to procfs paths, relative to a procfs given as a directory
 * (a node's own, which `up` is handed): checked on a directory laid out as
 * procfs's sys/ is, so no root and no procfs are needed. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bridge/sysctl.h"
#include "tap.h"

static void put_file(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f)
		fclose(f);
}

static char *read_back(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, size - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	return buf;
}

int main(void)
{
	char dir[] = "/tmp/cbxt-sysctl-XXXXXX", path[256], buf[64];
	struct cbx_error err;
	int proc;

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/sys", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sys/net", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sys/net/ipv4", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sys/net/ipv4/ip_forward", dir);
	put_file(path);
	snprintf(buf, sizeof(buf), "%s/sys", dir);
	proc = open(buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	ok(cbx_sysctl_write_at(proc, "net.ipv4.ip_forward", "1", &err) == 0,
	   "a sysctl is written under the sys/ given");
	is_str(read_back(path, buf, sizeof(buf)), "1", "dots became directories under sys/");

	ok(cbx_sysctl_write_at(proc, "net.ipv4.no_such_thing", "1", &err) == -1,
	   "a sysctl that is not there fails");
	has_str(err.msg, "set sysctl net.ipv4.no_such_thing=1", "named as the user wrote it");
	has_str(err.msg, "No such file or directory", "with the reason");

	unlink(path);
	snprintf(path, sizeof(path), "%s/sys/net/ipv4", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/sys/net", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/sys", dir);
	rmdir(path);
	close(proc);
	rmdir(dir);
	return tap_done();
}
