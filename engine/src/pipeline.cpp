// hotspot run: every profile's map pack from one config. The maths lives in the pure cores
// (kde, hotspots, gistar, rates, lisa); this file only orchestrates and writes.

#include "hotspot/pipeline.hpp"

#include "diverging_qml.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>

#include "hotspot/bandwidth.hpp"
#include "hotspot/contiguity.hpp"
#include "hotspot/csv.hpp"
#include "hotspot/dates.hpp"
#include "hotspot/error.hpp"
#include "hotspot/geocode.hpp"
#include "hotspot/gistar.hpp"
#include "hotspot/hotspots.hpp"
#include "hotspot/kde.hpp"
#include "hotspot/steps/hotspots_step.hpp"
#include "hotspot/steps/kde_step.hpp"
#include "hotspot/lisa.hpp"
#include "hotspot/manifest.hpp"
#include "hotspot/polygonize.hpp"
#include "hotspot/population.hpp"
#include "hotspot/qgis_project.hpp"
#include "hotspot/raster_out.hpp"
#include "hotspot/rates.hpp"
#include "hotspot/rates_job.hpp"
#include "hotspot/styles.hpp"
#include "hotspot/vector_out.hpp"
#include "hotspot/version.hpp"

namespace fs = std::filesystem;

namespace hotspot {

namespace {

constexpr const char* unit = "run";
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

using util::seconds_since;

// Runs f() and adds its wall time to `acc` (the analyse/write split of a profile's time).
template <class F>
decltype(auto) timed(double& acc, F&& f) {
    struct Add {
        double& acc;
        std::chrono::steady_clock::time_point t = std::chrono::steady_clock::now();
        ~Add() { acc += seconds_since(t); }
    } add{acc};
    return f();
}

using util::thousands;

using util::fixed;

std::string slug(const std::string& name) {
    std::string s;
    for (char c : name) s += std::isalnum(static_cast<unsigned char>(c)) ? char(std::tolower(static_cast<unsigned char>(c))) : '_';
    return s;
}

double ring_area(const Ring& r) {
    double a = 0;
    for (std::size_t i = 0; i < r.size(); ++i) {
        const Point& p = r[i];
        const Point& q = r[(i + 1) % r.size()];
        a += p.x * q.y - q.x * p.y;
    }
    return std::abs(a) / 2;
}

double area_m2(const MultiPolygon& mp) {
    double a = 0;
    for (const auto& poly : mp)
        for (std::size_t k = 0; k < poly.rings.size(); ++k) a += (k == 0 ? 1 : -1) * ring_area(poly.rings[k]);
    return a;
}

MultiPolygon cell_polygon(const Grid& g, std::int64_t c, std::int64_t r) {
    const double x0 = g.origin_x + double(c) * g.cell_size_m, y1 = g.origin_y - double(r) * g.cell_size_m;
    const double x1 = x0 + g.cell_size_m, y0 = y1 - g.cell_size_m;
    return {Polygon{{Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}}}};
}

// Population per area (NaN where unknown) from the area level's table or field.
std::vector<double> read_population(const AreaConfig& ac, const AreaLayer& layer) {
    if (!ac.population_field.empty()) return join_population(layer, read_population_field(layer, ac.population_field));
    if (ac.population_path.empty()) return std::vector<double>(layer.size(), nan);
    PopulationSpec spec;
    spec.area = layer.name;
    spec.path = ac.population_path;
    spec.code_col = ac.population_code_column;
    spec.pop_col = ac.population_value_column;
    return join_population(layer, read_population_csv(spec, layer.code_field));
}

// Parses "YYYY-MM" or "YYYY-MM-DD" into a day range (inclusive).
std::pair<std::int32_t, std::int32_t> day_range(const Period& p) {
    std::int32_t lo = std::numeric_limits<std::int32_t>::min(), hi = std::numeric_limits<std::int32_t>::max();
    if (!p.from.empty()) lo = parse_date(p.from)->days;
    if (!p.to.empty()) {
        const auto d = parse_date(p.to);
        if (d->month_only) {
            const std::int32_t ymd = civil_from_days(d->days);
            const int y = ymd / 10000, m = ymd / 100 % 100;
            hi = days_from_civil(m == 12 ? y + 1 : y, unsigned(m == 12 ? 1 : m + 1), 1) - 1;
        } else {
            hi = d->days;
        }
    }
    return {lo, hi};
}

Profile with_period(const Profile& p, const Period& period) {
    Profile q = p;
    if (!period.empty()) {
        q.filter.date_from = period.from;
        q.filter.date_to = period.to;
    }
    return q;
}

std::string rejected_summary(const ReadResult& read) {
    std::map<std::string, std::uint64_t> by;
    for (auto r : read.rejects.reason) ++by[std::string(reason_name(r))];
    std::string s;
    for (auto& [k, v] : by) s += (s.empty() ? "" : ", ") + k + " " + thousands(v);
    return s;
}

// The .qml written beside a raster (empty when there is none).
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

struct AreaLevel {
    AreaConfig config;
    AreaLayer layer;
    GeocodeResult placed;
    std::vector<double> population;
    SpatialWeights queen;  // row-standardised
    bool has_population = false;
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
    res.gpkg = (out / "hotspot_run.gpkg").string();
    res.project = (out / "hotspot_run.qgs").string();
    res.manifest = (out / "manifest.json").string();
    // Refuse existing outputs before doing any work.
    for (const auto& p : {res.gpkg, res.project, res.manifest}) check_can_write(p, cfg.overwrite);
    for (const auto& prof : cfg.profiles)
        for (const char* suffix : {"_kde.tif", "_gistar_z.tif", "_kde_change.tif"})
            check_can_write((out / (slug(prof.name) + suffix)).string(), cfg.overwrite);

