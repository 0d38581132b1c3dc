#include "hotspot/lisa.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "hotspot/error.hpp"
#include "permutation.hpp"

namespace hotspot {

std::string_view to_string(LisaClass c) noexcept {
    switch (c) {
    case LisaClass::high_high: return "HH";
    case LisaClass::low_low: return "LL";
    case LisaClass::high_low: return "HL";
    case LisaClass::low_high: return "LH";
    case LisaClass::not_significant: break;
    }
    return "not significant";
}

void LocalMoranOptions::validate() const {
    if (!(alpha > 0 && alpha < 1))
        throw UsageError("lisa", "alpha must be in (0, 1) (got " + std::to_string(alpha) + ")");
    if (permutations < 0 || permutations > 99999)
        throw UsageError("lisa", "permutations must be between 0 and 99999 (got " +
                                     std::to_string(permutations) + ")");
    if (stop_after < 0)
        throw UsageError("lisa", "stop_after must be >= 0 (got " + std::to_string(stop_after) + ")");
}

LocalMoranResult local_moran(std::span<const double> x, const SpatialWeights& weights,
                             const LocalMoranOptions& options, const Progress& progress) {
    options.validate();
    const std::size_t n = x.size();
    if (n != weights.size())
        throw UsageError("lisa", std::to_string(n) + " values but weights for " +
                                     std::to_string(weights.size()) + " observations");
    if (n < 3) throw UsageError("lisa", "only " + std::to_string(n) + " areas; at least 3 are needed");
    for (std::size_t i = 0; i < n; ++i) {
        if (!std::isfinite(x[i]))
            throw UsageError("lisa", "value " + std::to_string(i) + " is not finite");
        for (auto j : weights.neighbours_of(i))
            if (std::size_t(j) == i)
                throw UsageError("lisa", "area " + std::to_string(i) +
                                             " is its own neighbour; use weights without self");
    }
    double mean = 0;
    for (double v : x) mean += v;
    mean /= double(n);
    std::vector<double> z(n);
    double m2 = 0, m4 = 0;
    for (std::size_t i = 0; i < n; ++i) {
        z[i] = x[i] - mean;
        m2 += z[i] * z[i];
        m4 += z[i] * z[i] * z[i] * z[i];
    }
    m2 /= double(n);
    m4 /= double(n);
    if (!(m2 > 0)) throw UsageError("lisa", "all values are equal; local Moran's I is undefined");
    const double b2 = m4 / (m2 * m2);
    const double dn = double(n);

    LocalMoranResult r;
    r.ii.resize(n); r.expected.resize(n); r.variance.resize(n);
    r.z.resize(n); r.p.resize(n); r.lag.resize(n); r.cluster.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        double lz = 0;
        const auto nbs = weights.neighbours_of(i);
        const auto ws = weights.weights_of(i);
        for (std::size_t k = 0; k < nbs.size(); ++k) lz += ws[k] * z[std::size_t(nbs[k])];
        const double wi = weights.row_sum(i), wi2 = weights.row_sum_squares(i);
        r.lag[i] = lz;
        r.ii[i] = z[i] / m2 * lz;
        if (options.conditional) {
            r.expected[i] = -(z[i] * z[i] * wi) / ((dn - 1) * m2);
            const double zm = z[i] / m2;
            r.variance[i] = zm * zm * (dn / (dn - 2)) * (wi2 - wi * wi / (dn - 1)) *
                            (m2 - z[i] * z[i] / (dn - 1));
        } else {
            r.expected[i] = -wi / (dn - 1);
            const double a = (dn - b2) / (dn - 1), b = (2 * b2 - dn) / ((dn - 1) * (dn - 2));
            r.variance[i] = a * wi2 + b * (wi * wi - wi2) - r.expected[i] * r.expected[i];
        }
        r.z[i] = r.variance[i] > 0 ? (r.ii[i] - r.expected[i]) / std::sqrt(r.variance[i])
                                   : std::numeric_limits<double>::quiet_NaN();
        r.p[i] = std::erfc(std::abs(r.z[i]) / std::sqrt(2.0));
    }
    if (options.permutations > 0) {
        // I_i* = (z_i/m2)·lag*: with z_i fixed the folded two-sided p of I_i equals that of
        // the lag of z, which is what the shared core permutes. z_i = 0 gives I_i* = 0 always.
        std::vector<std::uint8_t> skip(n, 0);
        for (std::size_t i = 0; i < n; ++i) skip[i] = z[i] == 0;
        r.p_sim = detail::permutation_p_values(z, weights, options.permutations, options.seed,
                                               options.threads, progress, "lisa", skip, options.stop_after);
    }
    r.p_adjusted = adjust_p_values(r.p_sim.empty() ? r.p : r.p_sim, options.p_adjust);
    for (std::size_t i = 0; i < n; ++i) {
        const double p = r.p_adjusted[i];
        if (!(p < options.alpha)) { r.cluster[i] = LisaClass::not_significant; continue; }
        const bool high = z[i] > 0, high_lag = r.lag[i] > 0;
        r.cluster[i] = high ? (high_lag ? LisaClass::high_high : LisaClass::high_low)
                            : (high_lag ? LisaClass::low_high : LisaClass::low_low);
    }
    return r;
}

} // namespace hotspot
