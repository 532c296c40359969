#pragma once
#include "esp_err.h"
#include "esp_idf_version.h"
#ifdef __cplusplus
extern "C" {
#endif
void esp_restart(void) __attribute__((noreturn));
#ifdef __cplusplus
}
#endif
