#pragma once
/// @file geocode.hpp
/// Point-in-polygon assignment of incidents to areas (wards, LSOAs, any polygon layer).
///
/// Boundary rule (deterministic, documented in README.md): a point is inside a polygon by the
/// half-open crossing-number rule, with every edge evaluated from its lower end, so a point
/// exactly on a boundary shared by two areas belongs to exactly one of them: the area to its
/// east; on an east–west boundary, the area to its north. A point on the outer edge of the
/// layer (where no area lies on the other side) belongs to the area whose edge it is on (within
/// a micrometre), so coordinates rounded to 100 m on a study area's east edge are counted.
/// Where areas overlap (real LSOA
/// layers have sub-square-metre slivers) the first area in layer order wins and the overlap
/// is counted. A point outside every area can be snapped to the nearest area within a
/// distance; it is then flagged as snapped.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hotspot/geometry.hpp"
#include "hotspot/grid.hpp"
#include "hotspot/progress.hpp"

namespace hotspot {

/// A spatial index over the areas of one layer (Boost.Geometry R-tree of area bounds, plus a
/// y-banded edge list per area so each test touches only a few edges).
class AreaIndex {
public:
    /// @param polygons one MultiPolygon per area, in the working CRS.
    explicit AreaIndex(const std::vector<MultiPolygon>& polygons);
    ~AreaIndex();
    AreaIndex(AreaIndex&&) noexcept;
    AreaIndex& operator=(AreaIndex&&) noexcept;

    /// Index of the area containing (x, y), or -1. `in_several` is set when the point lies
    /// in more than one area (the first wins).
    std::int32_t locate(double x, double y, bool* in_several = nullptr) const;

    /// The area nearest to (x, y) within `max_distance_m` (boundary distance), or -1.
    /// Ties go to the first area in layer order. `distance_m` receives the distance.
    std::int32_t nearest(double x, double y, double max_distance_m,
                         double* distance_m = nullptr) const;

    /// Whether area `i` contains (x, y) by the boundary rule above.
    bool contains(std::size_t i, double x, double y) const;

    /// Distance in metres from (x, y) to the boundary of area `i` (0 on the boundary; the
    /// distance to the boundary also for points inside).
    double distance_to(std::size_t i, double x, double y) const;

    std::size_t size() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// Geocoding status of an incident against one area layer.
enum class AreaStatus : std::uint8_t { assigned = 0, snapped = 1, outside = 2 };

struct GeocodeResult {
    std::vector<std::int32_t> area;       ///< per point: area index, or -1 when outside
    std::vector<AreaStatus> status;       ///< per point
    std::vector<std::uint64_t> counts;    ///< per area: points assigned (snapped included)
    std::uint64_t assigned = 0;           ///< points inside an area (not snapped)
    std::uint64_t snapped = 0;            ///< points snapped to an area within snap_m
    std::uint64_t outside = 0;            ///< points in no area
    std::uint64_t in_several = 0;         ///< points inside more than one area (overlaps)
};

/// Assigns every point to an area. Output is identical whatever the thread count.
/// @param snap_m 0 for no snapping; else points outside every area within snap_m metres of
///        one are assigned to the nearest.
/// @param threads 0: all cores.
GeocodeResult geocode(const AreaIndex& index, std::span<const double> x,
                      std::span<const double> y, double snap_m = 0, unsigned threads = 0,
                      const Progress& progress = no_progress());

/// Flags the cells of `grid` whose centre lies inside any of `areas` (1) or not (0), by the
/// same boundary rule as AreaIndex::locate, by scanline (rows × edges, not cells × areas).
std::vector<std::uint8_t> rasterize_areas(const Grid& grid, const std::vector<MultiPolygon>& areas);

/// Says how many incidents lie outside an area layer (a study area, wards), for the console:
/// "rates: 40 of 40 incidents lie outside the areas of 'ward' (wards.geojson)". `what` is
/// "the study area" or "the areas". Returns "" when none lies outside.
/// @throws InputError (exit 3) when there are incidents and none lies inside: the output
///         would be all zeros or all "similar", which reads as a result.
std::string report_outside(std::string_view unit, std::string_view what, const std::string& layer_name,
                           const std::string& path, std::uint64_t incidents, std::uint64_t outside);

/// The areas that contain (x, y), all of them (AreaIndex::locate gives the first only).
std::vector<std::int32_t> areas_containing(const AreaIndex& index, double x, double y);

/// Number of worker threads to use for a request (0: hardware concurrency, at least 1).
unsigned resolve_threads(unsigned requested) noexcept;

} // namespace hotspot
