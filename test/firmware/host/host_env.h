// Shared state of the host stand-ins (test/firmware/host/*.cpp). The scenario comes from environment variables
// set by the vitest harness (test/helpers/firmware-host.ts):
//   HOST_PARTITION_FILE   bytes written at the start of the `model` partition (unset: no such partition)
//   HOST_PARTITION_BYTES  partition size (default 5 MiB); the rest reads as erased flash (0xFF)
//   HOST_MMAP_FAIL        1: esp_partition_mmap() fails (no free MMU pages, as on an S3 with 32 MB PSRAM mapped)
//   HOST_ELF_SHA256       the app ELF's SHA-256 (64 hex digits) esp_app_get_elf_sha256() reports from
//   HOST_CHIP_REV         esp_chip_info().revision (major * 100 + minor)
//   HOST_INTERNAL_BYTES   free internal heap at app_main (default 320 KiB)
//   HOST_PSRAM_BYTES      PSRAM found at boot (default 8 MiB when the build enables CONFIG_SPIRAM, else 0)
//   HOST_MODELS           per model index: behaviour[@us/us/...][+activation bytes], comma-separated;
//                         behaviour: pass | test-fail | no-test-values | unsupported-op (default pass@1000+65536)
//   HOST_COMMANDS         1: after app_main, run the firmware's command task on stdin until EOF
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace host {

struct ModelBehaviour {
    std::string kind = "pass";
    std::vector<int64_t> run_us{1000};
    size_t activation_bytes = 65536;
};

/** The behaviour of model `index` from HOST_MODELS. */
ModelBehaviour behaviour_for(int index);

/** Advances the virtual clock esp_timer_get_time() reads. */
void advance_us(int64_t us);

/** Where an address lives, for dl::tool::memory_addr_type(). */
enum class Region { flash, internal, psram, unknown };
Region region_of(const void *ptr);

} // namespace host
