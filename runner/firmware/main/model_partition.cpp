#include "model_partition.h"

#include <cstring>

#include "esp_partition.h"
#include "spi_flash_mmap.h"

namespace bench {

static constexpr size_t kEdl2Header = 16;   // "EDL2", mode, length, padding
static constexpr size_t kPdl3Header = 60;   // "PDL3", version[16], package_size, sha256[32], model_num
static constexpr size_t kPdl3Entry = 12;    // data_offset, name_offset, name_length

static uint32_t u32(const uint8_t *p)
{
    return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t value)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != value) {
            return false;
        }
    }
    return true;
}

/** Reads the EDL2 record at `offset`; false (and the reason) when it is not one ESP-DL can take. */
static bool read_edl2(const uint8_t *data, size_t size, size_t offset, const std::string &name, PartitionModel &out, std::string &why)
{
    if (offset + kEdl2Header > size || memcmp(data + offset, "EDL2", 4) != 0) {
        why = name + ": no EDL2 record at byte " + std::to_string(offset);
        return false;
    }
    const uint32_t mode = u32(data + offset + 4);
    const uint32_t length = u32(data + offset + 8);
    // ESP-DL asserts mode is 0 or 1 (create_fbs_model); anything else would reset the chip.
    if (mode > 1) {
        why = name + ": EDL2 mode " + std::to_string(mode) + " (expected 0 = plain or 1 = encrypted)";
        return false;
    }
    if (length == 0 || offset + kEdl2Header + length > size) {
        why = name + ": EDL2 length " + std::to_string(length) + " does not fit the partition (" + std::to_string(size) + " bytes)";
        return false;
    }
    out = {name, length, mode == 1};
    return true;
}

PartitionContents parse_partition_models(const uint8_t *data, size_t size)
{
    PartitionContents c;
    c.partition_bytes = static_cast<uint32_t>(size);
    if (size < 4 || all_bytes(data, size < 64 ? size : 64, 0xff)) {
        c.error_code = "no-model";
        c.error_message = "the model partition is erased (no model was written to it)";
        return c;
    }
    if (memcmp(data, "EDL2", 4) == 0) {
        PartitionModel m;
        if (!read_edl2(data, size, 0, "model", m, c.error_message)) {
            c.error_code = "bad-format";
            return c;
        }
        c.models.push_back(m);
        return c;
    }
    if (memcmp(data, "PDL3", 4) != 0) {
        c.error_code = "bad-format";
        c.error_message = memcmp(data, "EDL1", 4) == 0 || memcmp(data, "PDL1", 4) == 0 || memcmp(data, "PDL2", 4) == 0
            ? "legacy EDL1/PDL1/PDL2 data: re-export the model (EDL2) or re-pack it (PDL3)"
            : "the model partition holds neither EDL2 nor PDL3 data (unknown magic)";
        return c;
    }
    if (size < kPdl3Header) {
        c.error_code = "bad-format";
        c.error_message = "PDL3 header truncated";
        return c;
    }
    const uint32_t n = u32(data + 56);
    if (n == 0 || kPdl3Header + kPdl3Entry * static_cast<size_t>(n) > size) {
        c.error_code = "bad-format";
        c.error_message = "PDL3 model_num " + std::to_string(n) + " does not fit the partition";
        return c;
    }
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = data + kPdl3Header + kPdl3Entry * i;
        const uint32_t data_off = u32(e), name_off = u32(e + 4), name_len = u32(e + 8);
        const std::string fallback = "model " + std::to_string(i);
        if (static_cast<size_t>(name_off) + name_len > size) {
            c.error_code = "bad-format";
            c.error_message = "PDL3 entry " + std::to_string(i) + ": name outside the partition";
            c.models.clear();
            return c;
        }
        PartitionModel m;
        const std::string name(reinterpret_cast<const char *>(data + name_off), name_len);
        if (!read_edl2(data, size, data_off, name.empty() ? fallback : name, m, c.error_message)) {
            c.error_code = "bad-format";
            c.models.clear();
            return c;
        }
        c.models.push_back(m);
    }
    return c;
}

PartitionContents list_partition_models(const char *label)
{
    PartitionContents c;
    // Same lookup as ESP-DL's FbsLoader: any data subtype, by label.
    const esp_partition_t *part = esp_partition_find_first(ESP_PARTITION_TYPE_DATA, ESP_PARTITION_SUBTYPE_ANY, label);
    if (!part) {
        c.error_code = "no-partition";
        c.error_message = std::string("no data partition labelled \"") + label + "\" in the partition table";
        return c;
    }
    const void *map = nullptr;
    esp_partition_mmap_handle_t handle;
    const esp_err_t err = esp_partition_mmap(part, 0, part->size, ESP_PARTITION_MMAP_DATA, &map, &handle);
    if (err != ESP_OK) {
        // FbsLoader would stop the chip here (ESP_ERROR_CHECK). On an ESP32-S3 this happens when PSRAM already
        // fills the 32 MB external address space (e.g. QEMU with -m 32M).
        c.error_code = "mmap-failed";
        c.error_message = "cannot memory-map the " + std::to_string(part->size / 1024) + " KB model partition (error " +
            std::to_string(err) + "; " + std::to_string(spi_flash_mmap_get_free_pages(SPI_FLASH_MMAP_DATA)) +
            " free 64 KB MMU pages): less PSRAM mapped or a smaller partition needed";
        return c;
    }
    c = parse_partition_models(static_cast<const uint8_t *>(map), part->size);
    esp_partition_munmap(handle);
    return c;
}

} // namespace bench
