#include "lab/node_env.h"

#include <string.h>

#include "common/cleanup.h"

static const char *const default_env[][2] = {
	{ "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" },
	{ "HOME", "/root" },
	{ "TERM", "xterm" },
	{ "container", "cboxlab" },
};

static bool env_has(const struct cbx_node *n, const char *key)
{
	for (size_t i = 0; i < n->n_env; i++)
		if (!strcmp(n->env[i].key, key))
			return true;
	return false;
}

char **lab_node_envp(struct cbx_arena *a, const struct cbx_topo *t, const struct cbx_node *n)
{
	size_t cap = CBX_ARRAY_SIZE(default_env) + n->n_env + 4, k = 0;
	char **envp = cbx_arena_array(a, cap, sizeof(char *));

	if (!envp)
		return NULL;
	for (size_t i = 0; i < CBX_ARRAY_SIZE(default_env); i++)
		if (!env_has(n, default_env[i][0]))
			envp[k++] =
				cbx_arena_printf(a, "%s=%s", default_env[i][0], default_env[i][1]);
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

char **lab_node_init_argv(struct cbx_arena *a, const struct cbx_node *n)
{
	size_t argc = 0, k = 0;
	char **argv;

	while (n->cmd && n->cmd[argc])
		argc++;
	argv = cbx_arena_array(a, argc + 4, sizeof(char *));
	if (!argv)
		return NULL;
	argv[k++] = "cboxlab-init";
	if (argc && n->restart != CBX_RESTART_NO)
		argv[k++] = cbx_arena_printf(a, "--restart=%s", cbx_restart_names[n->restart]);
	if (argc) {
		argv[k++] = "--";
		for (size_t i = 0; i < argc; i++)
			argv[k++] = n->cmd[i];
	}
	return argv;
}
