#include "hotspot/rates_job.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
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
#include "hotspot/disclosure.hpp"
#include "hotspot/version.hpp"
#include "hotspot/weights.hpp"
#include "hotspot/styles.hpp"
#include "hotspot/vintage.hpp"
#include "job_read.hpp"
#include "util/text.hpp"

namespace fs = std::filesystem;

namespace hotspot {

namespace {

constexpr const char* unit = "rates";
using util::nan;

using util::num;

using util::seconds_since;

} // namespace

void RatesJobOptions::validate() const {
    if (read.paths.empty()) throw UsageError(unit, "no incidents given; use --incidents FILE");
    if (areas.empty()) throw UsageError(unit, "no area layer given; use --areas NAME=PATH[:CODE_FIELD[:NAME_FIELD]]");
    if (populations.empty() && population_field.empty())
        throw UsageError(unit, "no population given; use --population FILE.csv[:CODE_COLUMN:POPULATION_COLUMN] "
                               "or --population-field FIELD");
    match_populations(areas, populations, unit);  // too many files, unknown or repeated names
    if (publish_min_count > 0 && areas.size() > 1)
        throw UsageError(unit, "--publish protects one --areas level; with " + std::to_string(areas.size()) +
                               " levels an area's count could be recovered across them. Give one level per call, "
                               "or use hotspot run --publish, which finds the nesting and protects it");
    if (!(snap_m >= 0) || !std::isfinite(snap_m) || snap_m > 10000)
        throw UsageError(unit, "--snap must be between 0 and 10000 metres (got " + num(snap_m) + ")");
    step.validate();
    if (out.empty()) throw UsageError(unit, "no output given; use --out FILE.gpkg");
}

RatesJobResult run_rates_job(const RatesJobOptions& o, const Progress& progress) {
    o.validate();
    const auto t0 = std::chrono::steady_clock::now();
    const std::string manifest_path =
        command_manifest_path(o.out, o.manifest_path);
    // Refuse existing outputs, outputs that are inputs and unknown formats before any work.
    check_vector_output(o.out, o.areas.size(), unit);
    std::vector<std::string> inputs = incident_files(o.read.paths);
    for (const auto& a : o.areas) inputs.push_back(source_file(a.path));
    for (const auto& p : o.populations) inputs.push_back(p.path);
    if (!o.lookup_path.empty()) inputs.push_back(o.lookup_path);
    check_outputs({o.out, manifest_path}, inputs, o.overwrite, unit);

    Manifest manifest("rates", o.command_line);
    RatesJobResult r;
    r.per = o.step.per;

    // ---- areas and their populations, before the (slow) incident read, so a bad join fails fast
    auto t = std::chrono::steady_clock::now();
    std::vector<AreaLayer> layers;
    std::vector<std::vector<double>> pops;
    std::vector<std::string> pop_sources;
    const std::vector<const PopulationSpec*> spec_of = match_populations(o.areas, o.populations, unit);
    const std::optional<VintageLookup> lookup =
        o.lookup_path.empty() ? std::nullopt : std::optional(read_vintage_lookup(o.lookup_path));
    std::vector<VintageNote> vintages(o.areas.size());
    for (std::size_t i = 0; i < o.areas.size(); ++i) {
        layers.push_back(read_area_layer(o.areas[i], o.read.working_crs));
        const AreaLayer& layer = layers.back();
        for (auto& w : layer.warnings) r.warnings.push_back(w);
        if (!spec_of[i] && o.population_field.empty())
            throw UsageError(unit, "no population for area layer '" + layer.name + "'; give --population " + layer.name +
                                       "=FILE.csv or --population-field FIELD");
        const PopulationTable table = align_population_vintage(
            unit, layer, spec_of[i] ? read_population_csv(*spec_of[i], layer.code_field) : read_population_field(layer, o.population_field),
            lookup ? &*lookup : nullptr, &vintages[i]);
        if (!vintages[i].text.empty()) r.warnings.push_back(vintages[i].text);
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
    detail::tally_read(read, r);

    t = std::chrono::steady_clock::now();
    VectorWriter w(o.out, o.read.working_crs, o.overwrite);
    nlohmann::ordered_json layers_json = nlohmann::ordered_json::array();
    for (std::size_t l = 0; l < layers.size(); ++l) {
        const AreaLayer& layer = layers[l];
        RatesLayerSummary sum;
        sum.name = layer.name;
        sum.areas = layer.size();
        const AreaIndex index(layer.polygons);
        const GeocodeResult g = geocode(index, inc.x, inc.y, o.snap_m, o.step.perm.threads, progress);
        if (auto line = report_outside(unit, "the areas", layer.name, layer.path, inc.size(), g.outside); !line.empty())
            r.warnings.push_back(line);
        refuse_overlapping_areas(unit, layer, index, inc.x, inc.y, g);
        for (auto& line : check_population(layer, pops[l], g.counts)) r.warnings.push_back(line);
        std::vector<double> counts(layer.size());
        for (std::size_t a = 0; a < layer.size(); ++a) {
            counts[a] = double(g.counts[a]);
            sum.incidents += g.counts[a];
        }
        RatesStepInput sin;
        sin.layer = &layer;
        sin.counts = &counts;
        sin.population = &pops[l];
        sin.population_source = pop_sources[l];
        RatesStepOutput sout;
        sout.writer = &w;
        sout.description = "Crime rates of " + layer.name + " (" + std::to_string(layer.size()) + " areas): ";
        sout.style_title = layer.name + "_rates";
        std::vector<Suppression> hidden;
        if (o.publish_min_count > 0) {  // the run's rule for one level: the areas under their known total
            CountTable table;
            table.counts = {sum.incidents};
            table.parent = {-1};
            table.known = {1};
            for (double c : counts) table.counts.push_back(std::uint64_t(c)), table.parent.push_back(0), table.known.push_back(0);
            const auto m = std::uint64_t(o.publish_min_count);
            const auto s = suppress_table(table, m);
            if (!disclosed_cells(table, s, m).empty())
                throw OutputError(unit, o.out, "publish mode self-check: differencing recovers a suppressed count; report this as a bug");
            hidden.assign(s.begin() + 1, s.end());
            sout.publish_min_count = m;
            sout.suppression = &hidden;
        }
        sum.step = run_rates_step(sin, o.step, sout, progress);
        sum.reference_source = o.step.reference_rate ? "given" : "study area (all valid areas together)";
        for (const auto& m : sum.step.warnings) r.warnings.push_back(m);
        r.method = sum.step.method;
        nlohmann::ordered_json lj = sum.step.manifest;
        lj["incidents_assigned"] = sum.incidents;
        lj["incidents_snapped"] = g.snapped;
        lj["incidents_outside"] = g.outside;
        if (lookup) lj["vintage"] = vintage_manifest(*lookup, layer, vintages[l], g.counts);
        layers_json.push_back(lj);
        r.layers.push_back(std::move(sum));
    }
    w.commit();
    r.outputs.push_back(o.out);
    manifest.add_timing("rates_and_write", seconds_since(t));
    manifest.add_timing("total", seconds_since(t0));

    for (const auto& f : inc.source_files) manifest.add_input("incidents", f);
    for (const auto& s : o.areas) manifest.add_input("areas:" + s.name, s.path);
    if (lookup) manifest.add_input("lookup", o.lookup_path);
    for (std::size_t i = 0; i < o.areas.size(); ++i)
        if (spec_of[i]) manifest.add_input("population:" + o.areas[i].name, spec_of[i]->path);
    auto& j = manifest.json();
    j["options"] = o.step.to_json();
    j["options"]["working_crs"] = o.read.working_crs;
    j["options"]["snap_m"] = o.snap_m;
    j["options"]["population_field"] = o.population_field;
    for (const auto& s : o.areas)
        if (!s.where.empty()) j["options"]["areas_where"][s.name] = s.where;
    j["options"]["threads"] = o.step.perm.threads;
    j["method"] = {{"summary", r.method},
                   {"rate", "count / population * per"},
                   {"ci", o.step.ci == CiMethod::exact ? "exact Poisson (Garwood): chi-square quantiles" : "Byar's approximation"},
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
        const RatesStepResult& st = l.step;
        s << "  " << l.name << ": " << l.areas << " areas (" << st.valid << " with a rate), " << l.incidents
          << " incidents; reference " << num(std::round(st.reference_rate * 100) / 100) << " per " << num(per) << " ("
          << l.reference_source << ")\n";
        s << "    significantly above " << st.classes[4] << ", above " << st.classes[3] << ", similar " << st.classes[2]
          << ", below " << st.classes[1] << ", significantly below " << st.classes[0];
        if (st.not_computed) s << ", not computed " << st.not_computed;
        s << "\n    LISA HH " << st.lisa[1] << ", LL " << st.lisa[2] << ", HL " << st.lisa[3] << ", LH " << st.lisa[4]
          << "; Gi* hot " << st.gi_hot << ", cold " << st.gi_cold << "\n";
        if (!st.top_area.empty())
            s << "    highest: " << st.top_area << " " << num(std::round(st.top_rate * 10) / 10) << " per " << num(per) << " ("
              << st.top_class << ")\n";
    }
    for (const auto& o : outputs) s << "  wrote " << o << "\n";
    return s.str();
}

} // namespace hotspot
