#pragma once
/// @file lisa.hpp
/// Local Moran's I (Anselin 1995) with the conventions of R spdep 1.2 `localmoran`:
///   z_i = x_i − x̄, m2 = Σ z² / n (divides by n, spdep mlvar = TRUE),
///   I_i = (z_i / m2) Σ_j w_ij z_j           on row-standardised weights without self.
/// PySAL esda `Moran_Local` computes I_i = (n − 1) z_i lag_i / Σz², i.e. divides Σz² by
/// n − 1 instead of n, so its I_i are (n − 1)/n times ours (and so are E and sqrt(Var)); the
/// z-scores, p-values and classes are unaffected.
/// Expectation and variance under randomisation, as spdep:
///   conditional = true (spdep's default since 1.1-7, Sokal et al. 1998):
///     E[I_i] = −z_i² W_i / ((n − 1) m2),
///     Var[I_i] = (z_i/m2)² · n/(n − 2) · (W_i(2) − W_i²/(n − 1)) · (m2 − z_i²/(n − 1));
///   conditional = false (Anselin 1995 total randomisation), with b2 = (Σz⁴/n)/m2²:
///     E[I_i] = −W_i/(n − 1),
///     Var[I_i] = W_i(2)(n − b2)/(n − 1) + (W_i² − W_i(2))(2 b2 − n)/((n − 1)(n − 2)) − E[I_i]²,
/// with W_i = Σ_j w_ij and W_i(2) = Σ_j w_ij². Z = (I_i − E[I_i]) / sqrt(Var[I_i]), p two-sided.
/// Optional conditional permutation p-values as Gi* (see gistar.hpp for the convention).
///
/// Cluster classes by quadrant of (z_i, lag of z at i) (spdep's "pysal" quadrant; GeoDa):
/// High-High, Low-Low, High-Low, Low-High; "not significant" when the (corrected) p ≥ alpha.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "hotspot/fdr.hpp"
#include "hotspot/progress.hpp"
#include "hotspot/weights.hpp"

namespace hotspot {

/// LISA cluster class of one area.
enum class LisaClass : std::int8_t {
    not_significant = 0,
    high_high = 1, ///< high value among high neighbours (hot spot)
    low_low = 2,   ///< low among low (cold spot)
    high_low = 3,  ///< high outlier among low neighbours
    low_high = 4,  ///< low outlier among high neighbours
};

/// "HH", "LL", "HL", "LH" or "not significant".
std::string_view to_string(LisaClass c) noexcept;

struct LocalMoranOptions {
    bool conditional = true;             ///< spdep's default randomisation variance
    double alpha = 0.05;                 ///< significance level of the classes, in (0, 1)
    PAdjust p_adjust = PAdjust::fdr_bh;  ///< correction before classing (GeoDa uses none)
    int permutations = 0;                ///< 0: analytic p; else conditional permutations
    std::uint64_t seed = 12345;
    unsigned threads = 0;                ///< 0 = all cores; output identical for any value
    /// h > 0: each area stops permuting once h permuted lags lie on each side of its own
    /// (Besag & Clifford 1991 sequential p = 2h/l); 0: all R for every area.
    int stop_after = 0;

    /// @throws UsageError "lisa: alpha must be in (0, 1) (got 2)", bad permutations.
    void validate() const;
};

struct LocalMoranResult {
    std::vector<double> ii, expected, variance, z, p; ///< spdep Ii, E.Ii, Var.Ii, Z.Ii, Pr
    std::vector<double> p_sim;                         ///< empty when permutations = 0
    std::vector<double> p_adjusted;                    ///< corrected p used for the classes
    std::vector<double> lag;                           ///< Σ_j w_ij z_j
    std::vector<LisaClass> cluster;
};

/// Local Moran's I of `x` on `weights` (row-standardise them first for the usual LISA; the
/// formulas hold for any weights without self).
/// @throws UsageError when sizes differ, x is non-finite or constant, n < 3, or the weights
///         contain i itself (spdep refuses "Self included among neighbours" too).
LocalMoranResult local_moran(std::span<const double> x, const SpatialWeights& weights,
                             const LocalMoranOptions& options = {},
                             const Progress& progress = no_progress());

} // namespace hotspot
