// Host stand-ins for the ESP-IDF functions the benchmark firmware and ESP-DL's loader call, and the program's
// main(): runs the firmware's app_main() once, like a chip after reset. Behaviour follows ESP-IDF v5.5 where the
// firmware depends on it (cited per function); the scenario comes from host_env.h's environment variables.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include "esp_app_desc.h"
#include "esp_chip_info.h"
#include "esp_cpu.h"
#include "esp_err.h"
#include "esp_heap_caps.h"
#include "esp_idf_version.h"
#include "esp_log.h"
#include "esp_partition.h"
#include "esp_system.h"
#include "esp_timer.h"
#include "freertos/task.h"
#include "host_env.h"
#include "mbedtls/aes.h"
#include "mbedtls/sha256.h"
#include "sdkconfig.h"
#include "spi_flash_mmap.h"

extern "C" void app_main(void);

namespace {

std::string env(const char *name, const char *fallback = "")
{
    const char *v = std::getenv(name);
    return v ? v : fallback;
}

size_t env_size(const char *name, size_t fallback)
{
    const char *v = std::getenv(name);
    return v && *v ? static_cast<size_t>(std::strtoull(v, nullptr, 10)) : fallback;
}

int64_t g_now_us = 0;

// ---- heaps: two pools with fixed totals; every block remembers its pool -----------------------------------
struct Pool {
    size_t total = 0;
    size_t used = 0;
};
Pool g_internal, g_psram;
struct Block {
    size_t size;
    bool psram;
    void *raw;   // what malloc returned (the block is aligned inside it; std::aligned_alloc is missing on MinGW)
};
std::map<const void *, Block> g_blocks;

// ---- the `model` partition --------------------------------------------------------------------------------
uint8_t *g_partition = nullptr;
size_t g_partition_bytes = 0;
esp_partition_t g_partition_desc;
TaskFunction_t g_command_task = nullptr;

/** `size` bytes at an `alignment` boundary inside a malloc'd block; `raw` receives the block to free. */
void *aligned_block(size_t alignment, size_t size, void **raw)
{
    *raw = std::malloc(size + alignment);
    const uintptr_t p = (reinterpret_cast<uintptr_t>(*raw) + alignment - 1) & ~(uintptr_t)(alignment - 1);
    return reinterpret_cast<void *>(p);
}

void load_partition()
{
    const std::string file = env("HOST_PARTITION_FILE");
    if (file.empty()) {
        return;
    }
    g_partition_bytes = env_size("HOST_PARTITION_BYTES", 5u << 20);
    // 64 KiB aligned like an MMU page, so ESP-DL's 16-byte alignment check sees what it sees on a chip.
    void *raw = nullptr;
    g_partition = static_cast<uint8_t *>(aligned_block(65536, g_partition_bytes, &raw));
    std::memset(g_partition, 0xff, g_partition_bytes);
    FILE *f = std::fopen(file.c_str(), "rb");
    if (!f) {
        std::fprintf(stderr, "host: cannot read HOST_PARTITION_FILE %s\n", file.c_str());
        std::exit(2);
    }
    const size_t n = std::fread(g_partition, 1, g_partition_bytes, f);
    std::fclose(f);
    (void)n;
    g_partition_desc = {};
    g_partition_desc.type = ESP_PARTITION_TYPE_DATA;
    g_partition_desc.subtype = ESP_PARTITION_SUBTYPE_DATA_SPIFFS;
    g_partition_desc.address = 0x210000;
    g_partition_desc.size = static_cast<uint32_t>(g_partition_bytes);
    g_partition_desc.erase_size = 4096;
    std::strcpy(g_partition_desc.label, "model");
}

Pool &pool_for(size_t size, uint32_t caps)
{
    if (caps & MALLOC_CAP_SPIRAM) {
        return g_psram;
    }
    if (caps & MALLOC_CAP_INTERNAL) {
        return g_internal;
    }
    // MALLOC_CAP_DEFAULT with CONFIG_SPIRAM_USE_MALLOC: blocks above 16 KiB (SPIRAM_MALLOC_ALWAYSINTERNAL)
    // go to PSRAM when it has room.
    return size > 16384 && g_psram.total - g_psram.used >= size ? g_psram : g_internal;
}

} // namespace

