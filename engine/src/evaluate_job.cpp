#include "hotspot/evaluate_job.hpp"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <sstream>

#include <cpl_conv.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "gdal_env.hpp"
#include "hotspot/dates.hpp"
#include "hotspot/error.hpp"
#include "hotspot/geocode.hpp"
#include "hotspot/grid.hpp"
#include "hotspot/incidents.hpp"
#include "hotspot/manifest.hpp"
#include "hotspot/read_manifest.hpp"
#include "hotspot/snap_points.hpp"
#include "hotspot/steps/evaluate_step.hpp"
#include "hotspot/output_safety.hpp"
#include "hotspot/vector_out.hpp"
#include "job_read.hpp"
#include "util/text.hpp"

namespace fs = std::filesystem;

namespace hotspot {

namespace {

constexpr const char* unit = "evaluate";
using util::nan;

using util::seconds_since;

// util::num, but "" for NaN and infinities: a metric that has no value is an empty cell.
std::string num(double v, int precision = 10) {
    return std::isfinite(v) ? util::num(v, precision) : "";
}

// Month index (year·12 + month − 1) of incident i, or -1 when it has no date.
int month_of(const IncidentTable& inc, std::size_t i) {
    if (inc.date_days[i] == no_date) return -1;
    const std::int32_t ymd = civil_from_days(inc.date_days[i]);
    return (ymd / 10000) * 12 + (ymd / 100 % 100) - 1;
}

struct MonthRange {
    int from = std::numeric_limits<int>::min(), to = std::numeric_limits<int>::max();
    bool any = false;
};

MonthRange month_range(const std::string& from, const std::string& to, const char* ff, const char* tf) {
    MonthRange r;
    if (!from.empty()) r.from = parse_month_index(from, ff), r.any = true;
    if (!to.empty()) r.to = parse_month_index(to, tf), r.any = true;
    return r;
}

// The forecast surface: grid and values, NaN where nodata / not finite.
struct Surface {
    Grid grid;
    std::vector<double> values;
};

Surface read_surface(const std::string& path) {
    detail::ensure_gdal();
    detail::GdalErrorScope errors;
    GDALDatasetH ds = GDALOpenEx(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, nullptr, nullptr);
    if (!ds) throw InputError(unit, path, "cannot be opened as a raster (" + errors.last_error() + "); check --surface");
    struct Closer { GDALDatasetH d; ~Closer() { GDALClose(d); } } closer{ds};
    if (GDALGetRasterCount(ds) != 1)
        throw InputError(unit, path, "has " + std::to_string(GDALGetRasterCount(ds)) +
                                         " bands; give a single-band surface (gdal_translate -b N)");
    double gt[6];
    if (GDALGetGeoTransform(ds, gt) != CE_None || gt[2] != 0 || gt[4] != 0 || !(gt[1] > 0) || !(gt[5] < 0))
        throw InputError(unit, path, "has no north-up geotransform; warp it (gdalwarp) to a north-up grid");
    if (std::abs(gt[1] + gt[5]) > 1e-9 * gt[1])
        throw InputError(unit, path, "has cells of " + num(gt[1]) + " x " + num(-gt[5]) +
                                         " m; only square cells can be ranked by area (gdalwarp -tr C C)");
    Surface s;
    s.grid.origin_x = gt[0];
    s.grid.origin_y = gt[3];
    s.grid.cell_size_m = gt[1];
    s.grid.cols = GDALGetRasterXSize(ds);
    s.grid.rows = GDALGetRasterYSize(ds);
    GDALRasterBandH band = GDALGetRasterBand(ds, 1);
    int has_nodata = 0;
    const double nodata = GDALGetRasterNoDataValue(band, &has_nodata);
    s.values.resize(std::size_t(s.grid.size()));
    if (GDALRasterIO(band, GF_Read, 0, 0, int(s.grid.cols), int(s.grid.rows), s.values.data(), int(s.grid.cols),
                     int(s.grid.rows), GDT_Float64, 0, 0) != CE_None)
        throw InputError(unit, path, "cannot read band 1: " + errors.last_error());
    // Float32 files store nodata as a float: compare in float precision too.
    const float nodata_f = float(nodata);
    for (double& v : s.values)
        if (!std::isfinite(v) || (has_nodata && (v == nodata || float(v) == nodata_f))) v = nan;
    return s;
}

struct Geom {
    OGRGeometryH h = nullptr;
    Geom() = default;
    explicit Geom(OGRGeometryH g) : h(g) {}
    Geom(const Geom&) = delete;
    Geom& operator=(const Geom&) = delete;
    Geom(Geom&& o) noexcept : h(o.h) { o.h = nullptr; }
    Geom& operator=(Geom&& o) noexcept { std::swap(h, o.h); return *this; }
    ~Geom() { if (h) OGR_G_DestroyGeometry(h); }
};

Geom to_ogr(const std::vector<MultiPolygon>& parts) { return Geom(detail::to_ogr_multipolygon(parts)); }

void collect(OGRGeometryH g, MultiPolygon& out) { detail::collect_polygons(g, out); }

// Every polygon of the first layer of `path`, in the working CRS, dissolved into one geometry.
Geom read_hotspot_polygons(const std::string& path, const std::string& working_crs, std::size_t& features) {
    detail::ensure_gdal();
    detail::GdalErrorScope errors;
    GDALDatasetH ds = GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr);
    if (!ds) throw InputError(unit, path, "cannot be opened as a polygon layer (" + errors.last_error() + "); check --hotspots");
    struct Closer { GDALDatasetH d; ~Closer() { GDALClose(d); } } closer{ds};
    OGRLayerH layer = GDALDatasetGetLayer(ds, 0);
    if (!layer) throw InputError(unit, path, "holds no layer");
    OGRSpatialReferenceH src = OGR_L_GetSpatialRef(layer);
    if (!src) throw InputError(unit, path, "the layer has no CRS; add one (ogr2ogr -a_srs EPSG:27700)");
    OGRSpatialReferenceH dst = OSRNewSpatialReference(nullptr);
    struct SrsCloser { OGRSpatialReferenceH s; ~SrsCloser() { OSRDestroySpatialReference(s); } } dst_closer{dst};
    if (OSRSetFromUserInput(dst, working_crs.c_str()) != OGRERR_NONE)
        throw UsageError(unit, "unknown working CRS '" + working_crs + "'");
    OSRSetAxisMappingStrategy(dst, OAMS_TRADITIONAL_GIS_ORDER);
    OGRSpatialReferenceH src_clone = OSRClone(src);
    struct SrcCloser { OGRSpatialReferenceH s; ~SrcCloser() { OSRDestroySpatialReference(s); } } src_closer{src_clone};
    OSRSetAxisMappingStrategy(src_clone, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH ct = OSRIsSame(src_clone, dst) ? nullptr : OCTNewCoordinateTransformation(src_clone, dst);
    struct CtCloser { OGRCoordinateTransformationH c; ~CtCloser() { if (c) OCTDestroyCoordinateTransformation(c); } } ct_closer{ct};
    Geom all(OGR_G_CreateGeometry(wkbMultiPolygon));
    features = 0;
    OGR_L_ResetReading(layer);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(layer)) != nullptr) {
        struct FCloser { OGRFeatureH f; ~FCloser() { OGR_F_Destroy(f); } } fc{f};
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        if (!g || OGR_G_IsEmpty(g)) continue;
        Geom copy(OGR_G_Clone(g));
        if (ct && OGR_G_Transform(copy.h, ct) != OGRERR_NONE)
            throw InputError(unit, path, std::uint64_t(OGR_F_GetFID(f)), "",
                             "feature cannot be transformed to " + working_crs);
        if (!OGR_G_IsValid(copy.h)) copy = Geom(OGR_G_MakeValid(copy.h));
        MultiPolygon mp;
        collect(copy.h, mp);
        Geom part = to_ogr({mp});
        for (int i = 0; i < OGR_G_GetGeometryCount(part.h); ++i)
            OGR_G_AddGeometry(all.h, OGR_G_GetGeometryRef(part.h, i));
        ++features;
    }
    if (features == 0) throw InputError(unit, path, "holds no polygon; nothing to evaluate");
    return Geom(OGR_G_UnionCascaded(all.h));
}

