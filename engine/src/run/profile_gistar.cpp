// A profile's Gi* cells and z raster: the Gi* step with the options the config and the profile
// give.

#include <algorithm>

#include "hotspot/run_names.hpp"
#include "hotspot/steps/gistar_step.hpp"
#include "hotspot/styles.hpp"
#include "run/run_context.hpp"
#include "run/timed.hpp"

namespace hotspot::detail {

void run_profile_gistar(ProfileRun& p) {
    const RunAnalysis& a = p.cfg.analysis;
    GiStarStepOptions o;
    // The run's cell: the config's, else the density cell but at least 100 m; its band: the
    // config's, else the profile's but at least 1.5 cells.
    o.cell_size_m = run_gistar_cell_m(a, p.profile);
    o.band_m = a.gistar_band_m.value_or(std::max(p.profile.analysis.gistar_band_m, 1.5 * o.cell_size_m));
    o.perm.permutations = a.permutations;
    o.perm.seed = a.seed;
    o.perm.threads = p.threads;
    GiStarStepInput in;
    in.incidents = &p.inc;
    in.rows = &p.sel.rows;
    in.study = &p.areas.study_layer().polygons;
    in.study_index = p.areas.study_index.get();
    in.masks = p.areas.masks.get();
    GiStarStepOutput out;
    out.writer = &p.gpkg;
    out.layer = run_output_name(p.profile.name, RunOutputKind::gistar_cells);
    out.raster = (p.out / run_output_name(p.profile.name, RunOutputKind::gistar_z)).string();
    out.crs = p.cfg.working_crs;
    out.overwrite = p.cfg.overwrite;
    out.tiff_threads = run_tiff_threads;
    out.profile = p.profile.name;
    out.band_description = p.profile.title + " Gi* z-score";
    out.study_area = p.areas.levels[p.areas.study].config.spec.path;
    out.publish_min_count = p.cfg.publish ? std::uint64_t(p.cfg.publish_min_count) : 0;
    const GiStarStepResult gi = timed(p.analyse_s, [&] { return run_gistar_step(in, o, out); });
    ProfileOutcome& po = p.po;
    for (auto& w : gi.warnings) po.warnings.push_back(w);
    po.gistar_cell_m = o.cell_size_m;
    po.gistar_band_m = gi.band_m;
    po.gistar_correction = "Benjamini-Hochberg FDR" +
                           std::string(o.perm.permutations ? ", " + std::to_string(o.perm.permutations) + " conditional permutations"
                                                      : ", analytical z");
    po.gistar_hot99 = std::uint64_t(gi.bins[6]);
    po.gistar_hot95 = std::uint64_t(gi.bins[6] + gi.bins[5]);
    po.gistar_cold99 = std::uint64_t(gi.bins[0]);
    p.wrote(RunOutputKind::gistar_cells, out.layer, true);
    p.wrote(RunOutputKind::gistar_z, run_output_name(p.profile.name, RunOutputKind::gistar_z), false);
    p.group.layers.push_back({p.profile.title + ": Gi* hot spot cells", ProfileRun::gpkg_source(out.layer), false,
                              "Polygon", std::string(style_qml("gistar_cells")), false});
    // the step's node, and the keys the report reads (report.cpp)
    auto& n = p.record.steps["gistar"] = gi.manifest;
    n["cell_m"] = po.gistar_cell_m;
    n["band_m"] = po.gistar_band_m;
    n["weights"] = "binary distance band, self included (Gi*)";
    n["correction"] = po.gistar_correction;
    n["seed"] = a.seed;
    n["hot_cells_99"] = po.gistar_hot99;
    n["hot_cells_95"] = po.gistar_hot95;
}

} // namespace hotspot::detail
