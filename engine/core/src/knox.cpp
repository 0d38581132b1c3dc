#include "hotspot/knox.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <numeric>
#include <sstream>
#include <thread>

#include "hotspot/error.hpp"
#include "permutation.hpp"
#include "util/text.hpp"

namespace hotspot {

namespace {

constexpr const char* unit = "near-repeat";
constexpr int band_bits = 6;  // a stored pair is (neighbour << 6) | band: 64 bands, 2^26 incidents
constexpr std::uint32_t band_mask = (1u << band_bits) - 1;
constexpr std::size_t lanes = 16;  // permutations per pass over the pairs
// Two vectors of 8 signed 16-bit lanes: SSE2 compares signed words natively (unsigned words, and
// vectors wider than the baseline's 128 bits, GCC emulates lane by lane).
using V8 = std::int16_t __attribute__((vector_size(16)));

using util::num;

/// The grid search: every pair closer than the last limit, once, as (j, band) under i < j in the
/// cell-sorted order, in CSR form.
struct ClosePairs {
    std::vector<std::uint32_t> order;    // sorted position -> input index
    std::vector<std::uint64_t> offsets;  // n + 1
    std::vector<std::uint32_t> packed;   // (j << band_bits) | band
};

class BandOf {
public:
    explicit BandOf(const KnoxBands& b) : m_manhattan(b.metric == DistanceMetric::manhattan), m_same(b.same_location_m) {
        for (double l : b.distance_limits_m) m_limits.push_back(m_manhattan ? l : l * l);
        if (!m_manhattan) m_same *= m_same;
    }
    /// 0 = same location, 1..K = near bands, -1 = beyond the last limit.
    int operator()(double dx, double dy) const noexcept {
        if (dx == 0 && dy == 0) return 0;
        const double d = m_manhattan ? std::abs(dx) + std::abs(dy) : dx * dx + dy * dy;
        if (d < m_same) return 0;
        for (std::size_t k = 0; k < m_limits.size(); ++k)
            if (d < m_limits[k]) return int(k) + 1;
        return -1;
    }

private:
    bool m_manhattan;
    double m_same;
    std::vector<double> m_limits;
};

template <typename F>
void parallel_chunks(std::size_t n, unsigned threads, F&& f) {
    const unsigned t = std::max(1u, std::min<unsigned>(threads, unsigned(std::max<std::size_t>(1, n / 1024))));
    std::vector<std::thread> pool;
    for (unsigned k = 1; k < t; ++k) pool.emplace_back([&, k] { f(n * k / t, n * (k + 1) / t); });
    f(0, n / t);
    for (auto& th : pool) th.join();
}

ClosePairs find_close_pairs(std::span<const double> x, std::span<const double> y, const KnoxBands& bands,
                            unsigned threads) {
    const std::size_t n = x.size();
    const double cell = bands.distance_limits_m.back();
    double xmin = x[0], ymin = y[0], xmax = x[0], ymax = y[0];
    for (std::size_t i = 1; i < n; ++i)
        xmin = std::min(xmin, x[i]), ymin = std::min(ymin, y[i]), xmax = std::max(xmax, x[i]), ymax = std::max(ymax, y[i]);
    const auto ncols = std::int64_t(std::floor((xmax - xmin) / cell)) + 1;
    const auto nrows = std::int64_t(std::floor((ymax - ymin) / cell)) + 1;
    if (double(ncols) * double(nrows) > 4e18)
        throw UsageError(unit, "the incidents span " + num(xmax - xmin) + " x " + num(ymax - ymin) +
                                   " m: too large for a grid of " + num(cell) + " m; check the coordinates' CRS");
    std::vector<std::int64_t> key_of(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto cx = std::int64_t(std::floor((x[i] - xmin) / cell));
        const auto cy = std::int64_t(std::floor((y[i] - ymin) / cell));
        key_of[i] = cy * ncols + cx;
    }
    ClosePairs cp;
    cp.order.resize(n);
    std::iota(cp.order.begin(), cp.order.end(), 0u);
    std::sort(cp.order.begin(), cp.order.end(), [&](std::uint32_t a, std::uint32_t b) {
        return key_of[a] != key_of[b] ? key_of[a] < key_of[b] : a < b;
    });
    std::vector<std::int64_t> key(n);
    std::vector<double> sx(n), sy(n);
    for (std::size_t k = 0; k < n; ++k) {
        key[k] = key_of[cp.order[k]];
        sx[k] = x[cp.order[k]];
        sy[k] = y[cp.order[k]];
    }
    key_of = {};
    const BandOf band_of(bands);
    // The candidates of sorted position i (all > i): the rest of its row up to cell cx + 1, and
    // cells cx - 1 .. cx + 1 of the next row. Both are contiguous runs of the sorted order.
    auto ranges = [&](std::size_t i, std::size_t r[4]) {
        const std::int64_t cy = key[i] / ncols, cx = key[i] % ncols;
        auto lb = [&](std::int64_t k) { return std::size_t(std::lower_bound(key.begin(), key.end(), k) - key.begin()); };
        r[0] = i + 1;
        r[1] = lb(cy * ncols + std::min(cx + 2, ncols));
        r[2] = lb((cy + 1) * ncols + std::max<std::int64_t>(cx - 1, 0));
        r[3] = lb((cy + 1) * ncols + std::min(cx + 2, ncols));
    };
    auto visit = [&](std::size_t i, auto&& emit) {
        std::size_t r[4];
        ranges(i, r);
        const double xi = sx[i], yi = sy[i];
        for (int part = 0; part < 2; ++part)
            for (std::size_t j = r[2 * part]; j < r[2 * part + 1]; ++j) {
                const int b = band_of(sx[j] - xi, sy[j] - yi);
                if (b >= 0) emit(j, b);
            }
    };
    std::vector<std::uint64_t> count(n + 1, 0);
    parallel_chunks(n, threads, [&](std::size_t a, std::size_t b) {
        for (std::size_t i = a; i < b; ++i) {
            std::uint64_t c = 0;
            visit(i, [&](std::size_t, int) { ++c; });
            count[i + 1] = c;
        }
    });
    for (std::size_t i = 0; i < n; ++i) count[i + 1] += count[i];
    cp.offsets = std::move(count);
    cp.packed.resize(cp.offsets[n]);
    parallel_chunks(n, threads, [&](std::size_t a, std::size_t b) {
        for (std::size_t i = a; i < b; ++i) {
            std::uint64_t at = cp.offsets[i];
            visit(i, [&](std::size_t j, int band) {
                cp.packed[at++] = (std::uint32_t(j) << band_bits) | std::uint32_t(band);
            });
        }
    });
    return cp;
}

} // namespace

KnoxBands KnoxBands::regular(double bandwidth_m, int n, std::int32_t bandwidth_days, int m) {
    if (!(bandwidth_m > 0) || !std::isfinite(bandwidth_m))
        throw UsageError(unit, "--distance-band must be > 0 m (got " + num(bandwidth_m) + ")");
    if (n < 1 || n > 63) throw UsageError(unit, "--distance-bands must be 1..63 (got " + std::to_string(n) + ")");
    if (bandwidth_days < 1) throw UsageError(unit, "--day-band must be >= 1 day (got " + std::to_string(bandwidth_days) + ")");
    if (m < 1 || m > 1000) throw UsageError(unit, "--day-bands must be 1..1000 (got " + std::to_string(m) + ")");
    KnoxBands b;
    b.distance_limits_m.clear();
    b.day_limits.clear();
    for (int k = 1; k <= n; ++k) b.distance_limits_m.push_back(bandwidth_m * k);
    for (int k = 1; k <= m; ++k) b.day_limits.push_back(bandwidth_days * k);
    return b;
}

void KnoxBands::validate() const {
    if (distance_limits_m.empty()) throw UsageError(unit, "no distance bands given");
    if (distance_limits_m.size() > 63)
        throw UsageError(unit, "at most 63 distance bands (got " + std::to_string(distance_limits_m.size()) + ")");
    if (!(same_location_m >= 0) || !std::isfinite(same_location_m))
        throw UsageError(unit, "the same-location distance must be >= 0 m (got " + num(same_location_m) + ")");
    double prev = same_location_m;
    for (double l : distance_limits_m) {
        if (!std::isfinite(l) || !(l > prev))
            throw UsageError(unit, "distance band limits must increase from " + num(same_location_m) + " m (got " +
                                       num(l) + " m after " + num(prev) + " m)");
        prev = l;
    }
    if (day_limits.empty()) throw UsageError(unit, "no time bands given");
    std::int32_t dprev = 0;
    for (auto d : day_limits) {
        if (d <= dprev)
            throw UsageError(unit, "time band limits must increase from 0 days (got " + std::to_string(d) + " after " +
                                       std::to_string(dprev) + ")");
        dprev = d;
    }
    if (day_limits.back() > 32767) throw UsageError(unit, "time band limits must be at most 32767 days");
}

namespace detail {

void knox_shuffle(std::span<const std::uint16_t> days, std::uint64_t seed, std::size_t permutation,
                  std::vector<std::uint16_t>& out) {
    out.assign(days.begin(), days.end());
    Xoshiro256 rng(observation_seed(seed, permutation));
    for (std::size_t k = out.size() - 1; k > 0; --k) std::swap(out[k], out[rng.below(std::uint32_t(k + 1))]);
}

std::string knox_row_label(const KnoxBands& b, std::size_t row, KnoxLabels labels) {
    const std::size_t k = b.distance_limits_m.size();
    if (labels == KnoxLabels::nrc) {
        if (row == 0) return "Same location";
        if (row > k) return "More than " + num(b.distance_limits_m.back());
        const double lo = row == 1 ? 0 : b.distance_limits_m[row - 2];
        return num(lo + 1) + " to " + num(b.distance_limits_m[row - 1]);
    }
    if (row == 0) return b.same_location_m > 0 ? "same location (under " + num(b.same_location_m) + " m)" : "same location (0 m)";
    if (row > k) return num(b.distance_limits_m.back()) + " m or more";
    const double lo = row == 1 ? b.same_location_m : b.distance_limits_m[row - 2];
    return num(lo) + "\u2013" + num(b.distance_limits_m[row - 1]) + " m";
}

std::string knox_col_label(const KnoxBands& b, std::size_t col, KnoxLabels labels) {
    const std::size_t m = b.day_limits.size();
    if (labels == KnoxLabels::nrc) {
        if (col >= m) return "More than " + std::to_string(b.day_limits.back());
        const std::int32_t lo = col == 0 ? 0 : b.day_limits[col - 1] + 1;
        return std::to_string(lo) + " to " + std::to_string(b.day_limits[col]);
    }
    if (col >= m) return std::to_string(b.day_limits.back()) + " days or more";
    const std::int32_t lo = col == 0 ? 0 : b.day_limits[col - 1];
    return std::to_string(lo) + "\u2013" + std::to_string(b.day_limits[col]) + " days";
}

} // namespace detail

KnoxResult knox_test(std::span<const double> x, std::span<const double> y, std::span<const std::int32_t> days,
                     const KnoxOptions& o, const Progress& progress) {
    o.bands.validate();
    if (o.permutations < 1 || o.permutations > 99999)
        throw UsageError(unit, "--permutations must be 1..99999 (got " + std::to_string(o.permutations) + ")");
    if (!(o.alpha > 0 && o.alpha < 1)) throw UsageError(unit, "--alpha must be between 0 and 1 (got " + num(o.alpha) + ")");
    if (x.size() != y.size() || x.size() != days.size())
        throw UsageError(unit, "x, y and days must have the same length");
    const std::size_t n = x.size();
    if (n < 2) throw UsageError(unit, "the Knox test needs at least 2 incidents with a location and a date (got " + std::to_string(n) + ")");
    if (n >= (std::size_t(1) << (32 - band_bits)))
        throw UsageError(unit, "at most " + std::to_string((1u << (32 - band_bits)) - 1) + " incidents (got " + std::to_string(n) + ")");
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isfinite(x[i]) || !std::isfinite(y[i])) throw UsageError(unit, "incident " + std::to_string(i) + " has no finite location");

