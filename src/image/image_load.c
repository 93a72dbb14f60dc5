/* Reading an image (image.h): an OCI layout (in a folder or an archive),
 * docker save's archive, or a rootfs tarball, down to its layers' digests
 * and its config. Every manifest and config is checked against the digest
 * that names it, every layer as it is unpacked. */
#include "image/image.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "image/image_source.h"
#include "image/layer_path.h"

#define MEDIA_INDEX "application/vnd.oci.image.index.v1+json"
#define REF_NAME "org.opencontainers.image.ref.name"
#define LAYERS_MAX 128

static void json_putp(json_t **j)
{
	if (*j)
		json_decref(*j);
}
#define cleanup_json __attribute__((cleanup(json_putp)))

static json_t *parse_json(struct image_source *s, const char *name, const char *hex,
			  struct cbx_error *err)
{
	cleanup_free char *text = NULL;
	json_error_t jerr;
	size_t len;
	json_t *j;

	if (cbx_src_read_small(s, name, hex, &text, &len, err) < 0)
		return NULL;
	j = json_loadb(text, len, 0, &jerr);
	if (!j)
		cbx_error_set(err, CBX_ERR_INPUT, "%s: %s: bad JSON: %s", s->shown, name,
			      jerr.text);
	return j;
}

/* A descriptor's digest, as hex; "blobs/sha256/<hex>" in name. */
static int descriptor_blob(struct image_source *s, json_t *d, const char *what,
			   char hex[CBX_SHA256_HEX_LEN + 1], char *name, size_t size,
			   struct cbx_error *err)
{
	const char *digest = json_string_value(json_object_get(d, "digest")), *why;

	if (!digest)
		return cbx_error_set(err, CBX_ERR_INPUT, "%s: %s has no digest", s->shown, what);
	if (cbx_digest_parse(digest, hex, &why) < 0)
		return cbx_error_set(err, CBX_ERR_INPUT, "%s: %s: digest \"%.80s\": %s", s->shown,
				     what, digest, why);
	snprintf(name, size, "blobs/sha256/%s", hex);
	return 0;
}

static char **string_array(struct cbx_arena *a, json_t *arr, char **prefix, size_t *n)
{
	size_t np = 0, k = 0, i;
	json_t *v;
	char **out;

	while (prefix && prefix[np])
		np++;
	out = cbx_arena_array(a, np + json_array_size(arr) + 1, sizeof(char *));
	if (!out)
		return NULL;
	for (i = 0; i < np; i++)
		out[k++] = prefix[i];
	json_array_foreach (arr, i, v)
		if (json_is_string(v) && !(out[k++] = cbx_arena_strdup(a, json_string_value(v))))
			return NULL;
	if (n)
		*n = k;
	return out;
}

/* config.{Env,Entrypoint,Cmd,WorkingDir,User}: the node's defaults. */
static int read_config(json_t *cfg, struct cbx_arena *a, struct cbx_image *out)
{
	json_t *c = json_object_get(cfg, "config"), *v;
	char **entry = NULL;

	if (!json_is_object(c))
		return 0;
	if (json_is_array(v = json_object_get(c, "Env")) &&
	    !(out->env = string_array(a, v, NULL, &out->n_env)))
		return -1;
	if (json_is_array(v = json_object_get(c, "Entrypoint")) &&
	    !(entry = string_array(a, v, NULL, NULL)))
		return -1;
	v = json_object_get(c, "Cmd");
	if ((entry && entry[0]) || (json_is_array(v) && json_array_size(v))) {
		if (!(out->cmd = string_array(a, json_is_array(v) ? v : NULL, entry, NULL)))
			return -1;
	}
	if (json_is_string(v = json_object_get(c, "WorkingDir")) && *json_string_value(v) &&
	    !(out->workdir = cbx_arena_strdup(a, json_string_value(v))))
		return -1;
	if (json_is_string(v = json_object_get(c, "User")) && *json_string_value(v) &&
	    !(out->user = cbx_arena_strdup(a, json_string_value(v))))
		return -1;
	return 0;
}

