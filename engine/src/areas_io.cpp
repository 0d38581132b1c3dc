// Area layers through OGR; invalid polygons repaired with GEOS MakeValid (through OGR's
// binding to GEOS), then transformed to the working CRS with the same PROJ operation choice
// as the incidents.

#include "hotspot/areas_io.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <cpl_conv.h>
#include <map>
#include <unordered_map>

#include "gdal_env.hpp"
#include "postgis_in.hpp"
#include "hotspot/crs.hpp"
#include "hotspot/error.hpp"
#include "util/text.hpp"
#include "hotspot/geocode.hpp"

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

// Polygons of a (repaired) geometry: detail::collect_polygons (gdal_env.hpp); lines and points
// that MakeValid produces carry no area and are dropped there.
using detail::collect_polygons;

// Overlaps of generalised boundaries below this are slivers, not double-counted residents.
constexpr double min_overlap_m2 = 100.0;

// Area of the intersection of two areas (GEOS through OGR); 0 when GEOS cannot compute it.
double overlap_area_m2(const MultiPolygon& a, const MultiPolygon& b) {
    detail::GdalErrorScope quiet;
    OGRGeometryH ga = detail::to_ogr_multipolygon(a), gb = detail::to_ogr_multipolygon(b);
    OGRGeometryH i = OGR_G_Intersection(ga, gb);
    const double area = i ? OGR_G_Area(i) : 0.0;
    if (i) OGR_G_DestroyGeometry(i);
    OGR_G_DestroyGeometry(ga);
    OGR_G_DestroyGeometry(gb);
    return area;
}

// A boundary file written latitude/longitude instead of longitude/latitude (a hand-made
// GeoJSON, a CSV of vertices) lands in the sea; detected as for incident coordinates: most
// vertices fall outside the area where both CRSs are valid, and inside it with x and y
// exchanged. Swapped back with a warning.
void swap_if_lat_lon(AreaLayer& out, const CrsTransform& transform, const AreaSpec& spec) {
    if (!transform.source_geographic()) return;
    const Bounds& area = transform.common_area_lonlat();
    if (area.empty()) return;
    std::size_t n = 0, as_is = 0, swapped = 0;
    for (const auto& mp : out.polygons)
        for (const auto& poly : mp)
            for (const auto& ring : poly.rings)
                for (const auto& p : ring) {
                    ++n;
                    as_is += area.contains(p.x, p.y);
                    swapped += area.contains(p.y, p.x);
                }
    if (n == 0 || as_is * 2 >= n || swapped * 2 < n) return;
    for (auto& mp : out.polygons)
        for (auto& poly : mp)
            for (auto& ring : poly.rings) {
                for (auto& p : ring) std::swap(p.x, p.y);
                std::reverse(ring.begin(), ring.end());  // keep the ring orientation
            }
    out.warnings.push_back("areas: " + spec.path + ": the coordinates are written latitude, longitude (" +
                           std::to_string(swapped) + " of " + std::to_string(n) +
                           " vertices fall in the CRS's area of use only that way round); they were read "
                           "as longitude, latitude. Correct the file (GeoJSON is always longitude first)");
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
    if (rest.rfind("PG:", 0) == 0) {  // a connection string has ':' of its own: fields only after |layername=
        s.path = rest;
        const auto bar = rest.find("|layername=");
        if (bar == std::string::npos) return s;
        const auto colon = rest.find(':', bar);
        if (colon == std::string::npos) return s;
        s.path = rest.substr(0, colon);
        const AreaSpec f = parse(s.name + "=table" + rest.substr(colon));
        s.code_field = f.code_field;
        s.name_field = f.name_field;
        return s;
    }
    s.path = parts[0];
    if (parts.size() >= 2 && looks_like_field(parts[1])) s.code_field = parts[1];
    if (parts.size() >= 3 && looks_like_field(parts[2])) s.name_field = parts[2];
    if (parts.size() > 3) throw UsageError(unit, "'" + text + "' has too many ':' parts");
    return s;
}