    const KnoxBands& b = o.bands;
    const unsigned threads = detail::resolve_threads(o.threads);
    const std::size_t near_rows = b.distance_limits_m.size() + 1;  // same location + near bands
    const std::size_t near_cols = b.day_limits.size();
    KnoxResult r;
    r.rows = near_rows + 1;
    r.cols = near_cols + 1;
    r.n = n;
    r.total_pairs = std::int64_t(n) * std::int64_t(n - 1) / 2;
    r.permutations = o.permutations;
    r.seed = o.seed;
    r.alpha = o.alpha;
    for (std::size_t row = 0; row < r.rows; ++row) {
        r.row_labels.push_back(detail::knox_row_label(b, row, o.labels));
        r.row_lo_m.push_back(row == 0 ? 0 : row == 1 ? b.same_location_m : b.distance_limits_m[row - 2]);
        r.row_hi_m.push_back(row == 0 ? b.same_location_m
                             : row < near_rows ? b.distance_limits_m[row - 1]
                                               : std::numeric_limits<double>::infinity());
    }
    for (std::size_t col = 0; col < r.cols; ++col) {
        r.col_labels.push_back(detail::knox_col_label(b, col, o.labels));
        r.col_lo_days.push_back(col == 0 ? 0 : b.day_limits[col - 1]);
        r.col_hi_days.push_back(col < near_cols ? b.day_limits[col] : std::numeric_limits<std::int32_t>::max());
    }

