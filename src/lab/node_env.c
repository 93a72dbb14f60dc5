#include "lab/node_env.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"

static const char *const default_env[][2] = {
	{ "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" },
	{ "HOME", "/root" },
	{ "TERM", "xterm" },
	{ "container", "cboxlab" },
};

static bool env_has(const struct cbx_node *n, const char *key, size_t len)
{
	for (size_t i = 0; i < n->n_env; i++)
		if (strlen(n->env[i].key) == len && !strncmp(n->env[i].key, key, len))
			return true;
	return false;
}

/* The image's own "KEY=VALUE" for key, or NULL. */
static const char *image_env(const struct cbx_image *img, const char *key)
{
	size_t len = strlen(key);

	for (size_t i = 0; img && i < img->n_env; i++)
		if (!strncmp(img->env[i], key, len) && img->env[i][len] == '=')
			return img->env[i];
	return NULL;
}

char **lab_node_envp(struct cbx_arena *a, const struct cbx_topo *t, const struct cbx_node *n,
		     const struct cbx_image *img)
{
	size_t cap = CBX_ARRAY_SIZE(default_env) + n->n_env + 4 + (img ? img->n_env : 0), k = 0;
	char **envp = cbx_arena_array(a, cap, sizeof(char *));

	if (!envp)
		return NULL;
	for (size_t i = 0; i < CBX_ARRAY_SIZE(default_env); i++)
		if (!env_has(n, default_env[i][0], strlen(default_env[i][0])) &&
		    !image_env(img, default_env[i][0]))
			envp[k++] =
				cbx_arena_printf(a, "%s=%s", default_env[i][0], default_env[i][1]);
	/* The image's, under the file's. */
	for (size_t i = 0; img && i < img->n_env; i++) {
		const char *eq = strchr(img->env[i], '=');
		if (eq && eq != img->env[i] && !env_has(n, img->env[i], (size_t)(eq - img->env[i])))
			envp[k++] = img->env[i];
	}
	for (size_t i = 0; i < n->n_env; i++)
		envp[k++] = cbx_arena_printf(a, "%s=%s", n->env[i].key, n->env[i].value);
	envp[k++] = cbx_arena_printf(a, "HOSTNAME=%s", n->name);
	envp[k++] = cbx_arena_printf(a, "CBOXLAB_LAB=%s", t->name);
	envp[k++] = cbx_arena_printf(a, "CBOXLAB_NODE=%s", n->name);
	for (size_t i = 0; i < k; i++)
		if (!envp[i])
			return NULL;
	return envp;
}

/* Where Debian's libfaketime package puts the library (per architecture),
 * and where a build from source does. */
static const char *faketime_lib(void)
{
	static const char *const paths[] = {
#if defined(__x86_64__)
		"/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
#elif defined(__aarch64__)
		"/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
#endif
		"/usr/lib/faketime/libfaketime.so.1",
		"/usr/local/lib/faketime/libfaketime.so.1",
	};

	for (size_t i = 0; i < CBX_ARRAY_SIZE(paths); i++)
		if (access(paths[i], R_OK) == 0)
			return paths[i];
	return NULL;
}

char **lab_node_envp_skewed(struct cbx_arena *a, char *const *envp, int64_t skew_us,
			    struct cbx_error *err)
{
	const char *lib = faketime_lib();
	size_t n = 0, k = 0;
	bool preloaded = false;
	char **out;

	if (!lib)
		return cbx_error_set(err, CBX_ERR_STATE,
				     "a clock skew needs libfaketime on the host (Debian: apt install libfaketime)"),
		       NULL;
	while (envp[n])
		n++;
	if (!(out = cbx_arena_array(a, n + 4, sizeof(char *))))
		goto oom;
	for (size_t i = 0; i < n; i++) {
		if (!strncmp(envp[i], "LD_PRELOAD=", 11)) {
			preloaded = true;
			out[k++] = cbx_arena_printf(a, "LD_PRELOAD=%s:%s", lib, envp[i] + 11);
		} else if (strncmp(envp[i], "FAKETIME=", 9) &&
			   strncmp(envp[i], "FAKETIME_DONT_FAKE_MONOTONIC=", 29)) {
			out[k++] = envp[i];
		}
	}
	if (!preloaded)
		out[k++] = cbx_arena_printf(a, "LD_PRELOAD=%s", lib);
	out[k++] = cbx_arena_printf(a, "FAKETIME=%c%" PRId64 ".%06" PRId64, skew_us < 0 ? '-' : '+',
				    (skew_us < 0 ? -skew_us : skew_us) / 1000000,
				    (skew_us < 0 ? -skew_us : skew_us) % 1000000);
	out[k++] = "FAKETIME_DONT_FAKE_MONOTONIC=1";
	for (size_t i = 0; i < k; i++)
		if (!out[i])
			goto oom;
	return out;
oom:
	cbx_error_sys(err, ENOMEM, "the node's environment");
	return NULL;
}

char **lab_node_init_argv(struct cbx_arena *a, const struct cbx_node *n,
			  const struct cbx_image *img)
{
	/* The file's command, else the image's (Entrypoint and Cmd). */
	char **cmd = n->cmd ? n->cmd : img ? img->cmd : NULL;
	size_t argc = 0, k = 0;
	char **argv;

	while (cmd && cmd[argc])
		argc++;
	argv = cbx_arena_array(a, argc + 8, sizeof(char *));
	if (!argv)
		return NULL;
	argv[k++] = "cboxlab-init";
	if (img && img->workdir) {
		argv[k++] = "--cwd";
		argv[k++] = img->workdir;
	}
	if (img && img->user) {
		argv[k++] = "--user";
		argv[k++] = img->user;
	}
	if (argc && n->restart != CBX_RESTART_NO)
		argv[k++] = cbx_arena_printf(a, "--restart=%s", cbx_restart_names[n->restart]);
	if (argc) {
		argv[k++] = "--";
		for (size_t i = 0; i < argc; i++)
			argv[k++] = cmd[i];
	}
	return argv;
}
