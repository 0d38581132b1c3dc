// `hotspot emerging`: the frame around the emerging hot spots step (steps/emerging_step.hpp).

#include "hotspot/emerging_job.hpp"

#include <sstream>

#include "hotspot/error.hpp"
#include "hotspot/manifest.hpp"
#include "hotspot/output_safety.hpp"
#include "hotspot/profile.hpp"
#include "hotspot/read_manifest.hpp"
#include "hotspot/vector_out.hpp"
#include "job_read.hpp"

namespace hotspot {

namespace {
constexpr const char* unit = "emerging";
}

void EmergingJobOptions::validate() const {
    if (read.paths.empty()) throw UsageError(unit, "no incidents given; use --incidents FILE");
    if (out.empty()) throw UsageError(unit, "no output given; use --out FILE.gpkg");
    if (!profile.empty() && !find_builtin(profile))
        throw UsageError(unit, "unknown --profile '" + profile + "'; `hotspot profiles` lists the built-in ones");
    step.validate();
}

EmergingJobResult run_emerging_job(const EmergingJobOptions& o, const Progress& progress) {
    o.validate();
    const std::string manifest_path = command_manifest_path(o.out, o.manifest_path);
    check_vector_output(o.out, 1, unit);
    std::vector<std::string> inputs = incident_files(o.read.paths);
    if (o.study) inputs.push_back(source_file(o.study->path));
    check_outputs({o.out, manifest_path}, inputs, o.overwrite, unit);

    EmergingJobResult r;
    std::optional<AreaLayer> study;
    if (o.study) {
        study = read_area_layer(*o.study, o.read.working_crs);
        for (auto& w : study->warnings) r.warnings.push_back(w);
        Grid::aligned(study->bounds, o.step.cell_size_m, o.step.max_cells);
    }
    ReadOptions ro = o.read;
    ro.sizes_grid_from_extent = !o.study.has_value();
    const ReadResult read = read_incidents(ro, progress);
    const IncidentTable& inc = read.incidents;
    detail::tally_read(read, r);
    if (inc.size() == 0) throw InputError(unit, o.read.paths.front(), "no incident has a usable location; check --x/--y/--crs");

    // The profile's rows of every date (as `hotspot run` slices them).
    std::vector<std::uint32_t> rows;
    const std::vector<std::uint32_t>* chosen = nullptr;
    if (!o.profile.empty()) {
        ProfileRows pr = select_profile_rows(inc, o.profile, read.police_uk);
        rows = std::move(pr.rows);
        for (auto& w : pr.warnings) r.warnings.push_back(w);
        chosen = &rows;
    }
    r.selected = chosen ? rows.size() : inc.size();

    VectorWriter w(o.out, o.read.working_crs, o.overwrite);
    EmergingStepInput in;
    in.incidents = &inc;
    in.rows = chosen;
    if (study) in.study = &study->polygons;
    EmergingStepOutput out;
    out.writer = &w;
    out.profile = o.profile.empty() ? "all incidents" : o.profile;
    r.step = run_emerging_step(in, o.step, out, progress);
    w.commit();
    for (const auto& m : r.step.warnings) r.warnings.push_back(m);
    r.outputs.push_back(o.out);

    Manifest manifest(unit, o.command_line);
    add_read(manifest, read, o.read.working_crs);
    if (o.study) manifest.add_input("study_area", o.study->path);
    auto& j = manifest.json();
    j["profile"] = o.profile;
    j["selected"] = r.selected;
    j["emerging"] = r.step.manifest;
    j["warnings"] = r.warnings;
    manifest.add_output("cells", o.out);
    manifest.write(manifest_path, o.overwrite);
    r.outputs.push_back(manifest_path);
    return r;
}

std::string EmergingJobResult::summary() const {
    std::ostringstream s;
    s << "hotspot emerging: " << rows_in << " rows read, " << kept << " kept, " << rejected << " rejected; " << selected
      << " selected\n  " << step.counted << " incidents in " << step.slices << " monthly slices (" << step.from_month << " to "
      << step.to_month << ") on " << step.study_cells << " study-area cells";
    if (step.undated) s << "; " << step.undated << " undated";
    if (step.outside_study) s << "; " << step.outside_study << " outside the study area";
    s << "\n";
    for (auto [k, v] : step.categories)
        if (k != 0) s << "  " << to_string(EmergingClass(k)) << ": " << v << " cells\n";
    for (auto [k, v] : step.persistence)
        if (k != 0) s << "  sfhotspot " << to_string(PersistenceClass(k)) << ": " << v << " cells\n";
    for (const auto& f : outputs) s << "  wrote " << f << "\n";
    return s.str();
}

} // namespace hotspot
