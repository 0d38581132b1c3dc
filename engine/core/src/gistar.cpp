#include "hotspot/gistar.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <unordered_map>
#include <limits>
#include <string>
#include <thread>

#include <boost/geometry.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <boost/geometry/index/rtree.hpp>

#include "hotspot/error.hpp"
#include "permutation.hpp"
#include "util/text.hpp"

namespace hotspot {

namespace {

using util::nan;

double two_sided_p(double z) { return std::erfc(std::abs(z) / std::sqrt(2.0)); }

void check_values(std::span<const double> x, std::span<const std::uint8_t> mask, bool counts) {
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (!mask.empty() && !mask[i]) continue;
        if (!std::isfinite(x[i]) || (counts && x[i] < 0))
            throw UsageError("gistar", "value " + std::to_string(i) + " is " + std::to_string(x[i]) +
                                           (counts ? "; counts must be finite and >= 0"
                                                   : "; values must be finite"));
    }
}

// Kahan-free two-pass moments: the grid sums are of integers, so a plain sum is exact up to
// 2^53 and the second pass keeps s² accurate for large means.
void moments(std::span<const double> x, std::span<const std::uint8_t> mask, std::size_t& n,
             double& mean, double& var) {
    n = 0;
    double s = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
        if (mask.empty() || mask[i]) { s += x[i]; ++n; }
    mean = s / double(n);
    double ss = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
        if (mask.empty() || mask[i]) ss += (x[i] - mean) * (x[i] - mean);
    var = ss / double(n);
}

// Exact two-sided p of a local sum l of a Binomial(N, q), as R's binom.test: the total
// probability of the outcomes no more likely than l (with R's relative tolerance 1 + 1e-7).
// Tails from the regularised incomplete beta: P(L >= k) = I_q(k, N - k + 1),
// P(L <= k) = I_{1-q}(N - k, k + 1); the opposite tail's cutoff by bisection on the pmf,
// which rises up to the mode and falls after it.
double binomial_two_sided_p(double l, double total, double q) {
    if (!(q > 0) || q >= 1 || total <= 0) return 1.0;
    const auto log_pmf = [&](double k) {
        return std::lgamma(total + 1) - std::lgamma(k + 1) - std::lgamma(total - k + 1) + k * std::log(q) +
               (total - k) * std::log1p(-q);
    };
    const auto upper = [&](double k) { return k <= 0 ? 1.0 : k > total ? 0.0 : boost::math::ibeta(k, total - k + 1, q); };
    const auto lower = [&](double k) { return k < 0 ? 0.0 : k >= total ? 1.0 : boost::math::ibeta(total - k, k + 1, 1 - q); };
    const double mode = std::floor((total + 1) * q);
    const double limit = log_pmf(l) + std::log1p(1e-7);
    if (l == mode || log_pmf(mode) <= limit) return 1.0;  // l is a mode (two when (N + 1) q is whole)
    double p = 0;
    if (l > mode) {
        p = upper(l);
        // the largest k in [0, mode) with pmf(k) <= pmf(l), if any
        if (log_pmf(0) <= limit) {
            double lo = 0, hi = mode;  // pmf(lo) <= limit < pmf(hi)
            while (hi - lo > 1) {
                const double mid = std::floor((lo + hi) / 2);
                (log_pmf(mid) <= limit ? lo : hi) = mid;
            }
            p += lower(lo);
        }
    } else {
        p = lower(l);
        // the smallest k in (mode, N] with pmf(k) <= pmf(l), if any
        if (log_pmf(total) <= limit) {
            double lo = mode, hi = total;  // pmf(lo) > limit >= pmf(hi)
            while (hi - lo > 1) {
                const double mid = std::floor((lo + hi) / 2);
                (log_pmf(mid) <= limit ? hi : lo) = mid;
            }
            p += upper(hi);
        }
    }
    return std::min(1.0, p);
}

bool whole_counts(std::span<const double> x, std::span<const std::uint8_t> mask) {
    for (std::size_t i = 0; i < x.size(); ++i)
        if ((mask.empty() || mask[i]) && (x[i] < 0 || x[i] != std::floor(x[i]))) return false;
    return true;
}

// Whether to use the exact test; throws when it is asked for but does not apply.
bool use_exact(const GiStarOptions& o, bool applies, double mean, const char* why_not) {
    if (o.test == GiStarTest::normal) return false;
    if (o.test == GiStarTest::exact) {
        if (!applies) throw UsageError("gistar", std::string("the exact test needs ") + why_not + "; use --gistar-test normal");
        return true;
    }
    return applies && mean < gistar_sparse_mean;
}

void finish(GiStarResult& r, const GiStarOptions& o) {
    const auto& p_for_bins = r.p_sim.empty() ? r.p : r.p_sim;
    r.p_adjusted = adjust_p_values(p_for_bins, o.p_adjust);
    r.bin.assign(r.z.size(), 0);
    for (std::size_t i = 0; i < r.z.size(); ++i) r.bin[i] = gi_bin(r.z[i], r.p_adjusted[i]);
}

template <class F>
void parallel_rows(std::int64_t rows, unsigned threads, F&& f) {
    const auto nt = std::int64_t(std::min<std::int64_t>(detail::resolve_threads(threads), rows));
    std::vector<std::thread> pool;
    for (std::int64_t t = 1; t < nt; ++t)
        pool.emplace_back([&, t] { for (std::int64_t r = t; r < rows; r += nt) f(r); });
    for (std::int64_t r = 0; r < rows; r += std::max<std::int64_t>(nt, 1)) f(r);
    for (auto& th : pool) th.join();
}

} // namespace

