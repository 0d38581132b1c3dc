// The area rates step (steps/rates_step.hpp): the one implementation of a rates layer with its
// significance, LISA and Gi*, for `hotspot rates` and `hotspot run`.

#include "hotspot/steps/rates_step.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <sstream>

#include "hotspot/contiguity.hpp"
#include "hotspot/manifest.hpp"
#include "hotspot/error.hpp"
#include "hotspot/gistar.hpp"
#include "hotspot/steps/layer_schema.hpp"
#include "hotspot/styles.hpp"
#include "hotspot/vector_out.hpp"
#include "hotspot/version.hpp"
#include "hotspot/weights.hpp"
#include "util/text.hpp"

namespace hotspot {

namespace {

constexpr const char* unit = "rates";
using util::nan;

using util::num;

LayerSchema rates_schema(const std::string& per, bool comparing) {
    LayerSchema s{{{"code", FieldType::string},         {"name", FieldType::string},          {"status", FieldType::string},
                   {"incidents", FieldType::integer},   {"population", FieldType::real},      {"rate_per_" + per, FieldType::real},
                   {"ci95_lower", FieldType::real},     {"ci95_upper", FieldType::real},      {"ci998_lower", FieldType::real},
                   {"ci998_upper", FieldType::real},    {"reference_rate", FieldType::real},  {"expected", FieldType::real},
                   {"ratio", FieldType::real},          {"rate_class", FieldType::string},    {"class_level", FieldType::integer},
                   {"funnel95_lower", FieldType::real}, {"funnel95_upper", FieldType::real},  {"funnel998_lower", FieldType::real},
                   {"funnel998_upper", FieldType::real}, {"choynowski_p", FieldType::real},   {"eb_rate_per_" + per, FieldType::real},
                   {"neighbours", FieldType::integer},  {"lisa_i", FieldType::real},          {"lisa_z", FieldType::real},
                   {"lisa_p", FieldType::real},         {"lisa_p_perm", FieldType::real},     {"lisa_p_corrected", FieldType::real},
                   {"lisa_class", FieldType::string},   {"gi_z", FieldType::real},            {"gi_p", FieldType::real},
                   {"gi_p_corrected", FieldType::real}, {"gi_bin", FieldType::integer}}};
    if (comparing) {
        s.fields.push_back({"comparison_incidents", FieldType::integer});
        s.fields.push_back({"change", FieldType::integer});
    }
    return s;
}

// The area statistics stop permuting an area once this many permuted lags lie on each side of
// its own (Besag & Clifford 1991): the p-values that can pass the correction are those of the
// full R, and an area far from significance costs a few hundred draws instead of R (at 32,844
// LSOAs R = 99,999 took 96 s of each national profile's 120 s).
constexpr int rates_sequential_stop = 20;

std::string method_line(const RatesStepOptions& o) {
    std::ostringstream m;
    m << "rate per " << num(o.per) << " residents; " << (o.ci == CiMethod::exact ? "exact (Garwood)" : "Byar")
      << " Poisson 95% and 99.8% intervals; class vs reference rate (PHE: 'significantly' = 99.8% interval wholly "
         "above/below, else 95%); Spiegelhalter exact Poisson funnel limits; Choynowski p (one tail); "
         "Marshall global empirical Bayes rate (spdep EBest); local Moran's I of the rates (spdep localmoran, "
         "conditional randomisation, row-standardised queen contiguity, snap "
      << num(o.contiguity_snap_m) << " m"
      << (o.perm.permutations > 0 ? ", " + std::to_string(o.perm.permutations) + " conditional permutations, seed " + std::to_string(o.perm.seed) +
                                        ", an area stopping once " + std::to_string(rates_sequential_stop) +
                                        " permuted lags lie on each side of its own (Besag & Clifford 1991 sequential p = 2h/l)"
                             : std::string())
      << ", LISA class at corrected p < " << num(o.alpha) << "); Gi* of the rates on the same neighbours with self (binary); correction "
      << (o.perm.correction == PAdjust::fdr_bh ? "FDR (Benjamini-Hochberg)" : o.perm.correction == PAdjust::bonferroni ? "Bonferroni" : "none");
    return m.str();
}

std::string reference_source(const RatesStepOptions& o) {
    return o.reference_rate ? "given" : "study area (all valid areas together)";
}

} // namespace

void RatesStepOptions::validate() const {
    if (!(per > 0) || !std::isfinite(per) || per > 1e9)
        throw UsageError(unit, "--per must be > 0 residents (got " + num(per) + "), e.g. 1000");
    if (reference_rate && (!(*reference_rate >= 0) || !std::isfinite(*reference_rate)))
        throw UsageError(unit, "--reference-rate must be finite and >= 0 per " + num(per) + " (got " + num(*reference_rate) + ")");
    if (!(contiguity_snap_m >= 0) || !std::isfinite(contiguity_snap_m) || contiguity_snap_m > 1000)
        throw UsageError(unit, "--contiguity-snap must be between 0 and 1000 metres (got " + num(contiguity_snap_m) + ")");
    perm.validate(unit);
    if (!(alpha > 0 && alpha < 1)) throw UsageError(unit, "the LISA level must be in (0, 1) (got " + num(alpha) + ")");
}

RatesManifestNode RatesManifestNode::from_json(const nlohmann::ordered_json& node) {
    RatesManifestNode n;
    n.ci = json_value_or(node, "ci", std::string());
    n.classes = json_value_or(node, "classes", std::string());
    n.reference_rate_per_1000 = json_value_or(node, "reference_rate_per_1000", double(NAN));
    return n;
}

nlohmann::ordered_json RatesStepOptions::to_json() const {
    nlohmann::ordered_json j = {
        {"per", per},
        {"reference_rate", reference_rate ? nlohmann::ordered_json(*reference_rate) : nlohmann::ordered_json(nullptr)},
        {"ci", ci == CiMethod::exact ? "exact" : "byar"},
        {"contiguity_snap_m", contiguity_snap_m}};
    perm.add_to_json(j);
    j["lisa_alpha"] = alpha;
    j["lisa"] = lisa;
    return j;
}

int lisa_permutations_for_fdr(int asked, std::size_t areas, double q, PAdjust correction) {
    if (asked <= 0 || correction == PAdjust::none || areas == 0 || !(q > 0)) return asked;
    const double need = std::ceil(2.0 * double(areas) / q) - 1.0;  // 2/(R+1) <= q/m
    if (need <= double(asked)) return asked;
    return int(std::min(need, double(PermutationOptions::max_permutations)));
}

RatesStepResult run_rates_step(const RatesStepInput& in, const RatesStepOptions& o, const RatesStepOutput& out,
                               const Progress& progress) {
    o.validate();
    if (!in.layer || !in.counts || !out.writer) throw UsageError(unit, "no area layer, counts or writer given");
    const AreaLayer& layer = *in.layer;
    const std::vector<double>& counts = *in.counts;
    const std::size_t n = layer.size();
    const bool with_rates = in.population != nullptr && in.rates;
    const double scale = o.per / 1000.0;  // the core works per 1,000
    const std::string per_text = num(o.per);
    RatesStepResult r;
    r.layer = out.layer.empty() ? layer.name + "_rates" : out.layer;
    r.method = method_line(o);

    // ---- rates
    RatesResult& rr = r.rates;
    if (with_rates) {
        bool any_valid = false;
        for (double p : *in.population) any_valid = any_valid || p > 0;
        if (!any_valid)
            throw InputError(unit, in.population_source, "no area of layer '" + layer.name +
                                                             "' has a population > 0; check the population column");
        RateOptions ro;
        ro.ci = o.ci;
        if (o.reference_rate) ro.reference_per_1000 = *o.reference_rate / scale;
        rr = area_rates(counts, *in.population, ro);
        r.valid = rr.valid_areas;
        r.reference_rate = rr.reference_per_1000 * scale;
    }
    const auto has_rate = [&](std::size_t a) { return with_rates && rr.areas[a].status == RateStatus::ok; };

    // ---- neighbours among the areas with a value: an area without one cannot be a lag
    std::vector<std::vector<std::int32_t>> own_nb;
    if (!in.neighbours) own_nb = queen_neighbours(layer.polygons, ContiguityOptions{o.contiguity_snap_m});
    const auto& all_nb = in.neighbours ? *in.neighbours : own_nb;
    std::vector<std::int32_t> pos(n, -1);
    std::vector<std::size_t> valid;
    for (std::size_t a = 0; a < n; ++a)
        if (!with_rates || has_rate(a)) pos[a] = std::int32_t(valid.size()), valid.push_back(a);
    std::vector<std::vector<std::int32_t>> nb(valid.size()), nb_self(valid.size());
    std::vector<double> x(valid.size());
    for (std::size_t v = 0; v < valid.size(); ++v) {
        x[v] = with_rates ? rr.areas[valid[v]].rate_per_1000 * scale : counts[valid[v]];
        for (auto j : all_nb[valid[v]])
            if (pos[std::size_t(j)] >= 0) nb[v].push_back(pos[std::size_t(j)]);
        nb_self[v] = nb[v];
        nb_self[v].push_back(std::int32_t(v));
        if (nb[v].empty()) ++r.islands;
    }
    if (r.islands)
        r.warnings.push_back("rates: " + std::to_string(r.islands) + " areas of '" + layer.name +
                             "' have no queen neighbour within " + num(o.contiguity_snap_m) +
                             " m; their LISA and Gi* are left empty (raise --contiguity-snap if they should touch)");
    const bool spatial = o.lisa && valid.size() >= 3 && std::adjacent_find(x.begin(), x.end(), std::not_equal_to<>()) != x.end();
    if (!spatial && o.lisa)
        r.warnings.push_back("rates: layer '" + layer.name + "' has fewer than 3 areas with a value, or all values are equal; "
                             "no local Moran's I or Gi*");
    LocalMoranResult lm;
    GiStarResult gi;
    if (spatial) {
        SpatialWeights wq = weights_from_lists(nb);
        row_standardise(wq);
        PermutationOptions perm = o.perm;
        perm.permutations = lisa_permutations_for_fdr(o.perm.permutations, valid.size(), o.alpha, o.perm.correction);
        r.permutations_used = perm.permutations;
        perm.stop_after = rates_sequential_stop;  // Besag & Clifford: most areas stop in a few hundred draws
        LocalMoranOptions lo;
        perm.apply_to(lo);
        lo.alpha = o.alpha;
        lm = local_moran(x, wq, lo, progress);
        GiStarOptions go;
        perm.apply_to(go);
        gi = gistar(x, weights_from_lists(nb_self), go, progress);
        if (perm.permutations > 0 && perm.correction != PAdjust::none) {
            const double floor_p = 2.0 / double(perm.permutations + 1);
            if (floor_p * double(valid.size()) > o.alpha)
                r.warnings.push_back("rates: with " + std::to_string(perm.permutations) + " permutations (the most allowed) no LISA/Gi* p-value is below " +
                                     num(floor_p) + ", too coarse for " + std::string(to_string(perm.correction)) + " at q = " + num(o.alpha) +
                                     " over " + std::to_string(valid.size()) + " areas of '" + layer.name +
                                     "': a lone cluster cannot be flagged; use --permutations 0 (analytic p) for this layer");
        }
    }

    if (r.permutations_used != o.perm.permutations) {
        RatesStepOptions shown = o;
        shown.perm.permutations = r.permutations_used;
        r.method = method_line(shown) + " (permutations raised from " + std::to_string(o.perm.permutations) +
                   " so the smallest p, 2/(R+1), can pass the correction at rank 1 over " + std::to_string(valid.size()) +
                   " areas: R >= 2m/q - 1)";
    }

    // ---- the layer: every field set by name
    const LayerSchema s = rates_schema(per_text, in.comparison != nullptr);
    const auto F = [&s](std::string_view f) { return s.at(f); };
    VectorWriter& w = *out.writer;
    w.begin_layer(r.layer, GeomType::multipolygon, s.fields,
                  out.description + r.method +
                      (with_rates ? "; reference rate " + num(r.reference_rate) + " per " + per_text + " (" + reference_source(o) + ")"
                                  : std::string()));
    double best = -1;
    // publish mode (disclosure.hpp): hidden areas, and the pooled statistics withheld for all
    // while any area is hidden (each uses the layer's mean and variance of the hidden counts)
    const auto hidden = [&](std::size_t a) {
        return out.suppression ? (*out.suppression)[a] != Suppression::published : counts[a] < double(out.publish_min_count);
    };
    bool any_hidden = false;
    for (std::size_t a = 0; a < n; ++a) any_hidden = any_hidden || hidden(a);
    const bool pooled = !(out.publish_min_count > 0 && any_hidden);
    for (std::size_t a = 0; a < n; ++a) {
        const bool suppressed = hidden(a);
        const bool ok = has_rate(a) && !suppressed;
        const auto sc = [&](double v) { return ok ? v * scale : nan; };
        w.set_string(F("code"), layer.codes[a]);
        w.set_string(F("name"), layer.names[a]);
        w.set_string(F("status"), with_rates ? std::string(to_string(rr.areas[a].status)) : out.no_rate_status);
        if (!suppressed) w.set_integer(F("incidents"), std::int64_t(counts[a]));
        w.set_real(F("population"), in.population ? (*in.population)[a] : nan);
        if (with_rates) {
            const AreaRate& ar = rr.areas[a];
            const auto fl = [&](double v) { return has_rate(a) ? v * scale : nan; };
            w.set_real(F("rate_per_" + per_text), sc(ar.rate_per_1000));
            w.set_real(F("ci95_lower"), sc(ar.ci95_per_1000.lower));
            w.set_real(F("ci95_upper"), sc(ar.ci95_per_1000.upper));
            w.set_real(F("ci998_lower"), sc(ar.ci998_per_1000.lower));
            w.set_real(F("ci998_upper"), sc(ar.ci998_per_1000.upper));
            w.set_real(F("reference_rate"), r.reference_rate);
            w.set_real(F("expected"), ok ? ar.expected : nan);
            w.set_real(F("ratio"), ok && ar.expected > 0 ? ar.count / ar.expected : nan);
            w.set_string(F("rate_class"), suppressed ? "suppressed" : std::string(to_string(ar.rate_class)));
            if (ok) w.set_integer(F("class_level"), int(ar.rate_class));
            w.set_real(F("funnel95_lower"), fl(ar.funnel95_per_1000.lower));
            w.set_real(F("funnel95_upper"), fl(ar.funnel95_per_1000.upper));
            w.set_real(F("funnel998_lower"), fl(ar.funnel998_per_1000.lower));
            w.set_real(F("funnel998_upper"), fl(ar.funnel998_per_1000.upper));
            w.set_real(F("choynowski_p"), ok ? ar.choynowski_p : nan);
            w.set_real(F("eb_rate_per_" + per_text), pooled ? sc(ar.eb_rate_per_1000) : nan);
            if (ok) {
                ++r.classes[int(ar.rate_class) + 2];
                if (ar.rate_per_1000 > best)
                    best = ar.rate_per_1000, r.top_area = layer.codes[a] + " " + layer.names[a],
                    r.top_rate = ar.rate_per_1000 * scale, r.top_class = std::string(to_string(ar.rate_class));
            } else if (!suppressed) {
                ++r.not_computed;
            }
        } else {
            w.set_string(F("rate_class"), suppressed ? "suppressed" : "not computed");
        }
        const std::int32_t v = pos[a];
        w.set_integer(F("neighbours"), v >= 0 ? std::int64_t(nb[std::size_t(v)].size()) : std::int64_t(all_nb[a].size()));
        const bool has = pooled && spatial && v >= 0 && !nb[std::size_t(v)].empty();
        const auto vi = std::size_t(std::max(v, 0));
        w.set_real(F("lisa_i"), has ? lm.ii[vi] : nan);
        w.set_real(F("lisa_z"), has ? lm.z[vi] : nan);
        w.set_real(F("lisa_p"), has ? lm.p[vi] : nan);
        w.set_real(F("lisa_p_perm"), has && !lm.p_sim.empty() ? lm.p_sim[vi] : nan);
        w.set_real(F("lisa_p_corrected"), has ? lm.p_adjusted[vi] : nan);
        const LisaClass lc = has ? lm.cluster[vi] : LisaClass::not_significant;
        w.set_string(F("lisa_class"), has ? std::string(to_string(lc)) : std::string(pooled ? "not computed" : "withheld"));
        w.set_real(F("gi_z"), has ? gi.z[vi] : nan);
        w.set_real(F("gi_p"), has ? (gi.p_sim.empty() ? gi.p[vi] : gi.p_sim[vi]) : nan);
        w.set_real(F("gi_p_corrected"), has ? gi.p_adjusted[vi] : nan);
        if (has) w.set_integer(F("gi_bin"), gi.bin[vi]);
        if (has) {
            ++r.lisa[int(lc)];
            if (gi.bin[vi] > 0) ++r.gi_hot;
            if (gi.bin[vi] < 0) ++r.gi_cold;
        }
        if (in.comparison) {
            // In publish mode a small comparison count is suppressed too, and with it the change.
            const double c = (*in.comparison)[a];
            const bool small_cmp = out.comparison_suppression ? (*out.comparison_suppression)[a] != Suppression::published
                                                              : c < double(out.publish_min_count);
            if (!small_cmp) w.set_integer(F("comparison_incidents"), std::int64_t(c));
            if (!suppressed && !small_cmp) w.set_integer(F("change"), std::int64_t(counts[a]) - std::int64_t(c));
        }
        w.set_multipolygon(layer.polygons[a]);
        w.write_feature();
    }
    const std::string title = out.style_title.empty() ? r.layer : out.style_title;
    w.add_style(r.layer, std::string(style_qml(with_rates ? "rates_class" : "boundaries")),
                "Rate class against the reference rate (95% / 99.8%); hotspot " + std::string(hotspot::version),
                title + " rate class", true);
    w.add_style(r.layer, std::string(style_qml("lisa")),
                "Local Moran's I clusters (HH/LL/HL/LH); hotspot " + std::string(hotspot::version), title + " LISA clusters",
                false);

    std::int64_t statuses[5] = {};
    if (with_rates)
        for (const auto& ar : rr.areas) ++statuses[int(ar.status)];
    r.manifest = {{"layer", r.layer},
                  {"options", o.to_json()},
                  {"permutations_used", r.permutations_used},
                  {"areas", n},
                  {"valid_areas", r.valid},
                  {"population_source", in.population_source},
                  {"reference_rate", r.reference_rate},
                  {"reference_source", reference_source(o)},
                  {"islands", r.islands}};
    for (int k = 0; k < 5; ++k) r.manifest["status"][std::string(to_string(RateStatus(k)))] = statuses[k];
    for (int k = -2; k <= 2; ++k) r.manifest["classes"][std::string(to_string(RateClass(k)))] = r.classes[k + 2];
    for (int k = 0; k < 5; ++k) r.manifest["lisa"][std::string(to_string(LisaClass(k)))] = r.lisa[k];
    r.manifest["gi_hot_areas"] = r.gi_hot;
    r.manifest["gi_cold_areas"] = r.gi_cold;
    for (int k = 1; k <= 4; ++k)
        if (statuses[k])
            r.warnings.push_back("rates: " + std::to_string(statuses[k]) + " areas of '" + layer.name + "' have " +
                                 std::string(to_string(RateStatus(k))) + "; they get status '" +
                                 std::string(to_string(RateStatus(k))) + "' and no rate");
    return r;
}

} // namespace hotspot