std::vector<double> counts_on(const Grid& grid, const std::vector<double>& values, const IncidentTable& inc,
                              const std::vector<std::uint8_t>& keep, std::uint64_t& counted, std::uint64_t& outside) {
    std::vector<double> c(values.size(), 0.0);
    for (std::size_t i = 0; i < inc.size(); ++i) {
        if (!keep[i]) continue;
        const std::int64_t col = grid.col_of(inc.x[i]), row = grid.row_of(inc.y[i]);
        if (!grid.in_grid(col, row) || !std::isfinite(values[std::size_t(row * grid.cols + col)])) {
            ++outside;
            continue;
        }
        c[std::size_t(row * grid.cols + col)] += 1;
        ++counted;
    }
    return c;
}

void write_csv(const std::string& path, const std::vector<ForecastScore>& rows, bool overwrite) {
    write_text_atomic(path, evaluation_csv(rows), overwrite, unit);
}

} // namespace

int parse_month_index(const std::string& text, const char* flag) {
    int y = 0, m = 0;
    char dash = 0, extra = 0;
    std::istringstream s(text);
    if (text.size() != 7 || !(s >> y >> dash >> m) || dash != '-' || (s >> extra) || m < 1 || m > 12 || y < 1900)
        throw UsageError(unit, std::string(flag) + " '" + text + "' is not a month YYYY-MM (e.g. 2020-12)");
    return y * 12 + m - 1;
}

