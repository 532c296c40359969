// Declarations ESP-DL's fbs_loader.cpp needs to compile. The benchmark firmware never passes a key, so the host
// stand-ins abort if ESP-DL ever calls them.
#pragma once
#include <stddef.h>
#include <stdint.h>
typedef struct { int unused; } mbedtls_aes_context;
#ifdef __cplusplus
extern "C" {
#endif
void mbedtls_aes_init(mbedtls_aes_context *ctx);
int mbedtls_aes_setkey_enc(mbedtls_aes_context *ctx, const unsigned char *key, unsigned int keybits);
int mbedtls_aes_crypt_ctr(mbedtls_aes_context *ctx, size_t length, size_t *nc_off, unsigned char nonce_counter[16],
                          unsigned char stream_block[16], const unsigned char *input, unsigned char *output);
void mbedtls_aes_free(mbedtls_aes_context *ctx);
#ifdef __cplusplus
}
#endif
