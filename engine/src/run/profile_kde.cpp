// A profile's density surface (and its change against the comparison period): the kde step with
// the options the config and the profile give.

#include <algorithm>

#include "hotspot/disclosure.hpp"
#include "hotspot/run_names.hpp"
#include "run/run_context.hpp"
#include "run/timed.hpp"

namespace hotspot::detail {

// The config's analysis settings win over the profile's; auto:backtest starts from the
// profile's own bandwidth (run_profile_backtest may replace it).
KdeStepOptions profile_kde_options(const ProfileRun& p) {
    const RunConfig& cfg = p.cfg;
    const Profile& profile = p.profile;
    const unsigned threads = p.threads;
    KdeStepOptions k;
    k.kernel = parse_kernel(cfg.analysis.kernel.value_or(profile.analysis.kde_kernel));
    k.cell_size_m = run_kde_cell_m(cfg.analysis, profile);
    k.extent = cfg.analysis.extent;
    k.threads = threads;
    // k of the heat map; publish mode never shades fewer than the disclosure threshold, and a
    // backtest-drawn map has no floor unless one is configured (backtest_display.hpp)
    k.heat.min_incidents = heat_min_incidents_of(cfg.analysis.heat_min_incidents, p.backtest_shown.has_value(), cfg.publish,
                                                 cfg.publish_min_count);
    if (cfg.analysis.bandwidth_auto && *cfg.analysis.bandwidth_auto != "backtest") k.bandwidth = BandwidthSpec::parse("auto:" + *cfg.analysis.bandwidth_auto, "run");
    else if (cfg.analysis.bandwidth_m) k.bandwidth.fixed_m = *cfg.analysis.bandwidth_m;
    else if (!profile.analysis.bandwidth_auto.empty())
        k.bandwidth = BandwidthSpec::parse("auto:" + profile.analysis.bandwidth_auto, "run");
    else k.bandwidth.fixed_m = profile.analysis.bandwidth_m;
    if (p.backtest_bandwidth) k.bandwidth = *p.backtest_bandwidth;
    // a backtest-drawn map shows the area shares the backtest measured (backtest_display.hpp)
    if (p.backtest_shown) {
        apply_backtest_display(k.heat, *p.backtest_shown);
        k.bandwidth_chosen_by_backtest = *p.backtest_shown;  // the step states its out-of-sample record
    }
    return k;
}

KdeStepResult run_profile_kde(ProfileRun& p) {
    const KdeStepOptions kso = profile_kde_options(p);
    KdeStepInput kin;
    kin.incidents = &p.inc;
    kin.rows = &p.sel.rows;
    kin.comparison_rows = &p.cmp.rows;
    kin.study = &p.areas.study_layer().polygons;
    kin.masks = p.areas.masks.get();
    KdeStepOutput kout;
    kout.path = (p.out / run_output_name(p.profile.name, RunOutputKind::kde)).string();
    kout.crs = p.cfg.working_crs;
    kout.overwrite = p.cfg.overwrite;
    kout.profile = p.profile.name;
    kout.tiff_threads = run_tiff_threads;
    kout.band_description = p.profile.title + " density";
    if (p.cfg.publish)  // the raster itself masked, and a bandwidth floor (disclosure.hpp)
        kout.publish_min_count = kso.heat.min_incidents, kout.publish_min_bandwidth_m = DisclosurePolicy{}.min_bandwidth_m;
    const AreaConfig& study = p.areas.levels[p.areas.study].config;
    kout.study_area = study.spec.name + "=" + study.spec.path;
    if (p.comparing) {
        kout.change_path = (p.out / run_output_name(p.profile.name, RunOutputKind::kde_change)).string();
        kout.comparison = p.cfg.comparison.describe();
        kout.change_significance = change_significance_of(p.cfg.period.from, p.cfg.period.to, p.cfg.comparison.from,
                                                          p.cfg.comparison.to);  // non-significant cells blank
    }
    KdeStepResult k = timed(p.analyse_s, [&] { return run_kde_step(kin, kso, kout); });
    for (auto& w : k.warnings) p.po.warnings.push_back(w);
    p.po.kernel = std::string(kernel_name(k.kde.kernel));
    p.po.bandwidth_m = k.kde.bandwidth_m;
    p.po.bandwidth_method = k.bandwidth.method_name;
    p.po.cell_m = k.grid.cell_size_m;
    p.po.kde_breaks = k.class_breaks;
    p.wrote(RunOutputKind::kde, run_output_name(p.profile.name, RunOutputKind::kde), false);
    if (p.comparing) p.wrote(RunOutputKind::kde_change, run_output_name(p.profile.name, RunOutputKind::kde_change), false);
    p.record.steps["kde"] = k.manifest;
    return k;
}

} // namespace hotspot::detail
