// `hotspot change`: the frame around the change step (steps/change_step.hpp).

#include "hotspot/change_job.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <sstream>

#include "hotspot/dates.hpp"
#include "hotspot/error.hpp"
#include "hotspot/geocode.hpp"
#include "hotspot/manifest.hpp"
#include "hotspot/read_manifest.hpp"
#include "hotspot/profile.hpp"
#include "hotspot/styles.hpp"
#include "hotspot/output_safety.hpp"
#include "hotspot/vector_out.hpp"
#include "hotspot/version.hpp"
#include "hotspot/vintage.hpp"
#include "util/text.hpp"

namespace fs = std::filesystem;

namespace hotspot {

namespace {

constexpr const char* unit = "change";

using util::num;

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

} // namespace

void ChangeJobOptions::validate() const {
    if (read.paths.empty()) throw UsageError(unit, "no incidents given; use --incidents FILE");
    if (out.empty()) throw UsageError(unit, "no output given; use --out FILE.gpkg");
    (void)match_populations(areas, populations, unit);  // its checks
    change.validate();
}

ChangeJobResult run_change_job(const ChangeJobOptions& o, const Progress& progress) {
    o.validate();
    const auto t0 = std::chrono::steady_clock::now();
    const fs::path outp(o.out);
    const std::string manifest_path = command_manifest_path(o.out, o.manifest_path);
    const std::string series_path =
        !o.series_path.empty() ? o.series_path : (outp.parent_path() / (outp.stem().string() + "_series.csv")).string();
    check_can_write(o.out, o.overwrite, unit);
    check_can_write(series_path, o.overwrite, unit);
    check_can_write(manifest_path, o.overwrite, unit);
    Manifest manifest("change", o.command_line);

    // Areas and populations first, so a bad join fails before the slow read.
    auto t = std::chrono::steady_clock::now();
    std::vector<AreaLayer> layers;
    std::vector<std::vector<double>> pops;
    const std::vector<const PopulationSpec*> spec_of = match_populations(o.areas, o.populations, unit);
    std::vector<std::string> warnings;
    for (std::size_t i = 0; i < o.areas.size(); ++i) {
        layers.push_back(read_area_layer(o.areas[i], o.read.working_crs));
        for (auto& w : layers.back().warnings) warnings.push_back(w);
        // Rates per resident: the vintage checks of `rates` and `run` (vintage.hpp), no lookup.
        if (spec_of[i])
            pops.push_back(join_population(layers.back(), align_population_vintage(unit, layers.back(),
                                                                                  read_population_csv(*spec_of[i], layers.back().code_field), nullptr)));
        else if (!o.population_field.empty()) {
            check_area_vintage(unit, layers.back(), nullptr);
            pops.push_back(join_population(layers.back(), read_population_field(layers.back(), o.population_field)));
        } else {
            pops.emplace_back();
        }
    }
    manifest.add_timing("read_areas", seconds_since(t));

    t = std::chrono::steady_clock::now();
    const ReadResult read = read_incidents(o.read, progress);
    manifest.add_timing("read", seconds_since(t));
    ChangeJobResult res;
    res.rows_in = read.rows_in;
    res.kept = read.incidents.size();
    res.rejected = read.rejects.size();
    for (const auto& w : read.warnings) warnings.push_back(w);
    // Areas that overlap (2011 LSOAs beside the 2021 ones that replaced them) would count their
    // residents twice: refused as in `rates` and `run`.
    // The placement found here is handed to the change step, which would otherwise place the
    // incidents again (same layer, same snap distance).
    std::vector<std::vector<std::int32_t>> placed(layers.size());
    for (std::size_t l = 0; l < layers.size(); ++l) {
        if (pops[l].empty()) continue;
        const auto& inc = read.incidents;
        const AreaIndex index(layers[l].polygons);
        GeocodeResult g = geocode(index, inc.x, inc.y, o.change.snap_m, o.threads, progress);
        refuse_overlapping_areas(unit, layers[l], index, inc.x, inc.y, g);
        placed[l] = std::move(g.area);
    }

    t = std::chrono::steady_clock::now();
    res.change = compute_change(read.incidents, layers, pops, o.change, read.police_uk, o.threads, progress, &placed);
    ChangeResult& r = res.change;
    r.warnings.insert(r.warnings.begin(), warnings.begin(), warnings.end());
    manifest.add_timing("change", seconds_since(t));

    // ---- GeoPackage: the study area as a table, one polygon layer per area level (the step's writes)
    t = std::chrono::steady_clock::now();
    const std::string periods = change_periods_text(r);
    const std::string units = "; rates per " + num(o.change.per) + " residents per year; pct_change of incidents per month";
    VectorWriter w(o.out, o.read.working_crs, o.overwrite);
    write_change_study_table(w, "study_area_change", r, "Direction of travel of " + r.label + ", " + periods + units);
    nlohmann::ordered_json layers_json = nlohmann::ordered_json::array();
    for (std::size_t l = 0; l < layers.size(); ++l)
        layers_json.push_back(write_change_layer(w, layers[l].name + "_change", r.layers[l], &layers[l].polygons,
                                                 "Direction of travel of " + r.label + " per " + layers[l].name + ", " +
                                                     periods + "; " + r.method + units,
                                                 o.change));
    w.commit();
    res.outputs.push_back(o.out);
    write_text_atomic(series_path, change_series_csv(r), o.overwrite, unit);
    res.outputs.push_back(series_path);
    manifest.add_timing("write", seconds_since(t));
    manifest.add_timing("total", seconds_since(t0));

    add_read(manifest, read, o.read.working_crs);
    for (const auto& s : o.areas) manifest.add_input("areas:" + s.name, s.path);
    for (std::size_t i = 0; i < o.areas.size(); ++i)
        if (spec_of[i]) manifest.add_input("population:" + o.areas[i].name, spec_of[i]->path);
    auto& j = manifest.json();
    const nlohmann::ordered_json node = change_manifest_node(r, o.change);
    for (auto it = node.begin(); it != node.end(); ++it) j[it.key()] = it.value();
    j["options"]["working_crs"] = o.read.working_crs;
    j["options"]["population_field"] = o.population_field;
    j["layers"] = layers_json;
    j["warnings"] = r.warnings;
    manifest.add_output("layers", o.out);
    manifest.add_output("series", series_path);
    manifest.write(manifest_path, o.overwrite);
    res.outputs.push_back(manifest_path);
    return res;
}

std::string ChangeJobResult::summary() const {
    std::ostringstream s;
    s << "hotspot change: " << rows_in << " rows read, " << kept << " kept, " << rejected << " rejected";
    if (change.selected != kept) s << "; " << change.selected << " selected (" << change.label << ")";
    if (change.no_date) s << "; " << change.no_date << " without a date";
    s << "; " << change.outside_periods << " outside both periods\n  " << change.sentence() << "\n";
    for (const auto& l : change.layers) {
        s << "  " << l.name << ": " << l.areas.size() << " areas: significant increase " << l.classes[4] << ", increase "
          << l.classes[3] << ", no significant change " << l.classes[2] << ", decrease " << l.classes[1]
          << ", significant decrease " << l.classes[0];
        if (l.outside) s << "; " << l.outside << " incidents outside every area";
        s << "\n";
        // The three largest significant increases, by rate ratio's lower bound (the most certain rises).
        std::vector<const AreaChange*> up;
        for (const auto& a : l.areas)
            if (a.change == ChangeClass::significant_increase) up.push_back(&a);
        std::stable_sort(up.begin(), up.end(), [](auto* a, auto* b) { return a->test.ratio_lower > b->test.ratio_lower; });
        for (std::size_t k = 0; k < up.size() && k < 3; ++k)
            s << "    " << up[k]->code << " " << up[k]->name << ": " << up[k]->comparison << " to " << up[k]->period << " ("
              << (std::isfinite(up[k]->test.pct_change) ? "+" + num(std::round(up[k]->test.pct_change), 6) + "%" : "from none")
              << ", " << p_value_words(up[k]->test.p) << ")\n";
    }
    for (const auto& o : outputs) s << "  wrote " << o << "\n";
    return s.str();
}

} // namespace hotspot

