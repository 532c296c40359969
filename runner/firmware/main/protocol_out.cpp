#include "protocol_out.h"

#include <cinttypes>
#include <cstdio>

namespace bench {

static std::string escape(const std::string &s)
{
    std::string out;
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    return out;
}

Record::Record(const char *type) : body_("{\"type\":\"" + escape(type) + "\"") {}

Record &Record::str(const char *key, const std::string &value)
{
    body_ += ",\"" + std::string(key) + "\":\"" + escape(value) + "\"";
    return *this;
}

Record &Record::num(const char *key, int64_t value)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRId64, value);
    body_ += ",\"" + std::string(key) + "\":" + buf;
    return *this;
}

Record &Record::boolean(const char *key, bool value)
{
    body_ += ",\"" + std::string(key) + "\":" + (value ? "true" : "false");
    return *this;
}

Record &Record::nums(const char *key, const std::vector<int64_t> &values)
{
    body_ += ",\"" + std::string(key) + "\":[";
    for (size_t i = 0; i < values.size(); i++) {
        char buf[32];
        snprintf(buf, sizeof buf, "%s%" PRId64, i ? "," : "", values[i]);
        body_ += buf;
    }
    body_ += "]";
    return *this;
}

void Record::emit()
{
    // One printf per line so a line is not split by another task's output between prefix and JSON.
    printf("ESPDL-BENCH %s}\n", body_.c_str());
    fflush(stdout);
}

void error(int index, const char *code, const std::string &message)
{
    Record r("error");
    if (index >= 0) {
        r.num("index", index);
    }
    r.str("code", code).str("message", message).emit();
}

} // namespace bench