static int unpack_layers(struct cbx_image_cache *c, struct image_source *s, char **names,
			 struct cbx_image *out, struct cbx_error *err)
{
	for (size_t i = 0; i < out->n_layers; i++) {
		char what[1024];
		snprintf(what, sizeof(what), "%s: layer %zu of %zu (%s%s%s)", s->shown, i + 1,
			 out->n_layers, s->archive ? "" : s->path, s->archive ? "" : "/", names[i]);
		if (cbx_cache_has_layer(c, out->layers[i]))
			continue;
		if (cbx_src_open(s, names[i], err) < 0)
			return cbx_error_wrap(err, "layer %zu of %zu", i + 1, out->n_layers);
		if (cbx_layer_unpack(c, cbx_src_read, s, out->layers[i], what, NULL, err) < 0) {
			cbx_src_close(s);
			return -1;
		}
		cbx_src_close(s);
	}
	return 0;
}

static const char *our_arch(void)
{
	static struct utsname u;

	if (uname(&u) < 0)
		return "";
	if (!strcmp(u.machine, "x86_64"))
		return "amd64";
	if (!strcmp(u.machine, "aarch64"))
		return "arm64";
	return u.machine;
}

/* A multi-platform index: this machine's image in it. */
static json_t *platform_manifest(struct image_source *s, json_t *index)
{
	json_t *m;
	size_t i;

	json_array_foreach (json_object_get(index, "manifests"), i, m) {
		json_t *p = json_object_get(m, "platform");
		const char *arch = json_string_value(json_object_get(p, "architecture"));
		if (arch && !strcmp(arch, our_arch()))
			return m;
	}
	(void)s;
	return NULL;
}

/* The manifest the tag names in index.json (any, when there is one only). */
static json_t *pick_manifest(struct image_source *s, json_t *index, const char *tag,
			     struct cbx_error *err)
{
	json_t *ms = json_object_get(index, "manifests"), *m, *found = NULL;
	char tags[512] = "";
	size_t i, len = 0;

	if (!json_is_array(ms) || !json_array_size(ms))
		return cbx_error_set(err, CBX_ERR_INPUT, "%s: %s/index.json lists no image",
				     s->shown, s->path),
		       NULL;
	json_array_foreach (ms, i, m) {
		const char *ref = json_string_value(
			json_object_get(json_object_get(m, "annotations"), REF_NAME));
		if (ref && len < sizeof(tags))
			len += (size_t)snprintf(tags + len, sizeof(tags) - len, "%s%s",
						len ? ", " : "", ref);
		if (tag && ref && !strcmp(ref, tag))
			found = m;
	}
	if (!tag && json_array_size(ms) == 1)
		return json_array_get(ms, 0);
	if (found)
		return found;
	if (tag)
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "%s: no image tagged \"%s\" in %s (tags: %s)", s->shown, tag,
				     s->path, len ? tags : "none"),
		       NULL;
	return cbx_error_set(err, CBX_ERR_INPUT,
			     "%s: %s holds %zu images: name one with :TAG (tags: %s)", s->shown,
			     s->path, json_array_size(ms), len ? tags : "none"),
	       NULL;
}

/* Both formats list their layers in a JSON array (at most LAYERS_MAX): out
 * gets room for their digests and its config, *names as many slots for the
 * layers' names in the source, both filled by the caller. */
static int layers_begin(const struct image_source *s, json_t *layers, const char *missing,
			json_t *cfg, struct cbx_arena *a, struct cbx_image *out, char ***names,
			struct cbx_error *err)
{
	if (!json_is_array(layers) || json_array_size(layers) > LAYERS_MAX)
		return cbx_error_set(err, CBX_ERR_INPUT, "%s: %s or more than %d", s->shown,
				     missing, LAYERS_MAX);
	out->n_layers = json_array_size(layers);
	out->layers = cbx_arena_array(a, out->n_layers + 1, sizeof(*out->layers));
	*names = calloc(out->n_layers + 1, sizeof(char *));
	if (!out->layers || !*names || read_config(cfg, a, out) < 0)
		return cbx_error_sys(err, ENOMEM, "%s", s->shown);
	return 0;
}

static int load_oci(struct cbx_image_cache *c, struct image_source *s, const char *tag,
		    struct cbx_arena *a, struct cbx_image *out, struct cbx_error *err)
{
	cleanup_json json_t *index = NULL, *manifest = NULL, *sub = NULL, *cfg = NULL;
	char hex[CBX_SHA256_HEX_LEN + 1], name[128];
	cleanup_free char **names = NULL;
	json_t *d, *layers, *l;
	size_t i;

