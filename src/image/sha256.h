/* SHA-256 (FIPS 180-4), for checking image blobs against their digests:
 * small and pure, so that the CLI needs no crypto library to start. */
#ifndef CBX_SHA256_H
#define CBX_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define CBX_SHA256_LEN 32
#define CBX_SHA256_HEX_LEN 64

struct cbx_sha256 {
	uint32_t h[8];
	uint64_t len; /* bytes hashed */
	uint8_t buf[64];
	size_t n; /* bytes in buf */
};

void cbx_sha256_init(struct cbx_sha256 *s);
void cbx_sha256_update(struct cbx_sha256 *s, const void *data, size_t len);
/* The digest as 64 lowercase hex digits and a NUL. */
void cbx_sha256_hex(struct cbx_sha256 *s, char hex[CBX_SHA256_HEX_LEN + 1]);

#endif
