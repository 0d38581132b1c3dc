#pragma once
/// @file gistar.hpp
/// Getis-Ord Gi* hot spot statistic (Getis & Ord 1992; Ord & Getis 1995), as ArcGIS Pro's
/// "Hot Spot Analysis (Getis-Ord Gi*)" and R spdep `localG` on star-form weights.
///
/// For observations x_1..x_n (for a grid: the counts of every cell of the study area, empty
/// cells included) and weights w_ij that include i itself:
///   W_i = Σ_j w_ij, S1_i = Σ_j w_ij², x̄ = Σ x / n, s² = Σ (x − x̄)² / n   (divides by n),
///   z_i = (Σ_j w_ij x_j − W_i x̄) / sqrt(s² (n S1_i − W_i²) / (n − 1)),
/// which is exactly spdep `localG(x, nb2listw(include.self(nb), style = "B"))`.
/// p is two-sided from the standard normal, or, on sparse counts, from an exact binomial test
/// of the local sum (GiStarTest; the default `automatic` switches when the mean count per cell
/// is below 1). Optionally, conditional permutation inference:
/// x_i stays at i and its other neighbours get values drawn without replacement from the
/// other n − 1 observations (as spdep `localG_perm` / PySAL esda `G_Local(star=True)`), and
///   p_sim = min(1, 2 · min(#{G* ≥ observed} + 1, #{G* ≤ observed} + 1) / (R + 1)),
/// the folded two-sided pseudo p-value (PySAL reports the one-tail min(...)+1 / (R+1), i.e.
/// half of ours). Each observation draws from its own seeded stream, so results are
/// identical for any thread count.
///
/// Gi_Bin follows ArcGIS: ±3 when p < 0.01, ±2 when p < 0.05, ±1 when p < 0.10, sign of z,
/// 0 otherwise, where p is the corrected p (FDR/Bonferroni) when a correction is chosen and the
/// permutation p when permutations are run. "BH-adjusted p < α" is the BH decision at level α,
/// so bins equal ArcGIS's FDR-corrected bins.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hotspot/fdr.hpp"
#include "hotspot/grid.hpp"
#include "hotspot/progress.hpp"
#include "hotspot/weights.hpp"

namespace hotspot {

/// How the p of each Gi* z is found.
///  - normal: two-sided standard normal tail of z (spdep `localG`, ArcGIS).
///  - exact: an exact conditional test of the local sum L_i = Σ_{j ∈ N_i} x_j, for integer
///    counts and binary weights: given the total N = Σ x over the n study cells, under complete
///    spatial randomness each incident falls in any cell with probability 1/n, so
///    L_i ~ Binomial(N, W_i / n) (W_i = neighbours of i, self included; the conditional
///    argument of Besag & Newell 1991 and Kulldorff 1997); p is two-sided as R's
///    `binom.test(l, N, W_i / n)`: the total probability of the local sums no more likely than
///    the observed one. z is still the Gi* z-score (its sign gives hot or cold).
///  - auto: exact when it applies (counts are whole, weights binary) and the grid is sparse:
///    the mean count per study cell x̄ < gistar_sparse_mean (1). There the normal tail is far
///    too liberal (a single incident makes 99% hot cells; ~1/3 of CSR data sets show FDR-
///    significant hot cells at 95%); on denser grids, where it holds, spdep's normal z.
enum class GiStarTest { normal, exact, automatic };

/// auto's rule: the exact test when the mean count per study cell is below this.
inline constexpr double gistar_sparse_mean = 1.0;

/// "normal", "exact", "auto". @throws UsageError naming the choices.
GiStarTest parse_gistar_test(const std::string& name);
/// The name parse_gistar_test() reads.
const char* to_string(GiStarTest t) noexcept;

/// Options of a Gi* run; validate() is called by every entry point.
struct GiStarOptions {
    /// Distance band for gistar_grid(), metres: cells whose centres are within band_m of the
    /// cell centre are neighbours (binary, self included). Ignored by gistar() on weights.
    double band_m = 0;
    PAdjust p_adjust = PAdjust::fdr_bh; ///< correction applied before binning
    int permutations = 0;               ///< 0: analytic only; else R conditional permutations
    std::uint64_t seed = 12345;         ///< seed of the permutations
    unsigned threads = 0;               ///< worker threads (0 = all cores); output is identical
    /// h > 0: Besag & Clifford's sequential stop of the permutations (as LocalMoranOptions)
    int stop_after = 0;
    GiStarTest test = GiStarTest::automatic; ///< how p is found (see GiStarTest)
    /// gistar_grid() only: a previous result's neighbour_count for the same grid, mask and band
    /// (a backtest ranks many count grids on one study area); empty: counted here. Its values
    /// are used as given.
    std::span<const std::int32_t> neighbour_count;
    /// gistar_grid() only: z and neighbour_count alone (p, p_adjusted and bin left empty), for a
    /// caller that only ranks cells by z (the backtest); not with permutations.
    bool z_only = false;

