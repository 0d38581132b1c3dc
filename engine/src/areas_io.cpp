// Area layers through OGR; invalid polygons repaired with GEOS MakeValid (through OGR's
// binding to GEOS), then transformed to the working CRS with the same PROJ operation choice
// as the incidents.

#include "hotspot/areas_io.hpp"

#include <cctype>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <cpl_conv.h>
#include <unordered_map>

#include "gdal_env.hpp"
#include "hotspot/crs.hpp"
#include "hotspot/error.hpp"

namespace hotspot {

namespace {

constexpr const char* unit = "areas";

std::string upper(std::string s) {
    for (auto& c : s) c = char(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

int detect(const std::vector<std::string>& names, const std::string& suffix, const std::string& word) {
    for (std::size_t i = 0; i < names.size(); ++i)
        if (ends_with(upper(names[i]), suffix)) return int(i);
    for (std::size_t i = 0; i < names.size(); ++i)
        if (upper(names[i]).find(word) != std::string::npos) return int(i);
    return -1;
}

void collect_polygons(OGRGeometryH g, MultiPolygon& out) {
    const auto type = wkbFlatten(OGR_G_GetGeometryType(g));
    if (type == wkbPolygon) {
        Polygon poly;
        for (int r = 0; r < OGR_G_GetGeometryCount(g); ++r) {
            OGRGeometryH ring = OGR_G_GetGeometryRef(g, r);
            Ring pts;
            const int n = OGR_G_GetPointCount(ring);
            pts.reserve(std::size_t(n));
            for (int i = 0; i < n; ++i) pts.push_back({OGR_G_GetX(ring, i), OGR_G_GetY(ring, i)});
            if (pts.size() > 1 && pts.front().x == pts.back().x && pts.front().y == pts.back().y)
                pts.pop_back();
            if (pts.size() >= 3) poly.rings.push_back(std::move(pts));
        }
        if (!poly.rings.empty()) out.push_back(std::move(poly));
    } else if (type == wkbMultiPolygon || type == wkbGeometryCollection) {
        for (int i = 0; i < OGR_G_GetGeometryCount(g); ++i) collect_polygons(OGR_G_GetGeometryRef(g, i), out);
    }
    // Lines and points produced by MakeValid carry no area: dropped.
}

} // namespace

AreaSpec AreaSpec::parse(const std::string& text) {
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
        throw UsageError(unit, "'" + text + "' is not NAME=PATH[:CODE_FIELD[:NAME_FIELD]] (e.g. "
                               "wards=wards.gpkg:WD13CD:WD13NM)");
    AreaSpec s;
    s.name = text.substr(0, eq);
    for (char c : s.name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
            throw UsageError(unit, "area name '" + s.name + "' may hold only letters, digits and _");
    std::string rest = text.substr(eq + 1);
    // PATH may itself contain ':' (PG: connections); the fields are the last parts when they
    // do not look like part of a path.
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= rest.size(); ++i)
        if (i == rest.size() || rest[i] == ':') {
            parts.push_back(rest.substr(start, i - start));
            start = i + 1;
        }
    auto looks_like_field = [](const std::string& p) {
        if (p.empty() || p.size() > 64) return false;
        for (char c : p)
            if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ' ')) return false;
        return true;
    };
    if (rest.rfind("PG:", 0) == 0) {
        s.path = rest;
        return s;
    }
    s.path = parts[0];
    if (parts.size() >= 2 && looks_like_field(parts[1])) s.code_field = parts[1];
    if (parts.size() >= 3 && looks_like_field(parts[2])) s.name_field = parts[2];
    if (parts.size() > 3) throw UsageError(unit, "'" + text + "' has too many ':' parts");
    return s;
}

AreaLayer read_area_layer(const AreaSpec& spec, const std::string& working_crs) {
    detail::ensure_gdal();
    detail::GdalErrorScope errors;
    AreaLayer out;
    out.name = spec.name;
    out.path = spec.path;
    GDALDatasetH ds = GDALOpenEx(spec.path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr);
    if (!ds)
        throw InputError(unit, spec.path, "cannot be opened as a polygon layer (" + errors.last_error() +
                                              "); check the path for --areas " + spec.name);
    struct Closer { GDALDatasetH d; ~Closer() { GDALClose(d); } } closer{ds};
    OGRLayerH layer = GDALDatasetGetLayer(ds, 0);
    if (!layer) throw InputError(unit, spec.path, "holds no layer");
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    std::vector<std::string> names;
    for (int i = 0; i < OGR_FD_GetFieldCount(defn); ++i)
        names.emplace_back(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
    auto field = [&](const std::string& given, const std::string& suffix, const std::string& word,
                     const char* what) {
        int i = given.empty() ? detect(names, suffix, word) : OGR_FD_GetFieldIndex(defn, given.c_str());
        if (i < 0) {
            std::string list;
            for (auto& n : names) list += (list.empty() ? "" : ", ") + n;
            throw InputError(unit, spec.path, 0, given.empty() ? what : given,
                             std::string(given.empty() ? "cannot tell which field holds the area " : "no such field for the area ") +
                                 what + "; give it as --areas " + spec.name + "=" + spec.path +
                                 ":CODE_FIELD:NAME_FIELD. Fields: " + list);
        }
        return i;
    };
    const int code_i = field(spec.code_field, "CD", "CODE", "code");
    int name_i = -1;
    try {
        name_i = field(spec.name_field, "NM", "NAME", "name");
    } catch (const InputError&) {
        if (!spec.name_field.empty()) throw;
        name_i = code_i;  // no name field: the code serves as the name
    }
    out.code_field = names[std::size_t(code_i)];
    out.name_field = names[std::size_t(name_i)];

    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(layer);
    if (!srs)
        throw InputError(unit, spec.path, "the layer has no CRS; add one (a .prj beside a shapefile, "
                                          "or ogr2ogr -a_srs EPSG:27700)");
    std::string crs;
    if (const char* auth = OSRGetAuthorityName(srs, nullptr); auth && OSRGetAuthorityCode(srs, nullptr))
        crs = std::string(auth) + ":" + OSRGetAuthorityCode(srs, nullptr);
    else {
        char* wkt = nullptr;
        OSRExportToWkt(srs, &wkt);
        crs = wkt ? wkt : "";
        CPLFree(wkt);
    }
    // GeoJSON's CRS84 is longitude/latitude order already, as CrsTransform expects.
    CrsTransform transform(crs == "OGC:CRS84" ? "EPSG:4326" : crs, working_crs);
    out.crs_operation = transform.operation_name();
    out.crs_accuracy_m = transform.accuracy_m();

    std::unordered_map<std::string, std::size_t> seen;
    OGR_L_ResetReading(layer);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(layer)) != nullptr) {
        const long long fid = OGR_F_GetFID(f);
        std::string code = OGR_F_GetFieldAsString(f, code_i);
        std::string name = OGR_F_GetFieldAsString(f, name_i);
        if (code.empty()) {
            OGR_F_Destroy(f);
            throw InputError(unit, spec.path, std::uint64_t(fid), out.code_field,
                             "feature " + std::to_string(fid) + " has an empty area code; every area needs a code");
        }
        if (auto [it, fresh] = seen.emplace(code, out.codes.size()); !fresh) {
            OGR_F_Destroy(f);
            throw InputError(unit, spec.path, std::uint64_t(fid), out.code_field,
                             "area code '" + code + "' appears twice (features " +
                                 std::to_string(it->second) + " and " + std::to_string(fid) +
                                 "); dissolve the layer so each code is one feature");
        }
        MultiPolygon mp;
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        if (!g || OGR_G_IsEmpty(g)) {
            out.warnings.push_back("areas: " + spec.path + ": area " + code + " (" + name +
                                   ") has no geometry; no incident can fall in it");
        } else {
            OGRGeometryH fixed = nullptr;
            if (!OGR_G_IsValid(g)) {
                fixed = OGR_G_MakeValid(g);
                out.warnings.push_back("areas: " + spec.path + ": area " + code + " (" + name +
                                       ", feature " + std::to_string(fid) +
                                       ") is not a valid polygon (" +
                                       (errors.warnings().empty() ? std::string("invalid") : errors.warnings().back()) +
                                       "); repaired with GEOS MakeValid");
            }
            collect_polygons(fixed ? fixed : g, mp);
            if (fixed) OGR_G_DestroyGeometry(fixed);
        }
        OGR_F_Destroy(f);
        // Transform every vertex at once.
        std::vector<double> xs, ys;
        for (auto& poly : mp)
            for (auto& ring : poly.rings)
                for (auto& p : ring) { xs.push_back(p.x); ys.push_back(p.y); }
        transform.transform(xs, ys, 1);
        std::size_t k = 0;
        for (auto& poly : mp)
            for (auto& ring : poly.rings)
                for (auto& p : ring) { p.x = xs[k]; p.y = ys[k]; ++k; }
        out.bounds.add(bounds_of(mp));
        out.codes.push_back(std::move(code));
        out.names.push_back(std::move(name));
        out.polygons.push_back(std::move(mp));
    }
    if (out.codes.empty()) throw InputError(unit, spec.path, "the layer has no features");
    return out;
}

} // namespace hotspot
