// Host stand-in: a virtual microsecond clock that only the stand-in model's run() advances, so the firmware's
// latency records are exact and repeatable in tests.
#pragma once
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
int64_t esp_timer_get_time(void);
#ifdef __cplusplus
}
#endif
