// libFuzzer harness: the CSV tokenizer (and the sniffer and the encoding check it feeds) over
// arbitrary bytes. Only hotspot::InputError may come out; every view must lie in the input
// or the reader's own buffer, line numbers never go back, and the reader always ends.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "hotspot/csv.hpp"
#include "hotspot/encoding.hpp"
#include "hotspot/error.hpp"

namespace {
void check(bool ok) {
    if (!ok) std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    // The converted text is always UTF-8, and UTF-8 is never converted.
    const std::string converted = hotspot::cp1252_to_utf8(text);
    check(hotspot::is_utf8(converted));
    if (hotspot::is_utf8(text)) check(hotspot::is_utf8(std::string(text)));

    for (const char delimiter : {hotspot::sniff_delimiter(text), ','}) {
        try {
            hotspot::CsvReader reader(text, "fuzz.csv", delimiter);
            std::vector<std::string_view> fields;
            std::uint64_t last_line = 0;
            std::size_t records = 0;
            while (reader.next(fields)) {
                check(++records <= size + 1);  // every record consumes at least one byte
                check(reader.record_line() >= last_line);
                last_line = reader.record_line();
                check(reader.offset() <= size);
                const std::string_view raw = reader.record_text();
                check(raw.data() >= text.data() && raw.data() + raw.size() <= text.data() + size);
                std::size_t total = 0;
                for (const auto f : fields) total += f.size();  // touches every view (ASan checks)
                check(total <= size);
                volatile char sink = 0;
                for (const auto f : fields)
                    for (const char c : f) sink = char(sink ^ c);
            }
        } catch (const hotspot::InputError& e) {
            check(e.file() == "fuzz.csv" && e.line() >= 1);
        }
    }
    return 0;
}
