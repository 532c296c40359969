#include "model_partition.h"

#include <cstring>

#include "esp_partition.h"

namespace bench {

static uint32_t u32(const uint8_t *p)
{
    return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

std::vector<PartitionModel> list_partition_models(const char *label, std::string &error_code, std::string &error_message)
{
    std::vector<PartitionModel> out;
    const esp_partition_t *part = esp_partition_find_first(ESP_PARTITION_TYPE_DATA, ESP_PARTITION_SUBTYPE_ANY, label);
    if (!part) {
        error_code = "no-partition";
        error_message = std::string("no data partition labelled \"") + label + "\" in the partition table";
        return out;
    }
    const void *map = nullptr;
    esp_partition_mmap_handle_t handle;
    if (esp_partition_mmap(part, 0, part->size, ESP_PARTITION_MMAP_DATA, &map, &handle) != ESP_OK) {
        error_code = "bad-format";
        error_message = "cannot memory-map the model partition";
        return out;
    }
    const uint8_t *p = static_cast<const uint8_t *>(map);
    if (memcmp(p, "EDL2", 4) == 0 || memcmp(p, "EDL1", 4) == 0) {
        out.push_back({"model", u32(p + 8)});
    } else if (memcmp(p, "PDL3", 4) == 0) {
        // 60-byte header: magic, version[16], package_size, sha256[32], model_num; then 12-byte entries.
        uint32_t n = u32(p + 56);
        for (uint32_t i = 0; i < n && 60 + 12 * (i + 1) <= part->size; i++) {
            const uint8_t *e = p + 60 + 12 * i;
            uint32_t data_off = u32(e), name_off = u32(e + 4), name_len = u32(e + 8);
            if (name_off + name_len > part->size || data_off + 16 > part->size) {
                break;
            }
            out.push_back({std::string(reinterpret_cast<const char *>(p + name_off), name_len), u32(p + data_off + 8)});
        }
    } else {
        error_code = "bad-format";
        error_message = "the model partition holds neither EDL2 nor PDL3 data (first bytes are not a known magic)";
    }
    esp_partition_munmap(handle);
    return out;
}

} // namespace bench
