#pragma once
/// @file gpkg_rtree.hpp
/// The GeoPackage R-tree spatial index (extension gpkg_rtree_index) of a point layer, built in
/// bulk instead of point by point. GDAL 3.6 fills the index at the end of a layer with one
/// SQLite R*-tree insert per feature (about 13 s of CPU for a million points, three times the
/// rest of the layer); GDAL 3.8 bulk-loads it. This packs the points into full nodes with the
/// Sort-Tile-Recursive method (Leutenegger, Lopez & Edgington 1997, "STR: a simple and efficient
/// algorithm for R-tree packing") and writes SQLite's R-tree node, rowid and parent tables
/// directly (layout: sqlite.org/src/file/ext/rtree/rtree.c, header comment), then the triggers
/// and the gpkg_extensions row the GeoPackage standard (OGC 12-128r18, annex F.3) asks for,
/// as GDAL writes them. `SELECT rtreecheck(...)` (SQLite) checks the result in the tests.

#include <cstdint>
#include <string>
#include <vector>

namespace hotspot::detail {

struct RtreePoint {
    std::int64_t fid;
    double x, y;
};

/// Adds the R-tree index of point layer `table` (geometry column `geom_column`) to the closed
/// GeoPackage `path`, from the layer's points (any order; rows without a geometry are absent).
/// @throws std::runtime_error with SQLite's message when the file cannot be updated.
void write_gpkg_point_rtree(const std::string& path, const std::string& table, const std::string& geom_column,
                            std::vector<RtreePoint> points);

} // namespace hotspot::detail
