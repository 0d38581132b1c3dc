#pragma once
// The tasking report's emerging hot spots section (report_emerging.cpp): cells by ArcGIS
// Emerging Hot Spot category with their area, and a sentence, from the run's manifest node
// "emerging" (steps/emerging_step.hpp). Drawn by report_pages.cpp as a side-column table (rows
// that do not fit continue in the annex).

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hotspot::report {

/// Report table pieces (report_pages.cpp's Table).
struct EmergingTable {
    bool present = false;  ///< false: the run has no "emerging" node for the profile
    std::string css, title, head;
    std::vector<std::string> rows;
    std::vector<double> cost;  ///< px of each row
    std::string after, empty;
};

/// From the profile's step nodes (RunProfileRecord::steps): one row per category with cells
/// (hot categories first, most urgent first; the cold ones in one row), then the sentence with
/// the months, the cell and sfhotspot's persistence counts. A skipped node: no rows, the reason.
EmergingTable emerging_table(const nlohmann::ordered_json& steps);

/// The sentence alone ("Over 24 months (…): 12 cells (0.12 km²) are intensifying hot spots, …").
std::string emerging_sentence(const nlohmann::ordered_json& node);

} // namespace hotspot::report
