/* The pure part of images: SHA-256, digests as manifests write them, layer
 * entries' paths and whiteouts, and how "base" names an image. */
#include <string.h>

#include "image/layer_path.h"
#include "image/sha256.h"
#include "tap.h"
#include "topo/topo.h"

static const char *sha(const char *data, size_t len, size_t chunk, char hex[65])
{
	struct cbx_sha256 s;

	cbx_sha256_init(&s);
	for (size_t off = 0; off < len; off += chunk)
		cbx_sha256_update(&s, data + off, len - off < chunk ? len - off : chunk);
	cbx_sha256_hex(&s, hex);
	return hex;
}

static void test_sha256(void)
{
	static char million[1000000];
	char hex[65];
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	is_str(sha("", 0, 1, hex),
	       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	       "sha256 of nothing");
	is_str(sha("abc", 3, 3, hex),
	       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256 of abc");
	is_str(sha(two, strlen(two), 7, hex),
	       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	       "two blocks, fed 7 bytes at a time");
	memset(million, 'a', sizeof(million));
	is_str(sha(million, sizeof(million), 4099, hex),
	       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	       "a million a's in odd chunks");
	is_str(sha(million, 55, 55, hex),
	       "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318",
	       "55 bytes: the length fits the last block");
	is_str(sha(million, 56, 56, hex),
	       "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a",
	       "56 bytes: it needs one more");
}

static void test_digest(void)
{
	char hex[65];
	const char *why = NULL;
	const char *good =
		"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

	ok(cbx_digest_parse(good, hex, &why) == 0 && !strcmp(hex, good + 7), "a sha256 digest");
	ok(cbx_digest_parse("sha512:abcd", hex, &why) < 0 && strstr(why, "only sha256"),
	   "sha512 is refused by name");
	ok(cbx_digest_parse("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
			    hex, &why) < 0,
	   "uppercase hex is not a digest");
	ok(cbx_digest_parse("sha256:e3b0", hex, &why) < 0 && strstr(why, "64"), "short hex");
	ok(cbx_digest_parse("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", hex,
			    &why) < 0,
	   "no algorithm");
	ok(cbx_digest_parse("sha256:../../../../etc/passwd/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
			    hex, &why) < 0,
	   "a path is not hex");
}

static void entry(const char *in, int want_rc, const char *want_path, enum cbx_entry_kind kind,
		  size_t dir_len, const char *name)
{
	char buf[256];
	struct cbx_entry_path ep;
	const char *why = NULL;
	int rc;

	snprintf(buf, sizeof(buf), "%s", in);
	rc = cbx_entry_path_parse(buf, &ep, &why);
	if (want_rc < 0) {
		ok(rc < 0 && why, "\"%s\" is refused (%s)", in, why ? why : "no reason");
		return;
	}
	ok(rc == 0 && !strcmp(buf, want_path) && ep.kind == kind && ep.dir_len == dir_len &&
		   (!name || (ep.name && !strcmp(ep.name, name))),
	   "\"%s\" -> \"%s\" kind %d dir %zu%s%s", in, want_path, (int)kind, dir_len,
	   name ? " name " : "", name ? name : "");
}

static void test_entries(void)
{
	entry("etc/passwd", 0, "etc/passwd", CBX_ENTRY_PLAIN, 3, NULL);
	entry("./etc//x/", 0, "etc/x", CBX_ENTRY_PLAIN, 3, NULL);
	entry("./", 0, ".", CBX_ENTRY_PLAIN, 0, NULL);
	entry("top", 0, "top", CBX_ENTRY_PLAIN, 0, NULL);
	entry("etc/.wh.gone", 0, "etc/.wh.gone", CBX_ENTRY_WHITEOUT, 3, "gone");
	entry("./.wh.top", 0, ".wh.top", CBX_ENTRY_WHITEOUT, 0, "top");
	entry("a/b/.wh..wh..opq", 0, "a/b/.wh..wh..opq", CBX_ENTRY_OPAQUE, 3, NULL);
	entry("a/.wh..wh.plnk", 0, "a/.wh..wh.plnk", CBX_ENTRY_SKIP, 1, NULL);
	entry("etc/.wh.", -1, NULL, 0, 0, NULL);
	entry("etc/.wh..", -1, NULL, 0, 0, NULL);
	entry("/etc/passwd", -1, NULL, 0, 0, NULL);
	entry("../etc/passwd", -1, NULL, 0, 0, NULL);
	entry("a/../../b", -1, NULL, 0, 0, NULL);
	entry("a/..", -1, NULL, 0, 0, NULL);
	entry("a/...", 0, "a/...", CBX_ENTRY_PLAIN, 1, NULL);
	entry("a/.wh...x", 0, "a/.wh...x", CBX_ENTRY_WHITEOUT, 1, "..x");
}

static void ref(const char *s, int want, enum cbx_base_kind kind, const char *path, const char *tag)
{
	enum cbx_base_kind k = CBX_BASE_MAX;
	const char *p = NULL, *t = NULL, *why = NULL;
	size_t len = 0;
	int rc = cbx_image_ref_parse(s, &k, &p, &len, &t, &why);

	if (want <= 0) {
		ok(rc == want && (want == 0 || why), "\"%s\": %d%s%s", s, want, why ? ": " : "",
		   why ? why : "");
		return;
	}
	ok(rc == 1 && k == kind && len == strlen(path) && !strncmp(p, path, len) &&
		   ((!tag && !t) || (tag && t && !strcmp(t, tag))),
	   "\"%s\": kind %d, path %s, tag %s", s, (int)kind, path, tag ? tag : "none");
}

static void test_refs(void)
{
	ref("oci:/srv/img", 1, CBX_BASE_OCI, "/srv/img", NULL);
	ref("oci:/srv/img:v1.2", 1, CBX_BASE_OCI, "/srv/img", "v1.2");
	ref("oci-archive:/srv/img.tar:latest", 1, CBX_BASE_OCI_ARCHIVE, "/srv/img.tar", "latest");
	ref("docker-archive:/srv/d.tar", 1, CBX_BASE_DOCKER_ARCHIVE, "/srv/d.tar", NULL);
	ref("docker-archive:/srv/d.tar:docker.io/x/y:v1", 1, CBX_BASE_DOCKER_ARCHIVE, "/srv/d.tar",
	    "docker.io/x/y:v1");
	ref("/srv/alpine-minirootfs.tar.gz", 1, CBX_BASE_TARBALL, "/srv/alpine-minirootfs.tar.gz",
	    NULL);
	ref("/srv/root.tar.zst", 1, CBX_BASE_TARBALL, "/srv/root.tar.zst", NULL);
	ref("/srv/root.tar.xz", 1, CBX_BASE_TARBALL, "/srv/root.tar.xz", NULL);
	ref("/srv/rootfs", 0, 0, NULL, NULL);
	ref("/srv/.tar", 1, CBX_BASE_TARBALL, "/srv/.tar", NULL);
	ref("busybox", 0, 0, NULL, NULL);
	ref("rootfs.tar", 0, 0, NULL, NULL);
	ref("oci:relative/dir", -1, 0, NULL, NULL);
	ref("oci:/srv/img:", -1, 0, NULL, NULL);
	ref("oci:/srv/img:a b", -1, 0, NULL, NULL);
	ref("oci-archive:", -1, 0, NULL, NULL);
}

int main(void)
{
	test_sha256();
	test_digest();
	test_entries();
	test_refs();
	return tap_done();
}