void set_area_filters(const std::vector<AreaSpec*>& areas, const std::vector<std::string>& items, std::string_view who) {
    for (const auto& item : items) {
        const auto eq = item.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == item.size())
            throw UsageError(std::string(who), "--areas-where takes NAME=SQL, e.g. lsoa=\"LAD22CD = 'E06000016'\" (got '" + item + "')");
        bool found = false;
        for (AreaSpec* a : areas)
            if (a->name == item.substr(0, eq)) a->where = item.substr(eq + 1), found = true;
        if (!found)
            throw UsageError(std::string(who), "--areas-where " + item + ": no --areas named '" + item.substr(0, eq) + "'");
    }
}

AreaLayer read_area_layer(const AreaSpec& spec, const std::string& working_crs) {
    detail::ensure_gdal();
    detail::GdalErrorScope errors;
    AreaLayer out;
    out.name = spec.name;
    out.path = spec.path;
    const auto [source, layer_name] = detail::split_layer_name(spec.path);
    GDALDatasetH ds = GDALOpenEx(source.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr);
    if (!ds)
        throw InputError(unit, spec.path, "cannot be opened as a polygon layer (" + errors.last_error() +
                                              "); check the path for --areas " + spec.name);
    struct Closer { GDALDatasetH d; ~Closer() { GDALClose(d); } } closer{ds};
    OGRLayerH layer = detail::pick_layer(ds, spec.path, layer_name, unit, "--areas " + spec.name + "=");
    detail::apply_where(layer, spec.where, spec.path, unit,
                        "--areas-where " + spec.name + " (`where` in [[areas]])");
    // A layer of points or lines has no area: every incident would be "outside" without a word.
    if (const auto t = wkbFlatten(OGR_L_GetGeomType(layer));
        t == wkbPoint || t == wkbMultiPoint || t == wkbLineString || t == wkbMultiLineString)
        throw InputError(unit, source, "layer '" + std::string(OGR_L_GetName(layer)) + "' holds " +
                                           OGRGeometryTypeToName(t) +
                                           " geometries, not polygons; --areas " + spec.name +
                                           " needs a polygon layer (wards, LSOAs, a study area)");
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

    std::size_t with_polygon = 0, null_geometries = 0;
    std::map<std::string, std::size_t> other_types;  // non-polygon geometries, by type
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
            ++null_geometries;
            out.warnings.push_back("areas: " + spec.path + ": area " + code + " (" + name +
                                   ") has no geometry; no incident can fall in it");
        } else if (const auto t = wkbFlatten(OGR_G_GetGeometryType(g));
                   t != wkbPolygon && t != wkbMultiPolygon && t != wkbGeometryCollection &&
                   t != wkbCurvePolygon && t != wkbMultiSurface) {
            ++other_types[OGR_G_GetGeometryName(g)];
            out.warnings.push_back("areas: " + spec.path + ": area " + code + " (" + name + ") is a " +
                                   OGR_G_GetGeometryName(g) + ", not a polygon; no incident can fall in it");
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
        if (!mp.empty()) ++with_polygon;
        out.codes.push_back(std::move(code));
        out.names.push_back(std::move(name));
        out.polygons.push_back(std::move(mp));
    }
    swap_if_lat_lon(out, transform, spec);
    // Transform every vertex at once.
    std::vector<double> xs, ys;
    for (auto& mp : out.polygons)
        for (auto& poly : mp)
            for (auto& ring : poly.rings)
                for (auto& p : ring) { xs.push_back(p.x); ys.push_back(p.y); }
    transform.transform(xs, ys, 1);
    std::size_t k = 0;
    for (auto& mp : out.polygons) {
        for (auto& poly : mp)
            for (auto& ring : poly.rings)
                for (auto& p : ring) { p.x = xs[k]; p.y = ys[k]; ++k; }
        out.bounds.add(bounds_of(mp));
    }
    if (out.codes.empty()) throw InputError(unit, spec.path, "the layer has no features");
    if (with_polygon == 0) {
        std::string kinds;
        if (null_geometries) kinds = std::to_string(null_geometries) + " with no geometry";
        for (const auto& [t, n] : other_types)
            kinds += (kinds.empty() ? "" : ", ") + std::to_string(n) + " " + t;
        throw InputError(unit, spec.path, "none of its " + std::to_string(out.codes.size()) +
                                              " areas has a polygon (" + kinds +
                                              "); --areas " + spec.name +
                                              " needs a polygon layer: check the file, or its geometry column");
    }
    return out;
}

