#pragma once
#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif
/** As ESP-IDF's: the app ELF SHA-256 in hex, cut to CONFIG_APP_RETRIEVE_LEN_ELF_SHA digits and to the buffer. */
int esp_app_get_elf_sha256(char *dst, size_t size);
#ifdef __cplusplus
}
#endif
