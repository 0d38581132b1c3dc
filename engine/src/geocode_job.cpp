#include "hotspot/geocode_job.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>

#include "hotspot/error.hpp"
#include "hotspot/manifest.hpp"
#include "hotspot/styles.hpp"
#include "hotspot/output_safety.hpp"
#include "hotspot/vector_out.hpp"
#include "job_read.hpp"
#include "util/text.hpp"

namespace fs = std::filesystem;

namespace hotspot {

namespace {

using util::lower;

using util::thousands;

using util::seconds_since;

} // namespace

void GeocodeJobOptions::validate() const {
    if (read.paths.empty()) throw UsageError("geocode", "no incidents given; use --incidents FILE");
    if (areas.empty())
        throw UsageError("geocode", "no area layer given; use --areas NAME=PATH[:CODE_FIELD[:NAME_FIELD]]");
    step.validate();
    if (out.empty()) throw UsageError("geocode", "no output given; use --out FILE.gpkg");
    for (std::size_t i = 0; i < areas.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (lower(areas[i].name) == lower(areas[j].name))
                throw UsageError("geocode", "two area layers are named '" + areas[i].name + "'; give each a different NAME");
}

GeocodeJobResult run_geocode_job(const GeocodeJobOptions& o, const Progress& progress) {
    o.validate();
    const auto t0 = std::chrono::steady_clock::now();
    const std::string manifest_path =
        command_manifest_path(o.out, o.manifest_path);
    // Refuse existing outputs, outputs that are inputs and unknown formats before any work:
    // incidents, rejects and one counts layer per area layer.
    check_vector_output(o.out, 2 + o.areas.size(), "geocode");
    std::vector<std::string> inputs = incident_files(o.read.paths);
    for (const auto& a : o.areas) inputs.push_back(source_file(a.path));
    check_outputs({o.out, manifest_path}, inputs, o.overwrite, "geocode");

    Manifest manifest("geocode", o.command_line);
    GeocodeJobResult r;

    auto t = std::chrono::steady_clock::now();
    ReadOptions ro = o.read;
    ReadResult read = read_incidents(ro, progress);
    manifest.add_timing("read", seconds_since(t));
    const IncidentTable& inc = read.incidents;
    detail::tally_read(read, r);
    r.exact_duplicates = read.exact_duplicates;
    r.police_uk = read.police_uk;
    r.crs_operation = read.crs_operation;
    r.crs_accuracy_m = read.crs_accuracy_m;
    {
        std::map<std::string, std::uint64_t> by;
        for (auto why : read.rejects.reason) ++by[std::string(reason_name(why))];
        r.rejects_by_reason.assign(by.begin(), by.end());
    }

    t = std::chrono::steady_clock::now();
    std::vector<AreaLayer> layers;
    for (const auto& spec : o.areas) {
        layers.push_back(read_area_layer(spec, o.read.working_crs));
        for (auto& w : layers.back().warnings) r.warnings.push_back(w);
    }
    manifest.add_timing("read_areas", seconds_since(t));

    t = std::chrono::steady_clock::now();
    std::vector<const AreaLayer*> ls;
    for (const auto& l : layers) ls.push_back(&l);
    const GeocodeStepResult placed = run_geocode_step(inc, ls, o.step, progress);
    r.layers = placed.layers;
    r.assigned = placed.assigned;
    r.outside = placed.outside;
    for (const auto& w : placed.warnings) r.warnings.push_back(w);
    {
        std::vector<std::uint64_t> outside;
        for (const auto& g : placed.placed) outside.push_back(g.outside);
        for (auto& line : report_outside_layers("geocode", ls, outside, inc.size(), r.outside)) r.warnings.push_back(line);
    }
    manifest.add_timing("geocode", seconds_since(t));

    // ---- write: the geocode step's layers
    t = std::chrono::steady_clock::now();
    VectorWriter w(o.out, o.read.working_crs, o.overwrite);
    std::vector<const GeocodeResult*> gs;
    for (const auto& g : placed.placed) gs.push_back(&g);
    write_incidents_layer(w, "incidents", inc, nullptr, ls, gs, "Incidents placed in their areas");
    write_rejects_layer(w, read.rejects);
    write_area_counts_layers(w, inc, ls, placed);
    w.commit();
    r.outputs.push_back(o.out);
    manifest.add_timing("write", seconds_since(t));
    manifest.add_timing("total", seconds_since(t0));

    // ---- manifest
    for (const auto& f : inc.source_files) manifest.add_input("incidents", f);
    for (const auto& s : o.areas) manifest.add_input("areas:" + s.name, s.path);
    auto& j = manifest.json();
    j["options"] = o.step.to_json();
    j["options"]["working_crs"] = o.read.working_crs;
    j["crs"] = {{"source_crs", read.source_crs}, {"working_crs", o.read.working_crs},
                {"operation", read.crs_operation}, {"accuracy_m", read.crs_accuracy_m},
                {"note", read.crs_operation.find("OSTN") == std::string::npos && !read.source_crs.empty() &&
                                 read.source_crs != o.read.working_crs
                             ? "no OSTN15 grid installed (Debian's proj-data lacks it): a Helmert transformation was used"
                             : ""}};
    j["police_uk"] = read.police_uk;
    if (read.postcodes.used) j["postcodes"] = read.postcodes.to_json();
    nlohmann::ordered_json counts;
    counts["rows_in"] = r.rows_in;
    counts["kept"] = r.kept;
    counts["rejected"] = r.rejected;
    counts["assigned"] = r.assigned;
    counts["outside"] = r.outside;
    counts["exact_duplicates"] = r.exact_duplicates;
    for (auto& [why, n] : r.rejects_by_reason) counts["rejected_by_reason"][why] = n;
    for (auto& l : r.layers)
        counts["areas"][l.name] = {{"areas", l.areas}, {"assigned", l.assigned}, {"snapped", l.snapped},
                                   {"outside", l.outside}, {"in_several", l.in_several}};
    j["counts"] = counts;
    j["warnings"] = r.warnings;
    manifest.add_output("layers", o.out);
    manifest.write(manifest_path, o.overwrite);
    r.outputs.push_back(manifest_path);
    return r;
}

std::string GeocodeJobResult::summary() const {
    std::ostringstream s;
    s << "hotspot geocode: " << thousands(rows_in) << " rows read"
      << (police_uk ? " (police.uk street-level CSV)" : "") << "\n";
    s << "  kept      " << thousands(kept) << "\n";
    s << "  rejected  " << thousands(rejected);
    if (!rejects_by_reason.empty()) {
        s << " (";
        for (std::size_t i = 0; i < rejects_by_reason.size(); ++i)
            s << (i ? ", " : "") << rejects_by_reason[i].first << " " << thousands(rejects_by_reason[i].second);
        s << ")";
    }
    s << "\n";
    if (exact_duplicates) s << "  exact duplicate rows kept: " << thousands(exact_duplicates) << "\n";
    for (const auto& l : layers) {
        s << "  " << l.name << " (" << l.areas << " areas): " << thousands(l.assigned) << " inside, "
          << thousands(l.snapped) << " snapped, " << thousands(l.outside) << " outside\n";
    }
    if (!crs_operation.empty())
        s << "  CRS operation: " << crs_operation
          << (crs_accuracy_m >= 0 ? " (accuracy " + std::to_string(int(std::lround(crs_accuracy_m))) + " m)" : "") << "\n";
    s << "  rows_in = assigned + outside + rejected: " << thousands(rows_in) << " = " << thousands(assigned)
      << " + " << thousands(outside) << " + " << thousands(rejected) << "\n";
    for (const auto& o : outputs) s << "  wrote " << o << "\n";
    return s.str();
}

} // namespace hotspot
