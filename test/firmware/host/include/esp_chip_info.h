#pragma once
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
typedef struct {
    int model;
    uint32_t features;
    uint16_t revision; /* major * 100 + minor, as ESP-IDF 5.x reports it */
    uint8_t cores;
} esp_chip_info_t;
void esp_chip_info(esp_chip_info_t *out_info);
#ifdef __cplusplus
}
#endif