    Manifest manifest("run", command_line);
    auto& mj = manifest.json();

    // ---- read
    auto t = std::chrono::steady_clock::now();
    ReadOptions ro = cfg.incidents;
    ro.working_crs = cfg.working_crs;
    ro.sizes_grid_from_extent = cfg.areas.empty();
    const ReadResult read = read_incidents(ro, progress);
    const IncidentTable& inc = read.incidents;
    res.rows_in = read.rows_in;
    res.kept = inc.size();
    res.rejected = read.rejects.size();
    res.police_uk = read.police_uk;
    res.publish = cfg.publish;
    res.publish_min_count = cfg.publish ? cfg.publish_min_count : 0;
    res.exact_duplicates = read.exact_duplicates;
    res.rejected_by_reason = rejected_summary(read);
    res.files = inc.source_files.size();
    res.period = cfg.period.describe();
    if (!cfg.comparison.empty()) res.comparison = cfg.comparison.describe();
    for (auto& w : read.warnings) res.warnings.push_back(w);
    manifest.add_timing("read", seconds_since(t));

    // ---- areas and geocoding
    t = std::chrono::steady_clock::now();
    std::vector<AreaLevel> levels;
    std::vector<std::uint8_t> anywhere(inc.size(), 0);
    for (const auto& ac : cfg.areas) {
        AreaLevel lv;
        lv.config = ac;
        lv.layer = read_area_layer(ac.spec, cfg.working_crs);
        for (auto& w : lv.layer.warnings) res.warnings.push_back(w);
        const AreaIndex index(lv.layer.polygons);
        lv.placed = geocode(index, inc.x, inc.y, cfg.analysis.snap_m, threads, progress);
        if (!ac.population_path.empty() || !ac.population_field.empty())
            refuse_overlapping_areas("run", lv.layer, index, inc.x, inc.y, lv.placed);
        for (std::size_t i = 0; i < inc.size(); ++i)
            if (lv.placed.area[i] >= 0) anywhere[i] = 1;
        lv.population = read_population(ac, lv.layer);
        for (auto& line : check_population(lv.layer, lv.population, lv.placed.counts)) res.warnings.push_back(line);
        lv.has_population = !ac.population_path.empty() || !ac.population_field.empty();
        lv.queen = queen_weights(lv.layer.polygons);
        row_standardise(lv.queen);
        levels.push_back(std::move(lv));
    }
    for (auto a : anywhere) (a ? res.assigned : res.outside) += 1;
    {
        std::vector<const AreaLayer*> ls;
        std::vector<std::uint64_t> outside;
        for (const auto& lv : levels) ls.push_back(&lv.layer), outside.push_back(lv.placed.outside);
        for (auto& line : report_outside_layers("run", ls, outside, inc.size(), res.outside)) res.warnings.push_back(line);
    }
    std::size_t study_i = 0;
    for (std::size_t i = 0; i < levels.size(); ++i)
        if (levels[i].layer.name == cfg.study_area_layer) study_i = i;
    const AreaLayer& study_layer = levels[study_i].layer;
    double study_area = 0;
    for (const auto& mp : study_layer.polygons) study_area += area_m2(mp);
    const Bounds study_bounds = study_layer.bounds;
    StudyMasks masks(study_layer.polygons);
    manifest.add_timing("geocode", seconds_since(t));
    t = std::chrono::steady_clock::now();
    double analyse_total = 0, write_total = 0;

    VectorWriter gpkg(res.gpkg, cfg.working_crs, cfg.overwrite);
    std::vector<ProjectGroup> project_groups;
    ProjectGroup boundaries_group{"Boundaries", {}, false};

    // ---- boundaries
    for (const auto& lv : levels) {
        const std::string name = "boundaries_" + lv.layer.name;
        gpkg.begin_layer(name, GeomType::multipolygon,
                         {{"code", FieldType::string}, {"name", FieldType::string}, {"population", FieldType::real}});
        for (std::size_t a = 0; a < lv.layer.size(); ++a) {
            gpkg.set_string(0, lv.layer.codes[a]);
            gpkg.set_string(1, lv.layer.names[a]);
            gpkg.set_real(2, lv.population[a]);
            gpkg.set_multipolygon(lv.layer.polygons[a]);
            gpkg.write_feature();
        }
        gpkg.add_style(name, std::string(style_qml("boundaries")), "Area boundaries");
        boundaries_group.layers.push_back({name, "./hotspot_run.gpkg|layername=" + name, false, "Polygon",
                                           std::string(style_qml("boundaries")), true});
    }
    if (!cfg.publish) {
        // Every rejected row, with its reason: nothing lost (never in a publish-mode pack).
        gpkg.begin_layer("rejects", GeomType::none,
                         {{"reject_reason", FieldType::string}, {"source_file", FieldType::string},
                          {"source_line", FieldType::integer}, {"row", FieldType::string}});
        for (std::size_t i = 0; i < read.rejects.size(); ++i) {
            gpkg.set_string(0, reason_name(read.rejects.reason[i]));
            gpkg.set_string(1, fs::path(read.rejects.source_files[read.rejects.source_file[i]]).filename().string());
            gpkg.set_integer(2, std::int64_t(read.rejects.source_line[i]));
            std::string row;
            for (std::size_t c = 0; c < read.rejects.fields.size(); ++c)
                row += (c ? " | " : "") + std::string(read.rejects.fields[c][i]);
            gpkg.set_string(3, row);
            gpkg.write_feature();
        }
    }

