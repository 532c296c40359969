// Host stand-ins for the parts of ESP-DL that are not compiled here: dl::Model (dl/model/src/dl_model_base.cpp;
// its modules and memory planner need the chip's kernels), fbs::FbsModel (closed source, shipped as
// libfbs_model.a) and two dl::tool helpers. ESP-DL's real FbsLoader (fbs_loader/src/fbs_loader.cpp) IS compiled
// and decides, as on a chip, whether a model in the partition can be loaded (format, index, encryption).
//
// The stand-in Model keeps the observable contract of ESP-DL v3.3.9 that the firmware relies on:
// - the index constructor never fails visibly: FbsLoader::load() returning nullptr leaves get_fbs_model() null;
//   an operator that cannot be created leaves the model unbuilt, i.e. with no inputs (Model::load / build);
// - the constructor measures the drop of free internal RAM and PSRAM around loading and building, and
//   get_memory_info()["total"] reports those drops plus the model bytes left in flash;
// - test() needs test values; run() runs the whole plan once.
// What a model does (pass, fail its test, lack test values, use an unsupported operator, how long a run takes)
// comes from HOST_MODELS (host_env.h).
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "dl_model_base.hpp"
#include "host_env.h"

namespace {

host::ModelBehaviour g_current;   // the model being constructed (FbsModel's constructor cannot know its index)
int g_dummy_tensor;               // stands for the graph input; the firmware never dereferences it

std::vector<std::string> split(const std::string &s, char sep)
{
    std::vector<std::string> out;
    std::stringstream in(s);
    for (std::string part; std::getline(in, part, sep);) {
        out.push_back(part);
    }
    return out;
}

} // namespace

namespace host {

ModelBehaviour behaviour_for(int index)
{
    ModelBehaviour b;
    const char *spec = std::getenv("HOST_MODELS");
    const std::vector<std::string> entries = spec ? split(spec, ',') : std::vector<std::string>{};
    if (index < 0 || static_cast<size_t>(index) >= entries.size() || entries[index].empty()) {
        return b;
    }
    std::string entry = entries[index];
    const size_t plus = entry.find('+');
    if (plus != std::string::npos) {
        b.activation_bytes = std::strtoull(entry.c_str() + plus + 1, nullptr, 10);
        entry = entry.substr(0, plus);
    }
    const size_t at = entry.find('@');
    b.kind = entry.substr(0, at);
    if (at != std::string::npos) {
        b.run_us.clear();
        for (const std::string &us : split(entry.substr(at + 1), '/')) {
            b.run_us.push_back(std::strtoll(us.c_str(), nullptr, 10));
        }
    }
    return b;
}

} // namespace host

// ---- dl::tool (dl/tool/src/dl_tool.cpp) -------------------------------------------------------------------
namespace dl {
namespace tool {

void *malloc_aligned(size_t size, uint32_t caps)
{
    return heap_caps_aligned_alloc(16, size, caps);
}

memory_addr_type_t memory_addr_type(void *address)
{
    switch (host::region_of(address)) {
    case host::Region::flash: return MEMORY_ADDR_FLASH;
    case host::Region::internal: return MEMORY_ADDR_INTERNAL;
    case host::Region::psram: return MEMORY_ADDR_PSRAM;
    default: return MEMORY_ADDR_UKN;
    }
}

} // namespace tool
} // namespace dl

// ---- fbs::FbsModel (libfbs_model.a) -----------------------------------------------------------------------
namespace fbs {

FbsModel::FbsModel(const void *data, size_t size, model_location_type_t location, bool encrypt, bool rodata_move,
                   bool auto_free, bool param_copy) :
    m_param_copy(param_copy), m_location(location), m_encrypt(encrypt), m_rodata_move(rodata_move),
    m_auto_free(auto_free), m_size(size), m_data(static_cast<const uint8_t *>(data)), m_model(data)
{
}

FbsModel::~FbsModel()
{
    if (m_auto_free) {
        heap_caps_free(const_cast<uint8_t *>(m_data));
    }
}

void FbsModel::load_map() {}

void FbsModel::clear_map() {}

std::vector<std::string> FbsModel::get_test_outputs_name()
{
    return g_current.kind == "no-test-values" ? std::vector<std::string>{} : std::vector<std::string>{"output"};
}

void FbsModel::get_model_size(size_t *internal_size, size_t *psram_size, size_t *psram_rodata_size, size_t *flash_size)
{
    // A model in a flash partition stays memory-mapped: its bytes count as flash, whatever was copied out.
    *internal_size = 0;
    *psram_size = 0;
    *psram_rodata_size = 0;
    *flash_size = m_location == MODEL_LOCATION_IN_FLASH_PARTITION ? m_size : 0;
}

} // namespace fbs

