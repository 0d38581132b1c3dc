#include "gdal_env.hpp"

#include "hotspot/error.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <mutex>
#include <ogr_api.h>

namespace hotspot::detail {

void ensure_gdal() {
    static std::once_flag once;
    std::call_once(once, [] {
        GDALAllRegister();
        // Never reach for the network (PROJ grids, remote files): the engine works offline.
        CPLSetConfigOption("PROJ_NETWORK", "OFF");
        CPLSetConfigOption("GDAL_HTTP_TIMEOUT", "1");
        // A GeoPackage written twice from the same data should be the same bytes.
        CPLSetConfigOption("OGR_CURRENT_DATE", "2000-01-01T00:00:00.000Z");
    });
}

GDALDatasetH mem_view(int cols, int rows, GDALDataType type, const void* data) {
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("MEM"), "", cols, rows, 0, type, nullptr);
    if (!ds) return nullptr;
    char pointer[64];
    const int len = CPLPrintPointer(pointer, const_cast<void*>(data), int(sizeof(pointer) - 1));
    pointer[len] = 0;
    const std::string data_pointer = std::string("DATAPOINTER=") + pointer;
    const char* band_opts[] = {data_pointer.c_str(), nullptr};
    if (GDALAddBand(ds, type, const_cast<char**>(band_opts)) != CE_None) {
        GDALClose(ds);
        return nullptr;
    }
    return ds;
}

static void CPL_STDCALL collect(CPLErr cls, CPLErrorNum, const char* msg) {
    auto* scope = static_cast<GdalErrorScope*>(CPLGetErrorHandlerUserData());
    if (!scope) return;
    if (cls >= CE_Failure)
        scope->m_errors.emplace_back(msg ? msg : "");
    else if (cls == CE_Warning)
        scope->m_warnings.emplace_back(msg ? msg : "");
}

GdalErrorScope::GdalErrorScope() { CPLPushErrorHandlerEx(collect, this); }
GdalErrorScope::~GdalErrorScope() { CPLPopErrorHandler(); }

std::string GdalErrorScope::last_error() const {
    return m_errors.empty() ? std::string() : m_errors.back();
}

std::pair<std::string, std::string> split_layer_name(const std::string& path) {
    const auto bar = path.find("|layername=");
    if (bar == std::string::npos) return {path, ""};
    return {path.substr(0, bar), path.substr(bar + 11)};
}

OGRLayerH pick_layer(GDALDatasetH ds, const std::string& path, const std::string& layer_name,
                     const char* unit, const std::string& option) {
    std::vector<std::string> spatial;
    for (int i = 0; i < GDALDatasetGetLayerCount(ds); ++i) {
        OGRLayerH l = GDALDatasetGetLayer(ds, i);
        if (OGR_L_GetGeomType(l) != wkbNone) spatial.emplace_back(OGR_L_GetName(l));
    }
    auto listing = [&] {
        std::string s;
        for (const auto& n : spatial) s += (s.empty() ? "" : ", ") + n;
        return s.empty() ? std::string("none with a geometry") : s;
    };
    const std::string plain = split_layer_name(path).first;
    OGRLayerH layer = nullptr;
    if (!layer_name.empty()) {
        layer = GDALDatasetGetLayerByName(ds, layer_name.c_str());
        if (!layer)
            throw InputError(unit, plain, "has no layer named '" + layer_name + "'; its layers: " + listing());
    } else if (spatial.size() > 1) {
        throw InputError(unit, plain, "holds " + std::to_string(spatial.size()) + " layers (" + listing() +
                                          "); name the one to use: " + option + plain +
                                          "|layername=" + spatial.front());
    } else if (spatial.size() == 1) {
        layer = GDALDatasetGetLayerByName(ds, spatial.front().c_str());
    } else {
        layer = GDALDatasetGetLayer(ds, 0);
    }
    if (!layer) throw InputError(unit, plain, "holds no layer");
    if (OGR_L_GetFeatureCount(layer, TRUE) == 0)
        throw InputError(unit, plain, "layer '" + std::string(OGR_L_GetName(layer)) +
                                          "' is empty (no features); check that it is the right file or layer");
    return layer;
}

void collect_polygons(OGRGeometryH g, MultiPolygon& out) {
    const auto type = wkbFlatten(OGR_G_GetGeometryType(g));
    if (type == wkbPolygon) {
        Polygon poly;
        for (int r = 0; r < OGR_G_GetGeometryCount(g); ++r) {
            OGRGeometryH ring = OGR_G_GetGeometryRef(g, r);
            Ring pts;
            for (int i = 0; i < OGR_G_GetPointCount(ring); ++i) pts.push_back({OGR_G_GetX(ring, i), OGR_G_GetY(ring, i)});
            if (pts.size() > 1 && pts.front().x == pts.back().x && pts.front().y == pts.back().y) pts.pop_back();
            if (pts.size() >= 3) poly.rings.push_back(std::move(pts));
        }
        if (!poly.rings.empty()) out.push_back(std::move(poly));
    } else if (type == wkbMultiPolygon || type == wkbGeometryCollection) {
        for (int i = 0; i < OGR_G_GetGeometryCount(g); ++i) collect_polygons(OGR_G_GetGeometryRef(g, i), out);
    }
}

static void add_polygons(OGRGeometryH mp, const MultiPolygon& m) {
    for (const auto& poly : m) {
        OGRGeometryH p = OGR_G_CreateGeometry(wkbPolygon);
        for (const auto& ring : poly.rings) {
            OGRGeometryH r = OGR_G_CreateGeometry(wkbLinearRing);
            for (const auto& pt : ring) OGR_G_AddPoint_2D(r, pt.x, pt.y);
            if (!ring.empty()) OGR_G_AddPoint_2D(r, ring.front().x, ring.front().y);
            OGR_G_AddGeometryDirectly(p, r);
        }
        OGR_G_AddGeometryDirectly(mp, p);
    }
}

OGRGeometryH to_ogr_multipolygon(const std::vector<MultiPolygon>& parts) {
    OGRGeometryH mp = OGR_G_CreateGeometry(wkbMultiPolygon);
    for (const auto& m : parts) add_polygons(mp, m);
    return mp;
}

OGRGeometryH to_ogr_multipolygon(const MultiPolygon& polygons) {
    OGRGeometryH mp = OGR_G_CreateGeometry(wkbMultiPolygon);
    add_polygons(mp, polygons);
    return mp;
}

} // namespace hotspot::detail
