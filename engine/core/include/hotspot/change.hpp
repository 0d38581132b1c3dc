#pragma once
/// @file change.hpp
/// Is a change in a count between two periods more than chance? The exact conditional test of
/// two Poisson counts with exposure, its rate ratio with an exact confidence interval, and the
/// five direction-of-travel classes.
///
/// Test (Przyborowski & Wilenski 1940; R's `poisson.test(c(n1, n2), c(e1, e2))`): if the two
/// counts are Poisson with rates λ1·e1 and λ2·e2, then given n = n1 + n2,
/// n1 ~ Binomial(n, π) with π = e1 / (e1 + e2) under H0: λ1 = λ2. The two-sided p is R's
/// `binom.test(n1, n, π)`: the sum of the probabilities of every outcome no more likely than
/// the observed one (relative tolerance 1e-7, as R), which is exact, not a normal approximation.
/// The rate ratio RR = (n1/e1) / (n2/e2) has the exact (Clopper–Pearson based) interval
/// [πL/(1−πL), πU/(1−πU)] · e2/e1, with πL, πU the Clopper–Pearson limits of n1 of n.
/// Exposure is the length of each period (e.g. months), so periods of different length compare
/// rates per month; with equal lengths RR is the ratio of the counts.
///
/// Classes (the PHE two-level rule rates.hpp uses for rates, here for a change):
///   "significant increase":   p < 0.002 (99.8% level) and RR > 1;
///   "increase":               p < 0.05 (95% level), not < 0.002, and RR > 1;
///   "no significant change":  p ≥ 0.05 (or both counts zero);
///   "decrease", "significant decrease" mirror these with RR < 1.
/// The two levels are ChangeClassLevels and can be set by the caller.

#include <cstdint>
#include <string_view>

namespace hotspot {

/// The exact test of two Poisson counts. `n1` is the count of the period of interest (the
/// later one), `n2` of the comparison period; `e1`, `e2` their exposures (any unit, e.g.
/// months or days). Everything is computed exactly as R's `poisson.test(c(n1, n2), c(e1, e2),
/// conf.level = confidence)`.
struct PoissonChangeTest {
    std::int64_t n1 = 0, n2 = 0;
    double e1 = 1, e2 = 1;
    double rate_ratio = 0;   ///< (n1/e1)/(n2/e2); +inf when n2 = 0 < n1; NaN when both are 0
    double ratio_lower = 0;  ///< exact interval of the rate ratio (0 when n1 = 0)
    double ratio_upper = 0;  ///< (+inf when n2 = 0)
    double p = 1;            ///< two-sided exact p
    double pct_change = 0;   ///< 100 (RR − 1): % change of the rate per unit exposure; NaN/inf as RR
};

/// @param confidence of the ratio's interval, in (0, 1) (0.95: R's default).
/// @throws UsageError "change: counts must be >= 0 (got -1)", "change: exposures must be > 0
///         and finite (got 0)", "change: confidence must be in (0, 1) (got 95)".
PoissonChangeTest poisson_change_test(std::int64_t n1, std::int64_t n2, double e1 = 1, double e2 = 1,
                                      double confidence = 0.95);

/// Two-sided p of R's `binom.test(x, n, p)` (exact; relative tolerance 1e-7).
/// @throws UsageError when x > n, x < 0 or p is not in [0, 1].
double binomial_test_p(std::int64_t x, std::int64_t n, double p);

/// The direction-of-travel class (see file comment); the integer is its map level.
enum class ChangeClass : std::int8_t {
    significant_decrease = -2,
    decrease = -1,
    no_significant_change = 0,
    increase = 1,
    significant_increase = 2,
};

/// The p-value levels of the classes: `strong` for "significant", `weak` for increase/decrease.
struct ChangeClassLevels {
    double weak = 0.05;
    double strong = 0.002;
    /// @throws UsageError unless 0 < strong <= weak < 1.
    void validate() const;
};

/// The class of a test result under `levels` (see file comment).
ChangeClass change_class(const PoissonChangeTest& t, const ChangeClassLevels& levels = {});

/// "significant increase", "increase", "no significant change", "decrease", "significant decrease".
std::string_view to_string(ChangeClass c) noexcept;

} // namespace hotspot