void GiStarOptions::validate(bool needs_band) const {
    if (needs_band && !(std::isfinite(band_m) && band_m > 0))
        throw UsageError("gistar", "band must be > 0 m (got " + std::to_string(band_m) + ")");
    if (permutations < 0 || permutations > 99999)
        throw UsageError("gistar", "permutations must be between 0 and 99999 (got " +
                                       std::to_string(permutations) + ")");
    if (stop_after < 0)
        throw UsageError("gistar", "stop_after must be >= 0 (got " + std::to_string(stop_after) + ")");
    if (z_only && permutations > 0) throw UsageError("gistar", "z_only takes no permutations");
}

GiStarTest parse_gistar_test(const std::string& name) {
    if (name == "normal") return GiStarTest::normal;
    if (name == "exact") return GiStarTest::exact;
    if (name == "auto") return GiStarTest::automatic;
    throw UsageError("gistar", "unknown --gistar-test '" + name + "'; use normal, exact or auto");
}

const char* to_string(GiStarTest t) noexcept {
    return t == GiStarTest::normal ? "normal" : t == GiStarTest::exact ? "exact" : "auto";
}

std::int8_t gi_bin(double z, double p) noexcept {
    if (!(p == p) || !(z == z)) return 0;
    const std::int8_t level = p < 0.01 ? 3 : p < 0.05 ? 2 : p < 0.10 ? 1 : 0;
    return z > 0 ? level : z < 0 ? std::int8_t(-level) : 0;
}

