// What is in the `model` data partition: one EDL2 model or a PDL3 pack (format: esp-dl
// fbs_loader/include/fbs_loader.hpp; summarised in espdl-autoquant's docs/esp-dl.md §1.2). Read from the
// memory-mapped partition so the firmware can name and size each model before ESP-DL loads it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace bench {

struct PartitionModel {
    std::string name;   // PDL3 entry name (file name), or "model" for a single EDL2 file
    uint32_t bytes;     // size of the EDL2 record's FlatBuffer
};

/**
 * Lists the models. On failure returns an empty list and sets `error_code` / `error_message`
 * ("no-partition", "bad-format").
 */
std::vector<PartitionModel> list_partition_models(const char *label, std::string &error_code, std::string &error_message);

} // namespace bench
