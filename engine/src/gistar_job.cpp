#include "hotspot/gistar_job.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <optional>
#include <sstream>

#include "hotspot/error.hpp"
#include "hotspot/geocode.hpp"
#include "hotspot/manifest.hpp"
#include "hotspot/output_safety.hpp"
#include "hotspot/vector_out.hpp"
#include "job_read.hpp"
#include "util/text.hpp"

namespace fs = std::filesystem;

namespace hotspot {

namespace {

constexpr const char* unit = "gistar";

using util::num;

using util::seconds_since;

} // namespace

void GiStarJobOptions::validate() const {
    if (read.paths.empty()) throw UsageError(unit, "no incidents given; use --incidents FILE");
    step.validate();
    if (out.empty()) throw UsageError(unit, "no output given; use --out FILE.gpkg");
    if (!raster.empty() && fs::path(raster).extension() != ".tif" && fs::path(raster).extension() != ".tiff")
        throw UsageError(unit, "--raster '" + raster + "' must end in .tif");
}

GiStarJobResult run_gistar_job(const GiStarJobOptions& o, const Progress& progress) {
    o.validate();
    const auto t0 = std::chrono::steady_clock::now();
    const std::string manifest_path =
        command_manifest_path(o.out, o.manifest_path);
    const std::string raster_qml =
        o.raster.empty() ? std::string() : fs::path(o.raster).replace_extension(".qml").string();
    // Refuse existing outputs, outputs that are inputs and unknown formats before any work.
    check_vector_output(o.out, 1, unit);
    if (!o.raster.empty()) check_raster_output(o.raster, unit, "--raster");
    std::vector<std::string> inputs = incident_files(o.read.paths);
    if (o.study) inputs.push_back(source_file(o.study->path));
    check_outputs({o.out, manifest_path, o.raster, raster_qml}, inputs, o.overwrite, unit);

    Manifest manifest("gistar", o.command_line);
    GiStarJobResult r;

    // ---- the study area, before the incidents are read, so an absurd cell size fails in
    // milliseconds and before any allocation.
    auto t = std::chrono::steady_clock::now();
    std::optional<AreaLayer> study;
    if (o.study) {
        study = read_area_layer(*o.study, o.read.working_crs);
        for (auto& w : study->warnings) r.warnings.push_back(w);
        Grid::aligned(study->bounds, o.step.cell_size_m, o.step.max_cells);
    }
    manifest.add_timing("read_study_area", seconds_since(t));

    t = std::chrono::steady_clock::now();
    ReadOptions ro = o.read;
    ro.sizes_grid_from_extent = !o.study.has_value();
    const ReadResult read = read_incidents(ro, progress);
    manifest.add_timing("read", seconds_since(t));
    const IncidentTable& inc = read.incidents;
    detail::tally_read(read, r);
    if (inc.size() == 0)
        throw InputError(unit, o.read.paths.front(), "no incident has a usable location; check --x/--y/--crs");

    // ---- the step
    t = std::chrono::steady_clock::now();
    VectorWriter w(o.out, o.read.working_crs, o.overwrite);
    GiStarStepInput in;
    in.incidents = &inc;
    if (study) {
        in.study = &study->polygons;
        in.study_name = study->name;
        in.study_path = study->path;
    }
    GiStarStepOutput out;
    out.writer = &w;
    out.raster = o.raster;
    out.crs = o.read.working_crs;
    out.overwrite = o.overwrite;
    out.publish_min_count = std::uint64_t(std::max(o.publish_min_count, 0));
    if (o.study) out.study_area = o.study->path;
    r.step = run_gistar_step(in, o.step, out, progress);
    w.commit();
    if (!study && r.step.outside_study) {
        r.warnings.push_back("gistar: " + std::to_string(r.step.outside_study) +
                             " incidents lie outside the grid's cells and were not counted");
    }
    for (const auto& m : r.step.warnings) r.warnings.push_back(m);
    r.outputs.push_back(o.out);
    for (const auto& f : r.step.files) r.outputs.push_back(f);
    manifest.add_timing("gistar_and_write", seconds_since(t));
    manifest.add_timing("total", seconds_since(t0));

    // ---- manifest
    for (const auto& f : inc.source_files) manifest.add_input("incidents", f);
    if (o.study) manifest.add_input("study_area", o.study->path);
    auto& j = manifest.json();
    j["options"] = o.step.to_json();
    j["options"]["working_crs"] = o.read.working_crs;
    j["options"]["p_from"] = r.step.manifest["p_from"];
    j["options"]["threads"] = o.step.perm.threads;
    j["method"] = {{"statistic", "Getis-Ord Gi* (star)"},
                   {"convention", "spdep localG(x, nb2listw(include.self(dnearneigh(0, band)), style = \"B\")); ArcGIS Hot Spot Analysis"},
                   {"variance", "s^2 divides by n; z = (sum_j w_ij x_j - W_i xbar) / sqrt(s^2 (n S1_i - W_i^2) / (n - 1))"},
                   {"p", o.step.perm.permutations > 0 ? "conditional permutation, folded two-sided: min(1, 2 min(#ge+1, #le+1) / (R+1))"
                                                 : "two-sided standard normal"},
                   {"correction", std::string(to_string(o.step.perm.correction))},
                   {"gi_bin", "ArcGIS Gi_Bin: +-3 p<0.01, +-2 p<0.05, +-1 p<0.10 on the corrected p"},
                   {"weights", r.step.manifest["options"]["weights"]},
                   {"band", r.step.band},
                   {"summary", r.step.method}};
    j["grid"] = r.step.manifest["grid"];
    nlohmann::ordered_json counts_j;
    counts_j["rows_in"] = r.rows_in;
    counts_j["kept"] = r.kept;
    counts_j["rejected"] = r.rejected;
    counts_j["counted"] = r.step.counted;
    counts_j["outside_study"] = r.step.outside_study;
    counts_j["written_cells"] = r.step.written_cells;
    counts_j["gi_bin"] = r.step.manifest["gi_bin"];
    j["counts"] = counts_j;
    j["crs"] = {{"source_crs", read.source_crs}, {"working_crs", o.read.working_crs},
                {"operation", read.crs_operation}, {"accuracy_m", read.crs_accuracy_m}};
    j["gistar"] = r.step.manifest;
    j["warnings"] = r.warnings;
    manifest.add_output("cells", o.out);
    if (!o.raster.empty()) manifest.add_output("z_raster", o.raster);
    manifest.write(manifest_path, o.overwrite);
    r.outputs.push_back(manifest_path);
    return r;
}

std::string GiStarJobResult::summary() const {
    const GiStarStepResult& g = step;
    std::ostringstream s;
    s << "hotspot gistar: " << rows_in << " rows read, " << kept << " kept, " << rejected << " rejected\n";
    s << "  " << g.counted << " incidents counted in " << g.study_cells << " study-area cells of " << num(g.grid.cell_size_m)
      << " m (" << g.nonempty_cells << " non-empty)";
    if (g.outside_study) s << "; " << g.outside_study << " outside the study area";
    s << "\n  band " << num(g.band_m) << " m (" << g.band_method << "), " << num(std::round(g.mean_neighbours * 10) / 10)
      << " neighbours per cell on average\n";
    s << "  gi_bin  -3: " << g.bins[0] << "  -2: " << g.bins[1] << "  -1: " << g.bins[2] << "  0: " << g.bins[3]
      << "  1: " << g.bins[4] << "  2: " << g.bins[5] << "  3: " << g.bins[6] << "\n";
    for (const auto& o : outputs) s << "  wrote " << o << "\n";
    return s.str();
}

} // namespace hotspot
