#include "hotspot/evaluate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <string>

#include "hotspot/error.hpp"
#include "util/text.hpp"

namespace hotspot {

namespace {

using util::nan;
constexpr const char* unit = "evaluate";

// A piecewise-linear cumulative sum over cells taken in order, in blocks of cells that are
// taken together (tied surface values); value_at(k) for real k interpolates inside a block.
struct Cumulative {
    std::vector<double> cells{0.0};  // cells before block b (cells[b]) and the total at the end
    std::vector<double> sum{0.0};    // the summed value before block b

    void add_block(double n_cells, double value) {
        cells.push_back(cells.back() + n_cells);
        sum.push_back(sum.back() + value);
    }
    double value_at(double k) const {
        if (k <= 0) return 0;
        if (k >= cells.back()) return sum.back();
        // the block holding k: cells[b] <= k < cells[b + 1]
        const auto it = std::upper_bound(cells.begin(), cells.end(), k);
        const auto b = std::size_t(it - cells.begin()) - 1;
        const double width = cells[b + 1] - cells[b];
        return sum[b] + (sum[b + 1] - sum[b]) * (k - cells[b]) / width;
    }
    // The smallest k with value_at(k) >= v (the sums are non-decreasing).
    double cells_for(double v) const {
        if (v <= 0) return 0;
        if (v >= sum.back()) {
            const auto it = std::lower_bound(sum.begin(), sum.end(), sum.back());
            return cells[std::size_t(it - sum.begin())];
        }
        const auto it = std::lower_bound(sum.begin(), sum.end(), v);  // sum[b + 1] >= v
        const auto b = std::size_t(it - sum.begin()) - 1;
        const double rise = sum[b + 1] - sum[b];
        return cells[b] + (cells[b + 1] - cells[b]) * (v - sum[b]) / rise;
    }
};

// A block's cells that are finite, equal to `floor`, and finite above it. This pass reads every
// cell of every backtest surface, so it is written for the vectoriser: GCC vector extensions,
// the lanes' comparison masks (-1 or 0) summed per lane over the block and added up once, and
// an AVX2 clone picked at load time on CPUs that have it (as kde.cpp's quartic_rows); only
// comparisons, so every clone gives the same counts.
struct Counts {
    std::size_t finite = 0, at = 0, above = 0;
};
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
__attribute__((target_clones("arch=x86-64-v3", "default")))
#endif
Counts count_block(const double* __restrict cells, std::size_t size, double floor) {
    typedef double D4 __attribute__((vector_size(32)));
    typedef std::int64_t I4 __attribute__((vector_size(32)));
    constexpr double largest = std::numeric_limits<double>::max();
    const D4 fl = {floor, floor, floor, floor}, big = {largest, largest, largest, largest};
    constexpr std::int64_t m = std::numeric_limits<std::int64_t>::max();
    const I4 magnitude = {m, m, m, m};
    I4 finite = {0, 0, 0, 0}, at = finite, above = finite;
    std::size_t i = 0;
    for (; i + 4 <= size; i += 4) {
        D4 v;
        std::memcpy(&v, cells + i, sizeof v);
        const D4 a = (D4)((I4)v & magnitude);  // |v|
        const I4 f = a <= big;               // finite: NaN and ±inf fail
        finite -= f, at -= f & (v == fl), above -= f & (v > fl);
    }
    Counts n;
    for (int l = 0; l < 4; ++l)
        n.finite += std::size_t(finite[l]), n.at += std::size_t(at[l]), n.above += std::size_t(above[l]);
    for (; i < size; ++i) {
        const double v = cells[i];
        const bool f = std::fabs(v) <= largest;
        n.finite += f, n.at += f & (v == floor), n.above += f & (v > floor);
    }
    return n;
}

void check_counts(std::span<const double> c, const char* what) {
    for (std::size_t i = 0; i < c.size(); ++i)
        if (!std::isfinite(c[i]) || c[i] < 0)
            throw UsageError(unit, std::string(what) + " count of cell " + std::to_string(i) + " is " +
                                       std::to_string(c[i]) + "; counts must be finite and >= 0");
}

} // namespace

void EvaluationOptions::validate() const {
    if (shares.empty()) throw UsageError(unit, "no area share given; use e.g. --shares 0.5,1,2,5,10 (per cent)");
    for (double s : shares)
        if (!(s > 0 && s <= 1))
            throw UsageError(unit, "area share " + std::to_string(s * 100) + "% must be in (0, 100]%");
    if (curve_steps < 1 || curve_steps > 100000)
        throw UsageError(unit, "curve steps must be between 1 and 100000 (got " + std::to_string(curve_steps) + ")");
}

std::vector<double> hits_at_shares(std::span<const double> surface, std::span<const double> test_counts,
                                   std::span<const double> shares) {
    if (test_counts.size() != surface.size())
        throw UsageError(unit, "the surface has " + std::to_string(surface.size()) + " cells but the counts have " +
                                   std::to_string(test_counts.size()));
    std::vector<TestCell> test;
    for (std::size_t i = 0; i < test_counts.size(); ++i)
        if (test_counts[i] != 0) test.push_back({i, test_counts[i]});
    return hits_at_shares(surface, test, shares);
}

std::vector<CellRun> cell_runs(std::span<const std::uint8_t> flags) {
    std::vector<CellRun> runs;
    for (std::size_t i = 0; i < flags.size();) {
        if (!flags[i]) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < flags.size() && flags[j]) ++j;
        runs.push_back({i, j});
        i = j;
    }
    return runs;
}

