#include "hotspot/bandwidth.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>
#include <vector>

#include "hotspot/error.hpp"

namespace hotspot {

double Bandwidth::radius_for(Kernel kernel) const {
    return is_sigma ? radius_from_sigma(kernel, value_m) : value_m;
}

BandwidthMethod parse_bandwidth_method(std::string_view name) {
    if (name.starts_with("auto:")) name.remove_prefix(5);
    if (name == "scott") return BandwidthMethod::scott;
    if (name == "silverman") return BandwidthMethod::silverman;
    if (name == "arcgis") return BandwidthMethod::arcgis;
    if (name == "ppl" || name == "lcv" || name == "likelihood") return BandwidthMethod::ppl;
    throw UsageError("bandwidth", "unknown method '" + std::string(name) +
                                      "'; use a number of metres or auto:scott, auto:silverman, "
                                      "auto:arcgis or auto:ppl");
}

namespace {

struct Weighted {
    double value, weight;
};

/// Weighted quantile (the smallest value whose cumulative weight reaches q of the total).
double quantile(std::vector<Weighted> v, double q) {
    std::sort(v.begin(), v.end(), [](auto a, auto b) { return a.value < b.value; });
    double total = 0;
    for (auto& e : v) total += e.weight;
    double cum = 0;
    for (auto& e : v) {
        cum += e.weight;
        if (cum >= q * total) return e.value;
    }
    return v.back().value;
}

struct Site {
    double x, y, w;
};

std::vector<Site> merge_sites(std::span<const double> x, std::span<const double> y,
                              std::span<const double> w) {
    std::vector<Site> s;
    s.reserve(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) s.push_back({x[i], y[i], w.empty() ? 1.0 : w[i]});
    std::sort(s.begin(), s.end(), [](auto a, auto b) { return a.y != b.y ? a.y < b.y : a.x < b.x; });
    std::vector<Site> out;
    for (const auto& e : s) {
        if (!out.empty() && out.back().x == e.x && out.back().y == e.y)
            out.back().w += e.w;
        else
            out.push_back(e);
    }
    return out;
}

/// Σ_i m_i log( Σ_{j≠i} m_j φ_σ(d_ij) / (N − m_i) ) over distinct locations (leave-location-out).
double log_likelihood(const std::vector<Site>& s, double total, double sigma) {
    const double inv2s2 = 1.0 / (2 * sigma * sigma);
    const double norm = 1.0 / (2 * std::numbers::pi * sigma * sigma);
    double ll = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        double sum = 0;
        for (std::size_t j = 0; j < s.size(); ++j) {
            if (j == i) continue;
            const double dx = s[i].x - s[j].x, dy = s[i].y - s[j].y;
            sum += s[j].w * std::exp(-(dx * dx + dy * dy) * inv2s2);
        }
        const double dens = sum * norm / (total - s[i].w);
        ll += s[i].w * std::log(std::max(dens, 1e-300));
    }
    return ll;
}

} // namespace

