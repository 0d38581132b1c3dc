#pragma once
/// @file weights.hpp
/// Sparse spatial weights in compressed sparse row (CSR) form, and their construction from
/// points (area centroids, cell centres) by distance band, and from a Grid by the regular
/// offset stencil. Contiguity (queen) weights from polygons are in contiguity.hpp.
///
/// Conventions follow R spdep so results can be compared: a distance band takes every j with
/// d(i, j) ≤ band_m (spdep `dnearneigh(d1 = 0, d2 = band_m)`); "star" form includes i itself
/// (spdep `include.self()`), as Getis-Ord Gi* needs; binary weights are spdep style "B",
/// row-standardised weights style "W".

#include <cstdint>
#include <span>
#include <vector>

#include "hotspot/geometry.hpp"
#include "hotspot/grid.hpp"

namespace hotspot {

/// Weights w_ij of n observations in CSR form: the neighbours of i are
/// neighbours[offsets[i] .. offsets[i+1]) with weights weights[...], sorted by index.
struct SpatialWeights {
    std::vector<std::int64_t> offsets{0}; ///< n + 1 entries, offsets[0] = 0
    std::vector<std::int32_t> neighbours; ///< neighbour indices, ascending within each row
    std::vector<double> weights;          ///< w_ij, parallel to neighbours

    /// Number of observations n.
    std::size_t size() const noexcept { return offsets.size() - 1; }
    /// Number of stored (i, j) pairs.
    std::size_t nonzeros() const noexcept { return neighbours.size(); }
    std::span<const std::int32_t> neighbours_of(std::size_t i) const noexcept {
        return {neighbours.data() + offsets[i], std::size_t(offsets[i + 1] - offsets[i])};
    }
    std::span<const double> weights_of(std::size_t i) const noexcept {
        return {weights.data() + offsets[i], std::size_t(offsets[i + 1] - offsets[i])};
    }
    /// Number of neighbours of i (including i itself in star form).
    std::size_t cardinality(std::size_t i) const noexcept {
        return std::size_t(offsets[i + 1] - offsets[i]);
    }
    /// Σ_j w_ij (W_i in the Gi* formula).
    double row_sum(std::size_t i) const noexcept;
    /// Σ_j w_ij² (S1_i in the Gi* formula).
    double row_sum_squares(std::size_t i) const noexcept;
};

/// How a neighbour within the band is weighted.
enum class WeightScheme {
    binary,           ///< w = 1 (spdep style "B")
    inverse_distance, ///< w = 1 / max(d, min_distance_m)^power
};

/// Options of a distance-band neighbourhood.
struct DistanceBandOptions {
    double band_m = 0;          ///< neighbours are within this distance, metres (> 0)
    bool include_self = true;   ///< star form (Gi*): i is its own neighbour
    WeightScheme scheme = WeightScheme::binary;
    double power = 1.0;         ///< inverse-distance exponent (> 0)
    /// Inverse distance: distances below this (coincident points, i itself) count as this,
    /// so self and coincident weights are finite: 1 / min_distance_m^power. Metres, > 0.
    double min_distance_m = 1.0;

    /// @throws UsageError ("weights: band must be > 0 m (got 0)") on a bad value.
    void validate() const;
};

/// Distance-band weights between points, found with a Boost.Geometry R-tree.
/// A pair exactly at band_m is included (up to a relative rounding of 1e-12).
/// @throws UsageError when options are invalid, or when there are more than 2^31−1 points.
SpatialWeights distance_band_weights(std::span<const Point> points,
                                     const DistanceBandOptions& options);

/// Distance-band weights between the centres of the cells of `grid` that are in the study
/// area, by the regular offset stencil (no search). Observations are the cells with
/// mask[cell] != 0 (every cell when `mask` is empty), numbered in row-major order of the
/// grid (row 0 first); see study_area_cells().
/// @throws UsageError when options are invalid, or mask is non-empty and not grid.size().
SpatialWeights grid_band_weights(const Grid& grid, const DistanceBandOptions& options,
                                 std::span<const std::uint8_t> mask = {});

/// Row-major cell indices (row·cols + col) of the observations grid_band_weights() numbers:
/// the cells with mask != 0, or all cells when `mask` is empty.
std::vector<std::int64_t> study_area_cells(const Grid& grid, std::span<const std::uint8_t> mask);

/// Divides each row by its sum (spdep style "W"); rows without neighbours stay empty.
void row_standardise(SpatialWeights& weights);

/// A copy without the diagonal entries (i, i) (spdep `remove.self()`).
SpatialWeights without_self(const SpatialWeights& weights);

/// Builds SpatialWeights from neighbour lists (each sorted and de-duplicated here) with
/// binary weights, e.g. from contiguity or k-nearest-neighbour lists read from a file.
/// @throws UsageError when a neighbour index is outside 0..n−1.
SpatialWeights weights_from_lists(const std::vector<std::vector<std::int32_t>>& lists);

namespace detail {
/// The (dcol, drow) offsets of a disc of radius band_m on cells of size cell_size_m, as
/// half-widths: for each drow in −R..R, the largest dcol with (dcol² + drow²)·c² ≤ band².
/// Returns 2R+1 half-widths (−1 where a row holds no cell, which cannot happen for drow=0).
std::vector<std::int64_t> disc_half_widths(double band_m, double cell_size_m);
} // namespace detail

} // namespace hotspot