    if (!progress(0.0, "near-repeat: close pairs")) throw Cancelled(unit);
    const ClosePairs cp = find_close_pairs(x, y, b, threads);
    r.close_pairs = std::int64_t(cp.packed.size());

    // Days in the cell-sorted order, from 0.
    const std::int32_t dmin = *std::min_element(days.begin(), days.end());
    std::vector<std::int32_t> base(n);
    for (std::size_t k = 0; k < n; ++k) base[k] = days[cp.order[k]] - dmin;
    if (std::int64_t(*std::max_element(days.begin(), days.end())) - dmin > 32767)
        throw UsageError(unit, "the dates span more than 32767 days (89 years); check the date column");
    const std::int32_t cap = b.day_limits.back();
    std::vector<std::uint8_t> col_of(std::size_t(cap) + 1);
    for (std::int32_t dt = 0, c = 0; dt <= cap; ++dt) {
        while (std::size_t(c) < near_cols && dt >= b.day_limits[std::size_t(c)]) ++c;
        col_of[std::size_t(dt)] = std::uint8_t(std::min<std::size_t>(std::size_t(c), 255));
    }
    if (near_cols >= 255) throw UsageError(unit, "at most 254 time bands");

    // Permutation-invariant totals: rows from the stored pairs, columns from all pairs.
    std::vector<std::int64_t> row_total(r.rows, 0), col_total(r.cols, 0);
    for (auto v : cp.packed) ++row_total[v & band_mask];
    row_total[near_rows] = r.total_pairs;
    for (std::size_t s = 0; s < near_rows; ++s) row_total[near_rows] -= row_total[s];
    {
        std::vector<std::int32_t> sorted(base);
        std::sort(sorted.begin(), sorted.end());
        std::int64_t below_prev = 0;
        for (std::size_t c = 0; c < near_cols; ++c) {
            // pairs with dt < limit: a window sliding over the sorted days
            std::int64_t below = 0;
            std::size_t lo = 0;
            for (std::size_t k = 0; k < n; ++k) {
                while (sorted[k] - sorted[lo] >= b.day_limits[c]) ++lo;
                below += std::int64_t(k - lo);
            }
            col_total[c] = below - below_prev;
            below_prev = below;
        }
        col_total[near_cols] = r.total_pairs - below_prev;
    }

