#pragma once
/// @file emerging.hpp
/// Emerging hot spots: Gi* per time slice on one aligned grid (gistar.hpp), a Mann–Kendall
/// trend of each cell's Gi* z over the slices (trend.hpp), and each cell classified with the
/// categories of ArcGIS Pro's Emerging Hot Spot Analysis ("How Emerging Hot Spot Analysis
/// works", pro.arcgis.com, space-time pattern mining).
///
/// A cell is a significant hot (cold) spot in a slice when its Gi* corrected p < alpha and z > 0
/// (z < 0). With n slices, h the number of hot slices, and "final" the last slice:
///   new hot spot:          hot in the final slice only (never significant before);
///   consecutive hot spot:  a single uninterrupted run of >= 2 hot slices ending at the final one,
///                          never significant before that run, and h < 90% of n;
///   intensifying hot spot: hot in >= 90% of the slices including the final one, and the
///                          Mann–Kendall trend of z rises (p < alpha);
///   persistent hot spot:   hot in >= 90% of the slices including the final one, no significant
///                          trend of z;
///   diminishing hot spot:  hot in >= 90% of the slices including the final one, and the trend
///                          of z falls (p < alpha);
///   sporadic hot spot:     hot in the final slice, on and off before, h < 90% of n, never cold;
///   oscillating hot spot:  hot in the final slice, cold in some earlier slice, h < 90% of n;
///   historical hot spot:   not hot in the final slice, but hot in >= 90% of the slices;
/// the cold categories mirror these (cold for hot, falling/rising swapped: an intensifying cold
/// spot's z falls); anything else is "no pattern". A final-hot cell once cold is oscillating,
/// never new or consecutive (as sfdep's reading of ArcGIS: "never significant before"). ArcGIS states persistence without "including
/// the final slice"; here a >= 90% cell not hot at the end is historical, so the categories do
/// not overlap. ArcGIS's time-neighbourhood (Gi* over neighbouring slices) is not used: each
/// slice's Gi* uses that slice's counts only.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "hotspot/gistar.hpp"
#include "hotspot/grid.hpp"
#include "hotspot/progress.hpp"

namespace hotspot {

/// Category codes: 0 no pattern, 1..8 hot, −1..−8 the cold equivalents.
enum class EmergingClass : std::int8_t {
    no_pattern = 0,
    new_hot = 1, consecutive_hot = 2, intensifying_hot = 3, persistent_hot = 4,
    diminishing_hot = 5, sporadic_hot = 6, oscillating_hot = 7, historical_hot = 8,
    new_cold = -1, consecutive_cold = -2, intensifying_cold = -3, persistent_cold = -4,
    diminishing_cold = -5, sporadic_cold = -6, oscillating_cold = -7, historical_cold = -8,
};

/// "new hot spot", "no pattern", "historical cold spot", ...
std::string_view to_string(EmergingClass c) noexcept;

/// Persistence classes of Chainey-style analysis as sfhotspot's hotspot_classify() defines them
/// (R/hotspot_classify.R and R/hotspot_classify_params.R, github.com/mpjashby/sfhotspot), on the
/// same per-slice significance as the categories above. With n slices, r = max(1, floor(recent_prop
/// · n)) recent slices (the last r), and the shares of hot slices over all n (prop), over the
/// recent r (recent) and over the older n − r (older):
///   persistent:   prop >= persistent_prop (0.8);
///   emerging:     older < hotspot_prop (0.1) and recent >= recent_prop (0.2);
///   former:       older >= hotspot_prop and recent < hotspot_prop;
///   intermittent: prop >= hotspot_prop;
/// tested in that order, else none; cold the same on cold slices; a cell with both a hot and a
/// cold class is "mixed". Two differences from sfhotspot, stated: its `recent` sums the last r + 1
/// columns over r (R's (ncol − r):ncol); here the last r slices. And its significance is a
/// per-cell p adjustment over the periods (p.adjust, Holm by default) at 0.05; here a slice's
/// Gi* significance is the one the categories above use (FDR over the cells of that slice).
enum class PersistenceClass : std::int8_t {
    none = 0, persistent_hot = 1, emerging_hot = 2, former_hot = 3, intermittent_hot = 4,
    persistent_cold = -1, emerging_cold = -2, former_cold = -3, intermittent_cold = -4, mixed = 9,
};

/// "persistent hot spot", "emerging cold spot", "mixed hot/cold spot", "none", ...
std::string_view to_string(PersistenceClass c) noexcept;

/// sfhotspot's hotspot_classify_params() defaults; each in (0, 1).
struct PersistenceParams {
    double hotspot_prop = 0.1, persistent_prop = 0.8, recent_prop = 0.2;
    /// @throws UsageError naming the parameter outside (0, 1).
    void validate() const;
};

/// The persistence class of one cell from its per-slice significance (+1 hot, −1 cold, 0).
PersistenceClass classify_persistence(std::span<const std::int8_t> significance, const PersistenceParams& params = {});

struct EmergingOptions {
    GiStarOptions gistar;  ///< band_m (required), correction (FDR by default), threads
    double alpha = 0.05;   ///< significance of a slice's Gi* (corrected p) and of the z trend
    PersistenceParams persistence;
    /// @throws UsageError for a bad Gi* option or alpha outside (0, 0.5].
    void validate() const;
};

/// The category of one cell from its per-slice significance (+1 hot, −1 cold, 0 neither) and the
/// Mann–Kendall trend of its z (s: Kendall's S, p: its two-sided p). See the file comment.
EmergingClass classify_emerging(std::span<const std::int8_t> significance, double trend_s, double trend_p,
                                double alpha = 0.05);

struct EmergingResult {
    std::size_t slices = 0;
    std::vector<EmergingClass> category;  ///< per cell, row-major; no_pattern outside the mask
    std::vector<float> trend_z;           ///< Mann–Kendall z of the cell's Gi* z over the slices
    std::vector<float> trend_p;
    std::vector<std::uint16_t> hot_slices, cold_slices;  ///< slices significant hot / cold
    std::vector<std::int8_t> final_bin;   ///< Gi_Bin of the final slice
    std::vector<PersistenceClass> persistence;  ///< per cell (options.persistence)
};

/// @param counts one grid.size() vector of counts per slice, oldest first (at least 2 slices).
/// @param mask optional study area (non-zero inside), as gistar_grid().
/// @throws UsageError (sizes, options, fewer than 2 slices), Cancelled.
EmergingResult emerging_hot_spots(const Grid& grid, const std::vector<std::vector<double>>& counts,
                                  const EmergingOptions& options, std::span<const std::uint8_t> mask = {},
                                  const Progress& progress = no_progress());

} // namespace hotspot
