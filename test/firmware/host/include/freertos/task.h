#pragma once
#include "freertos/FreeRTOS.h"
#ifdef __cplusplus
extern "C" {
#endif
BaseType_t xTaskCreate(TaskFunction_t fn, const char *name, uint32_t stack, void *arg, uint32_t prio, TaskHandle_t *handle);
void vTaskDelay(TickType_t ticks);
#ifdef __cplusplus
}
#endif
