// A profile's backtests (backtest.hpp): before the density map is drawn, the profile's own
// history up to the period's end is replayed on rolling origins for a grid of candidate
// settings; the table goes into the GeoPackage and the manifest, the run summary gets the
// out-of-sample sentence, and with bandwidth = "auto:backtest" the best candidate draws the map.

#include <cctype>
#include <cmath>

#include "hotspot/backtest.hpp"
#include "hotspot/dates.hpp"
#include "hotspot/run_names.hpp"
#include "hotspot/steps/layer_schema.hpp"
#include "run/run_context.hpp"
#include "run/timed.hpp"
#include "util/text.hpp"

namespace hotspot::detail {

namespace {

// The backtest table's fields (spelled once, here), one row per candidate and area share.
const LayerSchema& backtest_schema() {
    static const LayerSchema s{{{"candidate", FieldType::string},
                                {"chosen", FieldType::integer},
                                {"mean_bandwidth_m", FieldType::real},
                                {"area_share_pct", FieldType::real},
                                {"hits", FieldType::real},
                                {"hit_rate", FieldType::real},
                                {"pai", FieldType::real},
                                {"origins", FieldType::integer},
                                {"test_incidents", FieldType::real}}};
    return s;
}

int month_index(std::int32_t days) {
    if (days == no_date) return -1;
    const std::int32_t ymd = civil_from_days(days);
    return (ymd / 10000) * 12 + (ymd / 100 % 100) - 1;
}

BacktestCandidate current_candidate(const KdeStepOptions& k) {
    BacktestCandidate c;
    if (k.bandwidth.rule) c.rule = *k.bandwidth.rule;
    else c.bandwidth_m = k.bandwidth.fixed_m;
    c.name = c.make_name() + " (profile)";
    return c;
}

std::string lower_first(std::string s) {
    if (!s.empty()) s[0] = char(std::tolower(static_cast<unsigned char>(s[0])));
    return s;
}

} // namespace

void run_profile_backtest(ProfileRun& p) {
    // auto:backtest, asked for or by default: a run whose [analysis] gives no bandwidth draws its
    // maps with the best density candidate when the history allows a backtest (15 months with
    // the default 12 + 3), else with the profile's own bandwidth (no warning: it was not asked).
    const bool by_default = !p.cfg.analysis.bandwidth_m && !p.cfg.analysis.bandwidth_auto;
    const bool asked = by_default || (p.cfg.analysis.bandwidth_auto && *p.cfg.analysis.bandwidth_auto == "backtest");
    if (!p.cfg.analysis.backtest) {
        BacktestManifestNode off;
        off.result = {{"skipped", "analysis.backtest = false"}};
        p.record.steps["backtest"] = off.to_json();
        return;
    }
    const KdeStepOptions kso = profile_kde_options(p);
    // The profile's incidents up to the period's end: its filter without the period's start.
    const Selection hist = p.split.select("", p.profile.filter.date_to);
    std::vector<double> x, y;
    std::vector<int> month;
    for (std::uint32_t r : hist.rows) x.push_back(p.inc.x[r]), y.push_back(p.inc.y[r]), month.push_back(month_index(p.inc.date_days[r]));

    BacktestOptions o;
    o.kde.kernel = kso.kernel;
    o.kde.units = kso.units;
    o.kde.edge = kso.edge;
    o.kde.threads = p.threads;
    // The study area's cells on the map's cell size (the extent grown by one cell only: the
    // ranking is over study cells, whatever the bandwidth).
    Bounds study;
    for (const auto& mp : p.areas.study_layer().polygons) study.add(bounds_of(mp));
    KdeOptions g = o.kde;
    g.bandwidth_m = kso.cell_size_m > 0 ? kso.cell_size_m : 1.0;
    g.cell_size_m = kso.cell_size_m;
    BacktestInput in;
    in.x = x, in.y = y, in.month = month;
    in.grid = kde_grid(study, g);
    in.window = p.areas.masks->of(in.grid);
    const BacktestCandidate current = current_candidate(kso);
    const std::vector<BacktestCandidate> grid = default_backtest_grid(current);
    double seconds = 0;
    const BacktestResult r = timed(seconds, [&] { return run_backtest(in, grid, o); });
    p.analyse_s += seconds;
    for (const auto& w : r.warnings) p.po.warnings.push_back(w);
    // No wall time in the node: the manifest is the same bytes whatever --threads (the run's
    // timings_s carry the profile's analysis time, which includes this).
    BacktestManifestNode node;
    node.result = r.to_json(o);
    node.history_incidents = x.size();
    if (!r.skipped_reason.empty()) {
        const std::string why = "backtest skipped: " + r.skipped_reason;
        node.note = why;
        if (asked && !by_default)
            p.po.warnings.push_back("run: bandwidth = \"auto:backtest\" for " + p.profile.name + ": " + why +
                                    "; the profile's own bandwidth (" + current.make_name() + ") draws the map");
        p.record.steps["backtest"] = node.to_json();
        return;
    }
    std::size_t at1 = 0;
    while (o.shares[at1] != o.choose_share) ++at1;
    // The map shown: with auto:backtest the best density candidate (the counts baseline, when
    // it wins, is reported but draws no density map; a tie keeps the earlier), else the
    // profile's own setting (first in the grid).
    std::size_t shown = 0;
    const int months = int(r.origins.size()) + o.test_months - 1;  // the first test month to the last
    const std::string what = lower_first(p.profile.title);
    if (asked) {
        for (std::size_t c = 1; c < grid.size(); ++c)
            if (grid[c].kind == BacktestCandidate::Kind::kde && r.scores[c].hit_rate[at1] > r.scores[shown].hit_rate[at1])
                shown = c;
        BandwidthSpec b;
        if (grid[shown].rule != BandwidthMethod::fixed) b.rule = grid[shown].rule;
        else b.fixed_m = grid[shown].bandwidth_m;
        p.backtest_bandwidth = b;
        BacktestShown s;
        s.setting = grid[shown].make_name();
        s.shares = o.shares;
        s.share = o.choose_share;
        s.hit_rate = r.scores[shown].hit_rate[at1];
        s.pai = r.scores[shown].pai[at1];
        s.months = months;
        s.what = what;
        s.tested_on = o.tested_on();
        p.backtest_shown = s;
    }
    p.po.backtest_sentence = "Over the last " + std::to_string(months) + " months, maps drawn this way (" +
                             grid[shown].make_name() + ", each from " + o.trained_on() + ") caught " +
                             util::num(r.scores[shown].hit_rate[at1] * 100, 3) + "% of " + o.tested_on() + " " + what + " in " + util::num(o.choose_share * 100, 3) +
                             "% of the area (PAI " + util::num(r.scores[shown].pai[at1], 3) + "; best of " +
                             std::to_string(grid.size()) + " settings: " + r.scores[std::size_t(r.chosen)].candidate + ", " +
                             util::num(r.scores[std::size_t(r.chosen)].hit_rate[at1] * 100, 3) + "%).";
    if (asked)
        p.po.backtest_sentence += std::string(" The map is drawn with ") + grid[shown].make_name() + ", the best density setting of these backtests" +
                                  (by_default ? " (the default with " + std::to_string(o.train_months + o.test_months) +
                                                    " months of history or more; give analysis.bandwidth to fix one)."
                                              : " (bandwidth = \"auto:backtest\").");
    node.shown = grid[shown].make_name();
    node.bandwidth_from = asked ? (by_default ? "backtest (default: no analysis.bandwidth, enough history)" : "backtest (auto:backtest)")
                                : "the run's analysis.bandwidth";
    node.bandwidth_chosen_by_backtest = asked;
    node.sentence = p.po.backtest_sentence;
    p.record.steps["backtest"] = node.to_json();

    const std::string layer = run_output_name(p.profile.name, RunOutputKind::backtest);
    const LayerSchema& s = backtest_schema();
    p.gpkg.begin_layer(layer, GeomType::none, s.fields,
                       p.profile.title + ": rolling-origin backtest (" + o.design() +
                                         "), pooled hit rate and PAI per candidate setting and area share");
    for (std::size_t c = 0; c < r.scores.size(); ++c)
        for (std::size_t k = 0; k < o.shares.size(); ++k) {
            p.gpkg.set_string(s.at("candidate"), r.scores[c].candidate);
            p.gpkg.set_integer(s.at("chosen"), int(c) == r.chosen);
            p.gpkg.set_real(s.at("mean_bandwidth_m"), r.scores[c].mean_bandwidth_m);
            p.gpkg.set_real(s.at("area_share_pct"), o.shares[k] * 100);
            p.gpkg.set_real(s.at("hits"), r.scores[c].hits[k]);
            p.gpkg.set_real(s.at("hit_rate"), r.scores[c].hit_rate[k]);
            p.gpkg.set_real(s.at("pai"), r.scores[c].pai[k]);
            p.gpkg.set_integer(s.at("origins"), std::int64_t(r.origins.size()));
            p.gpkg.set_real(s.at("test_incidents"), r.test_total);
            p.gpkg.write_feature();
        }
    p.wrote(RunOutputKind::backtest, layer, true);
}

} // namespace hotspot::detail
