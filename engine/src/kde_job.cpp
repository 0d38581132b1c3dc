// hotspot kde: read, then the density step, then the manifest (kde_job.hpp).

#include "hotspot/kde_job.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <sstream>

#include "hotspot/disclosure.hpp"
#include "hotspot/error.hpp"
#include "hotspot/geocode.hpp"
#include "hotspot/manifest.hpp"
#include "hotspot/read_manifest.hpp"
#include "hotspot/output_safety.hpp"
#include "hotspot/vector_out.hpp"
#include "util/text.hpp"

namespace fs = std::filesystem;

namespace hotspot {

namespace {

// The GeoTIFF, its .qml, .png and manifest: refused before the read when the name is not a
// GeoTIFF's or one is an input (`existing` false), and before any work when one exists.
void check_kde_outputs(const KdeJobOptions& o, const std::string& manifest_path, bool existing) {
    check_raster_output(o.out, "kde");
    std::vector<std::string> inputs = incident_files(o.read.paths);
    if (o.study) inputs.push_back(source_file(o.study->path));
    const fs::path out(o.out);
    const std::vector<std::string> outputs{o.out, fs::path(out).replace_extension(".qml").string(),
                                           o.png ? fs::path(out).replace_extension(".png").string() : std::string(),
                                           manifest_path};
    for (const auto& p : outputs) check_not_input(p, inputs, "kde");
    if (existing) check_outputs(outputs, inputs, o.overwrite, "kde");
}

} // namespace

KdeJobResult run_kde_job(const KdeJobOptions& o, const Progress& progress) {
    const auto t0 = std::chrono::steady_clock::now();
    KdeJobResult r;
    r.manifest_path = command_manifest_path(o.out, o.manifest_path);
    check_kde_outputs(o, r.manifest_path, false);  // names and inputs before any work
    o.kde.validate();
    check_kde_outputs(o, r.manifest_path, true);   // options first, then existing outputs
    Manifest manifest("kde", o.command_line);

    auto t = std::chrono::steady_clock::now();
    ReadOptions read = o.read;
    read.sizes_grid_from_extent = !o.study.has_value();
    const ReadResult in = read_incidents(read, progress);
    for (const auto& w : in.warnings) r.warnings.push_back(w);
    r.rows_in = in.rows_in;
    r.kept = in.incidents.size();
    r.rejected = in.rejects.size();
    if (in.incidents.size() == 0)
        throw InputError("kde", o.read.paths.front(), "no incident has a usable location; check --x/--y/--crs");
    std::optional<AreaLayer> study;
    if (o.study) {
        study = read_area_layer(*o.study, o.read.working_crs);
        for (const auto& w : study->warnings) r.warnings.push_back(w);
        if (study->bounds.empty())
            throw InputError("kde", study->path, "no area of the study layer has a polygon; give --areas a layer "
                                                 "with at least one non-empty polygon");
        const auto& x = in.incidents.x;
        const auto& y = in.incidents.y;
        if (auto line = report_outside("kde", "the study area", study->name, study->path, x.size(),
                                       geocode(AreaIndex(study->polygons), x, y, 0, o.kde.threads).outside);
            !line.empty())
            r.warnings.push_back(line);
    }
    manifest.add_timing("read", util::seconds_since(t));

    t = std::chrono::steady_clock::now();
    KdeStepInput kin;
    kin.incidents = &in.incidents;
    if (study) kin.study = &study->polygons;
    KdeStepOutput kout;
    kout.path = o.out;
    kout.crs = o.read.working_crs;
    kout.overwrite = o.overwrite;
    kout.png = o.png;
    if (o.study) kout.study_area = o.study->name + "=" + o.study->path;
    KdeStepOptions ko = o.kde;
    if (o.publish_min_count > 0) {  // the run's publish mode (run/profile_kde.cpp), the same rules
        ko.heat.min_incidents = std::max(ko.heat.min_incidents, o.publish_min_count);
        kout.publish_min_count = ko.heat.min_incidents, kout.publish_min_bandwidth_m = DisclosurePolicy{}.min_bandwidth_m;
    }
    r.step = run_kde_step(kin, ko, kout, progress);
    for (const auto& w : r.step.warnings) r.warnings.push_back(w);
    manifest.add_timing("kde_and_write", util::seconds_since(t));
    manifest.add_timing("total", util::seconds_since(t0));

    add_read(manifest, in, o.read.working_crs);
    if (o.study) manifest.add_input("study_area", o.study->path);
    auto& j = manifest.json();
    j["options"] = ko.to_json();
    j["options"]["working_crs"] = o.read.working_crs;
    j["kde"] = r.step.manifest;
    j["counts"]["incidents"] = r.step.surface.incidents;
    j["warnings"] = r.warnings;
    for (const auto& f : r.step.files) manifest.add_output("surface", f);
    manifest.write(r.manifest_path, o.overwrite);
    return r;
}

std::string KdeJobResult::summary() const {
    const KdeOptions& k = step.kde;
    std::ostringstream s;
    s << "kde: " << step.surface.incidents << " incidents (" << step.surface.distinct_points << " distinct points), "
      << kernel_name(k.kernel) << " " << util::num(k.bandwidth_m) << " m (" << step.bandwidth.method_name << "), "
      << step.grid.cols << " x " << step.grid.rows << " cells of " << util::num(step.grid.cell_size_m) << " m\n"
      << "wrote";
    for (std::size_t i = 0; i < step.files.size(); ++i) s << (i ? " + " : " ") << step.files[i];
    s << " + " << manifest_path << "\n";
    return s.str();
}

} // namespace hotspot