	if (!(index = parse_json(s, "index.json", NULL, err)) ||
	    !(d = pick_manifest(s, index, tag, err)) ||
	    descriptor_blob(s, d, "the manifest's descriptor", hex, name, sizeof(name), err) < 0)
		return -1;
	if (!strcmp(json_string_value(json_object_get(d, "mediaType")) ?: "", MEDIA_INDEX)) {
		if (!(sub = parse_json(s, name, hex, err)))
			return -1;
		if (!(d = platform_manifest(s, sub)))
			return cbx_error_set(err, CBX_ERR_INPUT, "%s: no image for %s in %s",
					     s->shown, our_arch(), name);
		if (descriptor_blob(s, d, "the manifest's descriptor", hex, name, sizeof(name),
				    err) < 0)
			return -1;
	}
	if (!(manifest = parse_json(s, name, hex, err)))
		return -1;
	if (descriptor_blob(s, json_object_get(manifest, "config"), "the config", hex, name,
			    sizeof(name), err) < 0 ||
	    !(cfg = parse_json(s, name, hex, err)))
		return -1;
	layers = json_object_get(manifest, "layers");
	if (layers_begin(s, layers, "the manifest has no layers", cfg, a, out, &names, err) < 0)
		return -1;
	json_array_foreach (layers, i, l) {
		char what[32];
		snprintf(what, sizeof(what), "layer %zu", i + 1);
		if (descriptor_blob(s, l, what, out->layers[i], name, sizeof(name), err) < 0)
			return -1;
		if (!(names[i] = cbx_arena_strdup(a, name)))
			return cbx_error_sys(err, ENOMEM, "%s", s->shown);
	}
	return unpack_layers(c, s, names, out, err);
}

/* docker save's layers are named "<hex>.tar", "blobs/sha256/<hex>" (the
 * blob's digest) or "<id>/layer.tar" (then the config's diff_ids, the
 * uncompressed tar's, which docker save writes). */
static int docker_layer_hex(const char *name, json_t *diff_id, char hex[CBX_SHA256_HEX_LEN + 1])
{
	const char *base = strrchr(name, '/'), *why;
	size_t n;

	base = base ? base + 1 : name;
	n = strspn(base, "0123456789abcdef");
	if (n == CBX_SHA256_HEX_LEN && (!base[n] || !strcmp(base + n, ".tar"))) {
		memcpy(hex, base, n);
		hex[n] = '\0';
		return 0;
	}
	return json_is_string(diff_id) ? cbx_digest_parse(json_string_value(diff_id), hex, &why)
				       : -1;
}

static int load_docker(struct cbx_image_cache *c, struct image_source *s, const char *tag,
		       struct cbx_arena *a, struct cbx_image *out, struct cbx_error *err)
{
	cleanup_json json_t *manifest = NULL, *cfg = NULL;
	cleanup_free char **names = NULL;
	json_t *m = NULL, *x, *layers, *l, *diff_ids;
	size_t i, j;

	if (!(manifest = parse_json(s, "manifest.json", NULL, err)))
		return -1;
	if (!json_is_array(manifest) || !json_array_size(manifest))
		return cbx_error_set(err, CBX_ERR_INPUT, "%s: manifest.json lists no image",
				     s->shown);
	json_array_foreach (manifest, i, x) {
		json_t *t;
		json_array_foreach (json_object_get(x, "RepoTags"), j, t)
			if (tag && json_is_string(t) && !strcmp(json_string_value(t), tag))
				m = x;
	}
	if (!tag && json_array_size(manifest) == 1)
		m = json_array_get(manifest, 0);
	if (!m)
		return cbx_error_set(err, CBX_ERR_INPUT,
				     tag ? "%s: no image tagged \"%s\" in %s"
					 : "%s: %s holds several images: name one with :REPO:TAG",
				     s->shown, tag ? tag : s->path, s->path);
	if (!json_is_string(x = json_object_get(m, "Config")) ||
	    !(cfg = parse_json(s, json_string_value(x), NULL, err)))
		return json_is_string(x)
			       ? -1
			       : cbx_error_set(err, CBX_ERR_INPUT,
					       "%s: manifest.json names no Config", s->shown);
	layers = json_object_get(m, "Layers");
	diff_ids = json_object_get(json_object_get(cfg, "rootfs"), "diff_ids");
	if (layers_begin(s, layers, "no Layers", cfg, a, out, &names, err) < 0)
		return -1;
	json_array_foreach (layers, i, l) {
		if (!json_is_string(l) ||
		    docker_layer_hex(json_string_value(l), json_array_get(diff_ids, i),
				     out->layers[i]) < 0)
			return cbx_error_set(err, CBX_ERR_INPUT,
					     "%s: layer %zu has no sha256 digest to check it by",
					     s->shown, i + 1);
		names[i] = (char *)json_string_value(l);
	}
	return unpack_layers(c, s, names, out, err);
}

