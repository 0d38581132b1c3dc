// Everything the tasking report reads from a run folder: manifest.json, the GeoPackage's
// boundary, hot spot and rates layers, and each profile's density raster (coloured here with the
// manifest's class breaks). See report_input.hpp.

#include "report_input.hpp"

#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_api.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "gdal_env.hpp"
#include "hotspot/error.hpp"
#include "hotspot/manifest.hpp"
#include "hotspot/profile.hpp"
#include "hotspot/run_names.hpp"
#include "hotspot/steps/gistar_step.hpp"
#include "hotspot/steps/hotspots_step.hpp"
#include "hotspot/steps/kde_step.hpp"
#include "hotspot/steps/rates_step.hpp"
#include "hotspot/svg_style.hpp"

namespace fs = std::filesystem;

namespace hotspot::report {

namespace {

constexpr const char* unit = "report";

void collect_polygons(OGRGeometryH g, MultiPolygon& out) {
    if (!g)
        return;
    const auto type = wkbFlatten(OGR_G_GetGeometryType(g));
    if (type == wkbMultiPolygon || type == wkbGeometryCollection) {
        for (int i = 0; i < OGR_G_GetGeometryCount(g); ++i)
            collect_polygons(OGR_G_GetGeometryRef(g, i), out);
        return;
    }
    if (type != wkbPolygon)
        return;
    Polygon poly;
    for (int r = 0; r < OGR_G_GetGeometryCount(g); ++r) {
        OGRGeometryH ring = OGR_G_GetGeometryRef(g, r);
        Ring pts;
        for (int i = 0; i < OGR_G_GetPointCount(ring); ++i)
            pts.push_back({OGR_G_GetX(ring, i), OGR_G_GetY(ring, i)});
        poly.rings.push_back(std::move(pts));
    }
    out.push_back(std::move(poly));
}

struct Dataset {
    GDALDatasetH h = nullptr;
    ~Dataset() {
        if (h)
            GDALClose(h);
    }
};

std::vector<Feature> read_layer(GDALDatasetH ds, const std::string& gpkg, const std::string& name,
                                bool geometry = true) {
    OGRLayerH layer = GDALDatasetGetLayerByName(ds, name.c_str());
    if (!layer)
        throw InputError(unit, gpkg,
                         "has no layer '" + name + "'; was it written by `hotspot run`?");
    std::vector<Feature> out;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    const int nf = OGR_FD_GetFieldCount(defn);
    OGR_L_ResetReading(layer);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(layer)) != nullptr) {
        Feature feat;
        for (int i = 0; i < nf; ++i) {
            if (!OGR_F_IsFieldSetAndNotNull(f, i))
                continue;
            OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, i);
            const std::string k = OGR_Fld_GetNameRef(fd);
            const OGRFieldType t = OGR_Fld_GetType(fd);
            if (t == OFTInteger || t == OFTInteger64 || t == OFTReal)
                feat.number[k] = OGR_F_GetFieldAsDouble(f, i);
            feat.text[k] = OGR_F_GetFieldAsString(f, i);
        }
        if (geometry)
            collect_polygons(OGR_F_GetGeometryRef(f), feat.shape);
        out.push_back(std::move(feat));
        OGR_F_Destroy(f);
    }
    return out;
}

std::string base64(const unsigned char* data, std::size_t n) {
    static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((n + 2) / 3 * 4);
    for (std::size_t i = 0; i < n; i += 3) {
        const unsigned v = unsigned(data[i]) << 16 | (i + 1 < n ? unsigned(data[i + 1]) << 8 : 0u) |
                           (i + 2 < n ? unsigned(data[i + 2]) : 0u);
        out += tbl[(v >> 18) & 63];
        out += tbl[(v >> 12) & 63];
        out += i + 1 < n ? tbl[(v >> 6) & 63] : '=';
        out += i + 2 < n ? tbl[v & 63] : '=';
    }
    return out;
}

/// The density surface coloured with the heat ramp at the manifest's class breaks, as a PNG
/// data: URI, and the world bounds it covers.
struct SurfaceImage {
    std::string href;
    Bounds world;
};