    // One table of near cells (same location + near bands) x (all time bands, the last counted
    // directly) per permutation; the "more than" row is completed from the totals.
    const std::size_t ncell = r.rows * r.cols;
    auto finish = [&](const std::vector<std::int64_t>& c, std::int64_t* table) {
        std::fill(table, table + ncell, 0);
        for (std::size_t s = 0; s < near_rows; ++s)
            for (std::size_t col = 0; col < r.cols; ++col) table[s * r.cols + col] = c[s * r.cols + col];
        for (std::size_t col = 0; col < r.cols; ++col) {
            std::int64_t v = col_total[col];
            for (std::size_t s = 0; s < near_rows; ++s) v -= c[s * r.cols + col];
            table[near_rows * r.cols + col] = v;
        }
    };
    auto count = [&](const std::vector<std::int32_t>& t, std::int64_t* table) {
        std::vector<std::int64_t> c(near_rows * r.cols, 0);
        for (std::size_t i = 0; i < n; ++i) {
            const std::int32_t ti = t[i];
            for (std::uint64_t k = cp.offsets[i]; k < cp.offsets[i + 1]; ++k) {
                const std::uint32_t v = cp.packed[k];
                const std::int32_t dt = std::min(std::abs(t[v >> band_bits] - ti), cap);
                ++c[(v & band_mask) * r.cols + col_of[std::size_t(dt)]];
            }
        }
        finish(c, table);
    };

    r.observed.assign(ncell, 0);
    count(base, r.observed.data());