void EvaluateJobOptions::validate() const {
    if (read.paths.empty()) throw UsageError(unit, "no test incidents given; use --incidents FILE");
    if (surface.empty() == hotspots.empty())
        throw UsageError(unit, "give the forecast as --surface FILE.tif or --hotspots FILE.gpkg (one of them)");
    if (!hotspots.empty() && !study)
        throw UsageError(unit, "--hotspots needs --areas study=PATH: the area share is the polygons' area within it");
    const auto check = [](const std::string& a, const std::string& b, const char* fa, const char* fb) {
        const int lo = a.empty() ? 0 : parse_month_index(a, fa);
        const int hi = b.empty() ? 0 : parse_month_index(b, fb);
        if (!a.empty() && !b.empty() && hi < lo)
            throw UsageError(unit, std::string(fb) + " " + b + " is before " + fa + " " + a);
    };
    check(period_from, period_to, "--period-from", "--period-to");
    check(train_from, train_to, "--train-from", "--train-to");
    if ((!train_from.empty() || !train_to.empty()) && train_paths.empty())
        throw UsageError(unit, "--train-from/--train-to need --train-incidents FILE");
    evaluation.validate();
    if (out_dir.empty()) throw UsageError(unit, "no output folder given; use --out DIR");
}

nlohmann::ordered_json EvaluateJobOptions::to_json() const {
    return {{"working_crs", read.working_crs},
            {"surface", surface},
            {"hotspots", hotspots},
            {"study_area", study ? study->path : std::string()},
            {"period_from", period_from},
            {"period_to", period_to},
            {"train_incidents", train_paths},
            {"train_from", train_from},
            {"train_to", train_to},
            {"shares", evaluation.shares},
            {"curve_steps", evaluation.curve_steps},
            {"ties", EvaluateStepOptions{evaluation}.to_json()["ties"]},
            {"threads", threads}};
}