std::vector<double> hits_at_shares(std::span<const double> surface, std::span<const TestCell> test,
                                   std::span<const double> shares, std::span<const CellRun> runs) {
    for (std::size_t r = 0; r < runs.size(); ++r)
        if (runs[r].begin >= runs[r].end || runs[r].end > surface.size() || (r > 0 && runs[r].begin < runs[r - 1].end))
            throw UsageError(unit, "cell run " + std::to_string(r) + " [" + std::to_string(runs[r].begin) + ", " +
                                       std::to_string(runs[r].end) + ") is empty, out of order or past the surface's " +
                                       std::to_string(surface.size()) + " cells");
    // The cells looked at: the runs, or every cell.
    const CellRun every{0, surface.size()};
    const std::span<const CellRun> ranges = runs.empty() ? std::span<const CellRun>(&every, 1) : runs;
    std::size_t looked_at = 0;
    for (const CellRun& r : ranges) looked_at += r.end - r.begin;
    const auto in_ranges = [&](std::size_t i) {
        if (runs.empty()) return true;
        const auto it = std::upper_bound(runs.begin(), runs.end(), i, [](std::size_t v, const CellRun& r) { return v < r.begin; });
        return it != runs.begin() && i < std::prev(it)->end;
    };
    double max_share = 0;
    for (double s : shares) {
        if (!(s > 0 && s <= 1)) throw UsageError(unit, "area share " + std::to_string(s * 100) + "% must be in (0, 100]%");
        max_share = std::max(max_share, s);
    }
    for (const TestCell& t : test)
        if (t.index >= surface.size())
            throw UsageError(unit, "a test count is for cell " + std::to_string(t.index) + " but the surface has " +
                                       std::to_string(surface.size()) + " cells");
    const auto top_k = [&](double n) { return std::size_t(std::ceil(max_share * n)) + 1; };
    // Only values above a floor are gathered, those at the floor only counted: the floor is a
    // value that a sample of every 64th cell puts below the k-th largest with room to spare (on
    // a sparse surface, 0: most of the grid), k from the sample's count of cells in the study
    // area. If fewer than k cells reach it (the sample misled), every value is gathered. Either
    // way the gathered values hold the top k and the whole tie block at the cutoff, or the
    // cutoff is the floor itself, so the result is the same.
    double floor = -std::numeric_limits<double>::infinity();
    constexpr std::size_t stride = 64;  // 1 cache line in 8; a 2M-cell grid gives ~1,200 sampled ranks of margin
    if (looked_at >= 4096) {
        std::vector<double> sample;
        sample.reserve(looked_at / stride + ranges.size());
        for (const CellRun& r : ranges)
            for (std::size_t i = r.begin; i < r.end; i += stride)
                if (std::isfinite(surface[i])) sample.push_back(surface[i]);
        const std::size_t k_guess = top_k(double(stride) * double(sample.size()));
        const auto ks = std::size_t(1.5 * double(k_guess) / double(stride)) + 64;
        if (k_guess * 4 < stride * sample.size() && ks < sample.size()) {
            std::nth_element(sample.begin(), sample.begin() + std::ptrdiff_t(ks), sample.end(), std::greater<>());
            floor = sample[ks];
        }
    }
    std::vector<double> values;
    std::size_t finite = 0, at_floor = 0;
    for (int attempt = 0; attempt < 2; ++attempt) {
        // In blocks of 256 cells: a counting pass in SIMD lanes, then the block's values above
        // the floor stored without branches, only in blocks that have any (most blocks of a
        // sparse or clustered surface have none).
        std::size_t kept = 0, f_count = 0, floor_count = 0;
        constexpr std::size_t block = 256;
        constexpr double largest = std::numeric_limits<double>::max();
        for (const CellRun& r : ranges)
            for (std::size_t b = r.begin; b < r.end; b += block) {
                const std::size_t e = std::min(r.end, b + block);
                const Counts n = count_block(surface.data() + b, e - b, floor);
                f_count += n.finite, floor_count += n.at;
                if (n.above == 0) continue;
                if (values.size() < kept + n.above + 1) values.resize(std::max(2 * values.size(), kept + n.above + 1));
                double* out = values.data();
                for (std::size_t i = b; i < e; ++i) {
                    const double v = surface[i];
                    out[kept] = v;
                    kept += (std::fabs(v) <= largest) & (v > floor);
                }
            }
        values.resize(kept);
        finite = f_count, at_floor = floor_count;
        if (finite == 0) throw UsageError(unit, "the surface has no cell with a value in the study area");
        if (values.size() + at_floor >= std::min(finite, top_k(double(finite)))) break;
        floor = -std::numeric_limits<double>::infinity();
    }
    // n at share s is the cumulative sum at k = s·n_cells cells, cells taken by value, highest
    // first, a tie block split in proportion: with v the value of the cell at rank floor(k),
    //   n = (test of cells above v) + (test of cells at v)·(k − cells above v) / (cells at v),
    // as evaluate_surface's Cumulative::value_at computes it. Counts are whole numbers, so the
    // sums are exact in any order and the two agree to the bit.
    const double n_cells = double(finite);
    // The test cells' values, looked up once (a few thousand scattered reads).
    std::vector<std::pair<double, double>> test_at;  // (surface value, count), finite cells only
    test_at.reserve(test.size());
    double total_test = 0;
    for (const TestCell& t : test)
        if (const double u = surface[t.index]; std::isfinite(u) && in_ranges(t.index))
            test_at.emplace_back(u, t.count), total_test += t.count;
    // Shares largest first, each selection inside the previous one's top (its rank and above).
    std::vector<std::size_t> by_share(shares.size());
    for (std::size_t i = 0; i < by_share.size(); ++i) by_share[i] = i;
    std::sort(by_share.begin(), by_share.end(), [&](std::size_t a, std::size_t b) { return shares[a] > shares[b]; });
    std::size_t selectable = values.size();
    std::vector<double> out(shares.size());
    for (const std::size_t si : by_share) {
        const double k = shares[si] * n_cells;
        const auto rank = std::size_t(k);
        if (rank >= finite) {
            out[si] = total_test;
            continue;
        }
        double v = floor;  // the rank falls in the block at the floor (values hold those above it)
        if (rank < values.size()) {
            std::nth_element(values.begin(), values.begin() + std::ptrdiff_t(rank),
                             values.begin() + std::ptrdiff_t(selectable), std::greater<>());
            v = values[rank];
            selectable = rank + 1;
        }
        std::size_t above = 0, tied = v == floor ? at_floor : 0;
        for (const double u : values) above += u > v, tied += u == v;
        double above_test = 0, tied_test = 0;
        for (const auto& [u, count] : test_at) {
            if (u > v) above_test += count;
            else if (u == v) tied_test += count;
        }
        out[si] = above_test + tied_test * (k - double(above)) / double(tied);
    }
    return out;
}