SurfaceImage colour_surface(const std::string& path, const std::vector<double>& breaks,
                            int max_px) {
    hotspot::detail::GdalErrorScope errors;
    Dataset src;
    src.h = GDALOpenEx(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, nullptr, nullptr);
    if (!src.h)
        throw InputError(unit, path, "cannot open the density surface: " + errors.last_error());
    double gt[6];
    if (GDALGetGeoTransform(src.h, gt) != CE_None || gt[2] != 0 || gt[4] != 0)
        throw InputError(unit, path, "has no north-up geotransform");
    const int cols = GDALGetRasterXSize(src.h), rows = GDALGetRasterYSize(src.h);
    GDALRasterBandH band = GDALGetRasterBand(src.h, 1);
    int has_nodata = 0;
    const double nodata = GDALGetRasterNoDataValue(band, &has_nodata);
    // Resample big surfaces (averaging) so the pack stays small; the classes are unchanged.
    const double f = std::min(1.0, double(max_px) / std::max(cols, rows));
    const int w = std::max(1, int(std::lround(cols * f))),
              h = std::max(1, int(std::lround(rows * f)));
    std::vector<float> v(std::size_t(w) * std::size_t(h));
    GDALRasterIOExtraArg extra;
    INIT_RASTERIO_EXTRA_ARG(extra);
    extra.eResampleAlg = (w == cols && h == rows) ? GRIORA_NearestNeighbour : GRIORA_Average;
    if (GDALRasterIOEx(band, GF_Read, 0, 0, cols, rows, v.data(), w, h, GDT_Float32, 0, 0,
                       &extra) != CE_None)
        throw InputError(unit, path, "cannot read the density surface: " + errors.last_error());

    std::vector<unsigned char> px(std::size_t(w) * std::size_t(h) * 4, 0);
    for (std::size_t i = 0; i < v.size(); ++i) {
        const double x = v[i];
        if (!std::isfinite(x) || (has_nodata && x == float(nodata)) || breaks.empty())
            continue;
        const auto c = svg::heat_class_colour(svg::class_of(x, breaks), breaks.size());
        px[4 * i] = c.r, px[4 * i + 1] = c.g, px[4 * i + 2] = c.b, px[4 * i + 3] = c.a;
    }
    Dataset mem;
    mem.h = GDALCreate(GDALGetDriverByName("MEM"), "", w, h, 4, GDT_Byte, nullptr);
    if (!mem.h)
        throw Error(unit, "cannot create an in-memory raster: " + errors.last_error());
    for (int k = 0; k < 4; ++k)
        if (GDALRasterIO(GDALGetRasterBand(mem.h, k + 1), GF_Write, 0, 0, w, h, px.data() + k, w, h,
                         GDT_Byte, 4, w * 4) != CE_None)
            throw Error(unit, "cannot fill the in-memory raster: " + errors.last_error());
    static int counter = 0;
    const std::string vsi = "/vsimem/hotspot_report_" + std::to_string(++counter) + ".png";
    GDALDatasetH png = GDALCreateCopy(GDALGetDriverByName("PNG"), vsi.c_str(), mem.h, FALSE,
                                      nullptr, nullptr, nullptr);
    if (!png)
        throw Error(unit, "cannot encode the density image as PNG: " + errors.last_error());
    GDALClose(png);
    vsi_l_offset len = 0;
    GByte* bytes = VSIGetMemFileBuffer(vsi.c_str(), &len, FALSE);
    SurfaceImage img;
    img.href = "data:image/png;base64," + base64(bytes, std::size_t(len));
    VSIUnlink(vsi.c_str());
    VSIUnlink((vsi + ".aux.xml").c_str());
    img.world = {gt[0], gt[3] + gt[5] * rows, gt[0] + gt[1] * cols, gt[3]};
    return img;
}


// The run's free-form sections ("run", "counts") tolerate a key of another type, as the report
// always has: the value is shown as missing.
std::string jstr(const nlohmann::ordered_json& j, const char* k) {
    if (!j.is_object() || !j.contains(k) || !j[k].is_string())
        return "";
    return j[k].get<std::string>();
}
double jnum(const nlohmann::ordered_json& j, const char* k, double d = NAN) {
    if (!j.is_object() || !j.contains(k) || !j[k].is_number())
        return d;
    return j[k].get<double>();
}

// The values of a "category in [A, B]" filter term (profile.cpp's filter_terms text): what a
// police.uk proxy selected. A typed manifest should carry them as a list.
std::vector<std::string> categories_of(const std::vector<std::string>& terms) {
    std::vector<std::string> out;
    const std::string head = "category in [";
    for (const auto& t : terms) {
        if (t.rfind(head, 0) != 0 || t.back() != ']')
            continue;
        const std::string list = t.substr(head.size(), t.size() - head.size() - 1);
        for (std::size_t start = 0; start <= list.size();) {
            std::size_t end = list.find(", ", start);
            if (end == std::string::npos)
                end = list.size();
            std::string v = list.substr(start, end - start);
            if (v.size() >= 2 && v.front() == '"' && v.back() == '"')
                v = v.substr(1, v.size() - 2);
            if (!v.empty())
                out.push_back(v);
            start = end + 2;
        }
    }
    return out;
}

} // namespace