namespace host {

void advance_us(int64_t us)
{
    g_now_us += us;
}

Region region_of(const void *ptr)
{
    const uint8_t *p = static_cast<const uint8_t *>(ptr);
    if (g_partition && p >= g_partition && p < g_partition + g_partition_bytes) {
        return Region::flash;
    }
    for (const auto &[base, block] : g_blocks) {
        const uint8_t *b = static_cast<const uint8_t *>(base);
        if (p >= b && p < b + block.size) {
            return block.psram ? Region::psram : Region::internal;
        }
    }
    return Region::unknown;
}

} // namespace host

extern "C" {

void host_abort(const char *why)
{
    // What ESP-IDF's abort() prints (components/esp_system/panic.c) before the panic handler reboots.
    std::printf("abort() was called at PC 0x40000000 on core 0 (%s)\n", why);
    std::fflush(stdout);
    std::_Exit(134);
}

uint32_t esp_log_timestamp(void)
{
    return static_cast<uint32_t>(g_now_us / 1000);
}

int64_t esp_timer_get_time(void)
{
    return g_now_us;
}

uint32_t esp_cpu_get_cycle_count(void)
{
    return static_cast<uint32_t>(g_now_us * 240);
}

const char *esp_get_idf_version(void)
{
    return "v5.5.4";
}

void esp_restart(void)
{
    std::fflush(stdout);
    std::fprintf(stderr, "host: esp_restart()\n");
    std::_Exit(0);
}

void esp_chip_info(esp_chip_info_t *out)
{
    *out = {};
    out->revision = static_cast<uint16_t>(env_size("HOST_CHIP_REV", 0));
    out->cores = 2;
}

// ESP-IDF (components/esp_app_format/esp_app_desc.c): at start-up the first CONFIG_APP_RETRIEVE_LEN_ELF_SHA hex
// digits of the embedded SHA-256 are kept in a RAM buffer of that length + 1; this function copies
// min(size, length + 1) bytes of it, the last one a NUL.
int esp_app_get_elf_sha256(char *dst, size_t size)
{
    if (dst == nullptr || size < 2) {
        return 0;
    }
    std::string full = env("HOST_ELF_SHA256", "0000000000000000000000000000000000000000000000000000000000000000");
    const size_t kept = CONFIG_APP_RETRIEVE_LEN_ELF_SHA;
    const std::string ram = full.substr(0, kept);
    const size_t n = size < kept + 1 ? size : kept + 1;
    std::memcpy(dst, ram.c_str(), n - 1);
    dst[n - 1] = 0;
    return static_cast<int>(n);
}

void *heap_caps_malloc(size_t size, uint32_t caps)
{
    return heap_caps_aligned_alloc(4, size, caps);
}

void *heap_caps_calloc(size_t n, size_t size, uint32_t caps)
{
    void *p = heap_caps_malloc(n * size, caps);
    if (p) {
        std::memset(p, 0, n * size);
    }
    return p;
}

void *heap_caps_aligned_alloc(size_t alignment, size_t size, uint32_t caps)
{
    Pool &pool = pool_for(size, caps);
    if (size == 0 || pool.total - pool.used < size) {
        return nullptr;
    }
    void *raw = nullptr;
    void *p = aligned_block(alignment < 16 ? 16 : alignment, size, &raw);
    pool.used += size;
    g_blocks[p] = {size, &pool == &g_psram, raw};
    return p;
}

void *heap_caps_aligned_calloc(size_t alignment, size_t n, size_t size, uint32_t caps)
{
    void *p = heap_caps_aligned_alloc(alignment, n * size, caps);
    if (p) {
        std::memset(p, 0, n * size);
    }
    return p;
}

void heap_caps_free(void *ptr)
{
    const auto it = g_blocks.find(ptr);
    if (it == g_blocks.end()) {
        return;
    }
    (it->second.psram ? g_psram : g_internal).used -= it->second.size;
    std::free(it->second.raw);
    g_blocks.erase(it);
}

size_t heap_caps_get_free_size(uint32_t caps)
{
    const Pool &p = (caps & MALLOC_CAP_SPIRAM) ? g_psram : g_internal;
    return p.total - p.used;
}

size_t heap_caps_get_total_size(uint32_t caps)
{
    return (caps & MALLOC_CAP_SPIRAM) ? g_psram.total : g_internal.total;
}

size_t heap_caps_get_largest_free_block(uint32_t caps)
{
    return heap_caps_get_free_size(caps);
}

const esp_partition_t *esp_partition_find_first(esp_partition_type_t type, esp_partition_subtype_t, const char *label)
{
    if (!g_partition || type != ESP_PARTITION_TYPE_DATA || std::strcmp(label, g_partition_desc.label) != 0) {
        return nullptr;
    }
    return &g_partition_desc;
}

esp_err_t esp_partition_mmap(const esp_partition_t *partition, size_t offset, size_t size, esp_partition_mmap_memory_t,
                             const void **out_ptr, esp_partition_mmap_handle_t *out_handle)
{
    if (env("HOST_MMAP_FAIL") == "1") {
        return ESP_ERR_NO_MEM;
    }
    if (partition != &g_partition_desc || offset + size > g_partition_bytes) {
        return ESP_ERR_INVALID_ARG;
    }
    *out_ptr = g_partition + offset;
    *out_handle = 1;
    return ESP_OK;
}

void esp_partition_munmap(esp_partition_mmap_handle_t)
{
}

uint32_t spi_flash_mmap_get_free_pages(spi_flash_mmap_memory_t)
{
    return env("HOST_MMAP_FAIL") == "1" ? 0 : 128;
}

BaseType_t xTaskCreate(TaskFunction_t fn, const char *, uint32_t, void *, uint32_t, TaskHandle_t *)
{
    // The command task runs after app_main() returns (see main), not concurrently: the host has one thread.
    g_command_task = fn;
    return pdPASS;
}

void vTaskDelay(TickType_t)
{
    // The command task waits here after getchar() returned EOF (and clearerr()): on the host, end of stdin
    // ends the program.
    const int c = std::getc(stdin);
    if (c == EOF) {
        std::exit(0);
    }
    std::ungetc(c, stdin);
}

#if defined(__GLIBC__) && (__GLIBC__ < 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ < 38))
size_t strlcpy(char *dst, const char *src, size_t size)
{
    const size_t len = std::strlen(src);
    if (size > 0) {
        const size_t n = len < size - 1 ? len : size - 1;
        std::memcpy(dst, src, n);
        dst[n] = 0;
    }
    return len;
}
#endif

// ESP-DL's loader references the AES/SHA functions; the firmware passes no key and verifies no package
// digest, so reaching them is a test failure.
void mbedtls_aes_init(mbedtls_aes_context *) { host_abort("mbedtls_aes_init: the firmware has no AES key"); }
int mbedtls_aes_setkey_enc(mbedtls_aes_context *, const unsigned char *, unsigned int) { host_abort("mbedtls_aes_setkey_enc"); }
int mbedtls_aes_crypt_ctr(mbedtls_aes_context *, size_t, size_t *, unsigned char *, unsigned char *, const unsigned char *,
                          unsigned char *) { host_abort("mbedtls_aes_crypt_ctr"); }
void mbedtls_aes_free(mbedtls_aes_context *) { host_abort("mbedtls_aes_free"); }
void mbedtls_sha256_init(mbedtls_sha256_context *) { host_abort("mbedtls_sha256_init"); }
int mbedtls_sha256_starts(mbedtls_sha256_context *, int) { host_abort("mbedtls_sha256_starts"); }
int mbedtls_sha256_update(mbedtls_sha256_context *, const unsigned char *, size_t) { host_abort("mbedtls_sha256_update"); }
int mbedtls_sha256_finish(mbedtls_sha256_context *, unsigned char *) { host_abort("mbedtls_sha256_finish"); }
void mbedtls_sha256_free(mbedtls_sha256_context *) { host_abort("mbedtls_sha256_free"); }

} // extern "C"

int main()
{
    g_internal.total = env_size("HOST_INTERNAL_BYTES", 320u << 10);
#ifdef CONFIG_SPIRAM
    g_psram.total = env_size("HOST_PSRAM_BYTES", 8u << 20);
#else
    g_psram.total = 0;
#endif
    load_partition();
    // What the ROM and the second-stage bootloader print before the app (abridged): the parser expects a banner.
    std::printf("ESP-ROM:%s-host\r\n\033[0;32mI (31) boot: ESP-IDF %s 2nd stage bootloader\033[0m\r\n", CONFIG_IDF_TARGET,
                esp_get_idf_version());
    std::printf("\033[0;32mI (412) main_task: Calling app_main()\033[0m\n");
    app_main();
    std::fflush(stdout);
    if (env("HOST_COMMANDS") == "1" && g_command_task) {
        g_command_task(nullptr);
    }
    return 0;
}