    write_total += seconds_since(t);
    manifest.add_timing("write boundaries and rejects", seconds_since(t));

    // ---- profiles
    const auto [cmp_lo, cmp_hi] = day_range(cfg.comparison);
    const bool comparing = !cfg.comparison.empty();
    nlohmann::ordered_json profiles_json = nlohmann::ordered_json::array();
    HotspotsStepOptions hs_options;
    hs_options.hotspots.set_threshold(cfg.analysis.hotspot_threshold);
    hs_options.hotspots.min_incidents = cfg.analysis.hotspot_min_incidents;
    hs_options.hotspots.max_area_m2 = cfg.analysis.hotspot_max_area_m2;
    hs_options.hotspots.max_numbered = cfg.analysis.hotspot_numbered;
    hs_options.hotspots.min_saddle_drop = cfg.analysis.hotspot_saddle_drop;
    hs_options.validate();
    for (std::size_t pi = 0; pi < cfg.profiles.size(); ++pi) {
        const auto tp = std::chrono::steady_clock::now();
        double analyse_s = 0;  // the compute calls below; the rest of the profile's time is writing
        const Profile base = choose_variant(cfg.profiles[pi], read.police_uk);
        const Profile profile = with_period(base, cfg.period);
        ProfileOutcome po;
        po.name = profile.name;
        po.title = profile.title;
        po.proxy_note = profile.proxy_note;
        po.filter_terms = describe_terms(profile.filter);
        const std::string ps = slug(profile.name);
        if (!progress(double(pi) / double(cfg.profiles.size()), "profile " + profile.name)) throw Cancelled(unit);

        const Selection sel = timed(analyse_s, [&] { return select(inc, profile); });
        for (auto& w : sel.warnings) po.warnings.push_back(w);
        po.selected = sel.rows.size();
        if (sel.rows.empty()) {
            // Nothing to map: say so and write nothing for this profile rather than empty files.
            std::string terms;
            for (auto& tc : sel.terms) terms += (terms.empty() ? "" : "; ") + tc.term + ": " + thousands(tc.remaining) + " left";
            po.warnings.push_back("run: profile " + profile.name + " selects no incidents in " + cfg.period.describe() +
                                  " (" + terms + "); no outputs were written for it");
            nlohmann::ordered_json pj;
            pj["name"] = po.name;
            pj["title"] = po.title;
            pj["selected"] = 0;
            pj["warnings"] = po.warnings;
            profiles_json.push_back(pj);
            res.profiles.push_back(std::move(po));
            continue;
        }
        std::vector<double> sx, sy;
        for (auto r : sel.rows) {
            sx.push_back(inc.x[r]);
            sy.push_back(inc.y[r]);
        }
        Selection cmp_sel;
        std::vector<double> cx, cy;
        if (comparing) {
            cmp_sel = timed(analyse_s, [&] { return select(inc, with_period(base, cfg.comparison)); });
            po.selected_comparison = cmp_sel.rows.size();
            for (auto r : cmp_sel.rows) {
                cx.push_back(inc.x[r]);
                cy.push_back(inc.y[r]);
            }
        }
        (void)cmp_lo;
        (void)cmp_hi;

        // The profile's `outputs` choose the steps (validated: hotspot_polygons needs kde, lisa
        // needs rates).
        const auto wants = [&profile](std::string_view o) {
            return std::find(profile.outputs.begin(), profile.outputs.end(), o) != profile.outputs.end();
        };
        const double density_cell_m = cfg.analysis.cell_m.value_or(profile.analysis.cell_size_m);
        ProjectGroup group{profile.title, {}, pi == 0};
        std::optional<KdeStepResult> kstep_holder;
        std::string kde_path, change_path, hs_layer;
        nlohmann::ordered_json hs_node;
        if (wants("kde")) {
            // -- density surface (and its change against the comparison period): the kde step
            KdeStepOptions kso;
            kso.kernel = parse_kernel(cfg.analysis.kernel.value_or(profile.analysis.kde_kernel));
            kso.cell_size_m = density_cell_m;
            kso.threads = threads;
            if (cfg.analysis.bandwidth_auto) kso.bandwidth = BandwidthSpec::parse("auto:" + *cfg.analysis.bandwidth_auto, unit);
            else if (cfg.analysis.bandwidth_m) kso.bandwidth.fixed_m = *cfg.analysis.bandwidth_m;
            else if (!profile.analysis.bandwidth_auto.empty())
                kso.bandwidth = BandwidthSpec::parse("auto:" + profile.analysis.bandwidth_auto, unit);
            else kso.bandwidth.fixed_m = profile.analysis.bandwidth_m;
            KdeStepInput kin;
            kin.incidents = &inc;
            kin.rows = &sel.rows;
            kin.comparison_rows = &cmp_sel.rows;
            kin.study = &study_layer.polygons;
            kin.masks = &masks;
            KdeStepOutput kout;
            kout.path = (out / (ps + "_kde.tif")).string();
            kout.crs = cfg.working_crs;
            kout.overwrite = cfg.overwrite;
            kout.profile = profile.name;
            kout.band_description = profile.title + " density";
            kout.study_area = levels[study_i].config.spec.name + "=" + levels[study_i].config.spec.path;
            if (comparing) {
                kout.change_path = (out / (ps + "_kde_change.tif")).string();
                kout.comparison = cfg.comparison.describe();
            }
            kstep_holder = timed(analyse_s, [&] { return run_kde_step(kin, kso, kout); });
            const KdeStepResult& kstep = *kstep_holder;
            const Grid& kgrid = kstep.grid;
            const KdeResult& kde = kstep.surface;
            for (auto& w : kstep.warnings) po.warnings.push_back(w);
            po.kernel = std::string(kernel_name(kstep.kde.kernel));
            po.bandwidth_m = kstep.kde.bandwidth_m;
            po.bandwidth_method = kstep.bandwidth.method_name;
            po.cell_m = kgrid.cell_size_m;
            po.kde_breaks = kstep.class_breaks;
            kde_path = kout.path;
            change_path = kout.change_path;
            po.files.push_back(kde_path);
            if (comparing) po.files.push_back(change_path);

        if (wants("hotspot_polygons")) {
                // -- hot spots: the hot spots step (steps/hotspots_step.hpp)
                HotspotsStepInput hin;
                hin.incidents = &inc;
                hin.rows = &sel.rows;
                if (comparing) hin.comparison_rows = &cmp_sel.rows;
                hin.grid = &kgrid;
                hin.surface = kde.values;
                hin.study = &study_layer.polygons;
                hin.wards = &levels.front().layer;
                for (const auto& lv : levels)
                    if (lv.layer.name == "ward") hin.wards = &lv.layer;
                for (const auto& lv : levels)
                    if (&lv.layer != hin.wards && (!hin.lsoas || lv.layer.name == "lsoa")) hin.lsoas = &lv.layer;
                HotspotsStepOutput hout;
                hout.writer = &gpkg;
                hout.layer = ps + "_hotspots";
                hout.title = profile.title;
                hout.publish_min_count = cfg.publish ? cfg.publish_min_count : 0;
                const HotspotsStepResult hstep = timed(analyse_s, [&] { return run_hotspots_step(hin, hs_options, hout); });
                hs_layer = hout.layer;
                hs_node = hstep.manifest;
                po.hotspot_threshold = hstep.threshold_text;
                for (const auto& rec : hstep.records) {
                    HotspotSummary s;
                    s.rank = rec.spot.rank;
                    s.incidents = rec.spot.incidents;
                    s.share = rec.spot.share;
                    s.pai = rec.spot.pai;
                    s.area_km2 = rec.spot.area_m2 / 1e6;
                    s.centre_x = rec.spot.centre_x;
                    s.centre_y = rec.spot.centre_y;
                    s.wards = rec.wards;
                    s.change = rec.change;
                    po.hotspots.push_back(s);
                }
                po.layers.push_back(hs_layer);
                group.layers.push_back({profile.title + ": hot spots", "./hotspot_run.gpkg|layername=" + hs_layer, false,
                                        "Polygon", hstep.qml, true});
            }
        }

        std::string gi_layer;
        if (wants("gistar")) {
            // -- Gi* on grid cells of the study area
            GiStarOptions gopt;
            po.gistar_cell_m = cfg.analysis.gistar_cell_m > 0 ? cfg.analysis.gistar_cell_m : std::max(density_cell_m, 100.0);
            gopt.band_m = cfg.analysis.gistar_band_m.value_or(std::max(profile.analysis.gistar_band_m, 1.5 * po.gistar_cell_m));
            po.gistar_band_m = gopt.band_m;
            gopt.permutations = cfg.analysis.permutations;
            gopt.seed = cfg.analysis.seed;
            gopt.threads = threads;
            gopt.p_adjust = PAdjust::fdr_bh;
            po.gistar_correction = "Benjamini-Hochberg FDR" + std::string(gopt.permutations ? ", " + std::to_string(gopt.permutations) + " conditional permutations" : ", analytical z");
            const Grid ggrid = Grid::aligned(study_bounds, po.gistar_cell_m);
            std::vector<std::uint8_t> gmask = timed(analyse_s, [&] { return masks.of(ggrid); });
            std::vector<double> gcounts(std::size_t(ggrid.size()), 0.0);
            const auto& in_study = levels[study_i].placed.area;
            for (std::size_t i = 0; i < sx.size(); ++i) {
                const auto c = ggrid.col_of(sx[i]), r = ggrid.row_of(sy[i]);
                if (!ggrid.in_grid(c, r)) continue;
                const auto k = std::size_t(r * ggrid.cols + c);
                gcounts[k] += 1;
                // As `hotspot gistar`: an incident inside the study area (edge included) whose
                // cell's centre is not brings its cell into the study area.
                if (!gmask[k] && in_study[sel.rows[i]] >= 0) gmask[k] = 1;
            }
            gi_layer = ps + "_gistar_cells";
            std::vector<double> zsurface(std::size_t(ggrid.size()), nan);
            if (sx.size() >= 3) {
                const GiStarResult gi = timed(analyse_s, [&] { return gistar_grid(ggrid, gcounts, gopt, gmask); });
                gpkg.begin_layer(gi_layer, GeomType::multipolygon,
                                 {{"count", FieldType::integer}, {"z", FieldType::real}, {"p", FieldType::real},
                                  {"p_corrected", FieldType::real}, {"gi_bin", FieldType::integer}});
                for (std::int64_t i = 0; i < ggrid.size(); ++i) {
                    if (!gmask[std::size_t(i)]) continue;
                    zsurface[std::size_t(i)] = gi.z[std::size_t(i)];
                    const int bin = gi.bin[std::size_t(i)];
                    if (bin == 3) ++po.gistar_hot99;
                    if (bin >= 2) ++po.gistar_hot95;
                    if (bin == -3) ++po.gistar_cold99;
                    if (gcounts[std::size_t(i)] == 0 && bin == 0) continue;
                    const bool small = cfg.publish && gcounts[std::size_t(i)] < cfg.publish_min_count;
                    if (!small) gpkg.set_integer(0, std::int64_t(gcounts[std::size_t(i)]));
                    gpkg.set_real(1, gi.z[std::size_t(i)]);
                    gpkg.set_real(2, gi.p[std::size_t(i)]);
                    gpkg.set_real(3, gi.p_adjusted[std::size_t(i)]);
                    gpkg.set_integer(4, bin);
                    gpkg.set_multipolygon(cell_polygon(ggrid, i % ggrid.cols, i / ggrid.cols));
                    gpkg.write_feature();
                }
                gpkg.add_style(gi_layer, std::string(style_qml("gistar_cells")),
                               profile.title + " Gi* cells (" + po.gistar_correction + ")");
                po.layers.push_back(gi_layer);
                group.layers.push_back({profile.title + ": Gi* hot spot cells", "./hotspot_run.gpkg|layername=" + gi_layer,
                                        false, "Polygon", std::string(style_qml("gistar_cells")), false});
                GeoTiffOptions zo;
                zo.crs = cfg.working_crs;
                zo.overwrite = cfg.overwrite;
                zo.write_qml = false;
                zo.band_description = profile.title + " Gi* z-score";
                // the tag keys of `hotspot gistar --raster` (gistar_job.cpp)
                zo.metadata = {{"hotspot_version", version}, {"surface", "Getis-Ord Gi* z-score"}, {"profile", profile.name},
                               {"cell_size_m", util::num(po.gistar_cell_m)}, {"band_m", util::num(gopt.band_m)},
                               {"weights", "binary"}, {"correction", po.gistar_correction},
                               {"permutations", std::to_string(gopt.permutations)}, {"seed", std::to_string(gopt.seed)}};
                const std::string zpath = (out / (ps + "_gistar_z.tif")).string();
                write_geotiff(zpath, ggrid, zsurface, zo);
                write_text_atomic(fs::path(zpath).replace_extension(".qml").string(), detail::diverging_raster_qml(4, "Gi* z-score", true),
                                  cfg.overwrite);
                po.files.push_back(zpath);
            } else {
                po.warnings.push_back("gistar: " + profile.name + " selects fewer than 3 incidents; no Gi* layer");
            }
        }

        // -- area rates, significance and local Moran's I per level
        const bool rates_wanted = profile.denominator == Denominator::population;
        if (wants("rates"))
        for (auto& lv : levels) {
            const std::size_t n = lv.layer.size();
            std::vector<double> counts(n, 0.0), ccounts(n, 0.0);
            for (auto r : sel.rows)
                if (const std::int32_t a = lv.placed.area[r]; a >= 0) counts[std::size_t(a)] += 1;
            for (auto r : cmp_sel.rows)
                if (const std::int32_t a = lv.placed.area[r]; a >= 0) ccounts[std::size_t(a)] += 1;
            const bool with_rates = rates_wanted && lv.has_population;
            RateOptions rop;
            rop.ci = cfg.analysis.ci == "byar" ? CiMethod::byar : CiMethod::exact;
            rop.reference_per_1000 = cfg.analysis.reference_rate_per_1000;
            RatesResult rates;
            if (with_rates) {
                rates = timed(analyse_s, [&] { return area_rates(counts, lv.population, rop); });
                if (po.reference_rate_per_1000 == 0) po.reference_rate_per_1000 = rates.reference_per_1000;
                po.ci_method = cfg.analysis.ci == "byar" ? "Byar's approximation" : "exact Poisson (Garwood)";
            }
            // LISA on the rates (or on counts when there is no denominator), where defined
            std::vector<double> lisa_x(n);
            bool lisa_ok = n >= 3 && wants("lisa");
            for (std::size_t a = 0; a < n; ++a) {
                lisa_x[a] = with_rates ? rates.areas[a].rate_per_1000 : counts[a];
                if (with_rates && rates.areas[a].status != RateStatus::ok) lisa_ok = false;
            }
            LocalMoranResult lisa;
            if (lisa_ok) {
                LocalMoranOptions lo;
                // One default with `hotspot rates` (rates_job.hpp argues for 9999: the smallest
                // permutation p is 2/(R+1), and 0.002 cannot survive FDR over hundreds of areas).
                lo.permutations = cfg.analysis.permutations ? cfg.analysis.permutations : RatesJobOptions{}.permutations;
                lo.seed = cfg.analysis.seed;
                lo.threads = threads;
                lo.alpha = profile.analysis.fdr_q;  // the profile's FDR level for the cluster classes
                try {
                    lisa = timed(analyse_s, [&] { return local_moran(lisa_x, lv.queen, lo); });
                } catch (const UsageError& e) {
                    po.warnings.push_back(std::string("lisa: ") + lv.layer.name + ": " + e.what());
                    lisa_ok = false;
                }
            } else if (with_rates && wants("lisa")) {
                po.warnings.push_back("lisa: " + lv.layer.name + ": some areas have no rate, so local Moran's I is not computed");
            }
            const std::string rl = ps + "_" + lv.layer.name + "_rates";
            // Field names shared with `hotspot rates` (rates_job.cpp): incidents, rate_per_1000,
            // eb_rate_per_1000, lisa_p (raw), lisa_p_perm, lisa_p_corrected (README changelog).
            const std::vector<FieldDef> defs = {
                {"code", FieldType::string}, {"name", FieldType::string}, {"incidents", FieldType::integer},
                {"population", FieldType::real}, {"rate_per_1000", FieldType::real},
                {"ci95_lower", FieldType::real}, {"ci95_upper", FieldType::real},
                {"ci998_lower", FieldType::real}, {"ci998_upper", FieldType::real},
                {"reference_rate", FieldType::real}, {"rate_class", FieldType::string},
                {"funnel95_lower", FieldType::real}, {"funnel95_upper", FieldType::real},
                {"funnel998_lower", FieldType::real}, {"funnel998_upper", FieldType::real},
                {"choynowski_p", FieldType::real}, {"eb_rate_per_1000", FieldType::real},
                {"lisa_i", FieldType::real}, {"lisa_z", FieldType::real}, {"lisa_p", FieldType::real},
                {"lisa_p_perm", FieldType::real}, {"lisa_p_corrected", FieldType::real},
                {"lisa_class", FieldType::string}, {"comparison_incidents", FieldType::integer},
                {"change", FieldType::integer}, {"status", FieldType::string}};
            // Fields are set by name, never by position.
            const auto F = [&defs](std::string_view field) {
                for (std::size_t i = 0; i < defs.size(); ++i)
                    if (defs[i].name == field) return int(i);
                throw std::logic_error("run: no field " + std::string(field));
            };
            gpkg.begin_layer(rl, GeomType::multipolygon, defs);
            std::vector<AreaSummary> table;
            for (std::size_t a = 0; a < n; ++a) {
                AreaSummary s;
                s.code = lv.layer.codes[a];
                s.name = lv.layer.names[a];
                s.count = std::uint64_t(counts[a]);
                s.population = lv.population[a];
                s.change = comparing ? std::int64_t(counts[a]) - std::int64_t(ccounts[a]) : 0;
                s.suppressed = cfg.publish && counts[a] < cfg.publish_min_count;
                gpkg.set_string(F("code"), s.code);
                gpkg.set_string(F("name"), s.name);
                if (!s.suppressed) gpkg.set_integer(F("incidents"), std::int64_t(counts[a]));
                gpkg.set_real(F("population"), lv.population[a]);
                if (with_rates) {
                    const AreaRate& ar = rates.areas[a];
                    s.rate_per_1000 = ar.rate_per_1000;
                    s.ci_lower = ar.ci95_per_1000.lower;
                    s.ci_upper = ar.ci95_per_1000.upper;
                    s.rate_class = std::string(to_string(ar.rate_class));
                    const bool ok = ar.status == RateStatus::ok && !s.suppressed;
                    gpkg.set_real(F("rate_per_1000"), ok ? ar.rate_per_1000 : nan);
                    gpkg.set_real(F("ci95_lower"), ok ? ar.ci95_per_1000.lower : nan);
                    gpkg.set_real(F("ci95_upper"), ok ? ar.ci95_per_1000.upper : nan);
                    gpkg.set_real(F("ci998_lower"), ok ? ar.ci998_per_1000.lower : nan);
                    gpkg.set_real(F("ci998_upper"), ok ? ar.ci998_per_1000.upper : nan);
                    gpkg.set_real(F("reference_rate"), rates.reference_per_1000);
                    gpkg.set_string(F("rate_class"), s.suppressed ? "suppressed" : s.rate_class);
                    gpkg.set_real(F("funnel95_lower"), ar.funnel95_per_1000.lower);
                    gpkg.set_real(F("funnel95_upper"), ar.funnel95_per_1000.upper);
                    gpkg.set_real(F("funnel998_lower"), ar.funnel998_per_1000.lower);
                    gpkg.set_real(F("funnel998_upper"), ar.funnel998_per_1000.upper);
                    gpkg.set_real(F("choynowski_p"), ok ? ar.choynowski_p : nan);
                    gpkg.set_real(F("eb_rate_per_1000"), ok ? ar.eb_rate_per_1000 : nan);
                    gpkg.set_string(F("status"), std::string(to_string(ar.status)));
                } else {
                    gpkg.set_string(F("rate_class"), "not computed");
                    gpkg.set_string(F("status"), rates_wanted ? "no population" : "no denominator for this profile");
                }
                if (lisa_ok) {
                    gpkg.set_real(F("lisa_i"), lisa.ii[a]);
                    gpkg.set_real(F("lisa_z"), lisa.z[a]);
                    gpkg.set_real(F("lisa_p"), lisa.p[a]);
                    if (!lisa.p_sim.empty()) gpkg.set_real(F("lisa_p_perm"), lisa.p_sim[a]);
                    gpkg.set_real(F("lisa_p_corrected"), lisa.p_adjusted.empty() ? lisa.p[a] : lisa.p_adjusted[a]);
                    gpkg.set_string(F("lisa_class"), std::string(to_string(lisa.cluster[a])));
                }
                // In publish mode a small comparison count is suppressed too, and with it the change.
                const bool small_cmp = cfg.publish && ccounts[a] < cfg.publish_min_count;
                if (comparing && !small_cmp) gpkg.set_integer(F("comparison_incidents"), std::int64_t(ccounts[a]));
                if (comparing && !s.suppressed && !small_cmp) gpkg.set_integer(F("change"), s.change);
                gpkg.set_multipolygon(lv.layer.polygons[a]);
                gpkg.write_feature();
                table.push_back(s);
            }
            gpkg.add_style(rl, std::string(style_qml(with_rates ? "rates_class" : "boundaries")),
                           profile.title + " " + lv.layer.name + " rates");
            if (lisa_ok) {
                // a second, non-default style: the LISA clusters
                gpkg.add_style(rl, std::string(style_qml("lisa")), profile.title + " " + lv.layer.name + " local Moran's I",
                               rl + " (LISA clusters)", false);
            }
            po.layers.push_back(rl);
            group.layers.push_back({profile.title + ": " + lv.layer.name + " rates", "./hotspot_run.gpkg|layername=" + rl,
                                    false, "Polygon", std::string(style_qml(with_rates ? "rates_class" : "boundaries")),
                                    lv.layer.name == levels.front().layer.name});
            std::sort(table.begin(), table.end(), [&](const AreaSummary& a, const AreaSummary& b) {
                const double ka = with_rates ? a.rate_per_1000 : double(a.count), kb = with_rates ? b.rate_per_1000 : double(b.count);
                if (ka != kb) return ka > kb;
                return a.code < b.code;
            });
            po.areas.emplace_back(lv.layer.name, std::move(table));
        }

        // -- the profile's incidents (never in a publish-mode pack)
        if (!cfg.publish) {
            const std::string il = ps + "_incidents";
            std::vector<FieldDef> defs;
            for (const auto& f : inc.field_names) defs.push_back({f, FieldType::string});
            std::vector<std::string> taken = inc.field_names;
            for (const auto& lv : levels) {
                std::string nm = lv.layer.name + "_code";
                while (std::find(taken.begin(), taken.end(), nm) != taken.end()) nm = "hs_" + nm;
                taken.push_back(nm);
                defs.push_back({nm, FieldType::string});
            }
            gpkg.begin_layer(il, GeomType::point, defs);
            for (auto r : sel.rows) {
                for (std::size_t c = 0; c < inc.fields.size(); ++c) gpkg.set_string(int(c), inc.fields[c][r]);
                for (std::size_t l = 0; l < levels.size(); ++l)
                    if (const std::int32_t a = levels[l].placed.area[r]; a >= 0)
                        gpkg.set_string(int(inc.fields.size() + l), levels[l].layer.codes[std::size_t(a)]);
                gpkg.set_point(inc.x[r], inc.y[r]);
                gpkg.write_feature();
            }
            gpkg.add_style(il, std::string(style_qml("incidents")), profile.title + " incidents");
            po.layers.push_back(il);
            group.layers.insert(group.layers.begin(), {profile.title + ": incidents", "./hotspot_run.gpkg|layername=" + il,
                                                       false, "Point", std::string(style_qml("incidents")), false});
        }
        if (!kde_path.empty())
            group.layers.push_back({profile.title + ": density", "./" + fs::path(kde_path).filename().string(), true, "",
                                    read_sidecar_qml(kde_path), true});
        if (!change_path.empty())
            group.layers.push_back({profile.title + ": density change", "./" + fs::path(change_path).filename().string(), true,
                                    "", read_sidecar_qml(change_path), false});
        project_groups.push_back(std::move(group));

        // -- manifest entry
        nlohmann::ordered_json pj;
        pj["name"] = po.name;
        pj["title"] = po.title;
        pj["proxy"] = !po.proxy_note.empty();
        pj["proxy_note"] = po.proxy_note;
        pj["filter"] = po.filter_terms;
        pj["selected"] = po.selected;
        pj["selection_terms"] = nlohmann::ordered_json::array();
        for (auto& tc : sel.terms) pj["selection_terms"].push_back({{"term", tc.term}, {"selected", tc.selected}, {"remaining", tc.remaining}});
        pj["excluded_unknown_time"] = sel.excluded_unknown_time;
        pj["excluded_unknown_date"] = sel.excluded_unknown_date;
        if (comparing) pj["selected_comparison"] = po.selected_comparison;
        pj["outputs"] = profile.outputs;
        if (kstep_holder) pj["kde"] = kstep_holder->manifest;
        if (!hs_layer.empty())
            pj["hotspots"] = hs_node;
        if (wants("gistar"))
        pj["gistar"] = {{"layer", gi_layer}, {"z_file", ps + "_gistar_z.tif"}, {"cell_m", po.gistar_cell_m},
                        {"band_m", po.gistar_band_m}, {"weights", "binary distance band, self included (Gi*)"},
                        {"correction", po.gistar_correction}, {"seed", cfg.analysis.seed},
                        {"hot_cells_99", po.gistar_hot99}, {"hot_cells_95", po.gistar_hot95}};
        if (wants("rates"))
        pj["rates"] = {{"ci", po.ci_method}, {"reference_rate_per_1000", po.reference_rate_per_1000},
                       {"classes", "significantly above/below: the 99.8% CI excludes the reference rate; "
                                   "above/below: the 95% CI does; similar otherwise"},
                       {"lisa", "local Moran's I on rates, queen contiguity (1 m snap), row-standardised, "
                                "conditional permutations, FDR (spdep localmoran convention)"},
                       {"lisa_permutations", cfg.analysis.permutations ? cfg.analysis.permutations : RatesJobOptions{}.permutations},
                       {"lisa_alpha", profile.analysis.fdr_q}, {"seed", cfg.analysis.seed}};
        pj["layers"] = po.layers;
        pj["warnings"] = po.warnings;
        profiles_json.push_back(pj);
        const double profile_s = seconds_since(tp);
        manifest.add_timing("profile " + po.name, profile_s);
        manifest.add_timing("profile " + po.name + " analyse", analyse_s);
        manifest.add_timing("profile " + po.name + " write", profile_s - analyse_s);
        analyse_total += analyse_s;
        write_total += profile_s - analyse_s;
        res.profiles.push_back(std::move(po));
    }
    t = std::chrono::steady_clock::now();
    gpkg.commit();

