#pragma once
/// @file distinct_points.hpp
/// The distinct locations among points. police.uk coordinates are anonymised to snap points,
/// so a force's incidents repeat each location many times (the 29 Leicestershire months:
/// 241,832 rows at 13,001 locations); work that depends only on a point's coordinates is done
/// once per location (issue 20). Locations are told apart by their bits, so a result computed
/// per location is exactly the result computed per point.

#include <cstdint>
#include <span>
#include <vector>

namespace hotspot {

struct DistinctPoints {
    std::vector<double> x, y;          ///< each location, in the order of its first point
    std::vector<std::uint32_t> count;  ///< how many points are at it
    std::vector<std::uint32_t> of;     ///< per point: its location's index (empty unless asked)
};

/// The distinct locations of the points (x[i], y[i]); `with_index` fills DistinctPoints::of.
/// Memory: ~12 bytes a point for the table (and 4 for `of`) besides 24 per location.
/// @throws UsageError when x and y differ in length or hold 2^32 - 1 points or more.
DistinctPoints distinct_points(std::span<const double> x, std::span<const double> y, bool with_index);

/// Whether the first 65,536 points (all of them when fewer) are 90% or more distinct: points
/// not snapped, where finding the locations would cost more than it saves. True for 2^32 - 1
/// points or more (too many for distinct_points()), so callers work point by point.
bool mostly_distinct(std::span<const double> x, std::span<const double> y);

} // namespace hotspot
