// A profile's near repeats: the near-repeat step (steps/near_repeat_step.hpp) on the profile's
// incidents of the period, the same step `hotspot near-repeat` calls, with the step's defaults
// and the run's permutations and seed. Writes the Knox table and the current risk windows (the
// incidents of the last 28 days of the period's data) into the run GeoPackage, styled in the
// profile's QGIS group.

#include <cctype>

#include "hotspot/run_names.hpp"
#include "hotspot/steps/near_repeat_step.hpp"
#include "run/run_context.hpp"
#include "run/timed.hpp"

namespace hotspot::detail {

NearRepeatStepOptions run_near_repeat_options(const RunConfig& cfg, const Profile& profile, unsigned threads) {
    NearRepeatStepOptions o;
    // analysis.permutations is 0 (analytical Gi*) by default; the Knox test always permutes.
    if (cfg.analysis.permutations > 0) o.permutations = cfg.analysis.permutations;
    o.seed = cfg.analysis.seed;
    o.threads = threads;
    // A police.uk proxy is named by what it selected ("burglary incidents"), not by the profile.
    std::string what = profile.title;
    if (!profile.proxy_note.empty() && !profile.filter.categories.empty()) {
        what.clear();
        for (const auto& c : profile.filter.categories) what += (what.empty() ? "" : " and ") + c;
    }
    what += " incidents";
    for (auto& c : what) c = char(std::tolower(static_cast<unsigned char>(c)));
    o.what = what;
    // A publish-mode pack draws no buffers round single incidents (they would show where each was).
    if (cfg.publish) o.recent_days = 0;
    o.validate();
    return o;
}

void run_profile_near_repeat(ProfileRun& p) {
    const NearRepeatStepOptions o = run_near_repeat_options(p.cfg, p.profile, p.threads);
    NearRepeatStepInput in;
    in.incidents = &p.inc;
    in.rows = &p.sel.rows;
    in.allow_months = true;
    NearRepeatStepOutput out;
    out.writer = &p.gpkg;
    out.knox_layer = run_output_name(p.profile.name, RunOutputKind::knox);
    out.windows_layer = run_output_name(p.profile.name, RunOutputKind::risk_windows);
    const NearRepeatResult r = timed(p.analyse_s, [&] { return run_near_repeat_step(in, o, out); });
    for (const auto& w : r.warnings) p.po.warnings.push_back(w);
    p.po.near_repeat = r.sentence;
    p.wrote(RunOutputKind::knox, out.knox_layer, true);
    p.wrote(RunOutputKind::risk_windows, out.windows_layer, true);
    ProjectLayer windows{p.profile.title + ": near-repeat risk windows", ProfileRun::gpkg_source(out.windows_layer), false,
                         "Polygon", r.windows_qml, true};
    windows.abstract = "Raised-risk windows (cocooning): " + r.sentence + ". " +
                       (r.windows.empty() ? std::string("No window is drawn.")
                                          : std::to_string(r.windows.size()) + " windows, each a " +
                                                std::to_string(int(r.window_distance_m)) + " m buffer of the incidents of the last " +
                                                std::to_string(o.recent_days) + " days of the data, labelled with its expiry date.");
    p.group.layers.push_back(windows);
    ProjectLayer table{p.profile.title + ": Knox table (near repeats)", ProfileRun::gpkg_source(out.knox_layer), false,
                       "NoGeometry", "", false};
    table.abstract = "Knox test of near repeats: " + r.method + ". " + r.sentence + ".";
    p.group.layers.push_back(table);
    p.record.steps["near_repeat"] = r.manifest_node;
}

} // namespace hotspot::detail