    // ---- QGIS project: profiles on top, boundaries below
    project_groups.push_back(boundaries_group);
    write_text_atomic(res.project, qgis_project_xml(cfg.title, cfg.working_crs, project_groups), cfg.overwrite);

    // ---- manifest
    for (const auto& f : inc.source_files) manifest.add_input("incidents", f);
    for (const auto& ac : cfg.areas) {
        manifest.add_input("areas:" + ac.spec.name, ac.spec.path);
        if (!ac.population_path.empty()) manifest.add_input("population:" + ac.spec.name, ac.population_path);
    }
    if (!cfg.config_path.empty()) manifest.add_input("config", cfg.config_path);
    mj["run"] = {{"title", cfg.title}, {"area_name", cfg.area_name},
                 {"period", {{"from", cfg.period.from}, {"to", cfg.period.to}, {"text", cfg.period.describe()}}},
                 {"comparison", comparing ? nlohmann::ordered_json{{"from", cfg.comparison.from}, {"to", cfg.comparison.to},
                                                                   {"text", cfg.comparison.describe()}}
                                          : nlohmann::ordered_json()},
                 {"police_uk", read.police_uk}, {"publish", cfg.publish},
                 {"publish_min_count", cfg.publish ? cfg.publish_min_count : 0},
                 {"working_crs", cfg.working_crs}, {"study_area_layer", study_layer.name},
                 {"study_area_km2", study_area / 1e6}, {"area_levels", nlohmann::ordered_json::array()}};
    for (const auto& lv : levels) mj["run"]["area_levels"].push_back({{"name", lv.layer.name}, {"areas", lv.layer.size()},
                                                                      {"boundaries_layer", "boundaries_" + lv.layer.name}});
    mj["run"]["attribution"] = cfg.attribution;  // for the tasking report's cover (report.hpp)
    mj["crs"] = {{"source_crs", read.source_crs}, {"operation", read.crs_operation}, {"accuracy_m", read.crs_accuracy_m}};
    mj["counts"] = {{"rows_in", res.rows_in}, {"kept", res.kept}, {"rejected", res.rejected}, {"assigned", res.assigned},
                    {"outside", res.outside}, {"exact_duplicates", read.exact_duplicates},
                    {"rejected_by_reason", rejected_summary(read)}};
    mj["profiles"] = profiles_json;
    mj["outputs_folder"] = cfg.output_dir;
    mj["gpkg"] = "hotspot_run.gpkg";
    mj["project"] = "hotspot_run.qgs";
    mj["warnings"] = res.warnings;
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

std::string RunResult::summary() const {
    std::ostringstream s;
    s << "hotspot run: " << thousands(rows_in) << " rows read" << (police_uk ? " (police.uk street-level CSV)" : "")
      << "; rows_in = assigned + outside + rejected: " << thousands(rows_in) << " = " << thousands(assigned) << " + "
      << thousands(outside) << " + " << thousands(rejected) << "\n";
    s << files << (files == 1 ? " file" : " files") << " read; rejected " << thousands(rejected)
      << (rejected_by_reason.empty() ? std::string() : " (" + rejected_by_reason + ")") << "; outside all areas "
      << thousands(outside) << "\n";
    if (exact_duplicates) s << "exact duplicate rows (kept, as published): " << thousands(exact_duplicates) << "\n";
    s << "period: " << period << (comparison.empty() ? std::string() : ", compared with " + comparison) << "\n";
    if (publish)
        s << "PUBLISH MODE: no incident points or rejects written; counts below " << publish_min_count
          << " suppressed in every area and cell layer\n";
    for (const auto& p : profiles) {
        s << "\n== " << p.title << " (" << p.name << "): " << thousands(p.selected) << " incidents selected";
        if (p.selected_comparison) s << " (comparison period " << thousands(p.selected_comparison) << ")";
        s << "\n";
        if (!p.proxy_note.empty()) s << "   PROXY: " << p.proxy_note << "\n";
        for (const auto& [level, table] : p.areas) {
            if (table.empty()) continue;
            const bool rates = !table.front().rate_class.empty();
            s << "   top " << level << "s" << (rates ? " by rate per 1,000 (reference " + fixed(p.reference_rate_per_1000, 2) + ")" : " by count") << ":\n";
            for (std::size_t i = 0; i < std::min<std::size_t>(5, table.size()); ++i) {
                const auto& a = table[i];
                s << "     " << a.name << " (" << a.code << "): " << (a.suppressed ? "<" + std::to_string(publish_min_count) : thousands(a.count));
                if (rates) s << ", " << fixed(a.rate_per_1000, 1) << " [" << fixed(a.ci_lower, 1) << ", " << fixed(a.ci_upper, 1) << "], " << a.rate_class;
                s << "\n";
            }
        }
        s << "   top hot spots (" << p.hotspot_threshold << "):\n";
        for (std::size_t i = 0; i < std::min<std::size_t>(3, p.hotspots.size()); ++i) {
            const auto& h = p.hotspots[i];
            s << "     #" << h.rank << " " << h.wards << ": " << thousands(h.incidents) << " incidents, "
              << fixed(100 * h.share, 1) << "% in " << fixed(h.area_km2, 2) << " km2, PAI " << fixed(h.pai, 1) << "\n";
        }
        s << "   Gi*: " << p.gistar_hot99 << " cells hot at 99% (" << fixed(p.gistar_cell_m, 0) << " m cells, "
          << fixed(p.gistar_band_m, 0) << " m band)\n";
    }
    s << "\nwrote " << gpkg << "\n      " << project << " (open in QGIS: every layer styled, grouped by profile)\n      "
      << manifest << "\n";
    return s.str();
}

} // namespace hotspot
