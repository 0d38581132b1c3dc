// libFuzzer harness: run configs from arbitrary TOML text. Only hotspot errors may come out:
// an InputError names the config file, and every value that parses is in its documented range
// (no out-of-range number is converted: issue 14's seed = -1, permutations = 1e12).

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "hotspot/config.hpp"
#include "hotspot/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    hotspot::RunConfig c;
    try {
        c = hotspot::parse_run_config(text, "/fuzz/run.toml");
    } catch (const hotspot::InputError& e) {
        if (e.file().empty()) std::abort();  // every config error names its file
        return 0;
    } catch (const hotspot::Error&) {
        return 0;
    }
    const auto& a = c.analysis;
    if (a.permutations < 0 || a.permutations > 99999) std::abort();
    if (c.publish_min_count < 1) std::abort();
    if (a.cell_m && !(*a.cell_m > 0)) std::abort();
    if (a.gistar_cell_m < 0 || !(a.snap_m >= 0)) std::abort();
    if (a.reference_rate_per_1000 && !(*a.reference_rate_per_1000 > 0)) std::abort();
    for (std::size_t i = 0; i < c.areas.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (c.areas[i].spec.name == c.areas[j].spec.name) std::abort();
    try {
        c.validate();
    } catch (const hotspot::Error&) {
    }
    return 0;
}
