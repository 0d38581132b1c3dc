// A profile's area rates: the rates step per area level, with the options the config and the
// profile give, and the summary table of the run.

#include <algorithm>

#include "hotspot/run_names.hpp"
#include "hotspot/steps/rates_step.hpp"
#include "hotspot/styles.hpp"
#include "run/profile_disclosure.hpp"
#include "run/run_context.hpp"
#include "run/timed.hpp"

namespace hotspot::detail {

namespace {

RatesStepOptions rates_options(const ProfileRun& p) {
    const RunAnalysis& a = p.cfg.analysis;
    RatesStepOptions o;
    o.ci = a.ci == "byar" ? CiMethod::byar : CiMethod::exact;
    o.reference_rate = a.reference_rate_per_1000;
    if (a.permutations) o.perm.permutations = a.permutations;
    o.perm.seed = a.seed;
    o.alpha = p.profile.analysis.fdr_q;  // the profile's FDR level for the LISA classes
    o.lisa = p.wants("lisa");
    o.perm.threads = p.threads;
    return o;
}

// The level's lines of the run summary, by rate (or count without one).
std::vector<AreaSummary> summary_table(const ProfileRun& p, const AreaLevel& lv, const std::vector<double>& counts,
                                       const std::vector<double>& ccounts, const RatesStepResult& r, bool with_rates,
                                       const std::vector<Suppression>* hidden, const std::vector<Suppression>* chidden) {
    std::vector<AreaSummary> table;
    for (std::size_t a = 0; a < lv.layer.size(); ++a) {
        AreaSummary s;
        s.code = lv.layer.codes[a];
        s.name = lv.layer.names[a];
        s.count = std::uint64_t(counts[a]);
        s.population = lv.population[a];
        s.suppressed = p.cfg.publish && (hidden ? (*hidden)[a] != Suppression::published : counts[a] < p.cfg.publish_min_count);
        // publish mode: nothing derived from a hidden count reaches the summary (disclosure.hpp)
        const bool chg_hidden = p.cfg.publish && chidden && (*chidden)[a] != Suppression::published;
        s.change = p.comparing && !s.suppressed && !chg_hidden ? std::int64_t(counts[a]) - std::int64_t(ccounts[a]) : 0;
        if (s.suppressed) s.count = 0;
        if (with_rates && !s.suppressed) {
            const AreaRate& ar = r.rates.areas[a];
            s.rate_per_1000 = ar.rate_per_1000;
            s.ci_lower = ar.ci95_per_1000.lower;
            s.ci_upper = ar.ci95_per_1000.upper;
            s.rate_class = std::string(to_string(ar.rate_class));
        }
        table.push_back(s);
    }
    std::sort(table.begin(), table.end(), [&](const AreaSummary& a, const AreaSummary& b) {
        if (a.suppressed != b.suppressed) return b.suppressed;  // hidden areas last, by code: no rank leaks their rate
        if (a.suppressed) return a.code < b.code;
        const double ka = with_rates ? a.rate_per_1000 : double(a.count), kb = with_rates ? b.rate_per_1000 : double(b.count);
        if (ka != kb) return ka > kb;
        return a.code < b.code;
    });
    return table;
}

} // namespace

void run_profile_rates(ProfileRun& p) {
    const RatesStepOptions o = rates_options(p);
    const bool rates_wanted = p.profile.denominator == Denominator::population;
    nlohmann::ordered_json levels = nlohmann::ordered_json::array();
    const std::size_t L = p.areas.levels.size();
    std::vector<std::vector<double>> all_counts(L), all_ccounts(L);
    for (std::size_t l = 0; l < L; ++l) {
        const auto& lv = p.areas.levels[l];
        all_counts[l].assign(lv.layer.size(), 0.0), all_ccounts[l].assign(lv.layer.size(), 0.0);
        for (auto r : p.sel.rows)
            if (const std::int32_t a = lv.placed->area[r]; a >= 0) all_counts[l][std::size_t(a)] += 1;
        for (auto r : p.cmp.rows)
            if (const std::int32_t a = lv.placed->area[r]; a >= 0) all_ccounts[l][std::size_t(a)] += 1;
    }
    // publish mode: primary and secondary suppression over the levels, self-checked (exit 4)
    AreaDisclosure dis;
    if (p.cfg.publish) dis = suppress_profile_areas(p, all_counts, all_ccounts), p.record.steps["disclosure"] = dis.audit;
    for (std::size_t l = 0; l < L; ++l) {
        auto& lv = p.areas.levels[l];
        const std::vector<double>& counts = all_counts[l];
        const std::vector<double>& ccounts = all_ccounts[l];
        const std::vector<Suppression>* hidden = p.cfg.publish ? &dis.period[l] : nullptr;
        const std::vector<Suppression>* chidden = p.cfg.publish && p.comparing ? &dis.comparison[l] : nullptr;
        const bool with_rates = rates_wanted && lv.has_population;
        if (rates_wanted && !lv.has_population)  // never silent: the profile asked for rates
            p.po.warnings.push_back(
                "run: profile " + p.profile.name + " wants rates per 1,000 residents, but area level '" + lv.layer.name +
                "' has no population, so its " + lv.layer.name + "s get counts only (no rates, no significance); add --population " +
                lv.layer.name + "=CSV (code,population), or population = \"CSV\" (or population_field) under the [[areas]] "
                "entry named \"" + lv.layer.name + "\" in the config");
        RatesStepInput in;
        in.layer = &lv.layer;
        in.counts = &counts;
        if (lv.has_population) in.population = &lv.population;
        in.rates = with_rates;
        in.population_source = lv.config.population_path.empty() ? lv.config.population_field : lv.config.population_path;
        if (p.comparing) in.comparison = &ccounts;
        in.neighbours = &lv.neighbours;
        RatesStepOutput out;
        out.writer = &p.gpkg;
        out.layer = run_output_name(p.profile.name, RunOutputKind::rates, lv.layer.name);
        out.description = p.profile.title + " " + lv.layer.name + " rates: ";
        out.style_title = p.profile.title + " " + lv.layer.name;
        out.no_rate_status = rates_wanted ? "no population" : "no denominator for this profile";
        out.publish_min_count = p.cfg.publish ? std::uint64_t(p.cfg.publish_min_count) : 0;
        out.suppression = hidden;
        out.comparison_suppression = chidden;
        const RatesStepResult r = timed(p.analyse_s, [&] { return run_rates_step(in, o, out); });
        for (const auto& w : r.warnings) p.po.warnings.push_back(w);
        if (with_rates && p.po.reference_rate_per_1000 == 0) p.po.reference_rate_per_1000 = r.reference_rate;
        if (with_rates) p.po.ci_method = o.ci == CiMethod::byar ? "Byar's approximation" : "exact Poisson (Garwood)";
        p.wrote(RunOutputKind::rates, out.layer, true, lv.layer.name);
        const char* style = with_rates ? "rates_class" : "boundaries";
        p.group.layers.push_back({p.profile.title + ": " + lv.layer.name + " rates", ProfileRun::gpkg_source(out.layer),
                                  false, "Polygon", std::string(style_qml(style)),
                                  lv.layer.name == p.areas.levels.front().layer.name});
        p.po.areas.emplace_back(lv.layer.name, summary_table(p, lv, counts, ccounts, r, with_rates, hidden, chidden));
        levels.push_back(r.manifest);
    }
    // the step's nodes per level, and the keys the report reads (report.cpp)
    auto& n = p.record.steps["rates"];
    n = {{"ci", p.po.ci_method}, {"reference_rate_per_1000", p.po.reference_rate_per_1000},
         {"classes", "significantly above/below: the 99.8% CI excludes the reference rate; "
                     "above/below: the 95% CI does; similar otherwise"},
         {"lisa", "local Moran's I on rates, queen contiguity (1 m snap), row-standardised among the areas with a rate, "
                  "conditional permutations (raised per level to 2m/q - 1 so a lone cluster can pass FDR: levels[].permutations_used), "
                  "FDR (spdep localmoran convention)"},
         {"lisa_permutations", o.perm.permutations}, {"lisa_alpha", o.alpha}, {"seed", o.perm.seed}, {"levels", levels}};
}

} // namespace hotspot::detail
