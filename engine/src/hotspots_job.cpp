// hotspot hotspots: read, the density step, the hot spots step, the manifest (hotspots_job.hpp).

#include "hotspot/hotspots_job.hpp"
#include "hotspot/read_manifest.hpp"

#include <chrono>
#include <filesystem>
#include <sstream>

#include "hotspot/error.hpp"
#include "hotspot/geocode.hpp"
#include "hotspot/geometry.hpp"
#include "hotspot/manifest.hpp"
#include "hotspot/output_safety.hpp"
#include "hotspot/vector_out.hpp"
#include "job_read.hpp"
#include "util/text.hpp"

namespace fs = std::filesystem;

namespace hotspot {

namespace {

constexpr const char* unit = "hotspots";

std::string stem_with(const std::string& out, const std::string& suffix) {
    fs::path p(out);
    return (p.parent_path() / (p.stem().string() + suffix)).string();
}

} // namespace

HotspotsJobResult run_hotspots_job(const HotspotsJobOptions& o, const Progress& progress) {
    const auto t0 = std::chrono::steady_clock::now();
    HotspotsJobResult r;
    if (o.areas.empty())
        throw UsageError(unit, "give the study area with --areas NAME=PATH (e.g. --areas ward=wards.gpkg "
                               "--areas lsoa=lsoas.gpkg); the first is the study area");
    check_vector_output(o.out, 1, unit);
    o.kde.validate();
    o.hotspots.validate();
    r.out = o.out;
    r.kde_path = stem_with(o.out, "_kde.tif");
    r.manifest_path = command_manifest_path(o.out);
    std::vector<std::string> inputs = incident_files(o.read.paths);
    for (const auto& a : o.areas) inputs.push_back(source_file(a.path));
    const std::vector<std::string> outputs{o.out, r.kde_path, fs::path(r.kde_path).replace_extension(".qml").string(),
                                           r.manifest_path};
    check_outputs(outputs, inputs, o.overwrite, unit);
    Manifest manifest("hotspots", o.command_line);

    auto t = std::chrono::steady_clock::now();
    const ReadResult in = read_incidents(o.read, progress);
    detail::tally_read(in, r);
    if (in.incidents.size() == 0)
        throw InputError(unit, o.read.paths.front(), "no incident has a usable location; check --x/--y/--crs");
    std::vector<AreaLayer> layers;
    for (const auto& spec : o.areas) {
        layers.push_back(read_area_layer(spec, o.read.working_crs));
        for (const auto& w : layers.back().warnings) r.warnings.push_back(w);
    }
    const AreaLayer& study = layers.front();
    detail::check_study_area(unit, study, in.incidents, o.kde.threads, r.warnings);
    manifest.add_timing("read", util::seconds_since(t));

    t = std::chrono::steady_clock::now();
    KdeStepInput kin;
    kin.incidents = &in.incidents;
    kin.study = &study.polygons;
    KdeStepOutput kout;
    kout.path = r.kde_path;
    kout.crs = o.read.working_crs;
    kout.overwrite = o.overwrite;
    kout.study_area = study.name + "=" + study.path;
    r.density = run_kde_step(kin, o.kde, kout, progress);
    for (const auto& w : r.density.warnings) r.warnings.push_back(w);

    HotspotsStepInput hin;
    hin.incidents = &in.incidents;
    hin.grid = &r.density.grid;
    hin.surface = r.density.surface.values;
    hin.study = &study.polygons;
    std::vector<const AreaLayer*> levels;
    for (const auto& l : layers) levels.push_back(&l);
    hin.pick_area_levels(levels);
    VectorWriter writer(o.out, o.read.working_crs, o.overwrite);
    HotspotsStepOutput hout;
    hout.writer = &writer;
    hout.layer = o.layer;
    hout.title = "All incidents";
    r.hotspots = run_hotspots_step(hin, o.hotspots, hout);
    writer.commit();
    manifest.add_timing("analyse_and_write", util::seconds_since(t));
    manifest.add_timing("total", util::seconds_since(t0));

    add_read(manifest, in, o.read.working_crs);
    for (const auto& a : o.areas) manifest.add_input("areas", a.path);
    auto& j = manifest.json();
    j["options"] = {{"kde", o.kde.to_json()}, {"hotspots", o.hotspots.to_json()}, {"working_crs", o.read.working_crs}};
    j["kde"] = r.density.manifest;
    j["hotspots"] = r.hotspots.manifest;
    j["warnings"] = r.warnings;
    manifest.add_output("hotspots", o.out);
    for (const auto& f : r.density.files) manifest.add_output("surface", f);
    manifest.write(r.manifest_path, o.overwrite);
    return r;
}

std::string HotspotsJobResult::summary() const {
    const auto& m = hotspots.manifest;
    std::ostringstream s;
    s << "hotspots: " << util::thousands(hotspots.found.incidents) << " incidents, " << hotspots.threshold_text << ": "
      << hotspots.records.size() << " hot spots cover " << util::fixed(100 * m.value("share_of_area", 0.0), 2)
      << "% of the study area and hold " << util::fixed(100 * m.value("share_of_incidents", 0.0), 1)
      << "% of the incidents\n";
    for (std::size_t i = 0; i < std::min<std::size_t>(5, hotspots.records.size()); ++i) {
        const auto& h = hotspots.records[i];
        s << "  " << h.spot.rank << ". " << h.grid_ref << "  " << util::thousands(h.spot.incidents) << " incidents, "
          << util::thousands(std::uint64_t(std::lround(h.spot.area_m2))) << " m², " << (h.streets.empty() ? h.wards : h.streets)
          << "\n";
    }
    s << "wrote " << out << " (layer " << m.value("layer", "") << ") + " << kde_path << " + " << manifest_path << "\n";
    return s.str();
}

} // namespace hotspot
