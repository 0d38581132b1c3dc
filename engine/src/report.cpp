#include "hotspot/report.hpp"

#include "hotspot/output_safety.hpp"

#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_api.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "gdal_env.hpp"
#include "hotspot/error.hpp"
#include "hotspot/svg_map.hpp"
#include "hotspot/vector_out.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace hotspot {

namespace {

constexpr const char* unit = "report";

using svg::format_value;
using svg::xml_escape;

std::string esc(const std::string& s) {
    return xml_escape(s);
}

// ---------------------------------------------------------------- reading the run folder

/// One feature of a GeoPackage layer: its shape and its non-null fields.
struct Feature {
    MultiPolygon shape;
    std::map<std::string, std::string> text;
    std::map<std::string, double> number;

    std::string str(const std::string& k) const {
        auto it = text.find(k);
        return it == text.end() ? "" : it->second;
    }
    std::optional<double> num(const std::string& k) const {
        auto it = number.find(k);
        if (it == number.end())
            return std::nullopt;
        return it->second;
    }
};

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
    detail::GdalErrorScope errors;
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
    const auto ramp = svg::heat_ramp();
    for (std::size_t i = 0; i < v.size(); ++i) {
        const double x = v[i];
        if (!std::isfinite(x) || (has_nodata && x == float(nodata)) || breaks.empty())
            continue;
        const auto c = ramp[std::min(svg::class_of(x, breaks), ramp.size() - 1)];
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

// ---------------------------------------------------------------- text helpers

std::string jstr(const json& j, const char* k) {
    if (!j.is_object() || !j.contains(k) || !j[k].is_string())
        return "";
    return j[k].get<std::string>();
}
double jnum(const json& j, const char* k, double d = NAN) {
    if (!j.is_object() || !j.contains(k) || !j[k].is_number())
        return d;
    return j[k].get<double>();
}

std::string thousands(double v) {
    if (!std::isfinite(v))
        return "\u2013";
    const long long n = std::llround(v);
    std::string digits = std::to_string(n < 0 ? -n : n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0)
            out += ',';
        out += digits[i];
    }
    return (n < 0 ? "\u2212" : "") + out;
}

// "2025-01" -> "January 2025", "2025-01-15" -> "15 January 2025"; anything else unchanged.
std::string month_text(const std::string& d) {
    static const char* months[] = {"January",   "February", "March",    "April",
                                   "May",       "June",     "July",     "August",
                                   "September", "October",  "November", "December"};
    if (d.size() < 7 || d[4] != '-')
        return d;
    const int mo = std::atoi(d.substr(5, 2).c_str());
    if (mo < 1 || mo > 12)
        return d;
    std::string s = std::string(months[mo - 1]) + " " + d.substr(0, 4);
    if (d.size() >= 10)
        s = std::to_string(std::atoi(d.substr(8, 2).c_str())) + " " + s;
    return s;
}

std::string period_text(const json& p) {
    if (!p.is_object())
        return "";
    const std::string from = jstr(p, "from"), to = jstr(p, "to");
    if (from.empty() && to.empty())
        return "all dates";
    if (from.empty())
        return "up to " + month_text(to);
    if (to.empty())
        return "from " + month_text(from);
    return month_text(from) + " to " + month_text(to);
}

std::string fixed(double v, int d) {
    if (!std::isfinite(v))
        return "\u2013";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", d, v);
    return buf;
}

std::string signed_int(double v) {
    if (!std::isfinite(v))
        return "\u2013";
    const long long n = std::llround(v);
    return n > 0 ? "+" + std::to_string(n) : n < 0 ? "\u2212" + std::to_string(-n) : "0";
}

std::string level_label(const std::string& name, bool plural = false) {
    std::string s = name;
    static const char* acronyms[] = {"lsoa", "msoa", "oa", "lad", "csp", "pfa", "npt", "snt"};
    if (std::any_of(std::begin(acronyms), std::end(acronyms),
                    [&](const char* a) { return s == a; })) {
        for (auto& c : s)
            c = char(std::toupper(static_cast<unsigned char>(c)));
    } else if (!s.empty()) {
        s[0] = char(std::toupper(static_cast<unsigned char>(s[0])));
    }
    return plural ? s + "s" : s;
}

// "Castle (67%), Brookfield (11%), ..." -> the first three and how many more.
std::string short_wards(const std::string& wards) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= wards.size()) {
        const auto end = wards.find("), ", start);
        if (end == std::string::npos) {
            parts.push_back(wards.substr(start));
            break;
        }
        parts.push_back(wards.substr(start, end + 1 - start));
        start = end + 3;
    }
    if (parts.size() <= 3)
        return wards;
    return parts[0] + ", " + parts[1] + ", " + parts[2] + " and " +
           std::to_string(parts.size() - 3) + " more";
}

