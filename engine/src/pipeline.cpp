// hotspot run: the second frame of the steps (docs/ARCHITECTURE.md). Read once, place the
// incidents once (geocode step), then per profile select and run the steps its `outputs` list
// (run/profile_*.cpp call the kde, Gi* and geocode steps), then the project and the manifest.

#include "hotspot/pipeline.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <future>
#include <limits>
#include <map>
#include <mutex>
#include <thread>

#include "hotspot/error.hpp"
#include "hotspot/grid.hpp"
#include "hotspot/manifest.hpp"
#include "hotspot/output_safety.hpp"
#include "hotspot/qgis_project.hpp"
#include "hotspot/run_names.hpp"
#include "hotspot/styles.hpp"
#include "job_read.hpp"
#include "run/profile_disclosure.hpp"
#include "run/run_context.hpp"
#include "run/timed.hpp"
#include "util/text.hpp"

namespace fs = std::filesystem;

namespace hotspot {

namespace {

constexpr const char* unit = "run";

using detail::ProfileRun;
using detail::RunAreas;
using util::seconds_since;
using util::thousands;

// A density or Gi* grid over the study area (or analysis.extent) at a profile's cell size that
// would pass Grid::default_max_cells is refused here, before the analysis: the steps would refuse
// it too, but only after the reading, the placing and the profiles before it (a national 25 m
// run was refused after 4 min 52 s). The count is over the extent alone (the steps add the
// bandwidth around it), so nothing the steps accept is refused here.
// `bases`: the run's profiles, each in its variant for the input (choose_variant).
void refuse_oversized_grids(const RunConfig& cfg, const Bounds& study, const std::vector<Profile>& bases) {
    const Bounds b = cfg.analysis.extent.value_or(study);
    if (b.empty()) return;
    for (const Profile& profile : bases) {
        struct Check { bool on; double cell; const char* what; const char* key; };
        for (const Check c : {Check{detail::profile_wants(profile, "kde"), detail::run_kde_cell_m(cfg.analysis, profile), "density", "analysis.cell_m"},
                              Check{detail::profile_wants(profile, "gistar"), detail::run_gistar_cell_m(cfg.analysis, profile), "Gi*",
                                    "analysis.gistar_cell_m"}}) {
            if (!c.on || !(c.cell > 0)) continue;
            // the aligned grid the steps would build, counted without its limit (nothing is allocated)
            const Grid g = Grid::aligned(b, c.cell, std::numeric_limits<std::int64_t>::max());
            const double cells = double(g.cols) * double(g.rows);
            if (cells <= double(Grid::default_max_cells)) continue;
            // the smallest cell, in whole 5 m, whose grid fits (with the bandwidth's margin to spare)
            const double fits = 5 * std::ceil(std::sqrt(b.width() * b.height() / (0.9 * double(Grid::default_max_cells))) / 5);
            char text[768];
            std::snprintf(text, sizeof text,
                          "profile %s: a %g m %s grid over the study area (%.0f x %.0f km) would have %.3g cells, more "
                          "than the %.3g cells a run allows; refused before any analysis. Set %s = %g or more, "
                          "split the area into tiles (README \"Tiled runs\": bench/tiles/tiles.sh), or map the density "
                          "alone in tiles (hotspot kde --out NAME.vrt)",
                          profile.name.c_str(), c.cell, c.what, b.width() / 1000, b.height() / 1000, cells,
                          double(Grid::default_max_cells), c.key, fits);
            throw InputError(unit, cfg.config_path, text);
        }
    }
}

Profile with_period(const Profile& p, const Period& period) {
    Profile q = p;
    if (!period.empty()) {
        q.filter.date_from = period.from;
        q.filter.date_to = period.to;
    }
    return q;
}

// The profile's selection of the run's period (the profile's own dates when the run has none).
Selection select_period(const DateSplitSelection& split, const Profile& dated) {
    return split.select(dated.filter.date_from, dated.filter.date_to);
}

std::string rejected_summary(const ReadResult& read) {
    std::map<std::string, std::uint64_t> by;
    for (auto r : read.rejects.reason) ++by[std::string(reason_name(r))];
    std::string s;
    for (auto& [k, v] : by) s += (s.empty() ? "" : ", ") + k + " " + thousands(v);
    return s;
}

// The .qml written beside a raster (empty when there is none), for the project to embed.
std::string read_sidecar_qml(const std::string& raster) {
    const std::string q = fs::path(raster).replace_extension(".qml").string();
    std::FILE* f = std::fopen(q.c_str(), "rb");
    if (!f) return "";
    std::string text;
    char buf[16384];
    std::size_t got;
    while ((got = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, got);
    std::fclose(f);
    return text;
}

// The selection's terms and exclusions, for the manifest.
nlohmann::ordered_json selection_node(const Selection& sel) {
    nlohmann::ordered_json j;
    j["selection_terms"] = nlohmann::ordered_json::array();
    for (auto& tc : sel.terms) j["selection_terms"].push_back({{"term", tc.term}, {"selected", tc.selected}, {"remaining", tc.remaining}});
    j["excluded_unknown_time"] = sel.excluded_unknown_time;
    j["excluded_unknown_date"] = sel.excluded_unknown_date;
    return j;
}

// The "run" section of the manifest.
RunSection run_section(const RunConfig& cfg, const RunAreas& areas, bool police_uk) {
    RunSection r;
    r.title = cfg.title;
    r.area_name = cfg.area_name;
    r.period_from = cfg.period.from;
    r.period_to = cfg.period.to;
    r.period_text = cfg.period.describe();
    r.comparing = !cfg.comparison.empty();
    if (r.comparing) {
        r.comparison_from = cfg.comparison.from;
        r.comparison_to = cfg.comparison.to;
        r.comparison_text = cfg.comparison.describe();
    }
    r.police_uk = police_uk;
    r.publish = cfg.publish;
    r.publish_min_count = cfg.publish ? cfg.publish_min_count : 0;
    r.working_crs = cfg.working_crs;
    r.study_area_layer = areas.study_layer().name;
    r.study_area_km2 = areas.study_area_m2 / 1e6;
    for (const auto& lv : areas.levels) {
        RunAreaLevelRecord l;
        l.name = lv.layer.name;
        l.areas = lv.layer.size();
        l.boundaries_layer = boundaries_layer_name(lv.layer.name);
        l.code_field = lv.layer.code_field;
        l.areas_where = lv.config.spec.where;
        if (lv.has_population || lv.lookup) l.vintage = vintage_note_json(lv.vintage, lv.lookup ? &*lv.lookup : nullptr);
        r.area_levels.push_back(std::move(l));
    }
    r.attribution = cfg.attribution;  // for the tasking report's cover (report.hpp)
    r.marking = cfg.marking;          // so `hotspot report` run later keeps them
    r.author = cfg.author;
    return r;
}

// What a profile's analysis leaves for its writing: the rasters written, and whether it
// selected anything at all.
struct AnalysedProfile {
    bool selected = false;
    std::string kde_path, change_path;
};

// The analysis of one profile: the steps its `outputs` list but the last (emerging hot spots:
// analyse_profile_tail), their layers into p.gpkg (a recorder) and their GeoTIFFs into their
// own files. Safe to run for several profiles at once, and beside the tail: each has its own
// outcome, record, group and recorder; the areas, incidents and selections are only read (the
// study masks lock).
AnalysedProfile analyse_profile(ProfileRun& p) {
    AnalysedProfile a;
    ProfileOutcome& po = p.po;
    const Profile& profile = p.profile;
    RunProfileRecord& rec = p.record;
    rec.name = po.name = profile.name;
    rec.title = po.title = profile.title;
    rec.proxy_note = po.proxy_note = profile.proxy_note;
    rec.description = profile.description;
    rec.denominator = std::string(denominator_name(profile.denominator));
    rec.filter = po.filter_terms = describe_terms(profile.filter);
    po.selected = rec.selected = p.sel.rows.size();
    for (auto& w : p.sel.warnings) po.warnings.push_back(w);
    if (p.sel.rows.empty()) {
        // Nothing to map: say so and write nothing for this profile rather than empty files.
        std::string terms;
        for (auto& tc : p.sel.terms) terms += (terms.empty() ? "" : "; ") + tc.term + ": " + thousands(tc.remaining) + " left";
        po.warnings.push_back("run: profile " + profile.name + " selects no incidents in " + p.cfg.period.describe() +
                              " (" + terms + "); no outputs were written for it");
        rec.warnings = po.warnings;
        return a;
    }
    a.selected = true;
    rec.selection = selection_node(p.sel);
    if (p.comparing) rec.selected_comparison = std::int64_t(po.selected_comparison = p.cmp.rows.size());
    rec.outputs = profile.outputs;

    detail::ProfileSpots spots;
    if (p.wants("kde")) {
        detail::run_profile_backtest(p);
        const KdeStepResult k = run_profile_kde(p);
        a.kde_path = (p.out / run_output_name(profile.name, RunOutputKind::kde)).string();
        if (p.comparing) a.change_path = (p.out / run_output_name(profile.name, RunOutputKind::kde_change)).string();
        if (p.wants("hotspot_polygons")) spots = detail::hotspot_areas(p, k, detail::run_profile_hotspots(p, k));
    }
    if (p.wants("gistar")) detail::run_profile_gistar(p);
    if (p.wants("rates")) detail::run_profile_rates(p);
    if (p.wants("near_repeat")) detail::run_profile_near_repeat(p);
    detail::run_profile_change(p, spots);
    return a;
}

// The profile's last step, emerging hot spots, which needs nothing from the steps before it: run
// as a task of its own into its own ProfileRun `t` (own outcome, record, group, recorder), so
// two cores share a run's profiles more evenly (the force-sized year's last profile ran on one
// core). Nothing when the profile selects nothing (analyse_profile writes nothing for it then).
void analyse_profile_tail(ProfileRun& t) {
    if (!t.sel.rows.empty()) detail::run_profile_emerging(t);
}

// The tail's results appended to the profile's, as if its step had run last in analyse_profile:
// the emerging step sets only these (its manifest node, its layer in the record, outcome and
// project group, its warnings and its analysis time); its layers are replayed by the caller.
void append_tail(ProfileRun& p, ProfileRun& t) {
    for (auto& [key, node] : t.record.steps.items()) p.record.steps[key] = std::move(node);
    for (auto& w : t.record.written) p.record.written.push_back(std::move(w));
    for (auto& f : t.po.files) p.po.files.push_back(std::move(f));
    for (auto& l : t.po.layers) p.po.layers.push_back(std::move(l));
    for (auto& w : t.po.warnings) p.po.warnings.push_back(std::move(w));
    for (auto& l : t.group.layers) p.group.layers.push_back(std::move(l));
    p.analyse_s += t.analyse_s;
}

// The writing of one analysed profile, in profile order on one thread: its recorded layers
// replayed into the run's GeoPackage, then the entries of its incidents layer (written
// earlier, while the profiles were analysed) and of its rasters in the manifest and the
// project (the order a profile run alone from start to end made them in).
void finish_profile(ProfileRun& p, const AnalysedProfile& a, VectorWriter& recorded, ProfileRun& tail,
                    VectorWriter& tail_recorded, VectorWriter& gpkg) {
    if (!a.selected) return;
    recorded.replay_into(gpkg);
    tail_recorded.replay_into(gpkg);
    append_tail(p, tail);
    detail::note_profile_incidents(p, gpkg);
    const std::string& title = p.profile.title;
    if (!a.kde_path.empty())
        p.group.layers.push_back({title + ": density", "./" + fs::path(a.kde_path).filename().string(), true, "",
                                  read_sidecar_qml(a.kde_path), true});
    if (!a.change_path.empty())
        p.group.layers.push_back({title + ": density change", "./" + fs::path(a.change_path).filename().string(),
                                  true, "", read_sidecar_qml(a.change_path), false});
    detail::round_profile_totals(p);  // publish mode: the manifest's totals rounded (--publish-round)
    p.record.warnings = p.po.warnings;
}

// One profile of the run from selection to writing; the parts a ProfileRun refers to live here.
struct ProfileJob {
    ProfileJob(const RunConfig& cfg, const IncidentTable& inc, RunAreas& areas, const Profile& base_, const Profile& profile_,
               const DateSplitSelection& split, Selection sel_, bool comparing, const fs::path& out, unsigned threads,
               const VectorWriter& gpkg, bool first, double select_s_)
        : base(base_), profile(profile_), sel(std::move(sel_)), layers(VectorWriter::recorder(gpkg)),
          tail_layers(VectorWriter::recorder(gpkg)), group{profile_.title, {}, first}, tail_group{profile_.title, {}, first},
          select_s(select_s_),
          run{cfg, inc, areas, profile, split, sel, cmp, comparing, out, threads, layers, po, group, rec, 0.0, {}, {}},
          tail{cfg, inc, areas, profile, split, sel, no_comparison, false, out, threads, tail_layers, tail_po, tail_group, tail_rec, 0.0, {}, {}} {}
    Profile base, profile;
    Selection sel, cmp;
    const Selection no_comparison;  // the tail's: it reads no comparison (cmp is set while it runs)
    ProfileOutcome po, tail_po;
    RunProfileRecord rec, tail_rec;
    VectorWriter layers, tail_layers;  // the recorders the steps write to
    ProjectGroup group, tail_group;
    double select_s = 0;   // selection time (before the analysis), part of the profile's time
    double analyse_wall_s = 0, tail_wall_s = 0, finish_s = 0, incidents_s = 0;
    AnalysedProfile analysed;
    std::exception_ptr failure, tail_failure;
    ProfileRun run;   // the steps but the last (analyse_profile)
    ProfileRun tail;  // the last step (analyse_profile_tail), appended in finish_profile
};

} // namespace

RunResult run_pipeline(const RunConfig& cfg, const std::string& command_line, unsigned threads,
                       const Progress& progress) {
    cfg.validate();
    const auto t0 = std::chrono::steady_clock::now();
    RunResult res;
    res.output_dir = cfg.output_dir;
    std::error_code ec;
    const std::string& write_dir = cfg.staging_dir.empty() ? cfg.output_dir : cfg.staging_dir;
    fs::create_directories(write_dir, ec);
    if (ec || !fs::is_directory(write_dir))
        throw OutputError(unit, cfg.output_dir, "cannot create the output folder: " + ec.message());
    const fs::path out(write_dir);
    res.gpkg = (out / run_gpkg_name).string();
    res.project = (out / run_project_name).string();
    res.manifest = (out / run_manifest_name).string();
    // Refuse existing outputs before doing any work.
    for (const auto& p : {res.gpkg, res.project, res.manifest}) check_can_write(p, cfg.overwrite);
    for (const auto& prof : cfg.profiles)
        for (auto kind : {RunOutputKind::kde, RunOutputKind::gistar_z, RunOutputKind::kde_change})
            check_can_write((out / run_output_name(prof.name, kind)).string(), cfg.overwrite);

    Manifest manifest("run", command_line);
    RunManifest rm;

    // ---- read; the area layers (which need nothing from the incidents) are read beside them,
    // on a thread of their own unless the run is held to one thread, and taken after the
    // selection, where they were read before (so the errors come in the same order).
    auto area_levels = std::async(resolve_threads(threads) > 1 ? std::launch::async : std::launch::deferred,
                                  [&cfg] { return detail::read_area_levels(cfg); });
    auto t = std::chrono::steady_clock::now();
    ReadOptions ro = cfg.incidents;
    ro.threads = threads;
    ro.working_crs = cfg.working_crs;
    ro.sizes_grid_from_extent = cfg.areas.empty();
    const ReadResult read = read_incidents(ro, progress);
    const IncidentTable& inc = read.incidents;
    detail::tally_read(read, res);
    res.police_uk = read.police_uk;
    res.publish = cfg.publish;
    res.publish_min_count = cfg.publish ? cfg.publish_min_count : 0;
    res.publish_round = cfg.publish ? cfg.publish_round : 1;
    res.exact_duplicates = read.exact_duplicates;
    res.rejected_by_reason = rejected_summary(read);
    res.files = inc.source_files.size();
    res.period = cfg.period.describe();
    if (!cfg.comparison.empty()) res.comparison = cfg.comparison.describe();
    manifest.add_timing("read", seconds_since(t));

    // ---- select: every profile's incidents in the period, before any work on areas or outputs.
    // A period that gives no profile any incident is a mistake in the inputs, not a pack of
    // empty maps: say so and write nothing.
    // Each profile's filter runs once over the table with its dates left out (DateSplitSelection);
    // the period, the comparison, the backtest's history and the trend's every date are split
    // from that one evaluation.
    std::vector<DateSplitSelection> splits;
    splits.reserve(cfg.profiles.size());
    std::vector<Selection> selections(cfg.profiles.size());
    std::vector<double> select_seconds(cfg.profiles.size(), 0.0);
    std::vector<Profile> bases, profiles;  // each profile's variant for this input, and that in the period
    for (std::size_t pi = 0; pi < cfg.profiles.size(); ++pi) {
        bases.push_back(choose_variant(cfg.profiles[pi], read.police_uk));
        profiles.push_back(with_period(bases.back(), cfg.period));
        selections[pi] = detail::timed(select_seconds[pi], [&] {
            splits.emplace_back(inc, profiles.back(), threads);
            return select_period(splits.back(), profiles.back());
        });
    }
    if (!selections.empty() &&
        std::all_of(selections.begin(), selections.end(), [](const Selection& s) { return s.rows.empty(); }))
        throw InputError("run", cfg.config_path,
                         "no profile selects any incident in " + res.period + " (" + thousands(std::int64_t(res.rows_in)) +
                             " rows read); choose a period the data covers (--period-from/--period-to, or "
                             "[period] in the config) or other profiles; nothing was written");

    // ---- areas and geocoding: the geocode step, once for every profile
    t = std::chrono::steady_clock::now();
    RunAreas areas = detail::read_run_areas(cfg, area_levels.get(), inc, threads, progress, res.warnings);
    res.assigned = areas.placement.assigned;
    res.outside = areas.placement.outside;
    manifest.add_timing("geocode", seconds_since(t));
    refuse_oversized_grids(cfg, areas.study_layer().bounds, bases);
    t = std::chrono::steady_clock::now();
    double analyse_total = 0, write_total = 0;

    VectorWriter gpkg(res.gpkg, cfg.working_crs, cfg.overwrite);
    std::vector<ProjectGroup> project_groups;
    ProjectGroup boundaries_group{"Boundaries", {}, false};
    detail::write_boundaries(gpkg, areas, boundaries_group);
    if (!cfg.publish) write_rejects_layer(gpkg, read.rejects);  // nothing lost (never in a publish-mode pack)
    write_total += seconds_since(t);
    manifest.add_timing("write boundaries and rejects", seconds_since(t));

    // ---- profiles: analysed concurrently as two tasks each (its steps but the last, and its
    // emerging hot spots; up to one task per thread), written in profile order. Each task's
    // layers go to its own recorder while it runs. This thread first writes every profile's
    // incidents layer (they need only the selections), then replays each profile's recorders
    // (the steps', then the emerging hot spots') as soon as that profile and every one before it
    // are done, so the GeoPackage and the manifest do not depend on the thread count.
    const bool comparing = !cfg.comparison.empty();
    const std::size_t n_profiles = cfg.profiles.size();
    std::vector<std::unique_ptr<ProfileJob>> jobs;
    for (std::size_t pi = 0; pi < n_profiles; ++pi)
        jobs.push_back(std::make_unique<ProfileJob>(cfg, inc, areas, bases[pi], profiles[pi], splits[pi], std::move(selections[pi]),
                                                    comparing, out, threads, gpkg, pi == 0, select_seconds[pi]));
    const auto analyse = [&](ProfileJob& j) {
        const auto ta = std::chrono::steady_clock::now();
        try {
            if (comparing && !j.sel.rows.empty())
                j.cmp = detail::timed(j.select_s, [&] { return select_period(j.run.split, with_period(j.base, cfg.comparison)); });
            j.analysed = analyse_profile(j.run);
        } catch (...) {
            j.failure = std::current_exception();
        }
        j.analyse_wall_s = seconds_since(ta);
    };
    const auto analyse_tail = [&](ProfileJob& j) {
        const auto ta = std::chrono::steady_clock::now();
        try {
            analyse_profile_tail(j.tail);
        } catch (...) {
            j.tail_failure = std::current_exception();
        }
        j.tail_wall_s = seconds_since(ta);
    };
    // Two tasks a profile: task 2 pi its steps but the last, task 2 pi + 1 the last
    // (analyse_profile_tail). Workers take the tasks in order; `done` says which have finished.
    // A failed task stops the taking of further tasks; every task before it was taken, so
    // finishes.
    const std::size_t n_tasks = 2 * n_profiles;
    const std::size_t n_workers = std::min<std::size_t>(resolve_threads(threads), n_tasks);
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<char> done(n_tasks, 0);
    std::size_t next = 0;
    bool stop = false;
    std::vector<std::thread> workers;
    const auto work = [&] {
        for (;;) {
            std::size_t i;
            {
                std::lock_guard<std::mutex> lock(mutex);
                if (stop || next == n_tasks) return;
                i = next++;
            }
            ProfileJob& j = *jobs[i / 2];
            if (i % 2 == 0) analyse(j);
            else analyse_tail(j);
            std::lock_guard<std::mutex> lock(mutex);
            done[i] = 1;
            if (i % 2 == 0 ? j.failure : j.tail_failure) stop = true;  // start no further task
            changed.notify_all();
        }
    };
    // Whatever leaves this scope (an error, a cancel) first stops the workers and waits for them.
    struct JoinWorkers {
        std::vector<std::thread>& workers;
        std::mutex& mutex;
        bool& stop;
        ~JoinWorkers() {
            {
                std::lock_guard<std::mutex> lock(mutex);
                stop = true;
            }
            for (auto& w : workers)
                if (w.joinable()) w.join();
        }
    } join_workers{workers, mutex, stop};
    if (n_workers > 1)
        for (std::size_t w = 0; w < n_workers; ++w) workers.emplace_back(work);
    // The incidents layers need only the selections: this thread writes them while the workers
    // analyse (the largest layers of a run: 236,000 rows for Leicestershire's all crime, which
    // was written alone at the end). All of them first, in profile order, so the GeoPackage's
    // layers come in one order whatever the thread count.
    for (std::size_t pi = 0; pi < n_profiles; ++pi) {
        ProfileJob& j = *jobs[pi];
        if (j.sel.rows.empty()) continue;
        // (the first profile's progress line, which the loop below starts with: a cancel is
        // seen between layers)
        if (!progress(0.0, "profile " + jobs.front()->profile.name)) throw Cancelled(unit);
        detail::timed(j.incidents_s, [&] { detail::write_profile_incidents(j.run, gpkg); });
    }
    for (std::size_t pi = 0; pi < n_profiles; ++pi) {
        ProfileJob& j = *jobs[pi];
        if (!progress(double(pi) / double(n_profiles), "profile " + j.profile.name)) throw Cancelled(unit);
        if (n_workers > 1) {
            std::unique_lock<std::mutex> lock(mutex);
            // (once the first task has failed the tail may never be taken; that failure is thrown)
            changed.wait(lock, [&] { return done[2 * pi] != 0 && (done[2 * pi + 1] != 0 || j.failure); });
        } else {
            analyse(j);
            if (!j.failure) analyse_tail(j);
        }
        // the errors in step order: the tail's only when the steps before it succeeded
        if (j.failure) std::rethrow_exception(j.failure);
        if (j.tail_failure) std::rethrow_exception(j.tail_failure);
        const auto tf = std::chrono::steady_clock::now();
        finish_profile(j.run, j.analysed, j.layers, j.tail, j.tail_layers, gpkg);
        j.finish_s = seconds_since(tf);
        rm.profiles.push_back(std::move(j.rec));
        if (!j.sel.rows.empty()) {
            project_groups.push_back(std::move(j.group));
            // The selection made before the analysis is analysis time of this profile too; its
            // writing is the steps' GeoTIFFs (inside the analysis) and the layers written here.
            const double analyse_s = j.run.analyse_s + j.select_s;
            const double profile_s = j.analyse_wall_s + j.tail_wall_s + j.select_s + j.finish_s + j.incidents_s;
            manifest.add_timing("profile " + j.po.name, profile_s);
            manifest.add_timing("profile " + j.po.name + " analyse", analyse_s);
            manifest.add_timing("profile " + j.po.name + " write", profile_s - analyse_s);
            analyse_total += analyse_s;
            write_total += profile_s - analyse_s;
        }
        res.profiles.push_back(std::move(j.po));
    }
    t = std::chrono::steady_clock::now();
    gpkg.commit();
    manifest.add_timing("close GeoPackage", seconds_since(t));
    write_total += seconds_since(t);
    t = std::chrono::steady_clock::now();

    // ---- QGIS project: profiles on top, boundaries below
    project_groups.push_back(boundaries_group);
    write_text_atomic(res.project, run_project_xml({cfg.title, cfg.working_crs, areas.study_layer().bounds, cfg.period.describe(), write_dir},
                                                    project_groups), cfg.overwrite);

    // ---- manifest: the typed run sections, then inputs and timings
    for (const auto& f : inc.source_files) manifest.add_input("incidents", f);
    for (const auto& ac : cfg.areas) {
        manifest.add_input("areas:" + ac.spec.name, ac.spec.path);
        if (!ac.population_path.empty()) manifest.add_input("population:" + ac.spec.name, ac.population_path);
        if (!ac.lookup_path.empty()) manifest.add_input("lookup:" + ac.spec.name, ac.lookup_path);
    }
    if (!cfg.config_path.empty()) manifest.add_input("config", cfg.config_path);
    rm.run = run_section(cfg, areas, read.police_uk);
    rm.crs = {{"source_crs", read.source_crs}, {"operation", read.crs_operation}, {"accuracy_m", read.crs_accuracy_m}};
    rm.counts = {{"rows_in", res.rows_in}, {"kept", res.kept}, {"rejected", res.rejected}, {"assigned", res.assigned},
                 {"outside", res.outside}, {"exact_duplicates", read.exact_duplicates},
                 {"rejected_by_reason", res.rejected_by_reason}};
    rm.outputs_folder = cfg.output_dir;
    rm.gpkg = run_gpkg_name;
    rm.project = run_project_name;
    rm.warnings = res.warnings;
    rm.write_into(manifest);
    if (read.postcodes.used) manifest.json()["postcodes"] = read.postcodes.to_json();
    // writing includes the inputs' checksums for the manifest (the manifest file itself is
    // written after its own timings)
    write_total += seconds_since(t);
    manifest.add_timing("write project and manifest", seconds_since(t));
    manifest.add_timing("analyse", analyse_total);
    manifest.add_timing("write", write_total);
    manifest.add_timing("total", seconds_since(t0));
    manifest.write(res.manifest, cfg.overwrite);
    return res;
}

} // namespace hotspot