ReportInput read_report_input(const ReportOptions& opt) {
    detail::ensure_gdal();
    const fs::path dir(opt.run_dir);
    const fs::path manifest_path = dir / "manifest.json";
    nlohmann::ordered_json m;
    {
        std::ifstream in(manifest_path);
        if (!in)
            throw InputError(unit, manifest_path.string(),
                             "cannot be read; give the folder `hotspot run` wrote");
        try {
            m = nlohmann::ordered_json::parse(in);
        } catch (const nlohmann::ordered_json::exception& e) {
            throw InputError(unit, manifest_path.string(),
                             std::string("is not valid JSON: ") + e.what());
        }
    }
    if (jstr(m, "command") != "run" || !m.contains("run") || !m.contains("profiles"))
        throw InputError(unit, manifest_path.string(), "is not the manifest of `hotspot run`");
    // The run's sections through the one typed reader (manifest.hpp); layer names come from
    // what each profile recorded under `written`, else from run_output_name() (run_names.hpp).
    RunManifest rm;
    try {
        rm = RunManifest::from_json(m);
    } catch (const nlohmann::json::exception& e) {
        throw InputError(unit, manifest_path.string(),
                         std::string("is not a run manifest this version can read: ") + e.what());
    }
    if (rm.schema_version > run_manifest_schema_version)
        throw InputError(unit, manifest_path.string(),
                         "has schema_version " + std::to_string(rm.schema_version) + "; this hotspot reads up to " +
                             std::to_string(run_manifest_schema_version) + ": use the hotspot that wrote the run");
    const RunSection& run = rm.run;
    ReportInput in;
    in.version = jstr(m, "version");
    in.title = run.title.empty() ? "Hot spot analysis" : run.title;
    in.area_name = run.area_name;
    in.period_from = run.period_from;
    in.period_to = run.period_to;
    in.comparing = run.comparing;
    if (in.comparing) {
        in.comparison_from = run.comparison_from;
        in.comparison_to = run.comparison_to;
    }
    in.publish = run.publish;
    in.publish_min_count = run.publish_min_count;
    in.police_uk = run.police_uk;
    in.study_area_km2 = run.study_area_km2;
    in.marking = !opt.marking.empty() ? opt.marking : run.marking;
    in.author = !opt.author.empty() ? opt.author : run.author;
    in.attribution = run.attribution;
    const nlohmann::ordered_json& counts = rm.counts;
    in.rows_in = jnum(counts, "rows_in");
    in.assigned = jnum(counts, "assigned");
    in.outside = jnum(counts, "outside");
    in.rejected = jnum(counts, "rejected");
    in.rejected_by_reason = jstr(counts, "rejected_by_reason");
    in.run_name = !opt.run_name.empty() ? opt.run_name
                  : dir.filename().string().empty() ? opt.run_dir
                                                    : dir.filename().string();

    const std::string gpkg = (dir / rm.gpkg).string();
    std::vector<std::string> boundary_layers;
    for (const auto& lv : run.area_levels) {
        in.levels.push_back(lv.name);
        boundary_layers.push_back(lv.boundaries_layer);
    }
    if (in.levels.empty())
        throw InputError(unit, manifest_path.string(), "lists no area levels");

    detail::GdalErrorScope errors;
    Dataset ds;
    ds.h = GDALOpenEx(gpkg.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr);
    if (!ds.h)
        throw InputError(unit, gpkg, "cannot be opened: " + errors.last_error());
    in.boundaries = read_layer(ds.h, gpkg, boundary_layers.front());
    for (const auto& b : in.boundaries)
        in.world.add(bounds_of(b.shape));
    in.world = in.world.grown(std::max(in.world.width(), in.world.height()) * 0.015);

    for (const RunProfileRecord& rec : rm.profiles) {
        const nlohmann::ordered_json& p = rec.steps;  // the steps' nodes: kde, hotspots, gistar, rates
        // The layer a profile recorded for `kind` (and level), else the name run_output_name() gives.
        const auto layer_of = [&rec](RunOutputKind kind, const std::string& level = {}) {
            for (const auto& w : rec.written)
                if (w.layer && w.kind == run_output_key(kind) && w.level == level)
                    return w.name;
            return run_output_name(rec.name, kind, level);
        };
        ProfileInput pi;
        pi.name = rec.name;
        pi.title = rec.title;
        const Profile* builtin = find_builtin(pi.name);
        pi.description = !rec.description.empty() ? rec.description : builtin ? builtin->description : "";
        pi.proxy = !rec.proxy_note.empty();
        pi.proxy_note = rec.proxy_note;
        pi.filter = rec.filter;
        if (pi.proxy)
            pi.proxy_categories = categories_of(pi.filter);
        // The denominator: the manifest's when it says, else the built-in profile's.
        if (!rec.denominator.empty())
            pi.has_population = rec.denominator != "none";
        else if (builtin)
            pi.has_population = builtin->denominator != Denominator::none;
        pi.selected = double(rec.selected);
        pi.selected_comparison = rec.selected_comparison >= 0 ? double(rec.selected_comparison) : NAN;
        pi.warnings = rec.warnings;
        pi.steps = rec.steps;  // report_trend.cpp reads the "change" and "hours" nodes
        // The steps' nodes through their typed readers (steps/*_step.hpp).
        const auto node = [&](const char* key) -> const nlohmann::ordered_json* {
            return p.contains(key) ? &p[key] : nullptr;
        };
        try {
            if (const auto* kde_node = node("kde")) {
                const KdeManifestNode kde = KdeManifestNode::from_json(*kde_node);
                pi.has_map = true;
                pi.kernel = kde.kernel;
                pi.bandwidth_method = kde.bandwidth_method;
                pi.units = kde.units;
                pi.bandwidth_m = kde.bandwidth_m;
                pi.cell_size_m = kde.cell_size_m;
                pi.postcode_share = kde.postcode_centroid_share;
                pi.class_breaks = kde.class_breaks;
                if (!kde.file.empty()) {
                    const SurfaceImage img = colour_surface((dir / kde.file).string(), pi.class_breaks,
                                                            opt.max_raster_px);
                    pi.surface_href = img.href;
                    pi.surface_world = img.world;
                }
            }
            if (pi.has_map) {
                const auto* hs_node = node("hotspots");
                const HotspotsManifestNode hs =
                    hs_node ? HotspotsManifestNode::from_json(*hs_node) : HotspotsManifestNode{};
                pi.hotspot_layer = hs.layer.empty() ? layer_of(RunOutputKind::hotspots) : hs.layer;
                pi.hotspot_threshold = hs.threshold;
                pi.hotspot_threshold_value = hs.threshold_value;
            }
            if (const auto* g_node = node("gistar"); g_node && pi.has_map) {
                const GiStarManifestNode g = GiStarManifestNode::from_json(*g_node);
                pi.has_gistar = true;
                pi.gistar_cell_m = g.cell_m;
                pi.gistar_band_m = g.band_m;
                pi.gistar_hot99 = g.hot_cells_99;
                pi.gistar_weights = g.weights;
                pi.gistar_correction = g.correction;
            }
            if (const auto* r_node = node("rates"); r_node && pi.has_map) {
                const RatesManifestNode r = RatesManifestNode::from_json(*r_node);
                pi.has_rates = true;
                pi.ci = r.ci;
                pi.classes = r.classes;
                pi.reference_rate = r.reference_rate_per_1000;
            }
        } catch (const nlohmann::ordered_json::exception& e) {
            throw InputError(unit, manifest_path.string(),
                             "profile " + rec.name + ": a step's node is not one this version can read: " +
                                 e.what());
        }
        if (pi.has_map) {
            pi.hotspots = read_layer(ds.h, gpkg, pi.hotspot_layer);
            std::stable_sort(pi.hotspots.begin(), pi.hotspots.end(), [](const Feature& a, const Feature& b) {
                return a.num("rank").value_or(1e9) < b.num("rank").value_or(1e9);
            });
        }
        if (pi.has_rates) {
            for (const auto& level : in.levels) {
                LevelRates lr{level, layer_of(RunOutputKind::rates, level), {}};
                lr.rows = read_layer(ds.h, gpkg, lr.layer, false);
                pi.rates.push_back(std::move(lr));
            }
            // No population given: the layers hold counts only.
            const auto& wards = pi.rates.front().rows;
            if (std::none_of(wards.begin(), wards.end(),
                             [](const Feature& f) { return f.num("rate_per_1000").has_value(); }))
                pi.has_population = false;
        }
        if (p.contains("near_repeat")) {  // report_near_repeat.hpp
            std::vector<RiskWindowInput> windows;
            for (auto& f : read_layer(ds.h, gpkg, layer_of(RunOutputKind::risk_windows)))
                windows.push_back({std::move(f.shape), f.str("expires")});
            pi.near_repeat = near_repeat_from_manifest(p["near_repeat"], std::move(windows));
        }
        in.profiles.push_back(std::move(pi));
    }
    return in;
}

} // namespace hotspot::report
