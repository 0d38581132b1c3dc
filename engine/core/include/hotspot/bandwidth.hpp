#pragma once
/// @file bandwidth.hpp
/// Automatic bandwidth selection for kernel density (pure core).
///
/// Every rule returns either a Gaussian-equivalent σ (the per-axis standard deviation of the
/// kernel, as spatstat uses it) or a support radius r; Bandwidth::radius_for() turns either
/// into the support radius of a chosen kernel with radius_from_sigma() (kde.hpp):
/// quartic r = √8·σ, triweight √10·σ, epanechnikov √6·σ, triangular √(20/3)·σ, uniform 2σ.
///
///  - scott:     σ = √(s_x · s_y) · n^(−1/6), s = sample standard deviation of each coordinate
///               (Scott's rule for d = 2, geometric mean of the two axes; spatstat bw.scott
///               gives the two per-axis values). Tools built on R's MASS::bandwidth.nrd or
///               1-D rules of thumb use the x coordinate only; this uses both.
///  - silverman: σ = √(a_x · a_y) · n^(−1/6), a = min(s, IQR / 1.349): Silverman's robust
///               spread with the d = 2 normal-reference factor (4/(d+2))^(1/(d+4)) = 1.
///  - arcgis:    r = 0.9 · min(SD, √(1/ln 2) · Dm) · n^(−0.2), SD = standard distance
///               √(Σ((x−x̄)² + (y−ȳ)²)/n), Dm = median distance to the mean centre
///               (ArcGIS Pro Kernel Density's default search radius; a radius, used as is).
///  - ppl:       σ maximising the leave-one-out likelihood Σ_i log λ̂_{−i}(x_i) of an
///               (untruncated) Gaussian kernel, like spatstat's bw.ppl but without a window
///               (so the ∫λ̂ term is constant). Coincident incidents are left out together
///               (leave-one-location-out), else snapped data drive σ to 0. Above 2,000 distinct
///               locations an evenly spaced deterministic subsample of them is used. σ is
///               searched on 48 log-spaced values from D/1000 to D/4 (D = diagonal of the
///               bounds), refined by golden section.
/// With weights, n is Σw and every moment is weighted.

#include <span>
#include <string>
#include <string_view>

#include "hotspot/kde.hpp"

namespace hotspot {

enum class BandwidthMethod { fixed, scott, silverman, arcgis, ppl };

struct Bandwidth {
    double value_m = 0;        ///< σ (is_sigma) or a support radius, metres
    bool is_sigma = false;     ///< true: a per-axis σ; false: a support radius
    BandwidthMethod method = BandwidthMethod::fixed;
    std::string method_name;   ///< "fixed", "scott", "silverman", "arcgis", "ppl (likelihood CV)"
    /// The support radius of `kernel` (metres): value_m itself for a radius, else
    /// radius_from_sigma(kernel, value_m).
    double radius_for(Kernel kernel) const;
};

/// Parses "scott", "silverman", "arcgis", "ppl" (or "auto:<method>").
/// @throws UsageError naming the choices.
BandwidthMethod parse_bandwidth_method(std::string_view name);

/// Selects a bandwidth for the incidents (x[i], y[i]) with optional weights.
/// @throws UsageError with fewer than 2 distinct incidents, or when they have no spread.
Bandwidth select_bandwidth(BandwidthMethod method, std::span<const double> x,
                           std::span<const double> y, std::span<const double> weights = {});

} // namespace hotspot
