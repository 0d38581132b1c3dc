#include "hotspot/rates.hpp"

#include <cmath>
#include <limits>
#include <string>

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/poisson.hpp>

#include "hotspot/error.hpp"
#include "util/text.hpp"

namespace hotspot {

namespace {

using util::nan;

void check_confidence(double confidence) {
    if (!(confidence > 0 && confidence < 1))
        throw UsageError("rates", "confidence must be in (0, 1) (got " + std::to_string(confidence) +
                                      "); write 0.95 for 95%");
}

void check_count(double observed) {
    if (!(std::isfinite(observed) && observed >= 0))
        throw UsageError("rates", "count must be finite and >= 0 (got " + std::to_string(observed) + ")");
}

double normal_quantile(double p) {
    return boost::math::quantile(boost::math::normal_distribution<double>(), p);
}

double poisson_cdf(double k, double mean) {
    if (k < 0) return 0.0;
    if (mean == 0) return 1.0;
    return boost::math::cdf(boost::math::poisson_distribution<double>(mean), k);
}

// Spiegelhalter's interpolated p-quantile of Poisson(mean).
double interpolated_quantile(double mean, double p) {
    if (mean == 0) return 0.0;
    double q = std::floor(boost::math::quantile(
        boost::math::poisson_distribution<double, boost::math::policies::policy<
                                                      boost::math::policies::discrete_quantile<
                                                          boost::math::policies::real>>>(mean),
        p));
    q = std::max(q, 0.0);
    while (poisson_cdf(q, mean) < p) q += 1;
    while (q > 0 && poisson_cdf(q - 1, mean) >= p) q -= 1;
    const double fq = poisson_cdf(q, mean), fq1 = poisson_cdf(q - 1, mean);
    return q - (fq - p) / (fq - fq1);
}

} // namespace

Interval poisson_ci_exact(double observed, double confidence) {
    check_confidence(confidence);
    check_count(observed);
    const double alpha = 1 - confidence;
    Interval ci;
    ci.lower = observed > 0
                   ? boost::math::quantile(boost::math::chi_squared_distribution<double>(2 * observed),
                                           alpha / 2) / 2
                   : 0.0;
    ci.upper = boost::math::quantile(boost::math::chi_squared_distribution<double>(2 * observed + 2),
                                     1 - alpha / 2) / 2;
    return ci;
}

Interval poisson_ci_byar(double observed, double confidence) {
    check_confidence(confidence);
    check_count(observed);
    // Below 10 events Byar's cube-root approximation is poor (its 99.8% lower limit is negative
    // for 1 event); UKHSA/PHE's method uses the exact interval there, and so do we.
    if (observed < byar_min_events) return poisson_ci_exact(observed, confidence);
    const double z = normal_quantile(1 - (1 - confidence) / 2);
    Interval ci;
    if (observed > 0) {
        const double o = observed;
        ci.lower = o * std::pow(1 - 1 / (9 * o) - z / (3 * std::sqrt(o)), 3);
    }
    const double o1 = observed + 1;
    ci.upper = o1 * std::pow(1 - 1 / (9 * o1) + z / (3 * std::sqrt(o1)), 3);
    return ci;
}

Interval funnel_limits(double expected, double confidence) {
    check_confidence(confidence);
    if (!(std::isfinite(expected) && expected >= 0))
        throw UsageError("rates", "expected count must be finite and >= 0 (got " +
                                      std::to_string(expected) + ")");
    const double alpha = 1 - confidence;
    return {std::max(0.0, interpolated_quantile(expected, alpha / 2)),
            interpolated_quantile(expected, 1 - alpha / 2)};
}

double choynowski_p(double observed, double expected) {
    check_count(observed);
    if (!(std::isfinite(expected) && expected > 0))
        throw UsageError("rates", "expected count must be > 0 (got " + std::to_string(expected) + ")");
    if (observed > expected) return 1.0 - poisson_cdf(observed - 1, expected);
    return poisson_cdf(observed, expected);
}

EmpiricalBayes empirical_bayes(std::span<const double> counts, std::span<const double> population) {
    if (counts.size() != population.size())
        throw UsageError("rates", std::to_string(counts.size()) + " counts but " +
                                      std::to_string(population.size()) + " populations");
    const std::size_t m = counts.size();
    if (m == 0) throw UsageError("rates", "no areas for empirical Bayes");
    double nsum = 0, xsum = 0;
    for (std::size_t i = 0; i < m; ++i) {
        if (!(population[i] > 0) || !std::isfinite(population[i]))
            throw UsageError("rates", "area " + std::to_string(i) + " has population " +
                                          std::to_string(population[i]) +
                                          "; EB needs populations > 0");
        check_count(counts[i]);
        nsum += counts[i];
        xsum += population[i];
    }
    EmpiricalBayes eb;
    eb.b = nsum / xsum;
    eb.raw.resize(m);
    double s2 = 0;
    for (std::size_t i = 0; i < m; ++i) {
        eb.raw[i] = counts[i] / population[i];
        s2 += population[i] * (eb.raw[i] - eb.b) * (eb.raw[i] - eb.b) / xsum;
    }
    eb.a = std::max(0.0, s2 - eb.b / (xsum / double(m)));
    eb.smoothed.resize(m);
    for (std::size_t i = 0; i < m; ++i)
        eb.smoothed[i] = eb.a + eb.b / population[i] > 0
                             ? eb.b + eb.a * (eb.raw[i] - eb.b) / (eb.a + eb.b / population[i])
                             : eb.b; // a = b = 0: every rate is 0
    return eb;
}

std::string_view to_string(RateStatus s) noexcept {
    switch (s) {
    case RateStatus::ok: return "ok";
    case RateStatus::population_missing: return "population missing";
    case RateStatus::population_zero: return "population zero";
    case RateStatus::population_negative: return "population negative";
    case RateStatus::count_invalid: return "count invalid";
    }
    return "unknown";
}

std::string_view to_string(RateClass c) noexcept {
    switch (c) {
    case RateClass::significantly_above: return "significantly above";
    case RateClass::above: return "above";
    case RateClass::similar: return "similar";
    case RateClass::below: return "below";
    case RateClass::significantly_below: return "significantly below";
    case RateClass::not_computed: break;
    }
    return "not computed";
}

void RateOptions::validate() const {
    if (reference_per_1000 && !(std::isfinite(*reference_per_1000) && *reference_per_1000 >= 0))
        throw UsageError("rates", "reference rate must be finite and >= 0 per 1,000 (got " +
                                      std::to_string(*reference_per_1000) + ")");
}

RatesResult area_rates(std::span<const double> counts, std::span<const double> population,
                       const RateOptions& options) {
    options.validate();
    if (counts.size() != population.size())
        throw UsageError("rates", std::to_string(counts.size()) + " counts but " +
                                      std::to_string(population.size()) + " populations");
    RatesResult res;
    res.areas.resize(counts.size());
    std::vector<double> vc, vp;
    std::vector<std::size_t> valid;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        AreaRate& a = res.areas[i];
        a.count = counts[i];
        a.population = population[i];
        const double pop = population[i];
        if (std::isnan(pop)) a.status = RateStatus::population_missing;
        else if (pop == 0) a.status = RateStatus::population_zero;
        else if (pop < 0) a.status = RateStatus::population_negative;
        else if (!(std::isfinite(counts[i]) && counts[i] >= 0) || !std::isfinite(pop))
            a.status = RateStatus::count_invalid;
        if (a.status != RateStatus::ok) continue;
        valid.push_back(i);
        vc.push_back(counts[i]);
        vp.push_back(pop);
    }
    if (valid.empty())
        throw UsageError("rates", "no area has a usable count and population > 0; check the "
                                  "population field");
    res.valid_areas = valid.size();
    double csum = 0, psum = 0;
    for (std::size_t k = 0; k < valid.size(); ++k) { csum += vc[k]; psum += vp[k]; }
    res.reference_per_1000 = options.reference_per_1000 ? *options.reference_per_1000
                                                         : 1000.0 * csum / psum;
    const double ref_rate = res.reference_per_1000 / 1000.0;
    const auto eb = empirical_bayes(vc, vp);
    auto ci = [&](double o, double conf) {
        return options.ci == CiMethod::exact ? poisson_ci_exact(o, conf) : poisson_ci_byar(o, conf);
    };
    for (auto& a : res.areas) {
        if (a.status == RateStatus::ok) continue;
        a.rate_per_1000 = a.expected = a.choynowski_p = a.eb_rate_per_1000 = nan;
        a.ci95_per_1000 = a.ci998_per_1000 = a.funnel95_per_1000 = a.funnel998_per_1000 = {nan, nan};
    }
    for (std::size_t k = 0; k < valid.size(); ++k) {
        AreaRate& a = res.areas[valid[k]];
        const double scale = 1000.0 / a.population;
        a.rate_per_1000 = a.count * scale;
        const auto c95 = ci(a.count, 0.95), c998 = ci(a.count, 0.998);
        a.ci95_per_1000 = {c95.lower * scale, c95.upper * scale};
        a.ci998_per_1000 = {c998.lower * scale, c998.upper * scale};
        a.expected = ref_rate * a.population;
        const auto f95 = funnel_limits(a.expected, 0.95), f998 = funnel_limits(a.expected, 0.998);
        a.funnel95_per_1000 = {f95.lower * scale, f95.upper * scale};
        a.funnel998_per_1000 = {f998.lower * scale, f998.upper * scale};
        a.choynowski_p = a.expected > 0 ? choynowski_p(a.count, a.expected) : nan;
        a.eb_rate_per_1000 = eb.smoothed[k] * 1000.0;
        const double r = res.reference_per_1000;
        if (a.ci998_per_1000.lower > r) a.rate_class = RateClass::significantly_above;
        else if (a.ci95_per_1000.lower > r) a.rate_class = RateClass::above;
        else if (a.ci998_per_1000.upper < r) a.rate_class = RateClass::significantly_below;
        else if (a.ci95_per_1000.upper < r) a.rate_class = RateClass::below;
        else a.rate_class = RateClass::similar;
    }
    return res;
}

} // namespace hotspot