EvaluateJobResult run_evaluate_job(const EvaluateJobOptions& o, const Progress& progress) {
    o.validate();
    const auto t0 = std::chrono::steady_clock::now();
    const fs::path dir(o.out_dir);
    const std::string csv = (dir / "evaluation.csv").string(), curve_csv = (dir / "evaluation_curve.csv").string(),
                      gpkg = (dir / "evaluation.gpkg").string(), manifest_path = (dir / "manifest.json").string();
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw OutputError(unit, o.out_dir, "cannot create the folder (" + ec.message() + ")");
    for (const auto& p : {csv, curve_csv, gpkg, manifest_path}) check_can_write(p, o.overwrite, unit);

    Manifest manifest("evaluate", o.command_line);
    EvaluateJobResult r;
    const MonthRange test_months = month_range(o.period_from, o.period_to, "--period-from", "--period-to");
    const MonthRange train_months = month_range(o.train_from, o.train_to, "--train-from", "--train-to");

    auto t = std::chrono::steady_clock::now();
    std::optional<AreaLayer> study;
    if (o.study) {
        study = read_area_layer(*o.study, o.read.working_crs);
        for (auto& w : study->warnings) r.warnings.push_back(w);
    }
    const ReadResult read = read_incidents(o.read, progress);
    const IncidentTable& inc = read.incidents;
    detail::tally_read(read, r);
    std::vector<std::uint8_t> keep(inc.size(), 1);
    if (test_months.any)
        for (std::size_t i = 0; i < inc.size(); ++i) {
            const int m = month_of(inc, i);
            if (m < test_months.from || m > test_months.to) keep[i] = 0, ++r.outside_period;
        }
    std::optional<ReadResult> train;
    std::vector<std::uint8_t> train_keep;
    if (!o.train_paths.empty()) {
        ReadOptions tr = o.read;
        tr.paths = o.train_paths;
        train = read_incidents(tr, progress);
        for (const auto& w : train->warnings) r.warnings.push_back("training: " + w);
        train_keep.assign(train->incidents.size(), 1);
        if (train_months.any)
            for (std::size_t i = 0; i < train->incidents.size(); ++i) {
                const int m = month_of(train->incidents, i);
                if (m < train_months.from || m > train_months.to) train_keep[i] = 0;
            }
    }
    manifest.add_timing("read", seconds_since(t));
    if (!progress(0.5, unit)) throw Cancelled(unit);
    {
        // A police.uk snap-point change between the training and test months would make the
        // forecast look worse than it is: warn (snap_points.hpp).
        std::vector<double> xs, ys;
        std::vector<int> months;
        const auto add = [&](const IncidentTable& table, const std::vector<std::uint8_t>& k) {
            for (std::size_t i = 0; i < table.size(); ++i)
                if (k[i]) xs.push_back(table.x[i]), ys.push_back(table.y[i]), months.push_back(month_of(table, i));
        };
        add(inc, keep);
        if (train) add(train->incidents, train_keep);
        const SnapPointCheck snap = detect_snap_point_changes(xs, ys, months);
        for (const auto& w : snap.warnings) r.warnings.push_back(w);
        for (int m : snap.changes) r.snap_point_changes.push_back(month_name(m));
    }

    t = std::chrono::steady_clock::now();
    EvaluateStepOptions step_options;
    step_options.evaluation = o.evaluation;
    EvaluateStepResult step;
    if (!o.surface.empty()) {
        Surface s = read_surface(o.surface);
        manifest.add_timing("read_surface", seconds_since(t));
        if (study) {
            const auto mask = rasterize_areas(s.grid, study->polygons);
            for (std::size_t k = 0; k < s.values.size(); ++k)
                if (!mask[k]) s.values[k] = nan;
        }
        r.cell_size_m = s.grid.cell_size_m;
        const auto test = counts_on(s.grid, s.values, inc, keep, r.counted, r.outside_study);
        std::vector<double> tr_counts;
        if (train) {
            std::uint64_t out_tr = 0;
            tr_counts = counts_on(s.grid, s.values, train->incidents, train_keep, r.train_counted, out_tr);
        }
        const auto t_rank = std::chrono::steady_clock::now();
        EvaluateStepInput in;
        in.surface = EvaluateSurfaceInput{&s.values, &test, train ? &tr_counts : nullptr, s.grid.cell_size_m};
        step = run_evaluate_step(in, step_options, {});
        manifest.add_timing("rank_and_figures", seconds_since(t_rank));
    } else {
        r.forecast_kind = "polygons";
        std::size_t features = 0;
        const Geom hot = read_hotspot_polygons(o.hotspots, o.read.working_crs, features);
        Geom area = to_ogr(study->polygons);
        if (!OGR_G_IsValid(area.h)) area = Geom(OGR_G_MakeValid(area.h));
        area = Geom(OGR_G_UnionCascaded(area.h));
        const Geom inside(OGR_G_Intersection(hot.h, area.h));
        r.study_area_m2 = OGR_G_Area(area.h);
        const double a = inside.h ? OGR_G_Area(inside.h) : 0.0;
        MultiPolygon hot_mp;
        if (inside.h) collect(inside.h, hot_mp);
        const AreaIndex study_index(study->polygons);
        std::optional<AreaIndex> hot_index;
        if (!hot_mp.empty()) hot_index.emplace(std::vector<MultiPolygon>{hot_mp});
        const auto count = [&](const IncidentTable& table, const std::vector<std::uint8_t>& k, std::uint64_t& n_all,
                               std::uint64_t* outside) {
            double hits = 0;
            for (std::size_t i = 0; i < table.size(); ++i) {
                if (!k[i]) continue;
                if (study_index.locate(table.x[i], table.y[i]) < 0) {
                    if (outside) ++*outside;
                    continue;
                }
                ++n_all;
                if (hot_index && hot_index->locate(table.x[i], table.y[i]) >= 0) hits += 1;
            }
            return hits;
        };
        const double hits = count(inc, keep, r.counted, &r.outside_study);
        double train_hits = nan;
        if (train) train_hits = count(train->incidents, train_keep, r.train_counted, nullptr);
        EvaluateStepInput in;
        in.area = EvaluateAreaInput{a, OGR_G_Area(area.h), hits, double(r.counted), std::nullopt, std::nullopt, features};
        if (train) in.area->train_hits = train_hits, in.area->train_total = double(r.train_counted);
        step = run_evaluate_step(in, step_options, {});
    }
    r.forecast_kind = step.forecast_kind;
    r.evaluation = step.evaluation;
    r.cells = r.evaluation.cells;
    r.tied_cells = r.evaluation.tied_cells;
    r.study_area_m2 = step.study_area_m2;
    for (auto& w : step.warnings) r.warnings.push_back(w);
    if (r.outside_study)
        r.warnings.push_back("evaluate: " + std::to_string(r.outside_study) +
                             " test incidents lie outside the evaluated area and are not counted in N");
    if (r.counted == 0) r.warnings.push_back("evaluate: no test incident lies in the evaluated area; every figure is empty");
    manifest.add_timing("evaluate", seconds_since(t));

    t = std::chrono::steady_clock::now();
    write_csv(csv, r.evaluation.at_shares, o.overwrite);
    r.outputs.push_back(csv);
    if (!r.evaluation.curve.empty()) {
        write_csv(curve_csv, r.evaluation.curve, o.overwrite);
        r.outputs.push_back(curve_csv);
    }
    {
        VectorWriter w(gpkg, o.read.working_crs, o.overwrite);
        EvaluateStepOutput eo;
        eo.writer = &w;
        write_evaluation_tables(eo, r.evaluation);
        w.commit();
        r.outputs.push_back(gpkg);
    }
    manifest.add_timing("write", seconds_since(t));
    manifest.add_timing("total", seconds_since(t0));

    add_read(manifest, read, o.read.working_crs);
    if (train)
        for (const auto& f : train->incidents.source_files) manifest.add_input("train_incidents", f);
    if (!o.surface.empty()) manifest.add_input("surface", o.surface);
    else manifest.add_input("hotspots", o.hotspots);
    if (o.study) manifest.add_input("study_area", o.study->path);
    auto& j = manifest.json();
    j["options"] = o.to_json();
    j["method"] = {{"summary", evaluation_method_text()},
                   {"ties", "split in expectation: a tied block straddling the cutoff contributes its hits in "
                            "proportion to the share of the block inside it"}};
    auto& counts = j["counts"];  // rows_in, kept, rejected: add_read
    counts["outside_period"] = r.outside_period;
    counts["outside_study"] = r.outside_study;
    counts["counted"] = r.counted;
    counts["train_counted"] = r.train_counted;
    counts["cells"] = r.cells;
    counts["tied_cells"] = r.tied_cells;
    counts["snap_point_changes"] = r.snap_point_changes;
    j["evaluation"] = step.manifest;
    j["evaluation"]["cell_size_m"] = r.cell_size_m;
    j["warnings"] = r.warnings;
    manifest.add_output("table", csv);
    if (!r.evaluation.curve.empty()) manifest.add_output("curve", curve_csv);
    manifest.add_output("geopackage", gpkg);
    manifest.write(manifest_path, o.overwrite);
    r.outputs.push_back(manifest_path);
    progress(1.0, unit);
    return r;
}

std::string EvaluateJobResult::summary() const {
    std::ostringstream s;
    s << "hotspot evaluate: " << rows_in << " rows read, " << kept << " kept, " << rejected << " rejected";
    if (outside_period) s << ", " << outside_period << " outside the test period";
    s << "\n  " << counted << " test incidents in the evaluated area";
    if (outside_study) s << " (" << outside_study << " outside it)";
    if (forecast_kind == "surface") s << ", " << cells << " cells of " << num(cell_size_m) << " m";
    s << "\n  share    hit rate   PAI      PEI    PEI*   RRI\n";
    for (const auto& r : evaluation.at_shares) {
        char line[160];
        std::snprintf(line, sizeof line, "  %5.2f%%  %7.1f%%  %7.2f  %5.2f  %5.2f  %5.2f\n", r.area_share * 100,
                      r.hit_rate * 100, r.pai, r.pei, r.pei_star, r.rri);
        s << line;
    }
    for (const auto& o : outputs) s << "  wrote " << o << "\n";
    return s.str();
}

} // namespace hotspot