std::vector<std::string> report_outside_layers(std::string_view who,
                                               const std::vector<const AreaLayer*>& layers,
                                               const std::vector<std::uint64_t>& outside,
                                               std::uint64_t incidents, std::uint64_t outside_all) {
    std::vector<std::string> lines;
    if (incidents == 0) return lines;
    std::string names, paths;
    for (std::size_t i = 0; i < layers.size(); ++i) {
        names += (names.empty() ? "" : "', '") + layers[i]->name;
        paths += (paths.empty() ? "" : ", ") + layers[i]->path;
        if (outside[i] >= incidents)
            lines.push_back(std::string(who) + ": all " + util::thousands(incidents) +
                            " incidents lie outside the areas of '" + layers[i]->name + "' (" +
                            layers[i]->path + "); check that it covers the incidents' district");
        else if (auto line = report_outside(who, "the areas", layers[i]->name, layers[i]->path, incidents, outside[i]);
                 !line.empty())
            lines.push_back(line);
    }
    if (!layers.empty() && outside_all >= incidents)
        report_outside(who, layers.size() == 1 ? "the areas" : "every layer, the areas", names, paths,
                       incidents, outside_all);
    return lines;
}

void refuse_overlapping_areas(std::string_view who, const AreaLayer& layer, const AreaIndex& index,
                              std::span<const double> x, std::span<const double> y,
                              const GeocodeResult& placed, std::uint64_t min_shared) {
    if (placed.in_several == 0) return;
    std::map<std::pair<std::int32_t, std::int32_t>, std::uint64_t> pairs;
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (placed.area[i] < 0 || placed.status[i] != AreaStatus::assigned) continue;
        bool several = false;
        index.locate(x[i], y[i], &several);
        if (!several) continue;
        const auto all = areas_containing(index, x[i], y[i]);
        for (std::size_t a = 0; a < all.size(); ++a)
            for (std::size_t b = a + 1; b < all.size(); ++b) ++pairs[{all[a], all[b]}];
    }
    std::string named;
    std::size_t n = 0;
    for (const auto& [p, count] : pairs) {
        if (count < min_shared) continue;
        // Incidents can pile up on one snap point inside a sliver; the overlap's area decides.
        const double overlap = overlap_area_m2(layer.polygons[std::size_t(p.first)], layer.polygons[std::size_t(p.second)]);
        if (overlap < min_overlap_m2) continue;
        if (n++ < 5)
            named += (named.empty() ? "" : "; ") + layer.codes[std::size_t(p.first)] + " and " +
                     layer.codes[std::size_t(p.second)] + " (" + std::to_string(std::lround(overlap)) + " m² in both, " +
                     std::to_string(count) + " incidents)";
    }
    if (n == 0) return;
    throw InputError(std::string(who), layer.path,
                     std::to_string(n) + " pairs of areas of '" + layer.name + "' overlap: " + named +
                         (n > 5 ? "; ..." : "") +
                         ". Rates would count the residents of each overlap twice and give its "
                         "incidents to the first area only (a layer mixing 2011 and 2021 LSOAs "
                         "does this). Use one vintage of boundaries, with the population of the "
                         "same vintage");
}

} // namespace hotspot