GiStarResult gistar_grid(const Grid& grid, std::span<const double> counts,
                         const GiStarOptions& options, std::span<const std::uint8_t> mask,
                         const Progress& progress) {
    options.validate(true);
    if (std::int64_t(counts.size()) != grid.size())
        throw UsageError("gistar", "counts have " + std::to_string(counts.size()) +
                                       " cells but the grid has " + std::to_string(grid.size()));
    if (!mask.empty() && std::int64_t(mask.size()) != grid.size())
        throw UsageError("gistar", "mask has " + std::to_string(mask.size()) +
                                       " cells but the grid has " + std::to_string(grid.size()));
    check_values(counts, mask, true);
    GiStarResult r;
    moments(counts, mask, r.n, r.mean, r.variance);
    if (r.n < 3)
        throw UsageError("gistar", "only " + std::to_string(r.n) +
                                       " cells in the study area; at least 3 are needed");
    const double n = double(r.n);
    const double total = std::round(r.mean * n);
    const auto cols = grid.cols, rows = grid.rows;
    const auto half = detail::disc_half_widths(options.band_m, grid.cell_size_m);
    const auto rmax = std::int64_t(half.size() / 2);

    const std::span<const std::int32_t> given_w = options.neighbour_count;
    if (!given_w.empty() && std::int64_t(given_w.size()) != grid.size())
        throw UsageError("gistar", "neighbour counts have " + std::to_string(given_w.size()) +
                                       " cells but the grid has " + std::to_string(grid.size()));
    // Sparse whole counts are spread (see gistar.hpp): every half-width at least 0 (a row of
    // the stencil with none would make the two ways differ) and sums far below 2^53.
    std::vector<std::size_t> occupied;
    const bool whole = whole_counts(counts, mask);
    r.exact = use_exact(options, whole, r.mean, "whole counts");
    bool spread = whole && total < 0x1p52 &&
                  std::all_of(half.begin(), half.end(), [](std::int64_t h) { return h >= 0; });
    if (spread) {
        const std::size_t limit = std::size_t(grid.size()) / 8;  // a spread cell's run ends cost more than a read
        for (std::size_t k = 0; k < counts.size() && spread; ++k)
            if ((mask.empty() || mask[k]) && counts[k] > 0) {
                occupied.push_back(k);
                spread = occupied.size() <= limit;
            }
    }
    // Row prefix sums of x (0 outside the study area) and of the study-area flag, so the sum
    // over a disc is Σ over its 2R+1 rows of one difference each; spread: the local sums
    // themselves (run ends added, then summed along each row), and the flags' prefix sums
    // only when the neighbour counts are not given.
    const auto stride = std::size_t(cols + 1);
    std::vector<double> px(std::size_t(rows) * stride, 0.0);
    std::vector<std::int32_t> pm(given_w.empty() ? std::size_t(rows) * stride : 0, 0);
    if (spread) {
        for (const std::size_t k : occupied) {
            const auto row = std::int64_t(k) / cols, c = std::int64_t(k) % cols;
            for (std::int64_t dr = -rmax; dr <= rmax; ++dr) {
                const std::int64_t rr = row + dr;
                if (rr < 0 || rr >= rows) continue;
                const std::int64_t h = half[std::size_t(dr + rmax)];
                double* d = px.data() + std::size_t(rr) * stride;
                d[std::max<std::int64_t>(0, c - h)] += counts[k];
                d[std::min(cols - 1, c + h) + 1] -= counts[k];
            }
        }
    }
    parallel_rows(rows, options.threads, [&](std::int64_t row) {
        double* ax = px.data() + std::size_t(row) * stride;
        std::int32_t* am = pm.empty() ? nullptr : pm.data() + std::size_t(row) * stride;
        if (spread) {
            for (std::int64_t c = 1; c < cols; ++c) ax[c] += ax[c - 1];  // ax[c]: the local sum of (row, c)
        } else {
            for (std::int64_t c = 0; c < cols; ++c) {
                const auto k = std::size_t(row * cols + c);
                ax[c + 1] = ax[c] + (mask.empty() || mask[k] ? counts[k] : 0.0);
            }
        }
        if (am)
            for (std::int64_t c = 0; c < cols; ++c) {
                const auto k = std::size_t(row * cols + c);
                am[c + 1] = am[c] + (mask.empty() || mask[k] ? 1 : 0);
            }
    });
    if (!progress(0.1, "gistar")) throw Cancelled("gistar");

    r.z.assign(std::size_t(grid.size()), nan);
    if (!options.z_only) r.p.assign(std::size_t(grid.size()), nan);
    r.neighbour_count.assign(std::size_t(grid.size()), 0);
    const double s = std::sqrt(r.variance);
    parallel_rows(rows, options.threads, [&](std::int64_t row) {
        // The exact p depends on (local sum, W_i) only, and on a sparse grid most cells share a
        // few such pairs: remember them for the row (the same values, so the same bytes).
        std::unordered_map<std::uint64_t, double> exact_p;
        // Neighbouring cells mostly repeat the last (local sum, W_i) (an empty stretch of a
        // sparse grid, the same band inside the study area): the last pair's z and p are kept
        // and reused, computed by the same expressions, so the bytes are the same.
        std::uint64_t last_lag = 0;  // its bits
        double last_z = nan, last_p = nan;
        std::int64_t last_wi = -1;
        for (std::int64_t c = 0; c < cols; ++c) {
            const auto k = std::size_t(row * cols + c);
            if (!mask.empty() && !mask[k]) continue;
            double lag = spread ? px[std::size_t(row) * stride + std::size_t(c)] : 0.0;
            std::int64_t wi = given_w.empty() ? 0 : given_w[k];
            if (!spread || given_w.empty())
                for (std::int64_t dr = -rmax; dr <= rmax; ++dr) {
                    const std::int64_t rr = row + dr;
                    if (rr < 0 || rr >= rows) continue;
                    const std::int64_t h = half[std::size_t(dr + rmax)];
                    const auto lo = std::size_t(std::max<std::int64_t>(0, c - h));
                    const auto hi = std::size_t(std::min(cols - 1, c + h) + 1);
                    const std::size_t base = std::size_t(rr) * stride;
                    if (!spread) lag += px[base + hi] - px[base + lo];
                    if (given_w.empty()) wi += pm[base + hi] - pm[base + lo];
                }
            r.neighbour_count[k] = std::int32_t(wi);
            if (wi == last_wi && std::bit_cast<std::uint64_t>(lag) == last_lag) {
                r.z[k] = last_z;
                if (!options.z_only) r.p[k] = last_p;
                continue;
            }
            const double w = double(wi); // binary: S1_i = W_i
            const double den = s * std::sqrt((n * w - w * w) / (n - 1));
            const double z = den > 0 ? (lag - w * r.mean) / den : nan;
            r.z[k] = z;
            if (options.z_only) {
            } else if (z != z) {
                r.p[k] = nan;
            } else if (r.exact) {
                const std::uint64_t key = (std::uint64_t(wi) << 32) | std::uint64_t(std::uint32_t(lag));
                const auto [at, fresh] = exact_p.try_emplace(key, 0.0);
                if (fresh) at->second = binomial_two_sided_p(lag, total, w / n);
                r.p[k] = at->second;
            } else {
                r.p[k] = two_sided_p(z);
            }
            last_wi = wi, last_lag = std::bit_cast<std::uint64_t>(lag), last_z = z, last_p = options.z_only ? nan : r.p[k];
        }
    });
    if (!progress(0.3, "gistar")) throw Cancelled("gistar");
    if (options.z_only) {
        progress(1.0, "gistar");
        return r;
    }

    if (options.permutations > 0) {
        DistanceBandOptions band;
        band.band_m = options.band_m;
        const auto w = grid_band_weights(grid, band, mask);
        const auto cells = study_area_cells(grid, mask);
        std::vector<double> x(cells.size());
        for (std::size_t k = 0; k < cells.size(); ++k) x[k] = counts[std::size_t(cells[k])];
        const Progress sub = [&](double f, std::string_view st) { return progress(0.3 + 0.7 * f, st); };
        const auto ps = detail::permutation_p_values(x, w, options.permutations, options.seed,
                                                     options.threads, sub, "gistar", {}, options.stop_after);
        r.p_sim.assign(std::size_t(grid.size()), nan);
        for (std::size_t k = 0; k < cells.size(); ++k) r.p_sim[std::size_t(cells[k])] = ps[k];
        // An undefined z (no variance) has no permutation result either.
        for (std::size_t k = 0; k < r.z.size(); ++k)
            if (!(r.z[k] == r.z[k])) r.p_sim[k] = nan;
    }
    finish(r, options);
    progress(1.0, "gistar");
    return r;
}