Bandwidth select_bandwidth(BandwidthMethod method, std::span<const double> x,
                           std::span<const double> y, std::span<const double> weights) {
    if (x.size() != y.size() || (!weights.empty() && weights.size() != x.size()))
        throw UsageError("bandwidth", "x, y and weights must have one value per incident");
    Bandwidth b;
    b.method = method;
    if (method == BandwidthMethod::fixed)
        throw UsageError("bandwidth", "a fixed bandwidth is given in metres, not selected");

    const std::vector<Site> sites = merge_sites(x, y, weights);
    if (sites.size() < 2) {
        std::ostringstream m;
        m << "automatic bandwidth needs at least 2 distinct incident locations (got "
          << sites.size() << "); give --bandwidth in metres";
        throw UsageError("bandwidth", m.str());
    }
    double n = 0, mx = 0, my = 0;
    for (const auto& s : sites) {
        n += s.w;
        mx += s.w * s.x;
        my += s.w * s.y;
    }
    mx /= n;
    my /= n;
    double vx = 0, vy = 0;
    for (const auto& s : sites) {
        vx += s.w * (s.x - mx) * (s.x - mx);
        vy += s.w * (s.y - my) * (s.y - my);
    }
    const double sx = std::sqrt(vx / (n - 1)), sy = std::sqrt(vy / (n - 1));

    auto spread_fail = [&] {
        throw UsageError("bandwidth", "the incidents have no spread in x or y (all on one line "
                                      "or point); give --bandwidth in metres");
    };
    switch (method) {
    case BandwidthMethod::scott: {
        if (!(sx > 0 && sy > 0)) spread_fail();
        b.value_m = std::sqrt(sx * sy) * std::pow(n, -1.0 / 6.0);
        b.is_sigma = true;
        b.method_name = "scott";
        break;
    }
    case BandwidthMethod::silverman: {
        std::vector<Weighted> xs, ys;
        for (const auto& s : sites) {
            xs.push_back({s.x, s.w});
            ys.push_back({s.y, s.w});
        }
        const double iqx = quantile(xs, 0.75) - quantile(xs, 0.25);
        const double iqy = quantile(ys, 0.75) - quantile(ys, 0.25);
        const double ax = iqx > 0 ? std::min(sx, iqx / 1.349) : sx;
        const double ay = iqy > 0 ? std::min(sy, iqy / 1.349) : sy;
        if (!(ax > 0 && ay > 0)) spread_fail();
        b.value_m = std::sqrt(ax * ay) * std::pow(n, -1.0 / 6.0);
        b.is_sigma = true;
        b.method_name = "silverman";
        break;
    }
    case BandwidthMethod::arcgis: {
        std::vector<Weighted> d;
        double ss = 0;
        for (const auto& s : sites) {
            const double d2 = (s.x - mx) * (s.x - mx) + (s.y - my) * (s.y - my);
            ss += s.w * d2;
            d.push_back({std::sqrt(d2), s.w});
        }
        const double sd = std::sqrt(ss / n);
        const double dm = quantile(d, 0.5);
        b.value_m = 0.9 * std::min(sd, std::sqrt(1.0 / std::log(2.0)) * dm) * std::pow(n, -0.2);
        if (!(b.value_m > 0)) spread_fail();
        b.is_sigma = false;
        b.method_name = "arcgis";
        break;
    }
    case BandwidthMethod::ppl: {
        std::vector<Site> sample;
        const std::size_t cap = 2000;
        if (sites.size() <= cap) {
            sample = sites;
        } else {
            for (std::size_t k = 0; k < cap; ++k) sample.push_back(sites[k * sites.size() / cap]);
        }
        double total = 0;
        Bounds bb;
        for (const auto& s : sample) {
            total += s.w;
            bb.add(s.x, s.y);
        }
        const double diag = std::hypot(bb.width(), bb.height());
        if (!(diag > 0)) spread_fail();
        const int steps = 48;
        const double lo = diag / 1000, hi = diag / 4;
        double best = -INFINITY;
        int best_k = 0;
        auto sigma_at = [&](double k) { return lo * std::pow(hi / lo, k / (steps - 1)); };
        for (int k = 0; k < steps; ++k) {
            const double ll = log_likelihood(sample, total, sigma_at(k));
            if (ll > best) { best = ll; best_k = k; }
        }
        // Golden section on the log scale between the neighbours of the best grid value.
        double a = std::max(0, best_k - 1), c = std::min(steps - 1, best_k + 1);
        const double g = (std::sqrt(5.0) - 1) / 2;
        for (int it = 0; it < 30; ++it) {
            const double p = c - g * (c - a), q = a + g * (c - a);
            if (log_likelihood(sample, total, sigma_at(p)) >=
                log_likelihood(sample, total, sigma_at(q)))
                c = q;
            else
                a = p;
        }
        b.value_m = sigma_at((a + c) / 2);
        b.is_sigma = true;
        b.method_name = "ppl (likelihood cross-validation)";
        break;
    }
    case BandwidthMethod::fixed: break;
    }
    return b;
}

} // namespace hotspot
