// libFuzzer harness: population tables (read_population_csv) from arbitrary bytes written to a
// CSV file. Only hotspot errors may come out, and a table that reads has one population per
// code, each code once.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <unistd.h>

#include "hotspot/error.hpp"
#include "hotspot/population.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string path = "/tmp/hotspot-fuzz-population-" + std::to_string(getpid()) + ".csv";
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) std::abort();
    if (size) std::fwrite(data, 1, size, f);
    std::fclose(f);
    hotspot::PopulationSpec spec;
    spec.area = "ward";
    spec.path = path;
    try {
        const hotspot::PopulationTable t = hotspot::read_population_csv(spec, "code");
        if (t.codes.size() != t.population.size()) std::abort();
        if (std::set<std::string>(t.codes.begin(), t.codes.end()).size() != t.codes.size()) std::abort();
    } catch (const hotspot::Error&) {
    }
    return 0;
}
