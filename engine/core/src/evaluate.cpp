#include "hotspot/evaluate.hpp"

#include <algorithm>
#include <cmath>
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
    double max_share = 0;
    for (double s : shares) {
        if (!(s > 0 && s <= 1)) throw UsageError(unit, "area share " + std::to_string(s * 100) + "% must be in (0, 100]%");
        max_share = std::max(max_share, s);
    }
    struct Cell { double value, test; };
    std::size_t finite = 0;
    for (double v : surface) finite += std::isfinite(v);
    if (finite == 0) throw UsageError(unit, "the surface has no cell with a value in the study area");
    const double n_cells = double(finite);
    const auto by_value = [](const Cell& a, const Cell& b) { return a.value > b.value; };
    // The top k cells, and every cell tied with the k-th (its whole block), first.
    const auto k = std::min(finite, std::size_t(std::ceil(max_share * n_cells)) + 1);
    // Only cells above a floor are gathered, those at the floor only counted: the floor is a
    // value that a sample of every 16th cell puts below the k-th largest with room to spare (on
    // a sparse surface, 0: most of the grid). If fewer than k cells reach it (the sample misled),
    // every cell is gathered. Either way the gathered cells hold the top k and the whole tie
    // block at the cutoff, or the cutoff is the floor itself, so the result is the same.
    double floor = -std::numeric_limits<double>::infinity();
    if (finite >= 4096 && k * 4 < finite) {
        std::vector<double> sample;
        sample.reserve(finite / 16 + 1);
        for (std::size_t i = 0; i < surface.size(); i += 16)
            if (std::isfinite(surface[i])) sample.push_back(surface[i]);
        const auto ks = std::size_t(1.5 * double(k) / 16.0) + 64;
        if (ks < sample.size()) {
            std::nth_element(sample.begin(), sample.begin() + std::ptrdiff_t(ks), sample.end(), std::greater<>());
            floor = sample[ks];
        }
    }
    std::vector<Cell> cells;
    double at_floor = 0, at_floor_test = 0;  // cells whose value is the floor, and their counts
    for (int attempt = 0; attempt < 2; ++attempt) {
        cells.clear();
        at_floor = at_floor_test = 0;
        for (std::size_t i = 0; i < surface.size(); ++i) {
            const double v = surface[i];
            if (!std::isfinite(v)) continue;
            if (v > floor)
                cells.push_back({v, test_counts[i]});
            else if (v == floor)
                ++at_floor, at_floor_test += test_counts[i];
        }
        if (double(cells.size()) + at_floor >= double(k)) break;
        floor = -std::numeric_limits<double>::infinity();
    }
    // Cells above the cutoff are sorted; the cutoff's tie block is one block whatever its order,
    // so it is only summed. Counts are whole numbers, so the sums are exact in any order.
    double cutoff = floor, tied = at_floor, tied_test = at_floor_test;
    auto above_end = cells.end();
    if (cells.size() >= k) {  // the k-th largest is above the floor
        std::nth_element(cells.begin(), cells.begin() + std::ptrdiff_t(k - 1), cells.end(), by_value);
        cutoff = cells[k - 1].value;
        above_end = std::partition(cells.begin(), cells.end(), [&](const Cell& c) { return c.value > cutoff; });
        tied = tied_test = 0;
        for (auto i = above_end; i != cells.end(); ++i)
            if (i->value == cutoff) ++tied, tied_test += i->test;
    }
    std::sort(cells.begin(), above_end, by_value);
    Cumulative hits;
    for (auto i = cells.begin(); i != above_end;) {
        auto j = i;
        double t = 0;
        while (j != above_end && j->value == i->value) t += (j++)->test;
        hits.add_block(double(j - i), t);
        i = j;
    }
    hits.add_block(tied, tied_test);
    std::vector<double> out;
    for (double s : shares) out.push_back(hits.value_at(s * n_cells));
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
