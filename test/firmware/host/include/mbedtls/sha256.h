#pragma once
#include <stddef.h>
typedef struct { int unused; } mbedtls_sha256_context;
#ifdef __cplusplus
extern "C" {
#endif
void mbedtls_sha256_init(mbedtls_sha256_context *ctx);
int mbedtls_sha256_starts(mbedtls_sha256_context *ctx, int is224);
int mbedtls_sha256_update(mbedtls_sha256_context *ctx, const unsigned char *input, size_t ilen);
int mbedtls_sha256_finish(mbedtls_sha256_context *ctx, unsigned char output[32]);
void mbedtls_sha256_free(mbedtls_sha256_context *ctx);
#ifdef __cplusplus
}
#endif
