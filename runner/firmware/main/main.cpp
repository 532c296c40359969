// espdl-autoquant benchmark firmware: for every model in the `model` partition (one EDL2 .espdl or a PDL3
// pack), load it with ESP-DL, run Model::test() (embedded test values), measure the memory it takes and the
// latency of CONFIG_ESPDL_BENCH_RUNS timed single-core runs after CONFIG_ESPDL_BENCH_WARMUP warm-up runs,
// and print the results as protocol records (runner/PROTOCOL.md). Then wait for host commands.
//
// This project cannot be built on the machine where espdl-autoquant was written (no ESP-IDF there); it is
// built by examples/workflows/firmware.yml. See runner/README.md for what was and was not verified.
#include <cstdio>
#include <string>
#include <vector>

#include "esp_app_desc.h"
#include "esp_heap_caps.h"
#include "esp_idf_version.h"
#include "esp_system.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "sdkconfig.h"

#include "dl_model_base.hpp"

#include "model_partition.h"
#include "protocol_out.h"

static constexpr int kProtocolVersion = 1;
static constexpr const char *kPartition = "model";

static size_t free_internal() { return heap_caps_get_free_size(MALLOC_CAP_INTERNAL); }
static size_t free_psram() { return heap_caps_get_free_size(MALLOC_CAP_SPIRAM); }

static void print_hello()
{
    char sha[65] = {0};
    esp_app_get_elf_sha256(sha, sizeof sha);
    bench::Record r("hello");
    r.num("protocol", kProtocolVersion).str("chip", CONFIG_IDF_TARGET).str("idf", esp_get_idf_version()).str("app_elf_sha256", sha);
#ifdef CONFIG_ESP_DEFAULT_CPU_FREQ_MHZ
    r.num("cpu_mhz", CONFIG_ESP_DEFAULT_CPU_FREQ_MHZ);
#endif
    r.num("runs", CONFIG_ESPDL_BENCH_RUNS).num("warmup", CONFIG_ESPDL_BENCH_WARMUP).emit();
}

/** Loads, tests and times one model. Returns false when it could not be loaded. */
static bool bench_model(int index, const bench::PartitionModel &pm, int count)
{
    bench::Record("model").num("index", index).str("name", pm.name).num("bytes", pm.bytes).num("count", count).emit();
    const size_t int0 = free_internal(), ps0 = free_psram();
    dl::Model *model = count == 1 && pm.name == "model"
        ? new dl::Model(kPartition, fbs::MODEL_LOCATION_IN_FLASH_PARTITION)
        : new dl::Model(kPartition, index, fbs::MODEL_LOCATION_IN_FLASH_PARTITION);
    if (model == nullptr) {
        bench::error(index, "load-failed", "dl::Model could not be created");
        return false;
    }
    // Parameters are copied to RAM (param_copy default), so nothing stays mapped from flash.
    bench::Record("memory").num("index", index).num("internal", static_cast<int64_t>(int0 - free_internal()))
        .num("psram", static_cast<int64_t>(ps0 - free_psram())).num("flash", 0).emit();

    // Model::test() compares every embedded test output exactly (int8) or within 1 LSB (int16). The host
    // reports "none" for candidates exported without test values (it reads that from the .espdl itself).
    const esp_err_t ok = model->test();
    bench::Record("test").num("index", index).str("result", ok == ESP_OK ? "pass" : "fail").emit();

    std::vector<int64_t> runs;
    for (int i = 0; i < CONFIG_ESPDL_BENCH_WARMUP + CONFIG_ESPDL_BENCH_RUNS; i++) {
        const bool warm = i < CONFIG_ESPDL_BENCH_WARMUP;
        const int64_t t0 = esp_timer_get_time();
        model->run(dl::RUNTIME_MODE_SINGLE_CORE);
        const int64_t us = esp_timer_get_time() - t0;
        bench::Record("run").num("index", index).num("i", warm ? i : i - CONFIG_ESPDL_BENCH_WARMUP).num("us", us).boolean("warmup", warm).emit();
        if (!warm) {
            runs.push_back(us);
        }
    }
    bench::Record("latency").num("index", index).num("warmup", CONFIG_ESPDL_BENCH_WARMUP).nums("runs_us", runs).emit();
    delete model;
    return true;
}

/** Reads console lines; "ESPDL-BENCH restart" reboots (the host's reset where DTR/RTS are unavailable). */
static void command_task(void *)
{
    std::string line;
    for (;;) {
        const int c = getchar();
        if (c == EOF) {
            clearerr(stdin);
            vTaskDelay(pdMS_TO_TICKS(20));
            continue;
        }
        if (c == '\r') {
            continue;
        }
        if (c != '\n') {
            if (line.size() < 128) {
                line += static_cast<char>(c);
            }
            continue;
        }
        if (line == "ESPDL-BENCH restart") {
            fflush(stdout);
            esp_restart();
        }
        line.clear();
    }
}

extern "C" void app_main(void)
{
    xTaskCreate(command_task, "bench_cmd", 4096, nullptr, 5, nullptr);
    print_hello();
    std::string code, message;
    const std::vector<bench::PartitionModel> models = bench::list_partition_models(kPartition, code, message);
    int errors = 0;
    if (models.empty()) {
        bench::error(-1, code.empty() ? "no-model" : code.c_str(), message.empty() ? "the model partition holds no model" : message);
        errors++;
    }
    for (size_t i = 0; i < models.size(); i++) {
        if (!bench_model(static_cast<int>(i), models[i], static_cast<int>(models.size()))) {
            errors++;
        }
    }
    bench::Record("done").num("models", static_cast<int64_t>(models.size())).num("errors", errors).emit();
}
