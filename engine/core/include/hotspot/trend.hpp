#pragma once
/// @file trend.hpp
/// Trend tests of a series of counts (e.g. monthly incidents): Mann–Kendall with Sen's slope,
/// and the seasonal Mann–Kendall of Hirsch, Slack & Smith (1982).
///
/// Mann–Kendall (Mann 1945; Kendall 1975; Gilbert 1987 §16.4), for x_1..x_n in time order:
///   S = Σ_{i<j} sign(x_j − x_i);
///   Var(S) = [n(n−1)(2n+5) − Σ_g t_g(t_g−1)(2t_g+5)] / 18, t_g the size of the g-th group of ties;
///   Z = (S − 1)/√Var if S > 0, (S + 1)/√Var if S < 0, else 0 (continuity correction);
///   two-sided p = 2 (1 − Φ(|Z|));
///   τ = S / √[(n(n−1)/2)(n(n−1)/2 − Σ_g t_g(t_g−1)/2)] (Kendall's τ-b against time, as
///   `Kendall::MannKendall` and R's `cor(seq_along(x), x, method = "kendall")`).
/// These equal R's `cor.test(seq_along(x), x, method = "kendall", exact = FALSE,
/// continuity = TRUE)` (its statistic and p) and the textbook formula above.
/// Sen's slope (Sen 1968) = the median of (x_j − x_i)/(j − i) over i < j, in units of x per
/// step (per month for monthly series).
///
/// Seasonal Mann–Kendall (Hirsch, Slack & Smith 1982, Water Resour. Res. 18:107): the series is
/// split into `period` seasons (12 for months: all Januaries, all Februaries...); S and Var(S)
/// are the sums of the seasons' S and tie-corrected Var(S) (seasons assumed independent);
/// Z and p as above. The seasonal Sen's slope (Hirsch et al. 1982) is the median of all
/// within-season pairwise slopes (x_j − x_i)/((j − i)/period), in units of x per cycle (per
/// year for months). Missing values (NaN) are left out of their season.

#include <cstddef>
#include <span>
#include <string_view>

namespace hotspot {

struct MannKendall {
    std::size_t n = 0;     ///< values used (NaN left out)
    double s = 0;          ///< Kendall's S
    double var_s = 0;      ///< tie-corrected variance of S
    double z = 0;          ///< continuity-corrected normal score
    double p = 1;          ///< two-sided p (1 when Var(S) = 0)
    double tau = 0;        ///< Kendall's τ-b against time (0 when undefined); NaN for the seasonal test
    double sen_slope = 0;  ///< per step (or per cycle, seasonal); NaN with fewer than 2 values
};

/// Mann–Kendall test and Sen's slope of `x` in time order, equally spaced; NaN values are
/// left out (the remaining values keep their time positions for Sen's slope).
/// O(n²): fine for the monthly series it is meant for (n up to a few thousand).
/// @param sen_slope false: skip Sen's slope (left NaN), for callers that test many short series.
MannKendall mann_kendall(std::span<const double> x, bool sen_slope = true);

/// Seasonal Mann–Kendall with `period` seasons (x[0] is season 0). S, Var(S), z, p as the file
/// comment says; tau is NaN; sen_slope is per cycle.
/// @throws UsageError "trend: period must be >= 2 (got 1)".
MannKendall seasonal_mann_kendall(std::span<const double> x, std::size_t period = 12);

/// The direction of a trend at level `alpha`: "rising", "falling" or "no significant trend".
std::string_view trend_words(const MannKendall& mk, double alpha = 0.05) noexcept;

} // namespace hotspot
