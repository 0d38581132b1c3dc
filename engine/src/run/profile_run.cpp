// The small shared parts of a profile's run: which outputs it wants, layer sources, and its
// incidents layer through the geocode step.

#include <optional>

#include "hotspot/run_names.hpp"
#include "hotspot/styles.hpp"
#include "run/run_context.hpp"

namespace hotspot::detail {

bool profile_wants(const Profile& profile, std::string_view output) {
    return std::find(profile.outputs.begin(), profile.outputs.end(), output) != profile.outputs.end();
}

bool ProfileRun::wants(std::string_view output) const { return profile_wants(profile, output); }

double run_kde_cell_m(const RunAnalysis& a, const Profile& profile) {
    return a.cell_m.value_or(profile.analysis.cell_size_m);
}

double run_gistar_cell_m(const RunAnalysis& a, const Profile& profile) {
    return a.gistar_cell_m > 0 ? a.gistar_cell_m : std::max(run_kde_cell_m(a, profile), 100.0);
}

std::string ProfileRun::gpkg_source(const std::string& layer) {
    return std::string("./") + run_gpkg_name + "|layername=" + layer;
}

void ProfileRun::wrote(RunOutputKind kind, const std::string& name, bool layer, const std::string& level) {
    record.written.push_back({std::string(run_output_key(kind)), name, layer, level});
    (layer ? po.layers : po.files).push_back(layer ? name : (out / name).string());
}

namespace {
// The profile's incidents layer name; none in publish mode (the pack carries no incidents).
std::optional<std::string> incidents_layer(const ProfileRun& p) {
    if (p.cfg.publish) return std::nullopt;
    return run_output_name(p.profile.name, RunOutputKind::incidents);
}
} // namespace

void write_profile_incidents(const ProfileRun& p, VectorWriter& gpkg) {
    if (const auto il = incidents_layer(p))
        write_incidents_features(gpkg, *il, p.inc, &p.sel.rows, p.areas.layers(), p.areas.placed());
}

void note_profile_incidents(ProfileRun& p, VectorWriter& gpkg) {
    const auto name = incidents_layer(p);
    if (!name) return;
    const std::string& il = *name;
    add_incidents_style(gpkg, il, p.profile.title + " incidents");
    p.wrote(RunOutputKind::incidents, il, true);
    p.group.layers.insert(p.group.layers.begin(), {p.profile.title + ": incidents", ProfileRun::gpkg_source(il), false,
                                                   "Point", std::string(style_qml("incidents")), false});
}

} // namespace hotspot::detail
