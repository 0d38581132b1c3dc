#pragma once
// GDAL/OGR set-up shared by the I/O modules: one-time driver registration, and a scoped CPL
// error handler that collects GDAL's messages instead of letting GDAL print them, so they
// reach the user through our exceptions and warnings (PDAL's ErrorHandler pattern).

#include <ogr_api.h>
#include <string>
#include <utility>
#include <vector>

#include <gdal.h>
#include <ogr_api.h>
#include "hotspot/geometry.hpp"

namespace hotspot::detail {

/// Registers GDAL/OGR drivers once (thread-safe) and sets quiet, deterministic options.
void ensure_gdal();

/// A one-band MEM raster of cols x rows cells of `type` that is a view of `data` (row-major,
/// packed; the MEM driver's DATAPOINTER), not a copy: `data` must outlive it and is written
/// only if GDAL is asked to write. nullptr when GDAL refuses (its message in the error scope).
GDALDatasetH mem_view(int cols, int rows, GDALDataType type, const void* data);

/// While alive, GDAL errors and warnings are captured here instead of printed.
class GdalErrorScope {
public:
    GdalErrorScope();
    ~GdalErrorScope();
    GdalErrorScope(const GdalErrorScope&) = delete;
    GdalErrorScope& operator=(const GdalErrorScope&) = delete;
    /// The last error message GDAL reported in this scope ("" if none).
    std::string last_error() const;
    const std::vector<std::string>& warnings() const { return m_warnings; }

    std::vector<std::string> m_errors;
    std::vector<std::string> m_warnings;
};

/// Splits "PATH|layername=NAME" (QGIS's and GDAL's way of naming a layer) into the path and
/// the layer name ("" when none is named).
std::pair<std::string, std::string> split_layer_name(const std::string& path);

/// The layer of an opened vector source that a reader uses: the one named, else the only
/// layer with a geometry column. A source with several such layers and none named is refused
/// with the list (taking the first silently mixed up wards and LSOAs). An empty layer is
/// refused as empty. `path` is the text the user gave (for messages), `option` the flag that
/// gave it ("--areas ward=" or "--incidents "), `unit` the message prefix.
/// @throws InputError naming the file and what to do.
OGRLayerH pick_layer(GDALDatasetH ds, const std::string& path, const std::string& layer_name,
                     const char* unit, const std::string& option);
/// Appends the polygons of an OGR (multi)polygon or collection to `out` (closing vertices
/// dropped, rings under 3 points skipped; lines and points carry no area and are dropped).
void collect_polygons(OGRGeometryH g, MultiPolygon& out);
/// An OGR multipolygon of every polygon of `parts` (the caller owns it: OGR_G_DestroyGeometry).
OGRGeometryH to_ogr_multipolygon(const std::vector<MultiPolygon>& parts);
/// The same for one multipolygon.
OGRGeometryH to_ogr_multipolygon(const MultiPolygon& polygons);

} // namespace hotspot::detail
