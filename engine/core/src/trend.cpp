#include "hotspot/trend.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <boost/math/distributions/normal.hpp>

#include "hotspot/error.hpp"
#include "util/text.hpp"

namespace hotspot {

namespace {

using util::nan;

struct Pairs {
    double s = 0, var_s = 0, tie_pairs = 0;
    std::size_t n = 0;
};

// S and its tie-corrected variance over the non-NaN values of x at positions `pos`.
Pairs kendall_s(std::span<const double> x, std::span<const std::size_t> pos) {
    Pairs r;
    std::vector<double> v;
    for (auto i : pos)
        if (!std::isnan(x[i])) v.push_back(x[i]);
    r.n = v.size();
    for (std::size_t i = 0; i < v.size(); ++i)
        for (std::size_t j = i + 1; j < v.size(); ++j) r.s += double((v[j] > v[i]) - (v[j] < v[i]));
    std::sort(v.begin(), v.end());
    const double n = double(r.n);
    double ties = 0;
    for (std::size_t i = 0; i < v.size();) {
        std::size_t j = i;
        while (j < v.size() && v[j] == v[i]) ++j;
        const double t = double(j - i);
        ties += t * (t - 1) * (2 * t + 5);
        r.tie_pairs += t * (t - 1) / 2;
        i = j;
    }
    r.var_s = (n * (n - 1) * (2 * n + 5) - ties) / 18.0;
    return r;
}

void z_and_p(MannKendall& mk) {
    if (!(mk.var_s > 0)) {
        mk.z = 0;
        mk.p = 1;
        return;
    }
    const double sd = std::sqrt(mk.var_s);
    mk.z = mk.s > 0 ? (mk.s - 1) / sd : mk.s < 0 ? (mk.s + 1) / sd : 0.0;
    const boost::math::normal_distribution<double> nd;
    mk.p = std::min(1.0, 2 * boost::math::cdf(boost::math::complement(nd, std::abs(mk.z))));
}

double median(std::vector<double>& v) {
    if (v.empty()) return nan;
    const std::size_t h = v.size() / 2;
    std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(h), v.end());
    const double hi = v[h];
    if (v.size() % 2) return hi;
    const double lo = *std::max_element(v.begin(), v.begin() + std::ptrdiff_t(h));
    return (lo + hi) / 2;
}

// Pairwise slopes (x_j − x_i) / ((j − i) / step) of the non-NaN values at positions `pos`.
void slopes(std::span<const double> x, std::span<const std::size_t> pos, double step, std::vector<double>& out) {
    for (std::size_t a = 0; a < pos.size(); ++a) {
        if (std::isnan(x[pos[a]])) continue;
        for (std::size_t b = a + 1; b < pos.size(); ++b)
            if (!std::isnan(x[pos[b]]))
                out.push_back((x[pos[b]] - x[pos[a]]) / (double(pos[b] - pos[a]) / step));
    }
}

} // namespace

MannKendall mann_kendall(std::span<const double> x, bool sen_slope) {
    std::vector<std::size_t> pos(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) pos[i] = i;
    const Pairs p = kendall_s(x, pos);
    MannKendall mk;
    mk.n = p.n;
    mk.s = p.s;
    mk.var_s = p.var_s;
    z_and_p(mk);
    const double n0 = double(p.n) * double(p.n - (p.n > 0)) / 2;
    const double d = std::sqrt(n0 * (n0 - p.tie_pairs));
    mk.tau = d > 0 ? p.s / d : 0.0;
    mk.sen_slope = nan;
    if (sen_slope) {
        std::vector<double> sl;
        slopes(x, pos, 1.0, sl);
        mk.sen_slope = median(sl);
    }
    return mk;
}

MannKendall seasonal_mann_kendall(std::span<const double> x, std::size_t period) {
    if (period < 2) throw UsageError("trend", "period must be >= 2 (got " + std::to_string(period) + ")");
    MannKendall mk;
    std::vector<double> sl;
    for (std::size_t season = 0; season < period && season < x.size(); ++season) {
        std::vector<std::size_t> pos;
        for (std::size_t i = season; i < x.size(); i += period) pos.push_back(i);
        const Pairs p = kendall_s(x, pos);
        mk.n += p.n;
        mk.s += p.s;
        mk.var_s += p.var_s;
        slopes(x, pos, double(period), sl);
    }
    z_and_p(mk);
    mk.tau = nan;
    mk.sen_slope = median(sl);
    return mk;
}

std::string_view trend_words(const MannKendall& mk, double alpha) noexcept {
    if (!(mk.p < alpha) || mk.s == 0) return "no significant trend";
    return mk.s > 0 ? "rising" : "falling";
}

} // namespace hotspot
