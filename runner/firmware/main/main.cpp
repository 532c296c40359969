// espdl-autoquant benchmark firmware: for every model in the `model` partition (one EDL2 .espdl or a PDL3
// pack), load it with ESP-DL, run Model::test() (embedded test values), report the memory ESP-DL says it takes
// and the latency of CONFIG_ESPDL_BENCH_RUNS timed single-core runs after CONFIG_ESPDL_BENCH_WARMUP warm-up
// runs, as protocol records (runner/PROTOCOL.md). Then wait for host commands.
//
// The ESP-DL calls follow ESP-DL v3.3.9's sources (dl/model/src/dl_model_base.cpp, fbs_loader/src/
// fbs_loader.cpp). This file and its siblings are compiled and run on the host by test/firmware/ against
// ESP-DL's headers with stand-ins for ESP-IDF; the ESP-IDF build itself runs in examples/workflows/firmware.yml.
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "esp_app_desc.h"
#include "esp_chip_info.h"
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

// Set by main/CMakeLists.txt from the resolved espressif/esp-dl component's manifest.
#ifndef ESPDL_BENCH_ESP_DL_VERSION
#define ESPDL_BENCH_ESP_DL_VERSION "unknown"
#endif

static constexpr int kProtocolVersion = 1;
static constexpr const char *kPartition = "model";

static size_t psram_total()
{
    return heap_caps_get_total_size(MALLOC_CAP_SPIRAM);
}

/**
 * param_copy=true copies the weights out of the memory-mapped flash into PSRAM (ESP-DL's default: faster).
 * Without PSRAM they would go to internal RAM, where nearly no model fits, so they stay in flash instead.
 */
static bool param_copy_wanted()
{
#ifdef CONFIG_ESPDL_BENCH_PARAM_COPY
    return psram_total() > 0;
#else
    return false;
#endif
}

static void print_hello(bool param_copy)
{
    // Full 64 hex digits only with CONFIG_APP_RETRIEVE_LEN_ELF_SHA=64 (sdkconfig.defaults); the IDF default
    // keeps a shorter prefix, which the host compares as a prefix.
    char sha[65] = {0};
    esp_app_get_elf_sha256(sha, sizeof sha);
    esp_chip_info_t chip;
    esp_chip_info(&chip);
    bench::Record r("hello");
    r.num("protocol", kProtocolVersion)
        .str("chip", CONFIG_IDF_TARGET)
        .str("variant", CONFIG_ESPDL_BENCH_VARIANT)
        .num("chip_rev", chip.revision)
        .str("idf", esp_get_idf_version())
        .str("esp_dl", ESPDL_BENCH_ESP_DL_VERSION)
        .str("app_elf_sha256", sha);
#ifdef CONFIG_ESP_DEFAULT_CPU_FREQ_MHZ
    r.num("cpu_mhz", CONFIG_ESP_DEFAULT_CPU_FREQ_MHZ);
#endif
    r.num("psram", static_cast<int64_t>(psram_total()))
        .boolean("param_copy", param_copy)
        .num("runs", CONFIG_ESPDL_BENCH_RUNS)
        .num("warmup", CONFIG_ESPDL_BENCH_WARMUP)
        .emit();
}

/**
 * Why ESP-DL could not load the model, or nullptr. dl::Model's constructors never fail visibly: when
 * FbsLoader::load() returns nullptr (unknown format, index out of range, encrypted without key, no RAM to
 * decrypt) the model has no FbsModel; when an operator cannot be created, Model::load() stops and build() is
 * skipped, so the model has no inputs. test() or run() on such a model dereferences null.
 */
static const char *load_failure(dl::Model *model, const bench::PartitionModel &pm)
{
    if (model->get_fbs_model() == nullptr) {
        return pm.encrypted ? "the model is encrypted (EDL2 mode 1) and this firmware has no AES key"
                            : "ESP-DL's FbsLoader could not read the model (see the FbsLoader log line above)";
    }
    if (model->get_inputs().empty()) {
        return "ESP-DL could not build the model: an operator is not supported by this ESP-DL version "
               "(see the dl::Model log line above)";
    }
    return nullptr;
}

/** Bytes as ESP-DL counts them, or -1 when the value cannot be true (a heap difference that wrapped). */
static int64_t plausible(size_t bytes, size_t limit)
{
    return bytes <= limit ? static_cast<int64_t>(bytes) : -1;
}

