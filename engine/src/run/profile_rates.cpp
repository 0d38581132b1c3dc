// A profile's area rates with significance and local Moran's I, one layer per area level.

#include <algorithm>
#include <limits>

#include "hotspot/error.hpp"
#include "hotspot/lisa.hpp"
#include "hotspot/rates.hpp"
#include "hotspot/rates_job.hpp"
#include "hotspot/run_names.hpp"
#include "hotspot/styles.hpp"
#include "run/run_context.hpp"
#include "run/timed.hpp"

namespace hotspot::detail {

void run_profile_rates(ProfileRun& p) {
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    const bool rates_wanted = p.profile.denominator == Denominator::population;
    for (auto& lv : p.areas.levels) {
        const std::size_t n = lv.layer.size();
        std::vector<double> counts(n, 0.0), ccounts(n, 0.0);
        for (auto r : p.sel.rows)
            if (const std::int32_t a = lv.placed->area[r]; a >= 0) counts[std::size_t(a)] += 1;
        for (auto r : p.cmp.rows)
            if (const std::int32_t a = lv.placed->area[r]; a >= 0) ccounts[std::size_t(a)] += 1;
        const bool with_rates = rates_wanted && lv.has_population;
        RateOptions rop;
        rop.ci = p.cfg.analysis.ci == "byar" ? CiMethod::byar : CiMethod::exact;
        rop.reference_per_1000 = p.cfg.analysis.reference_rate_per_1000;
        RatesResult rates;
        if (with_rates) {
            rates = timed(p.analyse_s, [&] { return area_rates(counts, lv.population, rop); });
            if (p.po.reference_rate_per_1000 == 0) p.po.reference_rate_per_1000 = rates.reference_per_1000;
            p.po.ci_method = p.cfg.analysis.ci == "byar" ? "Byar's approximation" : "exact Poisson (Garwood)";
        }
        // LISA on the rates (or on counts when there is no denominator), where defined
        std::vector<double> lisa_x(n);
        bool lisa_ok = n >= 3 && p.wants("lisa");
        for (std::size_t a = 0; a < n; ++a) {
            lisa_x[a] = with_rates ? rates.areas[a].rate_per_1000 : counts[a];
            if (with_rates && rates.areas[a].status != RateStatus::ok) lisa_ok = false;
        }
        LocalMoranResult lisa;
        if (lisa_ok) {
            LocalMoranOptions lo;
            // One default with `hotspot rates` (rates_job.hpp argues for 9999: the smallest
            // permutation p is 2/(R+1), and 0.002 cannot survive FDR over hundreds of areas).
            lo.permutations = p.cfg.analysis.permutations ? p.cfg.analysis.permutations : RatesJobOptions{}.permutations;
            lo.seed = p.cfg.analysis.seed;
            lo.threads = p.threads;
            lo.alpha = p.profile.analysis.fdr_q;  // the profile's FDR level for the cluster classes
            try {
                lisa = timed(p.analyse_s, [&] { return local_moran(lisa_x, lv.queen, lo); });
            } catch (const UsageError& e) {
                p.po.warnings.push_back(std::string("lisa: ") + lv.layer.name + ": " + e.what());
                lisa_ok = false;
            }
        } else if (with_rates && p.wants("lisa")) {
            p.po.warnings.push_back("lisa: " + lv.layer.name + ": some areas have no rate, so local Moran's I is not computed");
        }
        const std::string rl = run_output_name(p.profile.name, RunOutputKind::rates, lv.layer.name);
        // Field names shared with `hotspot rates` (rates_job.cpp): incidents, rate_per_1000,
        // eb_rate_per_1000, lisa_p (raw), lisa_p_perm, lisa_p_corrected (README changelog).
        const std::vector<FieldDef> defs = {
            {"code", FieldType::string}, {"name", FieldType::string}, {"incidents", FieldType::integer},
            {"population", FieldType::real}, {"rate_per_1000", FieldType::real},
            {"ci95_lower", FieldType::real}, {"ci95_upper", FieldType::real},
            {"ci998_lower", FieldType::real}, {"ci998_upper", FieldType::real},
            {"reference_rate", FieldType::real}, {"rate_class", FieldType::string},
            {"funnel95_lower", FieldType::real}, {"funnel95_upper", FieldType::real},
            {"funnel998_lower", FieldType::real}, {"funnel998_upper", FieldType::real},
            {"choynowski_p", FieldType::real}, {"eb_rate_per_1000", FieldType::real},
            {"lisa_i", FieldType::real}, {"lisa_z", FieldType::real}, {"lisa_p", FieldType::real},
            {"lisa_p_perm", FieldType::real}, {"lisa_p_corrected", FieldType::real},
            {"lisa_class", FieldType::string}, {"comparison_incidents", FieldType::integer},
            {"change", FieldType::integer}, {"status", FieldType::string}};
        // Fields are set by name, never by position.
        const auto F = [&defs](std::string_view field) {
            for (std::size_t i = 0; i < defs.size(); ++i)
                if (defs[i].name == field) return int(i);
            throw std::logic_error("run: no field " + std::string(field));
        };
        p.gpkg.begin_layer(rl, GeomType::multipolygon, defs);
        std::vector<AreaSummary> table;
        for (std::size_t a = 0; a < n; ++a) {
            AreaSummary s;
            s.code = lv.layer.codes[a];
            s.name = lv.layer.names[a];
            s.count = std::uint64_t(counts[a]);
            s.population = lv.population[a];
            s.change = p.comparing ? std::int64_t(counts[a]) - std::int64_t(ccounts[a]) : 0;
            s.suppressed = p.cfg.publish && counts[a] < p.cfg.publish_min_count;
            p.gpkg.set_string(F("code"), s.code);
            p.gpkg.set_string(F("name"), s.name);
            if (!s.suppressed) p.gpkg.set_integer(F("incidents"), std::int64_t(counts[a]));
            p.gpkg.set_real(F("population"), lv.population[a]);
            if (with_rates) {
                const AreaRate& ar = rates.areas[a];
                s.rate_per_1000 = ar.rate_per_1000;
                s.ci_lower = ar.ci95_per_1000.lower;
                s.ci_upper = ar.ci95_per_1000.upper;
                s.rate_class = std::string(to_string(ar.rate_class));
                const bool ok = ar.status == RateStatus::ok && !s.suppressed;
                p.gpkg.set_real(F("rate_per_1000"), ok ? ar.rate_per_1000 : nan);
                p.gpkg.set_real(F("ci95_lower"), ok ? ar.ci95_per_1000.lower : nan);
                p.gpkg.set_real(F("ci95_upper"), ok ? ar.ci95_per_1000.upper : nan);
                p.gpkg.set_real(F("ci998_lower"), ok ? ar.ci998_per_1000.lower : nan);
                p.gpkg.set_real(F("ci998_upper"), ok ? ar.ci998_per_1000.upper : nan);
                p.gpkg.set_real(F("reference_rate"), rates.reference_per_1000);
                p.gpkg.set_string(F("rate_class"), s.suppressed ? "suppressed" : s.rate_class);
                p.gpkg.set_real(F("funnel95_lower"), ar.funnel95_per_1000.lower);
                p.gpkg.set_real(F("funnel95_upper"), ar.funnel95_per_1000.upper);
                p.gpkg.set_real(F("funnel998_lower"), ar.funnel998_per_1000.lower);
                p.gpkg.set_real(F("funnel998_upper"), ar.funnel998_per_1000.upper);
                p.gpkg.set_real(F("choynowski_p"), ok ? ar.choynowski_p : nan);
                p.gpkg.set_real(F("eb_rate_per_1000"), ok ? ar.eb_rate_per_1000 : nan);
                p.gpkg.set_string(F("status"), std::string(to_string(ar.status)));
            } else {
                p.gpkg.set_string(F("rate_class"), "not computed");
                p.gpkg.set_string(F("status"), rates_wanted ? "no population" : "no denominator for this profile");
            }
            if (lisa_ok) {
                p.gpkg.set_real(F("lisa_i"), lisa.ii[a]);
                p.gpkg.set_real(F("lisa_z"), lisa.z[a]);
                p.gpkg.set_real(F("lisa_p"), lisa.p[a]);
                if (!lisa.p_sim.empty()) p.gpkg.set_real(F("lisa_p_perm"), lisa.p_sim[a]);
                p.gpkg.set_real(F("lisa_p_corrected"), lisa.p_adjusted.empty() ? lisa.p[a] : lisa.p_adjusted[a]);
                p.gpkg.set_string(F("lisa_class"), std::string(to_string(lisa.cluster[a])));
            }
            // In publish mode a small comparison count is suppressed too, and with it the change.
            const bool small_cmp = p.cfg.publish && ccounts[a] < p.cfg.publish_min_count;
            if (p.comparing && !small_cmp) p.gpkg.set_integer(F("comparison_incidents"), std::int64_t(ccounts[a]));
            if (p.comparing && !s.suppressed && !small_cmp) p.gpkg.set_integer(F("change"), s.change);
            p.gpkg.set_multipolygon(lv.layer.polygons[a]);
            p.gpkg.write_feature();
            table.push_back(s);
        }
        p.gpkg.add_style(rl, std::string(style_qml(with_rates ? "rates_class" : "boundaries")),
                       p.profile.title + " " + lv.layer.name + " rates");
        if (lisa_ok) {
            // a second, non-default style: the LISA clusters
            p.gpkg.add_style(rl, std::string(style_qml("lisa")), p.profile.title + " " + lv.layer.name + " local Moran's I",
                           rl + " (LISA clusters)", false);
        }
        p.wrote(RunOutputKind::rates, rl, true, lv.layer.name);
        p.group.layers.push_back({p.profile.title + ": " + lv.layer.name + " rates", ProfileRun::gpkg_source(rl),
                                false, "Polygon", std::string(style_qml(with_rates ? "rates_class" : "boundaries")),
                                lv.layer.name == p.areas.levels.front().layer.name});
        std::sort(table.begin(), table.end(), [&](const AreaSummary& a, const AreaSummary& b) {
            const double ka = with_rates ? a.rate_per_1000 : double(a.count), kb = with_rates ? b.rate_per_1000 : double(b.count);
            if (ka != kb) return ka > kb;
            return a.code < b.code;
        });
        p.po.areas.emplace_back(lv.layer.name, std::move(table));
    }
    const auto& a = p.cfg.analysis;
    p.record.steps["rates"] = {{"ci", p.po.ci_method}, {"reference_rate_per_1000", p.po.reference_rate_per_1000},
                       {"classes", "significantly above/below: the 99.8% CI excludes the reference rate; "
                                   "above/below: the 95% CI does; similar otherwise"},
                       {"lisa", "local Moran's I on rates, queen contiguity (1 m snap), row-standardised, "
                                "conditional permutations, FDR (spdep localmoran convention)"},
                       {"lisa_permutations", a.permutations ? a.permutations : RatesJobOptions{}.permutations},
                       {"lisa_alpha", p.profile.analysis.fdr_q}, {"seed", a.seed}};
}

} // namespace hotspot::detail