// ---- dl::Model ---------------------------------------------------------------------------------------------
namespace dl {

namespace {
std::vector<void *> g_allocations;   // what the stand-in "build" took from the heaps, freed by ~Model

void *take(size_t bytes, uint32_t caps, const char *what)
{
    void *p = heap_caps_malloc(bytes, caps);
    if (!p) {
        // ESP-DL has no recovery here: a failed tensor allocation ends in a null dereference on the chip.
        ESP_LOGE("dl::Model", "Failed to alloc %zu bytes for %s", bytes, what);
        host_abort(what);
    }
    g_allocations.push_back(p);
    return p;
}
} // namespace

Model::Model(const char *label, int model_index, fbs::model_location_type_t location, int max_internal_size,
             memory_manager_t mm_type, const uint8_t *key, bool param_copy,
             const std::map<std::string, std::vector<int>> &input_shapes)
{
    (void)max_internal_size;
    (void)mm_type;
    (void)input_shapes;
    g_current = host::behaviour_for(model_index);
    m_internal_size = heap_caps_get_free_size(MALLOC_CAP_INTERNAL);
    m_psram_size = heap_caps_get_free_size(MALLOC_CAP_SPIRAM);
    m_fbs_loader = new fbs::FbsLoader(label, location);
    fbs::FbsModel *fbs_model = m_fbs_loader->load(model_index, key, param_copy);
    if (fbs_model) {
        m_fbs_model = fbs_model;   // Model::load(FbsModel *) keeps it before creating the modules
        if (g_current.kind == "unsupported-op") {
            ESP_LOGE("dl::Model", "Do not support %s, please implement and register it first.", "HostOnlyOp");
        } else {
            // build(): parameters copied out of flash when param_copy holds (PSRAM preferred), then the
            // activation arena (internal RAM first, as MemoryManagerGreedy does).
            if (fbs_model->m_param_copy) {
                size_t internal = 0, psram = 0, rodata = 0, model_bytes = 0;
                fbs_model->get_model_size(&internal, &psram, &rodata, &model_bytes);
                const bool has_psram = heap_caps_get_total_size(MALLOC_CAP_SPIRAM) > 0;
                take(model_bytes, has_psram ? MALLOC_CAP_SPIRAM : MALLOC_CAP_INTERNAL, "parameters");
            }
            take(g_current.activation_bytes, MALLOC_CAP_INTERNAL, "activations");
            m_inputs.emplace("input", reinterpret_cast<TensorBase *>(&g_dummy_tensor));
        }
    } else {
        ESP_LOGE("dl::Model", "Fail to load model");
    }
    m_internal_size -= heap_caps_get_free_size(MALLOC_CAP_INTERNAL);
    m_psram_size -= heap_caps_get_free_size(MALLOC_CAP_SPIRAM);
}

Model::~Model()
{
    for (void *p : g_allocations) {
        heap_caps_free(p);
    }
    g_allocations.clear();
    if (m_fbs_loader) {
        delete m_fbs_loader;
        delete m_fbs_model;
    }
}

esp_err_t Model::test()
{
    printf("\n");
    if (g_current.kind == "test-fail") {
        ESP_LOGI("dl::Model", "Testing output %s.", "output");
        ESP_LOGE("dl::Model", "Test output %s does not match\n", "output");
        return ESP_FAIL;
    }
    ESP_LOGI("dl::Model", "Testing output %s.", "output");
    ESP_LOGI("dl::Model", "Test Pass!");
    return ESP_OK;
}

void Model::run(runtime_mode_t)
{
    static size_t call = 0;
    host::advance_us(g_current.run_us[call++ % g_current.run_us.size()]);
}

std::map<std::string, mem_info_t> Model::get_memory_info()
{
    std::map<std::string, mem_info_t> info;
    size_t rodata = 0;
    m_fbs_model->get_model_size(&info["fbs_model"].internal, &info["fbs_model"].psram, &rodata, &info["fbs_model"].flash);
    info["total"].psram = m_psram_size + rodata;
    info["total"].internal = m_internal_size;
    info["total"].flash = info["fbs_model"].flash;
    return info;
}

std::map<std::string, TensorBase *> &Model::get_inputs()
{
    return m_inputs;
}

// The rest of the interface is not used by the firmware; a call is a test failure.
[[noreturn]] static void unused(const char *what)
{
    host_abort(what);
}
esp_err_t Model::load(const char *, fbs::model_location_type_t, const uint8_t *, bool) { unused("Model::load"); }
esp_err_t Model::load(const char *, fbs::model_location_type_t, int, const uint8_t *, bool) { unused("Model::load"); }
esp_err_t Model::load(const char *, fbs::model_location_type_t, const char *, const uint8_t *, bool) { unused("Model::load"); }
esp_err_t Model::load(fbs::FbsModel *) { unused("Model::load"); }
void Model::build(size_t, memory_manager_t, bool, const std::map<std::string, std::vector<int>> &) { unused("Model::build"); }
void Model::run(TensorBase *, runtime_mode_t) { unused("Model::run(input)"); }
void Model::run(std::map<std::string, TensorBase *> &, runtime_mode_t, std::map<std::string, TensorBase *>) { unused("Model::run(inputs)"); }
void Model::run(int, int, runtime_mode_t) { unused("Model::run(stage)"); }
TensorBase *Model::get_input() { unused("Model::get_input"); }
TensorBase *Model::get_input(const std::string &) { unused("Model::get_input"); }
TensorBase *Model::get_intermediate(const std::string &) { unused("Model::get_intermediate"); }
std::map<std::string, TensorBase *> &Model::get_outputs() { unused("Model::get_outputs"); }
TensorBase *Model::get_output() { unused("Model::get_output"); }
TensorBase *Model::get_output(const std::string &) { unused("Model::get_output"); }
void Model::print() { unused("Model::print"); }
void Model::reset() { unused("Model::reset"); }

} // namespace dl
