#pragma once
/// @file hotspots.hpp
/// Hot spot polygons from a density surface: cells above a threshold, grouped into connected
/// regions (8-connected, as GDAL's polygonize with 8CONNECTED=8), each with its area,
/// incidents, share of all incidents, Predictive Accuracy Index and rank. Pure: the caller
/// polygonizes the labels (GDAL) for the geometry.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hotspot/grid.hpp"

namespace hotspot {

/// How the threshold is chosen.
enum class ThresholdMethod {
    top_percent,  ///< the value above which lie `value` % of the non-zero cells (default 5)
    mean_k_sd,    ///< mean + value · sd of the non-zero cells
    fixed,        ///< `value` in the surface's units
};

struct HotspotOptions {
    ThresholdMethod method = ThresholdMethod::top_percent;
    double value = 5;
    /// Parses "top:5", "top5", "sd:2", "value:12.5". @throws UsageError.
    static HotspotOptions parse(const std::string& text);
    std::string describe() const;  ///< "top 5% of non-zero cells"
};

/// Threshold of a surface (NaN cells, outside the study area, are ignored).
/// @throws UsageError when the method's value is out of range (top: 0 < v < 100).
double hotspot_threshold(std::span<const double> surface, const HotspotOptions& options);

/// One hot spot region.
struct Hotspot {
    std::int32_t label = 0;      ///< the region's value in the label grid (1-based)
    std::int32_t rank = 0;       ///< 1 = most incidents (ties: larger PAI, then label)
    std::int64_t cells = 0;
    double area_m2 = 0;
    std::uint64_t incidents = 0; ///< incidents whose cell lies in the region
    double share = 0;            ///< incidents / all incidents given
    double pai = 0;              ///< Predictive Accuracy Index: share / (area / study area)
    double peak = 0;             ///< the highest surface value in the region
    double centre_x = 0, centre_y = 0;  ///< location of the peak cell's centre
};

struct HotspotResult {
    double threshold = 0;
    std::vector<std::int32_t> labels;  ///< per cell: 0 = not hot, else the region's label
    std::vector<Hotspot> hotspots;     ///< in rank order
    double study_area_m2 = 0;
};

/// Finds the hot spot regions of `surface` (on `grid`) and counts the incidents (x, y) in
/// them. `study_area_m2` is the area the PAI compares with (the study area polygon's area).
HotspotResult find_hotspots(const Grid& grid, std::span<const double> surface,
                            std::span<const double> x, std::span<const double> y,
                            double study_area_m2, const HotspotOptions& options);

} // namespace hotspot
