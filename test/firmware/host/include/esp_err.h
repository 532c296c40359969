// Host stand-in for ESP-IDF's esp_err.h (only what the firmware and ESP-DL's headers use). Error values as
// ESP-IDF defines them (components/esp_common/include/esp_err.h).
#pragma once
#include <stdio.h>
#include <stdlib.h>
#ifdef __cplusplus
extern "C" {
#endif
typedef int esp_err_t;
#define ESP_OK 0
#define ESP_FAIL -1
#define ESP_ERR_NO_MEM 0x101
#define ESP_ERR_INVALID_ARG 0x102
#define ESP_ERR_INVALID_STATE 0x103
#define ESP_ERR_INVALID_SIZE 0x104
#define ESP_ERR_NOT_FOUND 0x105
#define ESP_ERR_NOT_SUPPORTED 0x106
/** Prints what ESP-IDF prints before abort(), so the host parser sees the same crash lines. */
void host_abort(const char *why) __attribute__((noreturn));
#define ESP_ERROR_CHECK(x)                                                  \
    do {                                                                    \
        esp_err_t err_rc_ = (x);                                            \
        if (err_rc_ != ESP_OK) {                                            \
            printf("ESP_ERROR_CHECK failed: esp_err_t 0x%x at 0x40000000\n", err_rc_); \
            host_abort(#x);                                                 \
        }                                                                   \
    } while (0)
#ifdef __cplusplus
}
#endif
