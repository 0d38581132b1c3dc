// A profile's emerging hot spots in `hotspot run`: the emerging step (steps/emerging_step.hpp)
// on the profile's incidents of every date, in monthly slices ending with the period's last
// month (the data's last month without a period), at most the 36 months before it, on the Gi*
// grid of the run (its cell and band). Fewer than 12 months: no layer, and the manifest node says
// why. The same step `hotspot emerging` calls.

#include <algorithm>
#include <limits>

#include "hotspot/error.hpp"
#include "hotspot/run_names.hpp"
#include "hotspot/steps/change_step.hpp"
#include "hotspot/steps/emerging_step.hpp"
#include "hotspot/styles.hpp"
#include "hotspot/version.hpp"
#include "run/run_context.hpp"
#include "run/timed.hpp"

namespace hotspot::detail {

EmergingStepOptions profile_emerging_options(const ProfileRun& p, const std::vector<std::uint32_t>& rows) {
    const RunAnalysis& a = p.cfg.analysis;
    EmergingStepOptions o;
    // The Gi* step's cell and band in the run (run/profile_gistar.cpp), so the two layers align.
    o.cell_size_m = run_gistar_cell_m(a, p.profile);
    o.band_m = a.gistar_band_m.value_or(std::max(p.profile.analysis.gistar_band_m, 1.5 * o.cell_size_m));
    o.threads = p.threads;
    MonthIndex hi = std::numeric_limits<MonthIndex>::min();
    if (!p.cfg.period.to.empty()) {
        hi = parse_month(p.cfg.period.to.substr(0, 7), "period to");
    } else {
        for (auto r : rows)
            if (p.inc.date_days[r] != no_date) hi = std::max(hi, month_of_days(p.inc.date_days[r]));
    }
    if (hi != std::numeric_limits<MonthIndex>::min()) {
        MonthIndex lo = std::numeric_limits<MonthIndex>::max();
        for (auto r : rows)
            if (p.inc.date_days[r] != no_date) lo = std::min(lo, month_of_days(p.inc.date_days[r]));
        o.to_month = format_month(hi);
        o.from_month = format_month(std::min(hi, std::max(lo, hi - 35)));
    }
    return o;
}

void run_profile_emerging(ProfileRun& p) {
    if (!p.wants("emerging")) return;
    // Every dated row the profile's terms select, whatever the period: the split's terms were
    // evaluated once per row (a regex over MO text costs ~1 s per 150,000 rows).
    const Selection every = timed(p.analyse_s, [&] { return p.split.select("", ""); });
    const EmergingStepOptions o = profile_emerging_options(p, every.rows);
    EmergingStepInput in;
    in.incidents = &p.inc;
    in.rows = &every.rows;
    in.study = &p.areas.study_layer().polygons;
    in.study_index = p.areas.study_index.get();
    in.masks = p.areas.masks.get();
    EmergingStepOutput out;
    out.writer = &p.gpkg;
    out.layer = run_output_name(p.profile.name, RunOutputKind::emerging);
    out.profile = p.profile.name;
    out.publish = p.cfg.publish;
    if (p.cfg.publish) out.publish_min_count = std::uint64_t(std::max(p.cfg.publish_min_count, 1));
    EmergingStepResult r;
    try {
        r = timed(p.analyse_s, [&] { return run_emerging_step(in, o, out); });
    } catch (const UsageError& e) {  // fewer than 12 months: no layer, said in the manifest
        p.record.steps["emerging"] = {{"skipped", e.what()}, {"options", o.to_json()}};
        return;
    } catch (const InputError& e) {
        p.record.steps["emerging"] = {{"skipped", e.what()}, {"options", o.to_json()}};
        return;
    }
    for (const auto& w : r.warnings) p.po.warnings.push_back(w);
    p.wrote(RunOutputKind::emerging, out.layer, true);
    // Off when the project opens: drawn over the density, its cells hide the hot spot outlines (looked
    // at on the demo and Leicestershire); one tick shows it.
    ProjectLayer layer{p.profile.title + ": emerging hot spots", ProfileRun::gpkg_source(out.layer), false, "Polygon",
                       std::string(style_qml("emerging_cells")), false};
    layer.abstract = "Emerging hot spots of " + p.profile.title + ", " + r.from_month + " to " + r.to_month + ": " + r.method +
                     ". Written by hotspot " + std::string(version) + ".";
    p.group.layers.push_back(std::move(layer));
    p.record.steps["emerging"] = r.manifest;
}

} // namespace hotspot::detail
