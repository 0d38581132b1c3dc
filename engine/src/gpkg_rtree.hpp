#pragma once
/// @file gpkg_rtree.hpp
/// The GeoPackage R-tree spatial index (extension gpkg_rtree_index) of a layer, built in bulk
/// instead of feature by feature. GDAL 3.6 fills the index at the end of a layer with one
/// SQLite R*-tree insert per feature (about 13 s of CPU for a million points, three times the
/// rest of the layer; 2.1 million Gi* cell squares of a national run: most of its 37 s close);
/// GDAL 3.8 bulk-loads it. This packs the features' boxes into full nodes with the
/// Sort-Tile-Recursive method (Leutenegger, Lopez & Edgington 1997, "STR: a simple and efficient
/// algorithm for R-tree packing") and writes SQLite's R-tree node, rowid and parent tables
/// directly (layout: sqlite.org/src/file/ext/rtree/rtree.c, header comment), then the triggers
/// and the gpkg_extensions row the GeoPackage standard (OGC 12-128r18, annex F.3) asks for,
/// as GDAL writes them. `SELECT rtreecheck(...)` (SQLite) checks the result in the tests.

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace hotspot::detail {

/// One feature's entry: its FID and its bounding box (layer units) as the R-tree stores it, in
/// 32-bit floats rounded outwards (24 bytes).
struct RtreeEntry {
    std::int64_t fid;  ///< the feature's FID (leaves); a node number inside the packing
    std::array<float, 4> box;  ///< minx, maxx, miny, maxy
};

/// The entry of feature `fid` whose geometry's envelope is [minx, maxx] x [miny, maxy], rounded
/// outwards to floats exactly as SQLite's R-tree module rounds the doubles it is given
/// (rtreeValueDown / rtreeValueUp of rtree.c), so the index equals the one SQLite would build.
RtreeEntry rtree_entry(std::int64_t fid, double minx, double maxx, double miny, double maxy) noexcept;

/// One layer's index to add: layer `table`, geometry column `geom_column`, the entries of its
/// features with a non-empty geometry (any order; features without one are absent, as in
/// GDAL's index).
struct LayerRtree {
    std::string table, geom_column;
    std::vector<RtreeEntry> entries;
};

/// What write_gpkg_rtrees() throws: SQLite's message and the layer it was writing ("" when
/// the final commit of every layer's index failed).
struct RtreeWriteError : std::runtime_error {
    RtreeWriteError(std::string table_, const std::string& what) : std::runtime_error(what), table(std::move(table_)) {}
    std::string table;
};

/// Adds the R-tree index of each of `layers` to the closed GeoPackage `path`, all in one SQLite
/// connection and one transaction (a connection and a commit per layer read the file's growing
/// schema again each time: 5 ms a layer, 35 layers in a Leicestershire run).
/// @throws RtreeWriteError when the file cannot be updated (nothing is committed).
void write_gpkg_rtrees(const std::string& path, std::vector<LayerRtree> layers);

} // namespace hotspot::detail