    // Permutations, `lanes` at a time: the days of `lanes` permutations interleaved per incident
    // (T[k * lanes + b]), so one pass over the stored pairs serves them all, and each pair's
    // day difference is compared with the limits for every lane at once (vector extension; the
    // compiler maps it to SSE2/AVX). Counts "dt < limit c" accumulate in 16-bit lanes, flushed
    // to 64 bits before they can overflow; the cells come from differences of those counts.
    const auto R = std::size_t(o.permutations);
    std::vector<std::int64_t> perms(R * ncell);
    std::atomic<std::size_t> done{0};
    std::atomic<bool> cancel{false};
    std::vector<std::uint16_t> base16(n);
    for (std::size_t k = 0; k < n; ++k) base16[k] = std::uint16_t(base[k]);
    std::vector<std::uint16_t> input_days(n);  // input order, from 0
    for (std::size_t i = 0; i < n; ++i) input_days[i] = std::uint16_t(days[i] - dmin);
    const std::size_t batches = (R + lanes - 1) / lanes;
    auto worker = [&](unsigned tid, unsigned nthreads) {
        std::vector<V8> T(2 * n);
        std::vector<std::uint16_t> shuffled(n);
        const std::size_t nacc = near_rows * near_cols;
        std::vector<V8> acc(2 * nacc);
        std::vector<std::int64_t> lt(nacc * lanes);
        V8 limit[256];
        for (std::size_t c = 0; c < near_cols; ++c)
            for (std::size_t b2 = 0; b2 < 8; ++b2) limit[c][b2] = std::int16_t(std::min<std::int32_t>(b.day_limits[c], 32767));
        for (std::size_t batch = tid; batch < batches && !cancel.load(std::memory_order_relaxed); batch += nthreads) {
            const std::size_t p0 = batch * lanes, used = std::min(lanes, R - p0);
            for (std::size_t l = 0; l < lanes; ++l) {
                if (l < used) detail::knox_shuffle(input_days, o.seed, p0 + l, shuffled);
                std::int16_t* flat = reinterpret_cast<std::int16_t*>(T.data()) + l;
                if (l < used)
                    for (std::size_t k = 0; k < n; ++k) flat[k * lanes] = std::int16_t(shuffled[cp.order[k]]);
                else
                    for (std::size_t k = 0; k < n; ++k) flat[k * lanes] = std::int16_t(base16[k]);
            }
            std::fill(lt.begin(), lt.end(), 0);
            std::fill(acc.begin(), acc.end(), V8{});
            std::uint64_t pending = 0;
            auto flush = [&] {
                for (std::size_t a2 = 0; a2 < nacc; ++a2)
                    for (std::size_t l = 0; l < lanes; ++l) lt[a2 * lanes + l] += std::uint16_t(acc[2 * a2 + l / 8][l % 8]);
                std::fill(acc.begin(), acc.end(), V8{});
                pending = 0;
            };
            for (std::size_t i = 0; i < n; ++i) {
                const V8 ti0 = T[2 * i], ti1 = T[2 * i + 1];
                for (std::uint64_t k0 = cp.offsets[i], k1 = cp.offsets[i + 1]; k0 < k1;) {
                    // at most 65535 increments per 16-bit lane between flushes (a snap point can
                    // hold more pairs than that on its own)
                    if (pending >= 65000) flush();
                    const std::uint64_t k2 = std::min<std::uint64_t>(k1, k0 + (65000 - pending));
                    pending += k2 - k0;
                    for (std::uint64_t k = k0; k < k2; ++k) {
                        const std::uint32_t v = cp.packed[k];
                        const std::size_t j = v >> band_bits;
                        const V8 tj0 = T[2 * j], tj1 = T[2 * j + 1];
                        const V8 d0 = ti0 - tj0, e0 = tj0 - ti0, d1 = ti1 - tj1, e1 = tj1 - ti1;
                        const V8 dt0 = d0 > e0 ? d0 : e0, dt1 = d1 > e1 ? d1 : e1;
                        V8* a3 = &acc[2 * (v & band_mask) * near_cols];
                        for (std::size_t c = 0; c < near_cols; ++c) {
                            a3[2 * c] -= (V8)(dt0 < limit[c]);
                            a3[2 * c + 1] -= (V8)(dt1 < limit[c]);
                        }
                    }
                    k0 = k2;
                }
            }
            flush();
            for (std::size_t l = 0; l < used; ++l) {
                std::int64_t* table = perms.data() + (p0 + l) * ncell;
                std::vector<std::int64_t> c(near_rows * r.cols, 0);
                for (std::size_t s2 = 0; s2 < near_rows; ++s2) {
                    std::int64_t prev = 0;
                    for (std::size_t col = 0; col < near_cols; ++col) {
                        const std::int64_t below = lt[(s2 * near_cols + col) * lanes + l];
                        c[s2 * r.cols + col] = below - prev;
                        prev = below;
                    }
                    c[s2 * r.cols + near_cols] = row_total[s2] - prev;
                }
                finish(c, table);
            }
            const std::size_t d = done.fetch_add(used) + used;
            if (tid == 0 && !progress(0.05 + 0.95 * double(d) / double(R), "near-repeat: permutations"))
                cancel.store(true);
        }
    };
    const unsigned nthreads = unsigned(std::min<std::size_t>(threads, batches));
    {
        std::vector<std::thread> pool;
        for (unsigned k = 1; k < nthreads; ++k) pool.emplace_back(worker, k, nthreads);
        worker(0, nthreads);
        for (auto& th : pool) th.join();
    }
    if (cancel.load()) throw Cancelled(unit);