/* A rootfs tarball's digest is known, without reading it, once it has been
 * unpacked: by its path and what stat says of it. */
static void tarball_key(const char *path, const struct stat *st, char key[CBX_SHA256_HEX_LEN + 1])
{
	struct cbx_sha256 sha;
	char id[128];

	cbx_sha256_init(&sha);
	cbx_sha256_update(&sha, path, strlen(path) + 1);
	snprintf(id, sizeof(id), "%llu:%llu:%lld:%lld.%09ld:%lld.%09ld",
		 (unsigned long long)st->st_dev, (unsigned long long)st->st_ino,
		 (long long)st->st_size, (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
		 (long long)st->st_ctim.tv_sec, st->st_ctim.tv_nsec);
	cbx_sha256_update(&sha, id, strlen(id));
	cbx_sha256_hex(&sha, key);
}

static int load_tarball(struct cbx_image_cache *c, struct image_source *s, struct cbx_arena *a,
			struct cbx_image *out, struct cbx_error *err)
{
	char key[CBX_SHA256_HEX_LEN + 1], memo[512], what[1024];
	cleanup_free char *known = NULL;
	struct cbx_error none;
	struct stat st;
	size_t len;
	int rc;

	out->n_layers = 1;
	out->layers = cbx_arena_array(a, 1, sizeof(*out->layers));
	if (!out->layers)
		return cbx_error_sys(err, ENOMEM, "%s", s->shown);
	s->fd = open(s->path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0 || fstat(s->fd, &st) < 0)
		return cbx_error_errno(err, CBX_ERR_INPUT, errno, "%s: open", s->path);
	tarball_key(s->path, &st, key);
	snprintf(memo, sizeof(memo), "%s/files/%s", c->root, key);
	if (cbx_read_file(memo, &known, &len, &none) == 0 && len >= CBX_SHA256_HEX_LEN) {
		memcpy(out->layers[0], known, CBX_SHA256_HEX_LEN);
		out->layers[0][CBX_SHA256_HEX_LEN] = '\0';
		if (cbx_cache_has_layer(c, out->layers[0]))
			return 0;
	}
	snprintf(what, sizeof(what), "rootfs tarball %s", s->path);
	rc = cbx_layer_unpack(c, cbx_src_read, s, NULL, what, out->layers[0], err);
	if (rc < 0)
		return -1;
	return cbx_create_file(memo, 0600, out->layers[0], CBX_SHA256_HEX_LEN, err);
}

int cbx_image_load(struct cbx_image_cache *c, enum cbx_base_kind kind, const char *path,
		   const char *tag, struct cbx_arena *a, struct cbx_image *out,
		   struct cbx_error *err)
{
	struct image_source s = { .path = path, .fd = -1 };
	int rc;

	memset(out, 0, sizeof(*out));
	s.shown = cbx_arena_printf(a, "%s%s%s%s",
				   cbx_base_kinds[kind].prefix ? cbx_base_kinds[kind].prefix : "",
				   path, tag ? ":" : "", tag ? tag : "");
	if (!s.shown)
		return cbx_error_sys(err, ENOMEM, "image %s", path);
	s.archive = kind == CBX_BASE_OCI_ARCHIVE || kind == CBX_BASE_DOCKER_ARCHIVE;
	if (s.archive && !(s.ar = cbx_archive_lib(err)))
		return -1;
	switch (kind) {
	case CBX_BASE_OCI:
	case CBX_BASE_OCI_ARCHIVE:
		rc = load_oci(c, &s, tag, a, out, err);
		break;
	case CBX_BASE_DOCKER_ARCHIVE:
		rc = load_docker(c, &s, tag, a, out, err);
		break;
	case CBX_BASE_TARBALL:
		rc = load_tarball(c, &s, a, out, err);
		break;
	default:
		rc = cbx_error_set(err, CBX_ERR_SYSTEM, "%s is not an image base", path);
	}
	cbx_src_close(&s);
	return rc;
}
