#include "hotspot/read_manifest.hpp"

namespace hotspot {

void add_read(Manifest& manifest, const ReadResult& read, const std::string& working_crs, const std::string& role) {
    for (const auto& f : read.incidents.source_files) manifest.add_input(role, f);
    auto& j = manifest.json();
    j["counts"]["rows_in"] = read.rows_in;
    j["counts"]["kept"] = read.incidents.size();
    j["counts"]["rejected"] = read.rejects.size();
    j["crs"] = {{"source_crs", read.source_crs},
                {"working_crs", working_crs},
                {"operation", read.crs_operation},
                {"accuracy_m", read.crs_accuracy_m}};
    if (read.postcodes.used) j["postcodes"] = read.postcodes.to_json();
}

} // namespace hotspot
