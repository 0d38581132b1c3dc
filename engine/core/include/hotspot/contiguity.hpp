#pragma once
/// @file contiguity.hpp
/// Queen contiguity between areas (wards, LSOAs) with a snapping tolerance.
///
/// Real ONS boundaries do not share identical vertices: neighbouring LSOAs leave sub-metre
/// slivers and overlaps (see shared/data/README.md), so "shares a vertex" (spdep `poly2nb`
/// with snap = 0) misses true neighbours. Here two areas are neighbours when a vertex of one
/// lies within `snap_m` of an edge (or vertex) of the other; edges are found through a
/// Boost.Geometry R-tree of edge boxes grown by the tolerance. This is queen contiguity
/// (touching at a single point counts), as spdep `poly2nb(queen = TRUE, snap = snap_m)`.

#include <cstdint>
#include <span>
#include <vector>

#include "hotspot/geometry.hpp"
#include "hotspot/weights.hpp"

namespace hotspot {

struct ContiguityOptions {
    /// Snapping tolerance, metres (≥ 0). 1 m absorbs generalised-boundary slivers while
    /// being far below the width of any real area.
    double snap_m = 1.0;
    /// @throws UsageError ("contiguity: snap must be >= 0 m (got -1)") on a bad value.
    void validate() const;
};

/// Queen neighbour lists of `areas` (indices ascending, no self), symmetric.
/// Every ring (outer and holes) of every part takes part. Areas with no geometry have no
/// neighbours.
/// @throws UsageError on invalid options or more than 2^31−1 areas.
std::vector<std::vector<std::int32_t>> queen_neighbours(std::span<const MultiPolygon> areas,
                                                        const ContiguityOptions& options = {});

/// Binary queen weights (spdep style "B"); row_standardise() them for local Moran's I.
SpatialWeights queen_weights(std::span<const MultiPolygon> areas,
                             const ContiguityOptions& options = {});

} // namespace hotspot