static void report_memory(int index, dl::Model *model, uint32_t partition_bytes)
{
    // "total" = what the constructor took from each heap (ESP-DL measures it around load and build) plus the
    // model bytes read from the memory-mapped flash; the same figures profile_memory() prints.
    std::map<std::string, dl::mem_info_t> info = model->get_memory_info();
    const dl::mem_info_t &total = info["total"];
    bench::Record r("memory");
    r.num("index", index);
    const int64_t internal = plausible(total.internal, heap_caps_get_total_size(MALLOC_CAP_INTERNAL));
    const int64_t psram = plausible(total.psram, psram_total());
    const int64_t flash = plausible(total.flash, partition_bytes);
    if (internal >= 0) {
        r.num("internal", internal);
    }
    if (psram >= 0) {
        r.num("psram", psram);
    }
    if (flash >= 0) {
        r.num("flash", flash);
    }
    r.emit();
}

/** Model::test() needs embedded test values (export_test_values=True); without outputs it would assert. */
static void report_test(int index, dl::Model *model)
{
    fbs::FbsModel *fbs = model->get_fbs_model();
    fbs->load_map();
    const bool has_values = !fbs->get_test_outputs_name().empty();
    fbs->clear_map();
    if (!has_values) {
        bench::Record("test").num("index", index).str("result", "none")
            .str("message", "the model carries no test values (export with export_test_values=True)").emit();
        return;
    }
    // Compares every embedded test output exactly (int8) or within 1 LSB (int16).
    const esp_err_t ok = model->test();
    bench::Record("test").num("index", index).str("result", ok == ESP_OK ? "pass" : "fail").emit();
}

static void time_runs(int index, dl::Model *model)
{
    std::vector<int64_t> runs;
    for (int i = 0; i < CONFIG_ESPDL_BENCH_WARMUP + CONFIG_ESPDL_BENCH_RUNS; i++) {
        const bool warm = i < CONFIG_ESPDL_BENCH_WARMUP;
        const int64_t t0 = esp_timer_get_time();
        model->run(dl::RUNTIME_MODE_SINGLE_CORE);
        const int64_t us = esp_timer_get_time() - t0;
        bench::Record("run").num("index", index).num("i", warm ? i : i - CONFIG_ESPDL_BENCH_WARMUP).num("us", us)
            .boolean("warmup", warm).emit();
        if (!warm) {
            runs.push_back(us);
        }
    }
    bench::Record("latency").num("index", index).num("warmup", CONFIG_ESPDL_BENCH_WARMUP).nums("runs_us", runs).emit();
}

/** Loads, tests and times one model. Returns false when it could not be loaded. */
static bool bench_model(int index, const bench::PartitionModel &pm, int count, uint32_t partition_bytes, bool param_copy)
{
    bench::Record("model").num("index", index).str("name", pm.name).num("bytes", pm.bytes).num("count", count).emit();
    // The index constructor serves a single EDL2 model too (index 0; FbsLoader ignores it there).
    dl::Model *model = new dl::Model(kPartition, index, fbs::MODEL_LOCATION_IN_FLASH_PARTITION, 0,
                                     dl::MEMORY_MANAGER_GREEDY, nullptr, param_copy);
    if (const char *why = load_failure(model, pm)) {
        bench::error(index, "load-failed", why);
        delete model;
        return false;
    }
    report_memory(index, model, partition_bytes);
    report_test(index, model);
    time_runs(index, model);
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
    const bool param_copy = param_copy_wanted();
    print_hello(param_copy);
    // Checked before ESP-DL sees the partition: FbsLoader stops the chip on a missing or unmappable partition.
    const bench::PartitionContents contents = bench::list_partition_models(kPartition);
    int errors = 0;
    if (contents.models.empty()) {
        bench::error(-1, contents.error_code.c_str(), contents.error_message);
        errors++;
    }
    const int count = static_cast<int>(contents.models.size());
    for (int i = 0; i < count; i++) {
        if (!bench_model(i, contents.models[i], count, contents.partition_bytes, param_copy)) {
            errors++;
        }
    }
    bench::Record("done").num("models", count).num("errors", errors).emit();
}
