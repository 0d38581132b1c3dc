// libFuzzer harness: the whole incident reader (read_incidents) on arbitrary bytes written to
// a CSV file: header detection, roles, coordinates, dates, CRS checks. Only hotspot errors may
// come out, and nothing is lost: rows_in = kept + rejected.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

#include "hotspot/error.hpp"
#include "hotspot/incidents_io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string path = "/tmp/hotspot-fuzz-read-" + std::to_string(getpid()) + ".csv";
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) std::abort();
    if (size) std::fwrite(data, 1, size, f);
    std::fclose(f);
    hotspot::ReadOptions o;
    o.paths = {path};
    o.crs = "EPSG:27700";  // one CRS: PROJ's set-up is cached, so iterations stay fast
    try {
        const hotspot::ReadResult r = hotspot::read_incidents(o, hotspot::no_progress());
        if (r.rows_in != r.incidents.size() + r.rejects.size()) std::abort();
    } catch (const hotspot::Error&) {
    }
    return 0;
}
