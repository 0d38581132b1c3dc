#pragma once
// The direction-of-travel section of a profile page (report_trend.cpp).

#include <string>

#include <nlohmann/json.hpp>

namespace hotspot::report {

/// The section's HTML for a column `width` px wide, from the run's step nodes of the profile
/// (RunProfileRecord::steps as JSON text; "" or no "change" node: nothing). Takes only what
/// fits in `left` px (the force-wide sentence first, then the places, the monthly chart, the
/// heat-clock or the note on times) and subtracts the height it used from `left`.
std::string trend_section(const nlohmann::ordered_json& steps, double width, double& left);

} // namespace hotspot::report
