#include "hotspot/change.hpp"

#include <cmath>
#include <limits>
#include <sstream>
#include <string>

#include <boost/math/distributions/binomial.hpp>
#include <boost/math/special_functions/beta.hpp>

#include "hotspot/error.hpp"
#include "util/text.hpp"

namespace hotspot {

namespace {

constexpr const char* unit = "change";
constexpr double inf = std::numeric_limits<double>::infinity();
using util::nan;

using util::num;

} // namespace

double binomial_test_p(std::int64_t x, std::int64_t n, double p) {
    if (n < 0 || x < 0 || x > n) throw UsageError(unit, "binomial test needs 0 <= x <= n (got x " + std::to_string(x) + ", n " + std::to_string(n) + ")");
    if (!(p >= 0 && p <= 1)) throw UsageError(unit, "binomial test needs p in [0, 1] (got " + num(p) + ")");
    const double m = double(n) * p;
    if (double(x) == m) return 1.0;
    if (p == 0 || p == 1) return 0.0;  // x != m: the observed outcome is impossible under H0
    const boost::math::binomial_distribution<double> b(double(n), p);
    const double threshold = boost::math::pdf(b, double(x)) * (1 + 1e-7);
    // R counts the outcomes on the other side of the mean that are no more likely than x. The
    // pmf is non-increasing on [ceil(m), n] and non-decreasing on [0, floor(m)] (its mode,
    // floor((n + 1) p), lies within one of m), so the count is found by bisection: O(log n)
    // instead of R's O(n) sweep, with the same result.
    if (double(x) < m) {
        std::int64_t lo = std::int64_t(std::ceil(m)), hi = n + 1;  // first i with pmf(i) <= threshold
        while (lo < hi) {
            const std::int64_t mid = lo + (hi - lo) / 2;
            if (boost::math::pdf(b, double(mid)) <= threshold) hi = mid;
            else lo = mid + 1;
        }
        const std::int64_t y = n + 1 - lo;
        double pv = boost::math::cdf(b, double(x));
        if (y > 0) pv += boost::math::cdf(boost::math::complement(b, double(n - y)));
        return std::min(1.0, pv);
    }
    std::int64_t lo = 0, hi = std::int64_t(std::floor(m)) + 1;  // first i with pmf(i) > threshold
    while (lo < hi) {
        const std::int64_t mid = lo + (hi - lo) / 2;
        if (boost::math::pdf(b, double(mid)) > threshold) hi = mid;
        else lo = mid + 1;
    }
    const std::int64_t y = lo;
    double pv = y > 0 ? boost::math::cdf(b, double(y - 1)) : 0.0;
    pv += x > 0 ? boost::math::cdf(boost::math::complement(b, double(x - 1))) : 1.0;
    return std::min(1.0, pv);
}

PoissonChangeTest poisson_change_test(std::int64_t n1, std::int64_t n2, double e1, double e2, double confidence) {
    if (n1 < 0 || n2 < 0) throw UsageError(unit, "counts must be >= 0 (got " + std::to_string(n1 < 0 ? n1 : n2) + ")");
    if (!(e1 > 0) || !(e2 > 0) || !std::isfinite(e1) || !std::isfinite(e2))
        throw UsageError(unit, "exposures must be > 0 and finite (got " + num(!(e1 > 0) || !std::isfinite(e1) ? e1 : e2) + ")");
    if (!(confidence > 0 && confidence < 1))
        throw UsageError(unit, "confidence must be in (0, 1) (got " + num(confidence) + ")");
    PoissonChangeTest t;
    t.n1 = n1, t.n2 = n2, t.e1 = e1, t.e2 = e2;
    const std::int64_t n = n1 + n2;
    const double pi0 = e1 / (e1 + e2);
    t.p = binomial_test_p(n1, n, pi0);
    t.rate_ratio = n == 0 ? nan : n2 == 0 ? inf : (double(n1) / e1) / (double(n2) / e2);
    t.pct_change = 100.0 * (t.rate_ratio - 1.0);
    // Clopper-Pearson limits of π, as binom.test; mapped to the rate ratio as poisson.test.
    const double alpha = (1 - confidence) / 2;
    if (n == 0) {
        t.ratio_lower = 0;
        t.ratio_upper = inf;
        return t;
    }
    const double pl = n1 == 0 ? 0.0 : boost::math::ibeta_inv(double(n1), double(n - n1 + 1), alpha);
    const double pu = n1 == n ? 1.0 : boost::math::ibeta_inv(double(n1 + 1), double(n - n1), 1 - alpha);
    t.ratio_lower = pl / (1 - pl) * e2 / e1;
    t.ratio_upper = pu >= 1 ? inf : pu / (1 - pu) * e2 / e1;
    return t;
}

void ChangeClassLevels::validate() const {
    if (!(strong > 0 && strong <= weak && weak < 1))
        throw UsageError(unit, "class levels need 0 < strong <= weak < 1 (got strong " + num(strong) + ", weak " + num(weak) + ")");
}

ChangeClass change_class(const PoissonChangeTest& t, const ChangeClassLevels& levels) {
    if (t.n1 + t.n2 == 0 || !(t.p < levels.weak)) return ChangeClass::no_significant_change;
    const bool up = double(t.n1) / t.e1 > double(t.n2) / t.e2;
    const bool strong = t.p < levels.strong;
    if (up) return strong ? ChangeClass::significant_increase : ChangeClass::increase;
    return strong ? ChangeClass::significant_decrease : ChangeClass::decrease;
}

std::string_view to_string(ChangeClass c) noexcept {
    switch (c) {
    case ChangeClass::significant_decrease: return "significant decrease";
    case ChangeClass::decrease: return "decrease";
    case ChangeClass::no_significant_change: return "no significant change";
    case ChangeClass::increase: return "increase";
    case ChangeClass::significant_increase: return "significant increase";
    }
    return "no significant change";
}

} // namespace hotspot
