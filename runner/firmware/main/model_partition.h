// What is in the `model` data partition: one EDL2 model or a PDL3 pack (format: the comment block of ESP-DL's
// fbs_loader/include/fbs_loader.hpp, v3.3.9; summarised in docs/esp-dl.md §1.2). Read from the memory-mapped partition so the firmware can name and
// size each model, and refuse what ESP-DL would crash on (an unknown header mode hits an assert in
// create_fbs_model; a partition that cannot be mapped hits ESP_ERROR_CHECK in FbsLoader's constructor), before
// ESP-DL loads it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace bench {

struct PartitionModel {
    std::string name;   // PDL3 entry name (file name), or "model" for a single EDL2 file
    uint32_t bytes;     // length field of the EDL2 record (FlatBuffer or ciphertext)
    bool encrypted;     // EDL2 mode 1 (AES-128-CTR): ESP-DL needs the key, which this firmware does not have
};

/** What the partition holds, or why it holds nothing usable (`error_code` is a protocol error code). */
struct PartitionContents {
    std::vector<PartitionModel> models;
    std::string error_code;     // "no-partition", "mmap-failed", "no-model", "bad-format"; "" when models were found
    std::string error_message;
    uint32_t partition_bytes = 0;
};

/** Parses a mapped partition image (`size` bytes at `data`). Pure: the host test calls it directly too. */
PartitionContents parse_partition_models(const uint8_t *data, size_t size);

/** Finds the data partition `label`, maps it, parses it, unmaps it. */
PartitionContents list_partition_models(const char *label);

} // namespace bench
