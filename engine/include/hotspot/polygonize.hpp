#pragma once
/// @file polygonize.hpp
/// Raster regions to polygons through GDAL's polygonize (8-connected), behind an interface
/// with no GDAL types.

#include <cstdint>
#include <span>
#include <vector>

#include "hotspot/geometry.hpp"
#include "hotspot/grid.hpp"

namespace hotspot {

/// The polygon(s) of each label 1..max_label of `labels` (0 = background), index label-1.
/// Cell edges become polygon edges, so polygons follow the grid exactly.
std::vector<MultiPolygon> polygonize_labels(const Grid& grid, std::span<const std::int32_t> labels,
                                            std::int32_t max_label);

} // namespace hotspot