    r.expected.assign(ncell, 0);
    r.perm_ge.assign(ncell, 0);
    for (std::size_t p = 0; p < R; ++p)
        for (std::size_t c = 0; c < ncell; ++c) {
            const std::int64_t v = perms[p * ncell + c];
            r.expected[c] += double(v);
            if (v >= r.observed[c]) ++r.perm_ge[c];
        }
    r.ratio.resize(ncell);
    r.p.resize(ncell);
    r.significant.resize(ncell);
    for (std::size_t c = 0; c < ncell; ++c) {
        r.expected[c] /= double(R);
        r.ratio[c] = r.expected[c] > 0 ? double(r.observed[c]) / r.expected[c] : std::numeric_limits<double>::quiet_NaN();
        r.p[c] = double(1 + r.perm_ge[c]) / double(1 + R);
        r.significant[c] = r.p[c] <= o.alpha && double(r.observed[c]) > r.expected[c];
    }
    r.permuted = std::move(perms);
    progress(1.0, "near-repeat: done");
    return r;
}

KnoxBlock knox_block(const KnoxResult& r, std::size_t row0, std::size_t row1, std::size_t col0, std::size_t col1) {
    KnoxBlock k;
    auto sum = [&](const std::int64_t* t) {
        std::int64_t s = 0;
        for (std::size_t row = row0; row <= row1; ++row)
            for (std::size_t col = col0; col <= col1; ++col) s += t[r.cell(row, col)];
        return s;
    };
    k.observed = sum(r.observed.data());
    const std::size_t ncell = r.rows * r.cols, R = r.permuted.size() / std::max<std::size_t>(1, ncell);
    std::int64_t ge = 0;
    double total = 0;
    for (std::size_t p = 0; p < R; ++p) {
        const std::int64_t v = sum(r.permuted.data() + p * ncell);
        total += double(v);
        ge += v >= k.observed;
    }
    k.expected = R ? total / double(R) : 0;
    k.ratio = k.expected > 0 ? double(k.observed) / k.expected : std::numeric_limits<double>::quiet_NaN();
    k.p = double(1 + ge) / double(1 + R);
    return k;
}

RaisedRisk raised_risk(const KnoxResult& r) {
    RaisedRisk rr;
    if (r.rows < 3 || r.cols < 2) return rr;
    const std::size_t first = 1, near_rows = r.rows - 1, near_cols = r.cols - 1;
    rr.ratio = r.ratio[r.cell(first, 0)];
    rr.p = r.p[r.cell(first, 0)];
    if (!r.significant[r.cell(first, 0)]) return rr;
    rr.found = true;
    std::size_t row = first, col = 0;
    while (row + 1 < near_rows && r.significant[r.cell(row + 1, 0)]) ++row;
    while (col + 1 < near_cols && r.significant[r.cell(first, col + 1)]) ++col;
    rr.last_row = row;
    rr.last_col = col;
    rr.distance_m = r.row_hi_m[row];
    rr.days = r.col_hi_days[col];
    return rr;
}

const char* raised_risk_rule() noexcept {
    return "start at the first near distance band x the first time band; if that cell is significant, "
           "extend the distance outwards band by band while (band, first time band) stays significant, and "
           "the days band by band while (first distance band, time band) stays significant; the window is the "
           "upper limits of the last bands kept (same-location and 'more than' bands not used)";
}

} // namespace hotspot
