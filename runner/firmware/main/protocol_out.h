// Output side of the benchmark protocol (runner/PROTOCOL.md): one "ESPDL-BENCH " + JSON object per line,
// printed with printf (never ESP_LOG*, so no ANSI colours, timestamps or tags) and flushed at once.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace bench {

/** Builds one JSON object field by field. Strings are escaped; numbers are integers. */
class Record {
public:
    explicit Record(const char *type);
    Record &str(const char *key, const std::string &value);
    Record &num(const char *key, int64_t value);
    Record &boolean(const char *key, bool value);
    Record &nums(const char *key, const std::vector<int64_t> &values);
    /** Prints the line and flushes stdout. */
    void emit();

private:
    std::string body_;
};

void error(int index, const char *code, const std::string &message);

} // namespace bench