std::string slug(const std::string& name) {
    std::string s = name;
    std::replace(s.begin(), s.end(), '-', '_');
    return s;
}

std::string today() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    static const char* months[] = {"January",   "February", "March",    "April",
                                   "May",       "June",     "July",     "August",
                                   "September", "October",  "November", "December"};
    return std::to_string(tm.tm_mday) + " " + months[tm.tm_mon] + " " +
           std::to_string(tm.tm_year + 1900);
}

std::string class_css(const std::string& rate_class) {
    if (rate_class == "significantly above")
        return "c-sig-above";
    if (rate_class == "above")
        return "c-above";
    if (rate_class == "similar")
        return "c-similar";
    if (rate_class == "below")
        return "c-below";
    if (rate_class == "significantly below")
        return "c-sig-below";
    return "c-none";
}

int class_order(const std::string& c) {
    if (c == "significantly above")
        return 0;
    if (c == "above")
        return 1;
    if (c == "similar")
        return 2;
    if (c == "below")
        return 3;
    if (c == "significantly below")
        return 4;
    return 5;
}

const char* css = R"CSS(
*{box-sizing:border-box}
html{background:#e9e9e6}
body{margin:0;padding:12px 0;font-family:Arial,Helvetica,"Liberation Sans",sans-serif;color:#1a1a1a;font-size:11px;line-height:1.3}
.page{width:297mm;height:210mm;margin:0 auto 12px;padding:9mm 10mm;background:#fff;box-shadow:0 1px 4px rgba(0,0,0,.25);overflow:hidden;position:relative}
.page-head{display:flex;justify-content:space-between;align-items:baseline;border-bottom:2px solid #08306b;padding-bottom:3px;margin-bottom:6px}
.page-head h2{margin:0;font-size:18px;color:#08306b}
.page-head .meta{font-size:10.5px;color:#444;text-align:right}
.proxy{background:#fff4d6;border-left:4px solid #e6a700;padding:3px 6px;margin:0 0 6px;font-size:10.5px}
.cols{display:grid;grid-template-columns:148mm 1fr;gap:6mm}
.map-col svg{width:100%;height:auto;display:block}
h3{font-size:12px;margin:6px 0 3px;color:#08306b}
table{border-collapse:collapse;width:100%;font-size:10.2px}
th,td{padding:2px 4px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
th{background:#eef1f6;font-weight:bold;border-bottom:1px solid #9aa8bf}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.ref td{font-style:italic;color:#444;border-top:1px solid #9aa8bf}
.cls{display:inline-block;padding:0 4px;border-radius:2px;white-space:nowrap;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.c-sig-above{background:#b2182b;color:#fff}.c-above{background:#f4a582;color:#1a1a1a}
.c-similar{background:#f0f0f0;color:#1a1a1a}.c-below{background:#92c5de;color:#1a1a1a}
.c-sig-below{background:#2166ac;color:#fff}.c-none{background:#fff;color:#666}
.note{color:#555;font-size:9.5px;margin:2px 0}
.methods{border:1px solid #b8c2d3;background:#f7f9fc;padding:4px 6px;margin-top:6px;font-size:9.5px}
.methods h3{margin-top:0}
.methods dl{margin:0;display:grid;grid-template-columns:26mm 1fr;gap:1px 6px}
.methods dt{font-weight:bold;color:#333}.methods dd{margin:0}
.cover h1{font-size:26px;color:#08306b;margin:6mm 0 2mm}
.cover .sub{font-size:15px;color:#333;margin-bottom:6mm}
.cover .facts{display:grid;grid-template-columns:40mm 1fr;gap:2px 8px;font-size:12px;margin-bottom:5mm}
.cover .facts dt{font-weight:bold}.cover .facts dd{margin:0}
.cover table{font-size:11px}
.cover td b{white-space:nowrap}
.cover ul{margin:2px 0 4mm 18px;padding:0;font-size:11px}
.cover .attrib{font-size:10px;color:#333;border-top:1px solid #ccc;padding-top:3px;position:absolute;bottom:9mm;left:10mm;right:10mm}
.cover h3{font-size:13px}
.foot{position:absolute;bottom:4mm;left:10mm;right:10mm;font-size:8.5px;color:#777;display:flex;justify-content:space-between}
@page{size:A4 landscape;margin:0}
@media print{
 html,body{background:#fff;padding:0;margin:0}
 .page{margin:0;box-shadow:none;break-after:page;page-break-after:always}
 .page:last-of-type{break-after:auto;page-break-after:auto}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
)CSS";

struct Level {
    std::string name, boundaries_layer;
};

} // namespace

std::string build_report_html(const ReportOptions& opt, ReportResult* result) {
    detail::ensure_gdal();
    ReportResult res;
    const fs::path dir(opt.run_dir);
    const fs::path manifest_path = dir / "manifest.json";
    json m;
    {
        std::ifstream in(manifest_path);
        if (!in)
            throw InputError(unit, manifest_path.string(),
                             "cannot be read; give the folder `hotspot run` wrote");
        try {
            m = json::parse(in);
        } catch (const json::exception& e) {
            throw InputError(unit, manifest_path.string(),
                             std::string("is not valid JSON: ") + e.what());
        }
    }
    if (jstr(m, "command") != "run" || !m.contains("run") || !m.contains("profiles"))
        throw InputError(unit, manifest_path.string(), "is not the manifest of `hotspot run`");
    const json& run = m["run"];
    const bool publish = run.value("publish", false);
    const int min_count = run.value("publish_min_count", 0);
    const bool police_uk = run.value("police_uk", false);
    const bool comparing = run.contains("comparison") && run["comparison"].is_object();
    const std::string gpkg = (dir / jstr(m, "gpkg")).string();
    std::vector<Level> levels;
    for (const auto& lv : run.value("area_levels", json::array()))
        levels.push_back({jstr(lv, "name"), jstr(lv, "boundaries_layer")});
    if (levels.empty())
        throw InputError(unit, manifest_path.string(), "lists no area levels");

    detail::GdalErrorScope errors;
    Dataset ds;
    ds.h = GDALOpenEx(gpkg.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr);
    if (!ds.h)
        throw InputError(unit, gpkg, "cannot be opened: " + errors.last_error());

    const Level& wards = levels.front();
    const std::vector<Feature> boundaries = read_layer(ds.h, gpkg, wards.boundaries_layer);
    Bounds world;
    for (const auto& b : boundaries)
        world.add(bounds_of(b.shape));
    world = world.grown(std::max(world.width(), world.height()) * 0.015);

    const auto count_text = [&](const Feature& f, const char* key) -> std::string {
        const auto v = f.num(key);
        if (!v)
            return publish && min_count > 0 ? "&lt;" + std::to_string(min_count) : "\u2013";
        return thousands(*v);
    };

    const std::string title = jstr(run, "title").empty() ? "Hot spot analysis" : jstr(run, "title");
    const std::string area_name = jstr(run, "area_name");
    const std::string period = period_text(run.value("period", json::object()));
    const std::string comparison = comparing ? period_text(run["comparison"]) : "";
    const std::string produced = opt.produced.empty() ? today() : opt.produced;
    const std::string foot_left = esc(title) + " \u00b7 produced " + esc(produced) +
                                  (publish ? " \u00b7 publication version" : "");

    std::ostringstream body;
    const auto& profiles = m["profiles"];
    const std::size_t n_pages = profiles.size() + 1;

    // ------------------------------------------------------------ cover
    body << "<section class=\"page cover\" id=\"cover\">\n<div class=\"page-head\"><h2>Tasking "
            "pack</h2><div class=\"meta\">"
         << (publish ? "Publication version: small counts suppressed" : "For the tasking meeting")
         << "</div></div>\n";
    body << "<h1>" << esc(title) << "</h1>\n";
    if (!area_name.empty())
        body << "<div class=\"sub\">" << esc(area_name) << "</div>\n";
    body << "<dl class=\"facts\"><dt>Period</dt><dd>" << esc(period) << "</dd>";
    if (comparing)
        body << "<dt>Compared with</dt><dd>" << esc(comparison) << "</dd>";
    body << "<dt>Produced</dt><dd>" << esc(produced) << " by hotspot " << esc(jstr(m, "version"))
         << "</dd>";
    const json& counts = m.value("counts", json::object());
    body << "<dt>Records</dt><dd>" << thousands(jnum(counts, "rows_in")) << " read, "
         << thousands(jnum(counts, "assigned")) << " mapped to an area, "
         << thousands(jnum(counts, "outside")) << " outside every area, "
         << thousands(jnum(counts, "rejected")) << " not mappable"
         << (police_uk ? " (police.uk street-level data)" : "") << "</dd></dl>\n";
    body << "<h3>Profiles in this pack</h3>\n<table "
            "class=\"profiles\"><thead><tr><th>Page</th><th>Profile</th><th "
            "class=\"n\">Incidents</th>"
         << (comparing ? "<th class=\"n\">Comparison</th>" : "")
         << "<th>Definition</th></tr></thead><tbody>\n";
    int page_no = 2;
    for (const auto& p : profiles) {
        std::string def;
        for (const auto& t : p.value("filter", json::array()))
            def += (def.empty() ? "" : "; ") + t.get<std::string>();
        body << "<tr><td class=\"n\">" << page_no++ << "</td><td><b>" << esc(jstr(p, "title"))
             << "</b>"
             << (p.value("proxy", false) ? " <span class=\"cls c-above\">proxy</span>" : "")
             << "</td><td class=\"n\">" << thousands(jnum(p, "selected")) << "</td>"
             << (comparing
                     ? "<td class=\"n\">" + thousands(jnum(p, "selected_comparison")) + "</td>"
                     : "")
             << "<td class=\"note\">" << esc(def) << "</td></tr>\n";
    }
    body << "</tbody></table>\n";
    body << "<h3>Read with care</h3>\n<ul class=\"caveats\">\n";
    if (police_uk) {
        body << "<li>police.uk locations are anonymised: every incident is moved to the nearest of "
                "a fixed set of snap "
                "points (a street, a public place), so hot spots show the pattern across streets, "
                "not addresses.</li>\n"
                "<li>police.uk categories are broad (e.g. \u201cBurglary\u201d, "
                "\u201cDrugs\u201d); a profile built on "
                "them is a proxy for the offence, marked <i>proxy</i> above.</li>\n";
    }
    for (const auto& p : profiles)
        if (p.value("proxy", false) && !jstr(p, "proxy_note").empty())
            body << "<li><b>" << esc(jstr(p, "title")) << ":</b> " << esc(jstr(p, "proxy_note"))
                 << "</li>\n";
    body << "<li>Counts are recorded incidents, not all crime. Rates are per 1,000 residents, so "
            "areas with many visitors "
            "(town centre, night-time economy) show high rates.</li>\n"
            "<li>\u201cSignificantly above\u201d means the area\u2019s rate is above the reference "
            "rate beyond what "
            "chance variation explains (99.8% confidence interval); \u201cabove\u201d uses the 95% "
            "interval.</li>\n";
    if (jnum(counts, "rejected", 0) + jnum(counts, "outside", 0) > 0)
        body << "<li>" << thousands(jnum(counts, "rejected", 0) + jnum(counts, "outside", 0))
             << " records could not be placed in an area (no or bad location, outside the "
                "boundaries) and are not in the maps"
             << (jstr(counts, "rejected_by_reason").empty()
                     ? ""
                     : " (" + esc(jstr(counts, "rejected_by_reason")) + ")")
             << ".</li>\n";
    if (publish)
        body << "<li>Publication version: counts below " << min_count << " are shown as &lt;"
             << min_count << " and no incident locations are included.</li>\n";
    body << "</ul>\n<div class=\"attrib\"><b>Data and licences.</b> ";
    std::vector<std::string> attribution;
    for (const auto& a : run.value("attribution", json::array()))
        if (a.is_string())
            attribution.push_back(a.get<std::string>());
    const std::string ogl =
        "Contains public sector information licensed under the Open Government Licence v3.0.";
    if (police_uk && std::find(attribution.begin(), attribution.end(), ogl) == attribution.end())
        attribution.push_back(ogl);
    for (const auto& a : attribution)
        body << esc(a) << " ";
    body << "Maps drawn by hotspot from the run in "
         << esc(!opt.run_name.empty() ? opt.run_name
                : fs::path(opt.run_dir).filename().string().empty()
                    ? opt.run_dir
                    : fs::path(opt.run_dir).filename().string())
         << " (manifest.json lists every input with its checksum).</div>\n";
    body << "<div class=\"foot\"><span>" << foot_left << "</span><span>1 / " << n_pages
         << "</span></div>\n</section>\n";

    // ------------------------------------------------------------ one page per profile
    int page = 1;
    for (const auto& p : profiles) {
        ++page;
        const std::string name = jstr(p, "name"), ps = slug(name), ptitle = jstr(p, "title");
        if (!p.contains("kde")) {
            // The profile selected nothing in the period (the run wrote no layers for it), or its
            // `outputs` leave out the density surface.
            body << "<section class=\"page profile\" id=\"profile-" << esc(name) << "\" data-profile=\""
                 << esc(name) << "\">\n<div class=\"page-head\"><h2>" << esc(ptitle)
                 << "</h2><div class=\"meta\">" << esc(period) << " \u00b7 <b>"
                 << p.value("selected", std::uint64_t(0)) << "</b> incidents</div></div>\n"
                 << (p.value("selected", std::uint64_t(0)) == 0
                         ? "<p>No incident matched this profile in the period, so there is no map or table.</p>\n"
                         : "<p>This profile's <code>outputs</code> list no density surface (<code>kde</code>), so the "
                           "pack has no map for it; its layers are in the GeoPackage.</p>\n");
            for (const auto& w : p.value("warnings", json::array()))
                if (w.is_string()) body << "<p class=\"note\">" << esc(w.get<std::string>()) << "</p>\n";
            body << "<div class=\"foot\"><span>" << foot_left << "</span><span>" << page << " / " << n_pages
                 << "</span></div>\n</section>\n";
            continue;
        }
        const json& kde = p.value("kde", json::object());
        const json& hsj = p.value("hotspots", json::object());
        const json& gij = p.value("gistar", json::object());
        const json& rj = p.value("rates", json::object());
        std::vector<double> breaks;
        for (const auto& b : kde.value("class_breaks", json::array()))
            breaks.push_back(b.get<double>());
        const std::string units = jstr(kde, "units");
        const std::string units_text = units == "per-km2"    ? "Incidents per km\u00b2"
                                       : units == "per-m2"   ? "Incidents per m\u00b2"
                                       : units == "relative" ? "Relative density (0\u20131)"
                                                             : "Kernel sum";

        svg::MapSpec spec;
        // The map fills the column's width; its height follows the area's shape, within the page.
        spec.width = 560;
        spec.height = std::clamp(spec.width * world.height() / world.width() + 46 + 2 * spec.margin,
                                 300.0, 610.0);
        spec.world = world;
        spec.legend_title = units_text;
        spec.legend = svg::legend_classes(breaks);
        for (const auto& b : boundaries)
            spec.areas.push_back({b.shape, b.str("name")});
        if (!jstr(kde, "file").empty()) {
            const SurfaceImage img =
                colour_surface((dir / jstr(kde, "file")).string(), breaks, opt.max_raster_px);
            spec.image_href = img.href;
            spec.image_world = img.world;
        }
        const std::string hs_layer =
            jstr(hsj, "layer").empty() ? ps + "_hotspots" : jstr(hsj, "layer");
        std::vector<Feature> hotspots = read_layer(ds.h, gpkg, hs_layer);
        std::sort(hotspots.begin(), hotspots.end(), [](const Feature& a, const Feature& b) {
            return a.num("rank").value_or(1e9) < b.num("rank").value_or(1e9);
        });
        const std::size_t listed = 5; // hot spots numbered on the map and listed in the table
        for (std::size_t i = 0; i < hotspots.size(); ++i)
            spec.hotspots.push_back(
                {hotspots[i].shape, i < listed ? int(hotspots[i].num("rank").value_or(0)) : 0});
        svg::MapLayout layout;
        const std::string map_svg = svg::draw_map(spec, &layout);

        const double ref = jnum(rj, "reference_rate_per_1000");
        // Methods (under the map)
        std::ostringstream methods;
        methods << "<div class=\"methods\"><h3>Methods</h3><dl>"
                << "<dt>Density</dt><dd>" << esc(jstr(kde, "kernel")) << " kernel, bandwidth "
                << fixed(jnum(kde, "bandwidth_m"), 0) << " m ("
                << esc(jstr(kde, "bandwidth_method") == "fixed"
                           ? "set in the run config"
                           : "chosen by " + jstr(kde, "bandwidth_method"))
                << "), " << fixed(jnum(kde, "cell_size_m"), 0) << " m cells, " << esc(units_text)
                << "; classes at the 50/70/85/95/99% quantiles of non-zero cells</dd>"
                << "<dt>Hot spots</dt><dd>" << esc(jstr(hsj, "threshold")) << " (density \u2265 "
                << format_value(jnum(hsj, "threshold_value"))
                << "), joined into polygons and ranked by incidents</dd>"
                << "<dt>Gi*</dt><dd>" << fixed(jnum(gij, "cell_m"), 0) << " m cells, "
                << fixed(jnum(gij, "band_m"), 0) << " m band, " << esc(jstr(gij, "weights")) << "; "
                << esc(jstr(gij, "correction")) << "; " << thousands(jnum(gij, "hot_cells_99"))
                << " cells hot at 99%</dd>"
                << "<dt>Rates</dt><dd>" << esc(jstr(rj, "ci"))
                << " confidence intervals against the reference rate " << fixed(ref, 2)
                << " per 1,000; " << esc(jstr(rj, "classes")) << "</dd>"
                << "</dl></div>\n";
        body << "<section class=\"page profile\" id=\"profile-" << esc(name) << "\" data-profile=\""
             << esc(name) << "\">\n";
        body << "<div class=\"page-head\"><h2>" << esc(ptitle) << "</h2><div class=\"meta\">"
             << esc(area_name) << (area_name.empty() ? "" : " \u00b7 ") << esc(period)
             << " \u00b7 <b>" << thousands(jnum(p, "selected")) << "</b> incidents"
             << (comparing ? " (" + thousands(jnum(p, "selected_comparison")) + " in " +
                                 esc(comparison) + ")"
                           : "")
             << "</div></div>\n";
        if (p.value("proxy", false))
            body << "<div class=\"proxy\"><b>Proxy.</b> " << esc(jstr(p, "proxy_note"))
                 << "</div>\n";
        body << "<div class=\"cols\">\n<div class=\"map-col\">\n" << map_svg;
        body << "<p class=\"note\">Density: " << esc(jstr(kde, "kernel")) << " kernel, "
             << fixed(jnum(kde, "bandwidth_m"), 0) << " m bandwidth, "
             << fixed(jnum(kde, "cell_size_m"), 0)
             << " m cells. Hot spots (numbered outlines): " << esc(jstr(hsj, "threshold"))
             << ". Grid north up; scale bar " << svg::format_length(layout.scale_bar_m) << ".</p>\n"
             << methods.str() << "</div>\n<div class=\"side-col\">\n";

        // Top hot spots
        body << "<h3>Top hot spots</h3>\n<table class=\"hotspots\"><thead><tr><th "
                "class=\"n\">#</th><th>"
             << esc(level_label(wards.name))
             << "(s)</th><th class=\"n\">Incidents</th><th class=\"n\">Share</th>"
                "<th class=\"n\">PAI</th>"
             << (comparing ? "<th class=\"n\">Change</th>" : "") << "</tr></thead><tbody>\n";
        std::size_t shown = 0;
        for (const auto& h : hotspots) {
            if (++shown > listed)
                break;
            body << "<tr><td class=\"n\">" << thousands(h.num("rank").value_or(NAN)) << "</td><td>"
                 << esc(short_wards(h.str("wards"))) << "</td><td class=\"n\">"
                 << count_text(h, "incidents") << "</td><td class=\"n\">"
                 << (h.num("share") ? fixed(*h.num("share") * 100, 1) + "%" : "\u2013")
                 << "</td><td class=\"n\">" << fixed(h.num("pai").value_or(NAN), 1) << "</td>"
                 << (comparing
                         ? "<td class=\"n\">" + signed_int(h.num("change").value_or(NAN)) + "</td>"
                         : "")
                 << "</tr>\n";
        }
        if (hotspots.empty())
            body << "<tr><td colspan=\"6\" class=\"note\">No hot spot above the "
                    "threshold.</td></tr>\n";
        body << "</tbody></table>\n";
        if (hotspots.size() > listed)
            body << "<p class=\"note\">" << hotspots.size() - listed
                 << " smaller hot spots outlined but not numbered (layer " << esc(hs_layer)
                 << ").</p>\n";
        body << "<p class=\"note\">Share: of the profile\u2019s incidents. PAI (predictive "
                "accuracy index): share of "
                "incidents \u00f7 share of the study area.</p>\n";

        // The ward table, strategic-assessment style
        std::vector<Feature> ward_rates =
            read_layer(ds.h, gpkg, ps + "_" + wards.name + "_rates", false);
        std::stable_sort(
            ward_rates.begin(), ward_rates.end(), [](const Feature& a, const Feature& b) {
                return a.num("rate_per_1000").value_or(-1) > b.num("rate_per_1000").value_or(-1);
            });
        const std::size_t max_rows = 12;
        std::vector<const Feature*> rows;
        for (const auto& f : ward_rates)
            if (class_order(f.str("rate_class")) <= 1)
                rows.push_back(&f);
        for (const auto& f : ward_rates)
            if (rows.size() < max_rows && class_order(f.str("rate_class")) > 1)
                rows.push_back(&f);
        std::stable_sort(rows.begin(), rows.end(), [](const Feature* a, const Feature* b) {
            return a->num("rate_per_1000").value_or(-1) > b->num("rate_per_1000").value_or(-1);
        });
        body << "<h3>" << esc(level_label(wards.name, true)) << ": rate per 1,000 residents</h3>\n"
             << "<table class=\"areas\"><thead><tr><th>" << esc(level_label(wards.name))
             << "</th><th class=\"n\">Count</th><th class=\"n\">Rate</th><th class=\"n\">95% "
                "CI</th><th>Compared with "
                "reference</th>"
             << (comparing ? "<th class=\"n\">Change</th>" : "") << "</tr></thead><tbody>\n";
        for (const Feature* f : rows) {
            const std::string cls = f->str("rate_class");
            const auto lo = f->num("ci95_lower"), hi = f->num("ci95_upper");
            body << "<tr><td>" << esc(f->str("name")) << "</td><td class=\"n\">"
                 << count_text(*f, "incidents") << "</td><td class=\"n\">"
                 << fixed(f->num("rate_per_1000").value_or(NAN), 1) << "</td><td class=\"n\">"
                 << (lo && hi ? fixed(*lo, 1) + "\u2013" + fixed(*hi, 1) : "\u2013")
                 << "</td><td><span class=\"cls " << class_css(cls) << "\">"
                 << esc(cls.empty() ? "not tested" : cls) << "</span></td>"
                 << (comparing
                         ? "<td class=\"n\">" + signed_int(f->num("change").value_or(NAN)) + "</td>"
                         : "")
                 << "</tr>\n";
        }
        body << "<tr class=\"ref\"><td>Reference rate</td><td></td><td class=\"n\">"
             << fixed(ref, 1) << "</td><td></td><td>all " << esc(wards.name) << "s"
             << " of the study area</td>" << (comparing ? "<td></td>" : "")
             << "</tr>\n</tbody></table>\n";
        if (ward_rates.size() > rows.size())
            body << "<p class=\"note\">" << ward_rates.size() - rows.size() << " further "
                 << esc(wards.name)
                 << "s, all similar to or below the reference rate, not listed.</p>\n";

        // Smaller areas significantly above
        for (std::size_t li = 1; li < levels.size(); ++li) {
            std::vector<Feature> lr =
                read_layer(ds.h, gpkg, ps + "_" + levels[li].name + "_rates", false);
            std::vector<const Feature*> above;
            for (const auto& f : lr)
                if (f.str("rate_class") == "significantly above")
                    above.push_back(&f);
            std::stable_sort(above.begin(), above.end(), [](const Feature* a, const Feature* b) {
                return a->num("rate_per_1000").value_or(-1) > b->num("rate_per_1000").value_or(-1);
            });
            body << "<h3>" << esc(level_label(levels[li].name, true))
                 << " significantly above the reference rate (" << above.size() << " of "
                 << lr.size() << ")</h3>\n";
            if (above.empty()) {
                body << "<p class=\"note lsoa-none\">None.</p>\n";
                continue;
            }
            body << "<table class=\"lsoas\"><thead><tr><th>" << esc(level_label(levels[li].name))
                 << "</th><th class=\"n\">Count</th><th class=\"n\">Rate</th><th class=\"n\">95% "
                    "CI</th></tr></thead><tbody>\n";
            const std::size_t max_l = 6;
            for (std::size_t i = 0; i < above.size() && i < max_l; ++i) {
                const Feature& f = *above[i];
                const auto lo = f.num("ci95_lower"), hi = f.num("ci95_upper");
                body << "<tr><td>" << esc(f.str("name")) << " <span class=\"note\">"
                     << esc(f.str("code")) << "</span></td><td class=\"n\">"
                     << count_text(f, "incidents") << "</td><td class=\"n\">"
                     << fixed(f.num("rate_per_1000").value_or(NAN), 1) << "</td><td class=\"n\">"
                     << (lo && hi ? fixed(*lo, 1) + "\u2013" + fixed(*hi, 1) : "\u2013")
                     << "</td></tr>\n";
            }
            body << "</tbody></table>\n";
            if (above.size() > max_l)
                body << "<p class=\"note\">and " << above.size() - max_l << " more (layer "
                     << esc(ps + "_" + levels[li].name + "_rates") << ").</p>\n";
        }

        body << "</div>\n</div>\n<div class=\"foot\"><span>" << foot_left << "</span><span>" << page
             << " / " << n_pages << "</span></div>\n</section>\n";
        ++res.profiles;
    }

    std::ostringstream html;
    html << "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src "
            "data:; style-src 'unsafe-inline'\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta "
            "name=\"generator\" content=\"hotspot "
         << esc(jstr(m, "version")) << "\">\n<title>" << esc(title)
         << " \u2013 tasking pack</title>\n<style>" << css << "</style>\n</head>\n<body>\n"
         << body.str() << "</body>\n</html>\n";
    if (result)
        *result = res;
    return html.str();
}

ReportResult write_report(const ReportOptions& options) {
    ReportResult res;
    if (!options.out_path.empty()) {
        check_output_extension(options.out_path, {".html", ".htm"}, "an HTML page", "report");
        std::vector<std::string> inputs;  // every file of the run folder the report reads
        std::error_code ec;
        for (fs::directory_iterator it(options.run_dir, ec), end; !ec && it != end; it.increment(ec)) {
            const std::string ext = it->path().extension().string();
            if (ext == ".json" || ext == ".gpkg" || ext == ".tif" || ext == ".qml" || ext == ".qgs")
                inputs.push_back(it->path().string());
        }
        check_not_input(options.out_path, inputs, "report");
    }
    const std::string html = build_report_html(options, &res);
    res.path = options.out_path.empty() ? (fs::path(options.run_dir) / "report.html").string()
                                        : options.out_path;
    write_text_atomic(res.path, html, options.overwrite);
    res.bytes = html.size();
    return res;
}

} // namespace hotspot
