#pragma once
/// @file rates.hpp
/// Area crime rates and their significance against a reference rate, as in English public
/// health and community safety profiles (PHE "Technical Guide: Confidence intervals", 2018).
///
/// - Rate per 1,000 residents = 1000 · count / population.
/// - Confidence interval of the count O (then scaled to the rate):
///   exact (Garwood 1936): lower = χ²(α/2; 2O)/2 (0 when O = 0), upper = χ²(1 − α/2; 2O + 2)/2,
///   Byar (O ≥ 10; exact below, as UKHSA/PHE): lower = O (1 − 1/(9O) − z/(3√O))³,
///   upper = (O+1)(1 − 1/(9(O+1)) + z/(3√(O+1)))³,
///   with z the standard normal 1 − α/2 quantile (1.95996 at 95%, 3.09023 at 99.8%).
/// - Classes against the reference rate r (the study area's own Σcount/Σpopulation by default):
///   "significantly above": the 99.8% CI lies wholly above r;
///   "above":               the 95% CI lies wholly above r, the 99.8% CI does not;
///   "similar":             the 95% CI contains r;
///   "below", "significantly below" mirror these.
///   This is the PHE two-level RAG rule ("higher/lower at 95%", "at 99.8%") with the words the
///   partnership uses ("significantly above average" = beyond 99.8%).
/// - Funnel-plot control limits of the count at the reference rate for each population
///   (Spiegelhalter 2005, exact Poisson with interpolation, see funnel_limits()).
/// - Choynowski (1959) probability: P(X ≤ O) when O ≤ E, else P(X ≥ O), X ~ Poisson(E),
///   as spdep `choynowski` (one tail, direction taken from O vs E).
/// - Marshall (1991) global empirical Bayes rates, as spdep `EBest(family = "poisson")`.
/// Areas whose population is missing, zero or negative, or whose count is missing or
/// negative, get a status and NaN results instead of stopping the run.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace hotspot {

/// An interval of a Poisson count (or of a rate, once scaled).
struct Interval {
    double lower = 0;
    double upper = 0;
};

/// How confidence intervals of counts are computed.
enum class CiMethod {
    exact, ///< Garwood, from χ² quantiles (Boost.Math)
    byar,  ///< Byar's approximation (PHE's choice for counts ≥ 10 in older tools)
};

/// Exact (Garwood) interval of a Poisson count `observed` at `confidence` (e.g. 0.95).
/// @pre observed ≥ 0 (need not be an integer for the upper bound; the lower uses 2O d.f.).
/// @throws UsageError "rates: confidence must be in (0, 1) (got 95)", "rates: count must be >= 0".
Interval poisson_ci_exact(double observed, double confidence);

/// Counts below this use the exact interval even when Byar's is asked for, as UKHSA/PHE's
/// method does ("Technical Guide: Confidence intervals", 2018: Byar's method for 10 or more
/// events, exact below); Byar's 99.8% lower limit is negative for 1 event.
inline constexpr double byar_min_events = 10;

/// Byar's approximate interval of a Poisson count for observed ≥ byar_min_events; below it,
/// the exact (Garwood) interval (poisson_ci_exact()).
/// @throws UsageError as poisson_ci_exact().
Interval poisson_ci_byar(double observed, double confidence);

/// Funnel-plot control limits of the count for an expected count `expected` = r · population:
/// the α/2 and 1 − α/2 quantiles of Poisson(expected), interpolated as Spiegelhalter (2005,
/// Stat Med 24:1185, appendix A.1.1): for the p-quantile q, limit = q − (F(q) − p)/(F(q) −
/// F(q − 1)). Divide by the population (× 1000) for rate limits.
/// @throws UsageError when expected < 0 or confidence is not in (0, 1).
Interval funnel_limits(double expected, double confidence);

/// Choynowski probability of `observed` given `expected` (one tail, see file comment).
/// @throws UsageError when observed < 0 or expected ≤ 0.
double choynowski_p(double observed, double expected);

/// Marshall's global empirical Bayes estimate of rates (spdep EBest, Poisson):
/// b = Σcount/Σpop, s² = Σ pop_i (p_i − b)² / Σpop, a = max(0, s² − b / mean(pop)),
/// smoothed_i = b + a (p_i − b) / (a + b / pop_i). Rates here are per person (not per 1,000).
struct EmpiricalBayes {
    std::vector<double> raw;      ///< count / population
    std::vector<double> smoothed; ///< EB estimate
    double a = 0;                 ///< prior variance
    double b = 0;                 ///< prior mean (global rate)
};

/// @throws UsageError when sizes differ, a population is not > 0 or a count is negative/NaN
///         ("rates: area 3 has population 0; EB needs populations > 0").
EmpiricalBayes empirical_bayes(std::span<const double> counts, std::span<const double> population);

/// Whether an area's inputs could be used.
enum class RateStatus : std::int8_t {
    ok = 0,
    population_missing,  ///< NaN population
    population_zero,     ///< population = 0
    population_negative, ///< population < 0
    count_invalid,       ///< NaN or negative count
};

/// Significance class against the reference rate (see file comment).
enum class RateClass : std::int8_t {
    significantly_below = -2,
    below = -1,
    similar = 0,
    above = 1,
    significantly_above = 2,
    not_computed = 9, ///< status != ok
};

std::string_view to_string(RateStatus s) noexcept;
/// "significantly above", "above", "similar", "below", "significantly below", "not computed".
std::string_view to_string(RateClass c) noexcept;

struct RateOptions {
    CiMethod ci = CiMethod::exact;
    /// Reference rate per 1,000 (e.g. the force rate); empty: the rate of the valid areas
    /// together (Σcount/Σpopulation).
    std::optional<double> reference_per_1000;
    /// @throws UsageError "rates: reference rate must be finite and >= 0 per 1,000 (got -1)".
    void validate() const;
};

/// Everything about one area. Rates are per 1,000 residents; NaN when status != ok.
struct AreaRate {
    RateStatus status = RateStatus::ok;
    double count = 0;
    double population = 0;
    double rate_per_1000 = 0;
    Interval ci95_per_1000, ci998_per_1000;       ///< confidence intervals of the rate
    double expected = 0;                          ///< reference rate × population
    Interval funnel95_per_1000, funnel998_per_1000; ///< control limits at this population
    double choynowski_p = 0;
    double eb_rate_per_1000 = 0;                  ///< Marshall global EB over the valid areas
    RateClass rate_class = RateClass::not_computed;
};

struct RatesResult {
    double reference_per_1000 = 0; ///< the reference used
    std::size_t valid_areas = 0;   ///< areas with status ok
    std::vector<AreaRate> areas;
};

/// Rates, intervals, classes, funnel limits, Choynowski p and EB rates of every area.
/// @throws UsageError when sizes differ, options are invalid, or no area is valid.
RatesResult area_rates(std::span<const double> counts, std::span<const double> population,
                       const RateOptions& options = {});

} // namespace hotspot
