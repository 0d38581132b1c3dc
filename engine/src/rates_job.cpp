#include "hotspot/rates_job.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <unordered_map>

#include <gdal.h>
#include <ogr_api.h>

#include "gdal_env.hpp"
#include "hotspot/contiguity.hpp"
#include "hotspot/csv.hpp"
#include "hotspot/error.hpp"
#include "hotspot/geocode.hpp"
#include "hotspot/gistar.hpp"
#include "hotspot/lisa.hpp"
#include "hotspot/manifest.hpp"
#include "hotspot/output_safety.hpp"
#include "hotspot/vector_out.hpp"
#include "hotspot/version.hpp"
#include "hotspot/weights.hpp"
#include "hotspot/styles.hpp"
#include "util/text.hpp"

namespace fs = std::filesystem;

namespace hotspot {

namespace {

constexpr const char* unit = "rates";
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

using util::lower;

using util::num;

using util::seconds_since;

} // namespace

void RatesJobOptions::validate() const {
    if (read.paths.empty()) throw UsageError(unit, "no incidents given; use --incidents FILE");
    if (areas.empty()) throw UsageError(unit, "no area layer given; use --areas NAME=PATH[:CODE_FIELD[:NAME_FIELD]]");
    if (populations.empty() && population_field.empty())
        throw UsageError(unit, "no population given; use --population FILE.csv[:CODE_COLUMN:POPULATION_COLUMN] "
                               "or --population-field FIELD");
    if (populations.size() > areas.size())
        throw UsageError(unit, std::to_string(populations.size()) + " --population files for " +
                                   std::to_string(areas.size()) + " --areas layers; give one per layer");
    for (const auto& p : populations)
        if (!p.area.empty() && std::none_of(areas.begin(), areas.end(), [&](const AreaSpec& a) { return lower(a.name) == lower(p.area); }))
            throw UsageError(unit, "--population " + p.area + "=... names no --areas layer");
    for (std::size_t i = 0; i < areas.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (lower(areas[i].name) == lower(areas[j].name))
                throw UsageError(unit, "two area layers are named '" + areas[i].name + "'; give each a different NAME");
    if (!(per > 0) || !std::isfinite(per) || per > 1e9)
        throw UsageError(unit, "--per must be > 0 residents (got " + num(per) + "), e.g. 1000");
    if (reference_rate && (!(*reference_rate >= 0) || !std::isfinite(*reference_rate)))
        throw UsageError(unit, "--reference-rate must be finite and >= 0 per " + num(per) + " (got " + num(*reference_rate) + ")");
    if (!(snap_m >= 0) || !std::isfinite(snap_m) || snap_m > 10000)
        throw UsageError(unit, "--snap must be between 0 and 10000 metres (got " + num(snap_m) + ")");
    if (!(contiguity_snap_m >= 0) || !std::isfinite(contiguity_snap_m) || contiguity_snap_m > 1000)
        throw UsageError(unit, "--contiguity-snap must be between 0 and 1000 metres (got " + num(contiguity_snap_m) + ")");
    if (permutations < 0 || permutations > 99999)
        throw UsageError(unit, "--permutations must be between 0 and 99999 (got " + std::to_string(permutations) + ")");
    if (out.empty()) throw UsageError(unit, "no output given; use --out FILE.gpkg");
}

RatesJobResult run_rates_job(const RatesJobOptions& o, const Progress& progress) {
    o.validate();
    const auto t0 = std::chrono::steady_clock::now();
    const std::string manifest_path =
        !o.manifest_path.empty() ? o.manifest_path : (fs::path(o.out).parent_path() / "manifest.json").string();
    // Refuse existing outputs, outputs that are inputs and unknown formats before any work.
    check_vector_output(o.out, o.areas.size(), unit);
    std::vector<std::string> inputs = incident_files(o.read.paths);
    for (const auto& a : o.areas) inputs.push_back(source_file(a.path));
    for (const auto& p : o.populations) inputs.push_back(p.path);
    check_outputs({o.out, manifest_path}, inputs, o.overwrite, unit);

    Manifest manifest("rates", o.command_line);
    RatesJobResult r;
    r.per = o.per;
    const double scale = o.per / 1000.0;  // the core works per 1,000

    // ---- areas and their populations, before the (slow) incident read, so a bad join fails fast
    auto t = std::chrono::steady_clock::now();
    std::vector<AreaLayer> layers;
    std::vector<std::vector<double>> pops;
    std::vector<std::string> pop_sources;
    std::vector<const PopulationSpec*> spec_of(o.areas.size(), nullptr);
    for (const auto& p : o.populations)
        if (!p.area.empty())
            for (std::size_t i = 0; i < o.areas.size(); ++i)
                if (lower(o.areas[i].name) == lower(p.area)) spec_of[i] = &p;
    {
        std::size_t next = 0;
        for (const auto& p : o.populations) {
            if (!p.area.empty()) continue;
            while (next < o.areas.size() && spec_of[next]) ++next;
            if (next < o.areas.size()) spec_of[next++] = &p;
        }
    }
    for (std::size_t i = 0; i < o.areas.size(); ++i) {
        layers.push_back(read_area_layer(o.areas[i], o.read.working_crs));
        const AreaLayer& layer = layers.back();
        for (auto& w : layer.warnings) r.warnings.push_back(w);
        if (!spec_of[i] && o.population_field.empty())
            throw UsageError(unit, "no population for area layer '" + layer.name + "'; give --population " + layer.name +
                                       "=FILE.csv or --population-field FIELD");
        const PopulationTable table = spec_of[i] ? read_population_csv(*spec_of[i], layer.code_field)
                                                 : read_population_field(layer, o.population_field);
        pop_sources.push_back(table.path + " (" + table.code_col + ", " + table.pop_col + ")");
        std::vector<double> pop = join_population(layer, table, &r.warnings);
        pops.push_back(std::move(pop));
    }
    manifest.add_timing("read_areas", seconds_since(t));

    t = std::chrono::steady_clock::now();
    ReadOptions read_options = o.read;
    const ReadResult read = read_incidents(read_options, progress);
    manifest.add_timing("read", seconds_since(t));
    const IncidentTable& inc = read.incidents;
    r.rows_in = read.rows_in;
    r.kept = inc.size();
    r.rejected = read.rejects.size();
    for (const auto& w : read.warnings) r.warnings.push_back(w);

    {
        std::ostringstream m;
        m << "rate per " << num(o.per) << " residents; " << (o.ci == CiMethod::exact ? "exact (Garwood)" : "Byar")
          << " Poisson 95% and 99.8% intervals; class vs reference rate (PHE: 'significantly' = 99.8% interval wholly "
             "above/below, else 95%); Spiegelhalter exact Poisson funnel limits; Choynowski p (one tail); "
             "Marshall global empirical Bayes rate (spdep EBest); local Moran's I of the rates (spdep localmoran, "
             "conditional randomisation, row-standardised queen contiguity, snap "
          << num(o.contiguity_snap_m) << " m"
          << (o.permutations > 0 ? ", " + std::to_string(o.permutations) + " conditional permutations, seed " + std::to_string(o.seed)
                                 : std::string())
          << ", LISA class at corrected p < 0.05); Gi* of the rates on the same neighbours with self (binary); correction "
          << (o.correction == PAdjust::fdr_bh ? "FDR (Benjamini-Hochberg)" : o.correction == PAdjust::bonferroni ? "Bonferroni" : "none");
        r.method = m.str();
    }

    t = std::chrono::steady_clock::now();
    VectorWriter w(o.out, o.read.working_crs, o.overwrite);
    nlohmann::ordered_json layers_json = nlohmann::ordered_json::array();
    const std::string per_text = num(o.per);
    for (std::size_t l = 0; l < layers.size(); ++l) {
        const AreaLayer& layer = layers[l];
        RatesLayerSummary sum;
        sum.name = layer.name;
        sum.areas = layer.size();

        const AreaIndex index(layer.polygons);
        const GeocodeResult g = geocode(index, inc.x, inc.y, o.snap_m, o.threads, progress);
        if (auto line = report_outside(unit, "the areas", layer.name, layer.path, inc.size(), g.outside); !line.empty())
            r.warnings.push_back(line);
        refuse_overlapping_areas(unit, layer, index, inc.x, inc.y, g);
        for (auto& line : check_population(layer, pops[l], g.counts)) r.warnings.push_back(line);
        std::vector<double> counts(layer.size());
        for (std::size_t a = 0; a < layer.size(); ++a) {
            counts[a] = double(g.counts[a]);
            sum.incidents += g.counts[a];
        }
        RateOptions ro;
        ro.ci = o.ci;
        if (o.reference_rate) ro.reference_per_1000 = *o.reference_rate / scale;
        bool any_valid = false;
        for (double p : pops[l]) any_valid = any_valid || p > 0;
        if (!any_valid)
            throw InputError(unit, pop_sources[l], "no area of layer '" + layer.name + "' has a population > 0; check the population column");
        const RatesResult rr = area_rates(counts, pops[l], ro);
        sum.valid = rr.valid_areas;
        sum.reference_rate = rr.reference_per_1000 * scale;
        sum.reference_source = o.reference_rate ? "given" : "study area (all valid areas together)";

        // Neighbours among the valid areas only: an area without a rate cannot be a neighbour's lag.
        const auto all_nb = queen_neighbours(layer.polygons, ContiguityOptions{o.contiguity_snap_m});
        std::vector<std::int32_t> pos(layer.size(), -1);
        std::vector<std::size_t> valid;
        for (std::size_t a = 0; a < layer.size(); ++a)
            if (rr.areas[a].status == RateStatus::ok) pos[a] = std::int32_t(valid.size()), valid.push_back(a);
        std::vector<std::vector<std::int32_t>> nb(valid.size()), nb_self(valid.size());
        std::vector<double> x(valid.size());
        for (std::size_t v = 0; v < valid.size(); ++v) {
            x[v] = rr.areas[valid[v]].rate_per_1000 * scale;
            for (auto j : all_nb[valid[v]])
                if (pos[std::size_t(j)] >= 0) nb[v].push_back(pos[std::size_t(j)]);
            nb_self[v] = nb[v];
            nb_self[v].push_back(std::int32_t(v));
            if (nb[v].empty()) ++sum.islands;
        }
        if (sum.islands)
            r.warnings.push_back("rates: " + std::to_string(sum.islands) + " areas of '" + layer.name +
                                 "' have no queen neighbour within " + num(o.contiguity_snap_m) +
                                 " m; their LISA and Gi* are left empty (raise --contiguity-snap if they should touch)");
        bool spatial = valid.size() >= 3 && std::adjacent_find(x.begin(), x.end(), std::not_equal_to<>()) != x.end();
        if (!spatial)
            r.warnings.push_back("rates: layer '" + layer.name + "' has fewer than 3 areas with a rate, or all rates are equal; "
                                 "no local Moran's I or Gi*");
        LocalMoranResult lm;
        GiStarResult gi;
        if (spatial) {
            SpatialWeights wq = weights_from_lists(nb);
            row_standardise(wq);
            LocalMoranOptions lo;
            lo.p_adjust = o.correction;
            lo.permutations = o.permutations;
            lo.seed = o.seed;
            lo.threads = o.threads;
            lm = local_moran(x, wq, lo, progress);
            GiStarOptions go;
            go.p_adjust = o.correction;
            go.permutations = o.permutations;
            go.seed = o.seed;
            go.threads = o.threads;
            gi = gistar(x, weights_from_lists(nb_self), go, progress);
        }

        if (spatial && o.permutations > 0 && o.correction != PAdjust::none) {
            const double floor_p = 2.0 / double(o.permutations + 1);
            if (floor_p * double(valid.size()) > 0.05)
                r.warnings.push_back("rates: with " + std::to_string(o.permutations) + " permutations no LISA/Gi* p-value is below " +
                                     num(floor_p) + ", too coarse for " + std::string(to_string(o.correction)) + " over " +
                                     std::to_string(valid.size()) + " areas of '" + layer.name +
                                     "'; raise --permutations (areas are cheap: 99999 takes seconds)");
        }

        // ---- the layer
        const std::string rate_f = "rate_per_" + per_text;
        std::vector<FieldDef> defs = {
            {"code", FieldType::string},         {"name", FieldType::string},          {"status", FieldType::string},
            {"incidents", FieldType::integer},   {"population", FieldType::real},      {rate_f, FieldType::real},
            {"ci95_lower", FieldType::real},     {"ci95_upper", FieldType::real},      {"ci998_lower", FieldType::real},
            {"ci998_upper", FieldType::real},    {"reference_rate", FieldType::real},  {"expected", FieldType::real},
            {"ratio", FieldType::real},          {"rate_class", FieldType::string},    {"class_level", FieldType::integer},
            {"funnel95_lower", FieldType::real}, {"funnel95_upper", FieldType::real},  {"funnel998_lower", FieldType::real},
            {"funnel998_upper", FieldType::real}, {"choynowski_p", FieldType::real},   {"eb_rate_per_" + per_text, FieldType::real},
            {"neighbours", FieldType::integer},  {"lisa_i", FieldType::real},          {"lisa_z", FieldType::real},
            {"lisa_p", FieldType::real},         {"lisa_p_perm", FieldType::real},     {"lisa_p_corrected", FieldType::real},
            {"lisa_class", FieldType::string},   {"gi_z", FieldType::real},            {"gi_p", FieldType::real},
            {"gi_p_corrected", FieldType::real}, {"gi_bin", FieldType::integer}};
        const std::string lname = layer.name + "_rates";
        const std::string desc = "Crime rates of " + layer.name + " (" + std::to_string(layer.size()) + " areas): " + r.method +
                                 "; reference rate " + num(sum.reference_rate) + " per " + per_text + " (" +
                                 sum.reference_source + ")";
        w.begin_layer(lname, GeomType::multipolygon, defs, desc);
        double best = -1;
        for (std::size_t a = 0; a < layer.size(); ++a) {
            const AreaRate& ar = rr.areas[a];
            int f = 0;
            w.set_string(f++, layer.codes[a]);
            w.set_string(f++, layer.names[a]);
            w.set_string(f++, to_string(ar.status));
            w.set_integer(f++, std::int64_t(g.counts[a]));
            w.set_real(f++, pops[l][a]);
            const bool ok = ar.status == RateStatus::ok;
            const auto s = [&](double v) { return ok ? v * scale : nan; };
            w.set_real(f++, s(ar.rate_per_1000));
            w.set_real(f++, s(ar.ci95_per_1000.lower));
            w.set_real(f++, s(ar.ci95_per_1000.upper));
            w.set_real(f++, s(ar.ci998_per_1000.lower));
            w.set_real(f++, s(ar.ci998_per_1000.upper));
            w.set_real(f++, sum.reference_rate);
            w.set_real(f++, ok ? ar.expected : nan);
            w.set_real(f++, ok && ar.expected > 0 ? ar.count / ar.expected : nan);
            w.set_string(f++, to_string(ar.rate_class));
            if (ok) w.set_integer(f, int(ar.rate_class));
            ++f;
            w.set_real(f++, s(ar.funnel95_per_1000.lower));
            w.set_real(f++, s(ar.funnel95_per_1000.upper));
            w.set_real(f++, s(ar.funnel998_per_1000.lower));
            w.set_real(f++, s(ar.funnel998_per_1000.upper));
            w.set_real(f++, ok ? ar.choynowski_p : nan);
            w.set_real(f++, s(ar.eb_rate_per_1000));
            const std::int32_t v = pos[a];
            w.set_integer(f++, v >= 0 ? std::int64_t(nb[std::size_t(v)].size()) : std::int64_t(all_nb[a].size()));
            const bool has = spatial && v >= 0 && !nb[std::size_t(v)].empty();
            const auto vi = std::size_t(std::max(v, 0));
            w.set_real(f++, has ? lm.ii[vi] : nan);
            w.set_real(f++, has ? lm.z[vi] : nan);
            w.set_real(f++, has ? lm.p[vi] : nan);
            w.set_real(f++, has && !lm.p_sim.empty() ? lm.p_sim[vi] : nan);
            w.set_real(f++, has ? lm.p_adjusted[vi] : nan);
            const LisaClass lc = has ? lm.cluster[vi] : LisaClass::not_significant;
            w.set_string(f++, has ? std::string(to_string(lc)) : std::string("not computed"));
            w.set_real(f++, has ? gi.z[vi] : nan);
            w.set_real(f++, has ? (gi.p_sim.empty() ? gi.p[vi] : gi.p_sim[vi]) : nan);
            w.set_real(f++, has ? gi.p_adjusted[vi] : nan);
            if (has) w.set_integer(f, gi.bin[vi]);
            ++f;
            w.set_multipolygon(layer.polygons[a]);
            w.write_feature();

            if (ok) {
                ++sum.classes[int(ar.rate_class) + 2];
                if (ar.rate_per_1000 > best)
                    best = ar.rate_per_1000, sum.top_area = layer.codes[a] + " " + layer.names[a],
                    sum.top_rate = ar.rate_per_1000 * scale, sum.top_class = std::string(to_string(ar.rate_class));
            } else {
                ++sum.not_computed;
            }
            if (has) {
                ++sum.lisa[int(lc)];
                if (gi.bin[vi] > 0) ++sum.gi_hot;
                if (gi.bin[vi] < 0) ++sum.gi_cold;
            }
        }
        w.add_style(lname, std::string(style_qml("rates_class")), "Rate class against the reference rate (95% / 99.8%); hotspot " +
                                                        std::string(hotspot::version),
                    lname + " rate class", true);
        w.add_style(lname, std::string(style_qml("lisa")), "Local Moran's I clusters of the rates (HH/LL/HL/LH); hotspot " +
                                                 std::string(hotspot::version),
                    lname + " LISA clusters", false);
        std::int64_t statuses[5] = {};
        for (const auto& ar : rr.areas) ++statuses[int(ar.status)];
        nlohmann::ordered_json lj = {{"layer", lname},
                                     {"areas", sum.areas},
                                     {"valid_areas", sum.valid},
                                     {"population_source", pop_sources[l]},
                                     {"incidents_assigned", sum.incidents},
                                     {"incidents_snapped", g.snapped},
                                     {"incidents_outside", g.outside},
                                     {"reference_rate", sum.reference_rate},
                                     {"reference_source", sum.reference_source},
                                     {"islands", sum.islands}};
        for (int k = 0; k < 5; ++k) lj["status"][std::string(to_string(RateStatus(k)))] = statuses[k];
        for (int k = -2; k <= 2; ++k) lj["classes"][std::string(to_string(RateClass(k)))] = sum.classes[k + 2];
        for (int k = 0; k < 5; ++k) lj["lisa"][std::string(to_string(LisaClass(k)))] = sum.lisa[k];
        lj["gi_hot_areas"] = sum.gi_hot;
        lj["gi_cold_areas"] = sum.gi_cold;
        layers_json.push_back(lj);
        for (int k = 1; k <= 4; ++k)
            if (statuses[k])
                r.warnings.push_back("rates: " + std::to_string(statuses[k]) + " areas of '" + layer.name + "' have " +
                                     std::string(to_string(RateStatus(k))) + "; they get status '" +
                                     std::string(to_string(RateStatus(k))) + "' and no rate");
        r.layers.push_back(std::move(sum));
    }
    w.commit();
    r.outputs.push_back(o.out);
    manifest.add_timing("rates_and_write", seconds_since(t));
    manifest.add_timing("total", seconds_since(t0));

    for (const auto& f : inc.source_files) manifest.add_input("incidents", f);
    for (const auto& s : o.areas) manifest.add_input("areas:" + s.name, s.path);
    for (std::size_t i = 0; i < o.areas.size(); ++i)
        if (spec_of[i]) manifest.add_input("population:" + o.areas[i].name, spec_of[i]->path);
    auto& j = manifest.json();
    j["options"] = {{"working_crs", o.read.working_crs},
                    {"per", o.per},
                    {"reference_rate", o.reference_rate ? nlohmann::ordered_json(*o.reference_rate) : nlohmann::ordered_json(nullptr)},
                    {"ci", o.ci == CiMethod::exact ? "exact" : "byar"},
                    {"snap_m", o.snap_m},
                    {"contiguity_snap_m", o.contiguity_snap_m},
                    {"permutations", o.permutations},
                    {"seed", o.seed},
                    {"correction", std::string(to_string(o.correction))},
                    {"population_field", o.population_field},
                    {"threads", o.threads}};
    j["method"] = {{"summary", r.method},
                   {"rate", "count / population * per"},
                   {"ci", o.ci == CiMethod::exact ? "exact Poisson (Garwood): chi-square quantiles" : "Byar's approximation"},
                   {"classes", "significantly above/below: 99.8% CI wholly above/below the reference; above/below: 95% CI; else similar"},
                   {"funnel", "Spiegelhalter (2005) exact Poisson limits with interpolation at the reference rate"},
                   {"choynowski", "one tail, direction from observed vs expected (spdep choynowski)"},
                   {"eb", "Marshall (1991) global empirical Bayes (spdep EBest, poisson)"},
                   {"lisa", "spdep localmoran: row-standardised queen weights, conditional randomisation variance; cluster by quadrant at corrected p < 0.05"},
                   {"gistar", "spdep localG on include.self(queen), style B; ArcGIS Gi_Bin on the corrected p"},
                   {"contiguity", "queen: a vertex within snap of the other's boundary (spdep poly2nb(queen = TRUE, snap))"}};
    j["counts"] = {{"rows_in", r.rows_in}, {"kept", r.kept}, {"rejected", r.rejected}};
    j["layers"] = layers_json;
    j["crs"] = {{"source_crs", read.source_crs}, {"working_crs", o.read.working_crs},
                {"operation", read.crs_operation}, {"accuracy_m", read.crs_accuracy_m}};
    j["warnings"] = r.warnings;
    manifest.add_output("layers", o.out);
    manifest.write(manifest_path, o.overwrite);
    r.outputs.push_back(manifest_path);
    return r;
}

std::string RatesJobResult::summary() const {
    std::ostringstream s;
    s << "hotspot rates: " << rows_in << " rows read, " << kept << " kept, " << rejected << " rejected\n";
    for (const auto& l : layers) {
        s << "  " << l.name << ": " << l.areas << " areas (" << l.valid << " with a rate), " << l.incidents
          << " incidents; reference " << num(std::round(l.reference_rate * 100) / 100) << " per " << num(per) << " ("
          << l.reference_source << ")\n";
        s << "    significantly above " << l.classes[4] << ", above " << l.classes[3] << ", similar " << l.classes[2]
          << ", below " << l.classes[1] << ", significantly below " << l.classes[0];
        if (l.not_computed) s << ", not computed " << l.not_computed;
        s << "\n    LISA HH " << l.lisa[1] << ", LL " << l.lisa[2] << ", HL " << l.lisa[3] << ", LH " << l.lisa[4]
          << "; Gi* hot " << l.gi_hot << ", cold " << l.gi_cold << "\n";
        if (!l.top_area.empty())
            s << "    highest: " << l.top_area << " " << num(std::round(l.top_rate * 10) / 10) << " per " << num(per) << " ("
              << l.top_class << ")\n";
    }
    for (const auto& o : outputs) s << "  wrote " << o << "\n";
    return s.str();
}

} // namespace hotspot