    /// @throws UsageError "gistar: band must be > 0 m (got 0)" (grid only),
    ///         "gistar: permutations must be between 0 and 99999 (got -1)",
    ///         "gistar: z_only takes no permutations".
    void validate(bool needs_band) const;
};

/// Gi* results, one entry per observation (for gistar_grid(): per grid cell, row-major, with
/// NaN z/p and bin 0 outside the study area).
struct GiStarResult {
    std::vector<double> z;           ///< Gi* z-score
    std::vector<double> p;           ///< two-sided normal p-value of z
    std::vector<double> p_sim;       ///< permutation pseudo p (empty when permutations = 0)
    std::vector<double> p_adjusted;  ///< corrected p used for the bins (p_sim when permuted)
    std::vector<std::int8_t> bin;    ///< Gi_Bin −3..3
    std::vector<std::int32_t> neighbour_count; ///< neighbours incl. self (0 outside study area)
    std::size_t n = 0;               ///< number of observations (cells in the study area)
    double mean = 0;                 ///< x̄
    double variance = 0;             ///< s² (divides by n)
    bool exact = false;              ///< p is the exact binomial test's (GiStarTest), not the normal tail's
};

/// Gi* of a grid of counts with a circular distance band (binary, self included).
/// The analytic part uses per-row prefix sums over the disc stencil: O(cells · rows of the
/// disc), independent of the number of neighbours per row, and parallel over rows. Sparse
/// whole counts (a month of incidents on 10 m cells) are spread instead: each non-empty cell
/// adds its count to the runs of the cells whose disc holds it, O(non-empty cells · rows of the
/// disc + cells); the local sums are the same whole numbers either way, so z and p are the
/// same to the bit.
/// @param counts grid.size() values, row-major (row 0 north); cells outside the study area
///        are ignored. @param mask optional grid.size() flags (non-zero = in the study area).
/// @throws UsageError on invalid options, on sizes that do not match, on a negative or
///         non-finite count, or when fewer than 3 cells are in the study area.
/// @throws Cancelled when `progress` returns false.
GiStarResult gistar_grid(const Grid& grid, std::span<const double> counts,
                         const GiStarOptions& options, std::span<const std::uint8_t> mask = {},
                         const Progress& progress = no_progress());

/// Gi* of values `x` on arbitrary weights (which should include i itself for Gi*; without it
/// this is the star formula applied to non-star weights, not spdep's Gi).
/// @throws UsageError on invalid options, size mismatch, non-finite x, n < 3, or test = exact
///         on weights that are not binary or values that are not whole counts.
GiStarResult gistar(std::span<const double> x, const SpatialWeights& weights,
                    const GiStarOptions& options, const Progress& progress = no_progress());

/// A distance band chosen from the data when none is given (see default_grid_band()).
struct DefaultBand {
    double band_m = 0;          ///< the band, metres, rounded up to a whole metre
    int k = 0;                  ///< the neighbour rank used
    std::size_t points = 0;     ///< non-empty cells the rule looked at
    double knn_distance_m = 0;  ///< mean distance to the k-th nearest non-empty cell
    bool floored = false;       ///< the band was raised to the 3 × 3 floor (cell · √2)
};

/// The default Gi* band of a grid of counts, after ArcGIS Pro's Optimized Hot Spot Analysis
/// (its fallback when incremental spatial autocorrelation finds no peak): the mean, over the
/// non-empty cells of the study area, of the distance from a cell's centre to the centre of
/// its k-th nearest other non-empty cell, with k = 5% of the non-empty cells clamped to
/// 3..30; never less than cell · √2 (so every cell has at least its 8 touching cells as
/// neighbours). Up to 20,000 evenly spaced cells are queried (all of them index the search).
/// Deterministic.
/// @throws UsageError when sizes do not match or fewer than 2 cells are non-empty.
DefaultBand default_grid_band(const Grid& grid, std::span<const double> counts,
                              std::span<const std::uint8_t> mask = {});

/// The ArcGIS Gi_Bin of z with (corrected) p: ±3 (p < 0.01), ±2 (< 0.05), ±1 (< 0.10), else 0.
std::int8_t gi_bin(double z, double p) noexcept;

} // namespace hotspot
