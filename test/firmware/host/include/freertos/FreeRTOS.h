// Host stand-in for FreeRTOS.h. ESP-IDF's FreeRTOS headers pull in these headers too (ESP-DL relies on that).
#pragma once
#include <assert.h>
#include <limits.h>
#include <stdint.h>
#include "esp_heap_caps.h"
typedef int32_t BaseType_t;
typedef uint32_t TickType_t;
typedef void *TaskHandle_t;
typedef void (*TaskFunction_t)(void *);
#define pdPASS 1
#define pdMS_TO_TICKS(ms) ((TickType_t)(ms))
#define portMAX_DELAY ((TickType_t)0xffffffffUL)
