// hotspot kde: read, then the density step, then the manifest (kde_job.hpp).

#include "hotspot/kde_job.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <sstream>

#include "hotspot/config.hpp"
#include "hotspot/disclosure.hpp"
#include "hotspot/error.hpp"
#include "hotspot/geocode.hpp"
#include "hotspot/manifest.hpp"
#include "hotspot/read_manifest.hpp"
#include "hotspot/output_safety.hpp"
#include "hotspot/profile_split.hpp"
#include "hotspot/steps/change_step.hpp"
#include "hotspot/vector_out.hpp"
#include "job_read.hpp"
#include "util/text.hpp"

namespace fs = std::filesystem;

namespace hotspot {

namespace {

// The GeoTIFF, its .qml, .png and manifest: refused before the read when the name is not a
// GeoTIFF's or one is an input (`existing` false), and before any work when one exists.
void check_kde_outputs(const KdeJobOptions& o, const std::string& manifest_path, bool existing) {
    check_output_extension(o.out, {".tif", ".tiff", ".vrt"}, "a GeoTIFF, or a mosaic of GeoTIFF tiles (.vrt)", "kde");
    std::vector<std::string> inputs = incident_files(o.read.paths);
    if (o.study) inputs.push_back(source_file(o.study->path));
    const fs::path out(o.out);
    std::vector<std::string> outputs{o.out, fs::path(out).replace_extension(".qml").string(),
                                     o.png ? fs::path(out).replace_extension(".png").string() : std::string(),
                                     manifest_path};
    if (lower_extension(o.out) == ".vrt")  // a surface in tiles: their folder (KdeStepOutput::path)
        outputs.push_back((out.parent_path() / (out.stem().string() + "_tiles")).string());
    if (!o.change_out.empty()) {
        check_raster_output(o.change_out, "kde");
        outputs.push_back(o.change_out);
        outputs.push_back(fs::path(o.change_out).replace_extension(".qml").string());
    }
    for (const auto& p : outputs) check_not_input(p, inputs, "kde");
    if (existing) check_outputs(outputs, inputs, o.overwrite, "kde");
}

// The periods: months "YYYY-MM", both ends or neither; a comparison needs --change-out.
void check_periods(const KdeJobOptions& o) {
    using Flag = std::pair<const std::string*, const char*>;
    for (const auto& [text, flag] : {Flag{&o.period_from, "--period-from"}, Flag{&o.period_to, "--period-to"},
                                     Flag{&o.compare_from, "--compare-from"}, Flag{&o.compare_to, "--compare-to"}}) {
        if (text->empty()) continue;
        try {
            parse_month(*text, flag);
        } catch (const UsageError&) {
            throw UsageError("kde", std::string(flag) + " must be a month YYYY-MM (got '" + *text + "')");
        }
    }
    if (o.period_from.empty() != o.period_to.empty() || o.compare_from.empty() != o.compare_to.empty())
        throw UsageError("kde", "give both ends of a period: --period-from and --period-to, --compare-from and --compare-to");
    const bool comparing = !o.compare_from.empty();
    if (comparing && o.period_from.empty())
        throw UsageError("kde", "a comparison period needs the period it is compared with: give --period-from and --period-to");
    if (comparing != !o.change_out.empty())
        throw UsageError("kde", comparing ? "a comparison period writes a change surface: give --change-out FILE.tif"
                                          : "--change-out needs a comparison period (--compare-from, --compare-to)");
}

} // namespace

KdeJobResult run_kde_job(const KdeJobOptions& o, const Progress& progress) {
    const auto t0 = std::chrono::steady_clock::now();
    KdeJobResult r;
    r.manifest_path = command_manifest_path(o.out, o.manifest_path);
    check_kde_outputs(o, r.manifest_path, false);  // names and inputs before any work
    o.kde.validate();
    check_periods(o);
    {
        KdeStepOutput planned;
        planned.path = o.out, planned.png = o.png, planned.change_path = o.change_out, planned.tile_cells = o.tile_cells;
        check_tiled_output(o.kde, planned);
    }
    check_kde_outputs(o, r.manifest_path, true);   // options first, then existing outputs
    Manifest manifest("kde", o.command_line);

    auto t = std::chrono::steady_clock::now();
    ReadOptions read = o.read;
    // A fixed --extent sizes the grid, not the incidents: nothing to screen (and a tile's bulk
    // is not the whole's, so screening would make tiles differ from the untiled run).
    read.sizes_grid_from_extent = !o.study.has_value() && !o.kde.extent.has_value();
    // kde writes no incidents: of the fields' text it reads only the weight's (and the reader
    // keeps the location precision's); the rest need not be held (a million police.uk rows
    // hold 155 MB of it)
    read.keep_text = o.kde.weight.empty() ? std::vector<std::string>{} : std::vector<std::string>{o.kde.weight};
    const ReadResult in = read_incidents(read, progress);
    detail::tally_read(in, r);
    if (in.incidents.size() == 0)
        throw InputError("kde", o.read.paths.front(), "no incident has a usable location; check --x/--y/--crs");
    std::optional<AreaLayer> study;
    if (o.study) {
        study = read_area_layer(*o.study, o.read.working_crs);
        for (const auto& w : study->warnings) r.warnings.push_back(w);
        detail::check_study_area("kde", *study, in.incidents, o.kde.threads, r.warnings);
    }
    manifest.add_timing("read", util::seconds_since(t));

    t = std::chrono::steady_clock::now();
    KdeStepInput kin;
    kin.incidents = &in.incidents;
    // The period's and the comparison's incidents (the run's selection, split by date).
    Profile every;
    every.name = "kde";
    every.title = "All incidents";
    const DateSplitSelection dates(in.incidents, every, o.kde.threads);
    const Selection period = dates.select(o.period_from, o.period_to), comparison = dates.select(o.compare_from, o.compare_to);
    if (!o.period_from.empty()) {
        if (period.rows.empty())
            throw InputError("kde", o.read.paths.front(), "no incident is dated " + o.period_from + " to " + o.period_to +
                                                              "; give --period-from/--period-to months the data cover");
        kin.rows = &period.rows;
    }
    if (!o.change_out.empty()) kin.comparison_rows = &comparison.rows;
    if (study) kin.study = &study->polygons;
    KdeStepOutput kout;
    kout.path = o.out;
    kout.crs = o.read.working_crs;
    kout.overwrite = o.overwrite;
    kout.png = o.png;
    kout.tile_cells = o.tile_cells;
    kout.may_tile = true;
    if (o.study) kout.study_area = o.study->name + "=" + o.study->path;
    KdeStepOptions ko = o.kde;
    if (o.publish_min_count > 0) {  // the run's publish mode (run/profile_kde.cpp), the same rules
        ko.heat.min_incidents = std::max(ko.heat.min_incidents, o.publish_min_count);
        kout.publish_min_count = ko.heat.min_incidents, kout.publish_min_bandwidth_m = DisclosurePolicy{}.min_bandwidth_m;
    }
    if (!o.change_out.empty()) {
        kout.change_path = o.change_out;
        kout.comparison = Period{o.compare_from, o.compare_to}.describe();
        kout.change_significance = change_significance_of(o.period_from, o.period_to, o.compare_from, o.compare_to);
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
    // a surface in tiles: its files start with the tiles, named here by their count and folder
    const auto tiles = step.manifest.find("tiles");
    const std::size_t skip = tiles != step.manifest.end() ? tiles->at("written").get<std::size_t>() : 0;
    for (std::size_t i = skip; i < step.files.size(); ++i) s << (i > skip ? " + " : " ") << step.files[i];
    if (skip)
        s << " (a mosaic of " << skip << " tiles of " << tiles->at("tile_cells").get<int>() << " x "
          << tiles->at("tile_cells").get<int>() << " cells in "
          << (fs::path(step.files.front()).parent_path().string()) << "/)";
    s << " + " << manifest_path << "\n";
    return s.str();
}

} // namespace hotspot