GiStarResult gistar(std::span<const double> x, const SpatialWeights& weights,
                    const GiStarOptions& options, const Progress& progress) {
    options.validate(false);
    if (x.size() != weights.size())
        throw UsageError("gistar", std::to_string(x.size()) + " values but weights for " +
                                       std::to_string(weights.size()) + " observations");
    check_values(x, {}, false);
    GiStarResult r;
    moments(x, {}, r.n, r.mean, r.variance);
    if (r.n < 3)
        throw UsageError("gistar", "only " + std::to_string(r.n) +
                                       " observations; at least 3 are needed");
    const double n = double(r.n), s2 = r.variance;
    bool binary = true;
    for (std::size_t i = 0; i < x.size() && binary; ++i)
        for (double w : weights.weights_of(i)) binary &= w == 1.0;
    r.exact = use_exact(options, binary && whole_counts(x, {}), r.mean, "binary weights and whole counts");
    const double total = std::round(r.mean * n);
    r.z.assign(x.size(), nan);
    r.p.assign(x.size(), nan);
    r.neighbour_count.assign(x.size(), 0);
    for (std::size_t i = 0; i < x.size(); ++i) {
        double lag = 0;
        const auto nbs = weights.neighbours_of(i);
        const auto ws = weights.weights_of(i);
        for (std::size_t k = 0; k < nbs.size(); ++k) lag += ws[k] * x[std::size_t(nbs[k])];
        const double wi = weights.row_sum(i), s1 = weights.row_sum_squares(i);
        const double v = s2 * (n * s1 - wi * wi) / (n - 1);
        const double z = v > 0 ? (lag - wi * r.mean) / std::sqrt(v) : nan;
        r.z[i] = z;
        r.p[i] = z != z ? nan : r.exact ? binomial_two_sided_p(lag, total, wi / n) : two_sided_p(z);
        r.neighbour_count[i] = std::int32_t(nbs.size());
    }
    if (options.permutations > 0) {
        const Progress sub = [&](double f, std::string_view st) { return progress(f, st); };
        r.p_sim = detail::permutation_p_values(x, weights, options.permutations, options.seed,
                                               options.threads, sub, "gistar", {}, options.stop_after);
        for (std::size_t k = 0; k < r.z.size(); ++k)
            if (!(r.z[k] == r.z[k])) r.p_sim[k] = nan;
    }
    finish(r, options);
    return r;
}