ForecastScore evaluate_area(double area_m2, double study_area_m2, double hits, double test_total,
                            double train_hits, double train_total) {
    if (!(study_area_m2 > 0)) throw UsageError(unit, "the study area has no area");
    ForecastScore s;
    s.area_share = area_m2 / study_area_m2;
    s.cells = nan;
    s.hits = hits;
    s.hit_rate = test_total > 0 ? hits / test_total : nan;
    s.pai = test_total > 0 && s.area_share > 0 ? s.hit_rate / s.area_share : nan;
    s.pai_max = s.pei = s.pei_star = nan;
    s.train_hits = train_hits;
    s.rri = (train_total > 0 && train_hits > 0 && test_total > 0) ? (hits / train_hits) / (test_total / train_total) : nan;
    return s;
}

ForecastEvaluation evaluate_surface(std::span<const double> surface, std::span<const double> test_counts,
                                    std::span<const double> train_counts, const EvaluationOptions& options) {
    options.validate();
    if (test_counts.size() != surface.size() || (!train_counts.empty() && train_counts.size() != surface.size()))
        throw UsageError(unit, "the surface has " + std::to_string(surface.size()) + " cells but the counts have " +
                                   std::to_string(test_counts.size()) + " (test) and " +
                                   std::to_string(train_counts.size()) + " (training)");
    const bool train = !train_counts.empty();
    std::vector<std::size_t> order;
    order.reserve(surface.size());
    for (std::size_t i = 0; i < surface.size(); ++i)
        if (std::isfinite(surface[i])) order.push_back(i);
    if (order.empty()) throw UsageError(unit, "the surface has no cell with a value in the study area");
    std::vector<double> test(order.size()), tr;
    for (std::size_t k = 0; k < order.size(); ++k) test[k] = test_counts[order[k]];
    check_counts(test, "test");
    if (train) {
        tr.resize(order.size());
        for (std::size_t k = 0; k < order.size(); ++k) tr[k] = train_counts[order[k]];
        check_counts(tr, "training");
    }

    ForecastEvaluation e;
    e.cells = order.size();
    // Rank by value, highest first, on contiguous (value, test, train) records; the order
    // inside a tie does not matter (a tie is taken as one block).
    struct Cell { double value, test, train; };
    std::vector<Cell> cells(order.size());
    for (std::size_t k = 0; k < order.size(); ++k) cells[k] = {surface[order[k]], test[k], train ? tr[k] : 0.0};
    std::sort(cells.begin(), cells.end(), [](const Cell& a, const Cell& b) { return a.value > b.value; });
    Cumulative hits, train_hits, best;
    for (std::size_t i = 0; i < cells.size();) {
        std::size_t j = i;
        double t = 0, r = 0;
        while (j < cells.size() && cells[j].value == cells[i].value) {
            t += cells[j].test;
            r += cells[j].train;
            ++j;
        }
        if (j - i > 1) e.tied_cells += j - i;
        hits.add_block(double(j - i), t);
        if (train) train_hits.add_block(double(j - i), r);
        i = j;
    }
    // The best possible: the test incidents' own cells, most first (ties here change nothing).
    std::vector<double> sorted = test;
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
    for (double c : sorted) best.add_block(1.0, c);
    e.test_total = hits.sum.back();
    e.train_total = train ? train_hits.sum.back() : nan;

    const double n_cells = double(order.size());
    const auto score = [&](double share) {
        ForecastScore s;
        s.area_share = share;
        s.cells = share * n_cells;
        s.hits = hits.value_at(s.cells);
        const double n_best = best.value_at(s.cells);
        const double total = e.test_total;
        s.hit_rate = total > 0 ? s.hits / total : nan;
        s.pai = total > 0 && share > 0 ? s.hit_rate / share : nan;
        s.pai_max = total > 0 && share > 0 ? (n_best / total) / share : nan;
        s.pei = n_best > 0 ? s.hits / n_best : nan;
        s.pei_star = share > 0 && total > 0 ? std::min(best.cells_for(s.hits), s.cells) / s.cells : nan;
        if (train) {
            s.train_hits = train_hits.value_at(s.cells);
            s.rri = (s.train_hits > 0 && total > 0 && e.train_total > 0)
                        ? (s.hits / s.train_hits) / (total / e.train_total)
                        : nan;
        } else {
            s.train_hits = s.rri = nan;
        }
        return s;
    };
    for (double s : options.shares) e.at_shares.push_back(score(s));
    for (int i = 0; i <= options.curve_steps; ++i) e.curve.push_back(score(double(i) / options.curve_steps));
    return e;
}

} // namespace hotspot
