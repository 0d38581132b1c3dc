// A profile's direction of travel and hours of the week in `hotspot run`: the change step
// (steps/change_step.hpp) on the profile's incidents of every date, for the study area, each
// area level and each numbered hot spot, and the hours step (steps/hours_step.hpp) on the
// period's selection. The same steps `hotspot change` and `hotspot hours` call.
//
// Periods: the run's period against its comparison period when it has one; without one, the
// period against the months just before it of equal length when the data hold them; without a
// period, the last 12 months of the data against the 12 before (the step's default). Months
// are whole calendar months (a period given to the day counts its whole months). The choice is
// stated in the manifest node ("comparison_source") and the report.

#include <algorithm>
#include <cmath>

#include "hotspot/disclosure.hpp"
#include "hotspot/error.hpp"
#include "hotspot/run_names.hpp"
#include "hotspot/version.hpp"
#include "hotspot/steps/change_step.hpp"
#include "hotspot/steps/hours_step.hpp"
#include "hotspot/styles.hpp"
#include "run/run_context.hpp"
#include "run/timed.hpp"

namespace hotspot::detail {

namespace {

// The months of a run period ("YYYY-MM" or "YYYY-MM-DD"): its first 7 characters.
std::string month_text(const std::string& date) { return date.substr(0, std::min<std::size_t>(7, date.size())); }

// The change options of the run and where the comparison comes from, in words.
ChangeOptions change_options(const ProfileRun& p, const std::vector<std::uint32_t>& rows, std::string& source) {
    ChangeOptions o;
    const Period& period = p.cfg.period;
    const Period& cmp = p.cfg.comparison;
    if (!period.from.empty() && !period.to.empty() && !cmp.from.empty() && !cmp.to.empty()) {
        o.period_from = month_text(period.from), o.period_to = month_text(period.to);
        o.compare_from = month_text(cmp.from), o.compare_to = month_text(cmp.to);
        source = "the run's comparison period";
        return o;
    }
    MonthIndex lo = std::numeric_limits<MonthIndex>::max();
    for (auto r : rows)
        if (p.inc.date_days[r] != no_date) lo = std::min(lo, month_of_days(p.inc.date_days[r]));
    if (!period.from.empty() && !period.to.empty()) {
        const MonthIndex pf = parse_month(month_text(period.from), "period from"), pt = parse_month(month_text(period.to), "period to");
        const MonthIndex len = pt - pf + 1;
        if (pf - len >= lo) {
            o.period_from = format_month(pf), o.period_to = format_month(pt);
            o.compare_from = format_month(pf - len), o.compare_to = format_month(pf - 1);
            source = "no comparison period was given: the " + std::to_string(len) + " months before the period";
            return o;
        }
        source = "no comparison period was given and the data hold no " + std::to_string(len) +
                 " months before the period: the last 12 months of the data against the 12 before "
                 "(the later and earlier halves when the data span under 24 months)";
        return o;
    }
    source = "no period was given: the last 12 months of the data against the 12 before (the later and earlier halves "
             "when the data span under 24 months)";
    return o;
}

// Up to `n` areas of a level in a direction (+1 rises, -1 falls) with a class in that direction,
// most certain first (the interval's bound furthest from 1), for the report.
std::vector<ChangeAreaNode> leading(const ChangeLayerResult& lr, int direction, std::size_t n) {
    std::vector<const AreaChange*> v;
    for (const auto& a : lr.areas)
        if (int(a.change) * direction > 0) v.push_back(&a);
    std::stable_sort(v.begin(), v.end(), [&](auto* a, auto* b) {
        if (direction > 0) return a->test.ratio_lower > b->test.ratio_lower;
        return a->test.ratio_upper < b->test.ratio_upper;
    });
    std::vector<ChangeAreaNode> out;
    for (std::size_t k = 0; k < v.size() && k < n; ++k) out.push_back(ChangeAreaNode::of(*v[k]));
    return out;
}

bool any_time(const IncidentTable& inc, const std::vector<std::uint32_t>& rows) {
    for (auto r : rows)
        if (inc.minute_of_day[r] >= 0) return true;
    return false;
}

} // namespace

ProfileSpots hotspot_areas(const ProfileRun& p, const KdeStepResult& k, const HotspotsStepResult& hs) {
    ProfileSpots s;
    s.layer.name = "hotspot";
    std::vector<std::int32_t> index_of_label;  // label -> numbered hot spot index
    for (const auto& rec : hs.records) {
        if (!rec.spot.numbered) continue;
        if (std::size_t(rec.spot.label) >= index_of_label.size()) index_of_label.resize(std::size_t(rec.spot.label) + 1, -1);
        index_of_label[std::size_t(rec.spot.label)] = std::int32_t(s.layer.codes.size());
        s.layer.codes.push_back(std::to_string(rec.spot.rank));
        s.layer.names.push_back("Hot spot " + std::to_string(rec.spot.rank) + (rec.grid_ref.empty() ? "" : " (" + rec.grid_ref + ")"));
    }
    const Grid& g = k.grid;
    const auto& labels = hs.found.labels;
    s.of_row.assign(p.inc.size(), -1);
    for (std::size_t i = 0; i < p.inc.size(); ++i) {
        const std::int64_t c = g.col_of(p.inc.x[i]), r = g.row_of(p.inc.y[i]);
        if (!g.in_grid(c, r)) continue;
        const std::int32_t l = labels[std::size_t(r * g.cols + c)];
        if (l > 0 && std::size_t(l) < index_of_label.size()) s.of_row[i] = index_of_label[std::size_t(l)];
    }
    return s;
}

void run_profile_change(ProfileRun& p, const ProfileSpots& spots) {
    // The profile's incidents of every date (the period's selection is one part of the series).
    const Selection every = timed(p.analyse_s, [&] { return p.split.select("", ""); });
    std::string source;
    const ChangeOptions options = change_options(p, every.rows, source);

    ChangeStepInput in;
    in.incidents = &p.inc;
    in.rows = &every.rows;
    in.label = p.profile.title;
    const bool rates = p.profile.denominator == Denominator::population;
    for (const auto& lv : p.areas.levels) {
        in.layers.push_back(&lv.layer);
        in.placed.push_back(&lv.placed->area);
        in.populations.push_back(rates && lv.has_population ? &lv.population : nullptr);
    }
    const bool with_spots = !spots.layer.codes.empty();
    if (with_spots) {
        in.layers.push_back(&spots.layer);
        in.placed.push_back(&spots.of_row);
        in.populations.push_back(nullptr);
    }
    ChangeResult r;
    try {
        r = timed(p.analyse_s, [&] { return run_change_step(in, options, p.threads); });
    } catch (const UsageError& e) {  // e.g. no dated incident, one month of data: say so, map the rest
        p.po.warnings.push_back("run: profile " + p.profile.name + ": no direction of travel (" + e.what() + ")");
        ChangeManifestNode skipped;
        skipped.skipped = e.what();
        p.record.steps["change"] = skipped.to_json();
        return;
    }
    // publish mode: the period against the comparison, jointly (disclosure.hpp publish_change)
    const std::size_t change_hidden = p.cfg.publish ? publish_change(r, std::uint64_t(p.cfg.publish_min_count)) : 0;

    // ---- layers: the study area table, one polygon layer per level (not in a publish-mode
    // pack: small areas' counts), the numbered hot spots as a table
    const std::string periods = change_periods_text(r);
    const std::string what = "Direction of travel of " + p.profile.title + ", " + periods + " (" + source + ")";
    const std::string study = run_output_name(p.profile.name, RunOutputKind::change);
    write_change_study_table(p.gpkg, study, r, what);
    p.wrote(RunOutputKind::change, study, true);
    ChangeManifestNode node = ChangeManifestNode::of(r, options);
    node.comparison_source = source;
    node.levels.emplace();
    for (std::size_t l = 0; l < r.layers.size(); ++l) {
        const bool is_spots = with_spots && l + 1 == r.layers.size();
        const ChangeLayerResult& lr = r.layers[l];
        ChangeLevelNode lj;
        if (is_spots) {
            const std::string name = run_output_name(p.profile.name, RunOutputKind::hotspots_change);
            lj.layer = write_change_layer(p.gpkg, name, lr, nullptr, what + ", per numbered hot spot; " + r.method, options);
            p.wrote(RunOutputKind::hotspots_change, name, true);
            lj.level = "hotspot";
            for (const auto& a : lr.areas)
                if (!a.period_hidden && !a.comparison_hidden) lj.each.push_back(ChangeAreaNode::of(a));
        } else if (!p.cfg.publish) {
            const std::string name = run_output_name(p.profile.name, RunOutputKind::change, lr.name);
            lj.layer = write_change_layer(p.gpkg, name, lr, &p.areas.levels[l].layer.polygons,
                                          what + ", per " + lr.name + "; " + r.method, options);
            p.wrote(RunOutputKind::change, name, true, lr.name);
            ProjectLayer layer{p.profile.title + ": direction of travel by " + lr.name, ProfileRun::gpkg_source(name),
                               false, "Polygon", std::string(style_qml("change_class")), false};
            layer.abstract = what + ", per " + lr.name + ": incidents in each period, % change and its test (" + r.method +
                             "), classed significant increase / increase / no significant change / decrease / "
                             "significant decrease. Written by hotspot " + std::string(version) + ".";
            p.group.layers.push_back(std::move(layer));
            lj.level = lr.name;
            lj.rising = leading(lr, +1, 5);
            lj.falling = leading(lr, -1, 3);
        } else {
            continue;
        }
        node.levels->push_back(std::move(lj));
    }
    if (p.cfg.publish) node.publish_rows_hidden = change_hidden;
    p.record.steps["change"] = node.to_json();
    p.po.direction_of_travel = r.sentence() + " Compared: " + source + ".";

    // ---- hours of the week of the period's selection
    HoursOptions ho;
    const bool timed_rows = any_time(p.inc, p.sel.rows);
    const HoursResult hours = timed(p.analyse_s, [&] {
        return week_hours_of_rows(p.inc, timed_rows ? p.sel.rows : std::vector<std::uint32_t>{}, p.profile.title, ho);
    });
    HoursManifestNode hn = HoursManifestNode::of(hours, ho);
    if (!timed_rows) {
        hn.no_times = true;
        hn.incidents = p.sel.rows.size();
        hn.note = "No incident of this profile has a time of day (police.uk data give the month only), so "
                  "there is no table of the hours of the week.";
        hn.table.reset();
    }
    if (p.cfg.publish && hn.table) {  // publish mode: the week-hour table only when no cell is below the threshold
        bool small = false;
        for (const auto& day : *hn.table)
            for (const auto c : day) small |= double(c) < double(p.cfg.publish_min_count);
        if (small) {
            hn.table.reset();
            hn.note = "Publication version: the table of the hours of the week is left out, as some of its "
                      "hours hold fewer than " + std::to_string(p.cfg.publish_min_count) + " incidents.";
        }
    }
    p.record.steps["hours"] = hn.to_json();
}

} // namespace hotspot::detail
