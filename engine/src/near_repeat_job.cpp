// `hotspot near-repeat`: the frame around the near-repeat step (steps/near_repeat_step.hpp):
// read the incidents, run the step into a GeoPackage, write the CSV and the manifest.

#include "hotspot/near_repeat_job.hpp"

#include <chrono>
#include <filesystem>

#include "hotspot/error.hpp"
#include "hotspot/manifest.hpp"
#include "hotspot/read_manifest.hpp"
#include "hotspot/output_safety.hpp"
#include "hotspot/vector_out.hpp"

namespace fs = std::filesystem;

namespace hotspot {

namespace {
constexpr const char* unit = "near-repeat";
} // namespace

void NearRepeatOptions::validate() const {
    NearRepeatStepOptions::validate();
    if (out.empty()) throw UsageError(unit, "no output given; use --out FILE.gpkg");
    if (fs::path(out).extension() != ".gpkg") throw UsageError(unit, "--out '" + out + "' must end in .gpkg");
}

std::string NearRepeatOptions::csv_path() const {
    if (!csv.empty()) return csv;
    fs::path p(out);
    return (p.parent_path() / (p.stem().string() + "_knox.csv")).string();
}

NearRepeatResult run_near_repeat(const NearRepeatOptions& o, const IncidentTable& inc, const Progress& progress) {
    o.validate();
    const std::string csv_path = o.csv_path();
    check_can_write(o.out, o.overwrite, unit);
    check_can_write(csv_path, o.overwrite, unit);
    VectorWriter w(o.out, o.read.working_crs, o.overwrite);
    NearRepeatStepInput in;
    in.incidents = &inc;
    NearRepeatStepOutput out;
    out.writer = &w;
    NearRepeatResult r = run_near_repeat_step(in, o, out, progress);
    w.commit();
    r.outputs.push_back(o.out);
    write_text_atomic(csv_path, knox_csv(r.table), o.overwrite, unit);
    r.outputs.push_back(csv_path);
    return r;
}

NearRepeatResult run_near_repeat_job(const NearRepeatOptions& o, const Progress& progress) {
    o.validate();
    const auto t0 = std::chrono::steady_clock::now();
    const std::string manifest_path = command_manifest_path(o.out, o.manifest_path);
    check_can_write(manifest_path, o.overwrite, unit);
    if (o.read.paths.empty()) throw UsageError(unit, "no incidents given; use --incidents FILE");
    const ReadResult read = read_incidents(o.read, progress);
    NearRepeatResult r = run_near_repeat(o, read.incidents, progress);
    for (const auto& w : read.warnings) r.warnings.insert(r.warnings.begin(), w);
    Manifest manifest("near-repeat", o.command_line);
    auto& j = manifest.json();
    for (auto it = r.manifest_node.begin(); it != r.manifest_node.end(); ++it) j[it.key()] = it.value();
    add_read(manifest, read, o.read.working_crs);
    manifest.add_output("near_repeat", o.out);
    manifest.add_output("knox_csv", o.csv_path());
    manifest.add_timing("total", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    manifest.write(manifest_path, o.overwrite);
    r.outputs.push_back(manifest_path);
    return r;
}

} // namespace hotspot
