#pragma once
// The tasking report's near-repeat section (report_near_repeat.cpp): the Knox table coloured by
// significance, the result in words, and the current risk windows for the profile map. Read
// from the run's manifest node "near_repeat" (steps/near_repeat_step.hpp) and its risk windows
// layer by report_input.cpp; drawn by report_pages.cpp.

#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hotspot/geometry.hpp"

namespace hotspot::report {

struct KnoxCellInput {
    std::size_t row = 0, col = 0;
    std::string distance_band, time_band;
    double observed = 0, expected = 0, ratio = NAN, p = 1;
    bool significant = false;
};

struct RiskWindowInput {
    MultiPolygon shape;
    std::string expires;  ///< ISO date
};

struct NearRepeatInput {
    bool present = false;
    std::vector<KnoxCellInput> cells;  ///< row-major
    std::string sentence, time_unit, first_date, last_date;
    int permutations = 0, recent_days = 0, window_days = 0;
    double alpha = 0.05, window_distance_m = 0;
    std::vector<RiskWindowInput> windows;
};

/// The section's values from the manifest node (the windows come from the layer).
/// @throws nlohmann::json::exception on a node of another shape.
NearRepeatInput near_repeat_from_manifest(const nlohmann::ordered_json& node, std::vector<RiskWindowInput> windows);

/// The Knox table as report table pieces (report_pages.cpp's Table): one row per distance band,
/// one column per time band, each cell the Knox ratio, shaded when significant (darker at
/// p <= 0.01), the sentence and the colour key under it.
struct NearRepeatTable {
    std::string css, title, head;
    std::vector<std::string> rows;
    std::vector<double> cost;  ///< px of each row
    std::string after, empty;
};
NearRepeatTable near_repeat_table(const NearRepeatInput& in);

/// The line under the map when it shows risk windows ("" when none).
std::string near_repeat_map_note(const NearRepeatInput& in);

} // namespace hotspot::report
