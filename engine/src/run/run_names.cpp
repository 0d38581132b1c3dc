// The one place the names of a run's outputs are made (run_names.hpp).

#include "hotspot/run_names.hpp"

#include <cctype>

namespace hotspot {

std::string_view run_output_key(RunOutputKind kind) noexcept {
    switch (kind) {
    case RunOutputKind::kde: return "kde";
    case RunOutputKind::kde_change: return "kde_change";
    case RunOutputKind::gistar_z: return "gistar_z";
    case RunOutputKind::hotspots: return "hotspots";
    case RunOutputKind::gistar_cells: return "gistar_cells";
    case RunOutputKind::rates: return "rates";
    case RunOutputKind::incidents: return "incidents";
    case RunOutputKind::knox: return "knox";
    case RunOutputKind::risk_windows: return "risk_windows";
    case RunOutputKind::backtest: return "backtest";
    case RunOutputKind::change: return "change";
    case RunOutputKind::hotspots_change: return "hotspots_change";
    case RunOutputKind::emerging: return "emerging";
    }
    return "";
}

std::string profile_slug(std::string_view name) {
    std::string s;
    for (char c : name) s += std::isalnum(static_cast<unsigned char>(c)) ? char(std::tolower(static_cast<unsigned char>(c))) : '_';
    return s;
}

std::string run_output_name(std::string_view profile_name, RunOutputKind kind, std::string_view level) {
    const std::string p = profile_slug(profile_name) + "_";
    switch (kind) {
    case RunOutputKind::kde: return p + "kde.tif";
    case RunOutputKind::kde_change: return p + "kde_change.tif";
    case RunOutputKind::gistar_z: return p + "gistar_z.tif";
    case RunOutputKind::rates: return p + std::string(level) + "_rates";
    case RunOutputKind::change: return level.empty() ? p + "change" : p + std::string(level) + "_change";
    default: return p + std::string(run_output_key(kind));
    }
}

std::string boundaries_layer_name(std::string_view level) { return "boundaries_" + std::string(level); }

} // namespace hotspot