DefaultBand default_grid_band(const Grid& grid, std::span<const double> counts,
                              std::span<const std::uint8_t> mask) {
    namespace bg = boost::geometry;
    namespace bgi = boost::geometry::index;
    using P = bg::model::point<double, 2, bg::cs::cartesian>;
    if (std::int64_t(counts.size()) != grid.size() || (!mask.empty() && mask.size() != counts.size()))
        throw UsageError("gistar", "counts/mask do not match the grid");
    std::vector<P> pts;
    for (std::int64_t r = 0; r < grid.rows; ++r)
        for (std::int64_t c = 0; c < grid.cols; ++c) {
            const auto k = std::size_t(r * grid.cols + c);
            if ((mask.empty() || mask[k]) && counts[k] > 0) pts.emplace_back(grid.x_of_col(c), grid.y_of_row(r));
        }
    if (pts.size() < 2)
        throw UsageError("gistar", "only " + std::to_string(pts.size()) +
                                       " cell(s) hold incidents; give --band, or a smaller --cell");
    DefaultBand d;
    d.points = pts.size();
    d.k = int(std::clamp<double>(std::round(0.05 * double(pts.size())), 3.0, 30.0));
    d.k = std::min(d.k, int(pts.size()) - 1);
    const bgi::rtree<P, bgi::rstar<16>> tree(pts.begin(), pts.end());
    const std::size_t step = std::max<std::size_t>(1, (pts.size() + 19999) / 20000);
    double sum = 0;
    std::size_t queried = 0;
    std::vector<P> found;
    for (std::size_t i = 0; i < pts.size(); i += step) {
        found.clear();
        tree.query(bgi::nearest(pts[i], unsigned(d.k + 1)), std::back_inserter(found));
        double kth = 0;  // the query returns i itself (distance 0) among the k + 1
        for (const auto& q : found) kth = std::max(kth, bg::distance(pts[i], q));
        sum += kth;
        ++queried;
    }
    d.knn_distance_m = sum / double(queried);
    const double floor_m = grid.cell_size_m * std::sqrt(2.0);
    d.floored = d.knn_distance_m < floor_m;
    d.band_m = std::ceil(std::max(d.knn_distance_m, floor_m) - 1e-9);
    return d;
}

} // namespace hotspot
