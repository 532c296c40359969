// Host stand-in for ESP-IDF's logging macros: the same line format and ANSI colours as an ESP-IDF app with
// CONFIG_LOG_COLORS ("E (ms) TAG: message"), so the firmware's records are interleaved with realistic log lines.
#pragma once
#include <stdint.h>
#include <stdio.h>
#ifdef __cplusplus
extern "C" {
#endif
uint32_t esp_log_timestamp(void);
#ifdef __cplusplus
}
#endif
#define HOST_LOG_(colour, letter, tag, format, ...) \
    printf("\033[0;" colour "m" letter " (%lu) %s: " format "\033[0m\n", (unsigned long)esp_log_timestamp(), tag, ##__VA_ARGS__)
#define ESP_LOGE(tag, format, ...) HOST_LOG_("31", "E", tag, format, ##__VA_ARGS__)
#define ESP_LOGW(tag, format, ...) HOST_LOG_("33", "W", tag, format, ##__VA_ARGS__)
#define ESP_LOGI(tag, format, ...) HOST_LOG_("32", "I", tag, format, ##__VA_ARGS__)
#define ESP_LOGD(tag, format, ...) do { } while (0)
#define ESP_LOGV(tag, format, ...) do { } while (0)
