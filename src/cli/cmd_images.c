/* cboxlab images [prune]: the image cache and who uses it. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static void human(uint64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	size_t u = 0;

	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0]))
		v /= 1024, u++;
	snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

static json_t *strings_json(char **s, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(s[i]));
	return a;
}

static void join(char **s, size_t n, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? "," : "", s[i]);
}

static int images_prune(const struct cli_call *c)
{
	struct cbx_error err;
	size_t removed, kept;
	uint64_t bytes;
	char size[32];

	if (lab_cache_prune(&c->cbx, &removed, &bytes, &kept, &err) < 0)
		return cli_fail(&err);
	if (c->opt[OPT_JSON]) {
		cli_print_json(json_pack("{s:i, s:I, s:i}", "removed", (int)removed, "bytes",
					 (json_int_t)bytes, "kept", (int)kept));
		return 0;
	}
	human(bytes, size, sizeof(size));
	printf("removed %zu layer(s) (%s); %zu in use kept\n", removed, size, kept);
	return 0;
}

int cmd_images(const struct cli_call *c)
{
	struct lab_cached_layer *l;
	struct cbx_error err;
	json_t *arr;
	size_t n;

	if (c->argc == 1 && !strcmp(c->argv[0], "prune"))
		return images_prune(c);
	if (c->argc)
		return cli_usage_error("images", "\"%s\" is not prune", c->argv[0]);
	if (lab_cache_list(&c->cbx, &l, &n, &err) < 0)
		return cli_fail(&err);
	if (c->opt[OPT_JSON]) {
		arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr,
					      json_pack("{s:s, s:I, s:o, s:o}", "digest",
							l[i].digest, "bytes",
							(json_int_t)l[i].bytes, "labs",
							strings_json(l[i].labs, l[i].n_labs),
							"images",
							strings_json(l[i].images, l[i].n_images)));
		cli_print_json(json_pack("{s:s, s:o}", "cache", c->cbx.cache_root, "layers", arr));
	} else {
		printf("%-71s  %10s  %-16s %s\n", "LAYER", "SIZE", "LABS", "IMAGES");
		for (size_t i = 0; i < n; i++) {
			char size[32], labs[256], images[512];
			human(l[i].bytes, size, sizeof(size));
			join(l[i].labs, l[i].n_labs, labs, sizeof(labs));
			join(l[i].images, l[i].n_images, images, sizeof(images));
			printf("%-71s  %10s  %-16s %s\n", l[i].digest, size,
			       l[i].n_labs ? labs : "-", images);
		}
	}
	lab_cache_list_free(l, n);
	return 0;
}
