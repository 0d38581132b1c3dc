// A profile's hot spots: the hot spots step (steps/hotspots_step.hpp) on the profile's density
// surface, with the options the config gives; the same step `hotspot hotspots` calls.

#include "hotspot/run_names.hpp"
#include "hotspot/steps/hotspots_step.hpp"
#include "run/run_context.hpp"
#include "run/timed.hpp"

namespace hotspot::detail {

HotspotsStepResult run_profile_hotspots(ProfileRun& p, const KdeStepResult& k) {
    HotspotsStepOptions options;
    options.hotspots.set_threshold(p.cfg.analysis.hotspot_threshold);
    options.hotspots.min_incidents = p.cfg.analysis.hotspot_min_incidents;
    options.hotspots.max_area_m2 = p.cfg.analysis.hotspot_max_area_m2;
    options.hotspots.max_numbered = p.cfg.analysis.hotspot_numbered;
    options.hotspots.min_saddle_drop = p.cfg.analysis.hotspot_saddle_drop;
    options.validate();

    HotspotsStepInput in;
    in.incidents = &p.inc;
    in.rows = &p.sel.rows;
    if (p.comparing) in.comparison_rows = &p.cmp.rows;
    in.grid = &k.grid;
    in.surface = k.surface.values;
    in.study = &p.areas.study_layer().polygons;
    in.study_area_m2 = p.areas.study_area_m2;
    in.pick_area_levels(p.areas.layers());

    HotspotsStepOutput out;
    out.writer = &p.gpkg;
    out.layer = run_output_name(p.profile.name, RunOutputKind::hotspots);
    out.title = p.profile.title;
    out.publish_min_count = p.cfg.publish ? p.cfg.publish_min_count : 0;
    const HotspotsStepResult step = timed(p.analyse_s, [&] { return run_hotspots_step(in, options, out); });

    p.po.hotspot_threshold = step.threshold_text;
    for (const auto& rec : step.records) {
        HotspotSummary s;
        s.rank = rec.spot.rank;
        s.incidents = rec.spot.incidents;
        s.share = rec.spot.share;
        s.pai = rec.spot.pai;
        s.area_km2 = rec.spot.area_m2 / 1e6;
        s.centre_x = rec.spot.centre_x;
        s.centre_y = rec.spot.centre_y;
        s.wards = rec.wards;
        s.grid_ref = rec.grid_ref;
        s.streets = rec.streets;
        s.change = rec.change;
        p.po.hotspots.push_back(s);
    }
    p.wrote(RunOutputKind::hotspots, out.layer, true);
    p.group.layers.push_back({p.profile.title + ": hot spots", ProfileRun::gpkg_source(out.layer), false, "Polygon",
                              step.qml, true});
    p.record.steps["hotspots"] = step.manifest;
    return step;
}

} // namespace hotspot::detail
