// evaluate_surface() against an independent brute force written from the papers' definitions:
// hit rate and PAI (Chainey, Tompson & Uhlig 2008), PEI and PEI* (Hunt 2016), RRI (Levine 2008),
// with ties split in expectation = the mean over every ordering of the tied cells.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>
#include <random>

#include "hotspot/error.hpp"
#include "hotspot/evaluate.hpp"

using namespace hotspot;

namespace {

// The most incidents any k whole cells can hold: every subset of k cells (small n only).
double best_subset(const std::vector<double>& counts, int k) {
    const int n = int(counts.size());
    double best = 0;
    for (unsigned mask = 0; mask < (1u << n); ++mask) {
        if (__builtin_popcount(mask) != k) continue;
        double s = 0;
        for (int i = 0; i < n; ++i)
            if (mask & (1u << i)) s += counts[std::size_t(i)];
        best = std::max(best, s);
    }
    return best;
}

// Hits in the top k whole cells, ties split by averaging over every ordering of all cells
// that is consistent with the ranking by value (all permutations of the cells, keeping those
// sorted by value, highest first).
// Returns the mean hits for k = 0..n.
std::vector<double> brute_hits(const std::vector<double>& value, const std::vector<double>& counts) {
    std::vector<int> idx(value.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::vector<double> sum(value.size() + 1, 0.0);
    int orders = 0;
    do {
        bool sorted = true;
        for (std::size_t i = 1; i < idx.size(); ++i)
            if (value[std::size_t(idx[i - 1])] < value[std::size_t(idx[i])]) sorted = false;
        if (!sorted) continue;
        double h = 0;
        for (std::size_t i = 0; i < idx.size(); ++i) {
            h += counts[std::size_t(idx[i])];
            sum[i + 1] += h;
        }
        ++orders;
    } while (std::next_permutation(idx.begin(), idx.end()));
    for (double& v : sum) v /= orders;
    return sum;
}

} // namespace

TEST_CASE("all test incidents in the top cell: hit rate 1, PAI = cells, PEI = PEI* = 1", "[evaluate]") {
    std::vector<double> surface(100), test(100, 0.0);
    for (int i = 0; i < 100; ++i) surface[std::size_t(i)] = 100 - i;  // cell 0 hottest
    test[0] = 7;
    EvaluationOptions o;
    o.shares = {0.01, 0.05};
    const auto e = evaluate_surface(surface, test, {}, o);
    REQUIRE(e.at_shares.size() == 2);
    CHECK(e.test_total == 7);
    CHECK(e.at_shares[0].hit_rate == Approx(1.0));
    CHECK(e.at_shares[0].pai == Approx(100.0));
    CHECK(e.at_shares[0].pai_max == Approx(100.0));
    CHECK(e.at_shares[0].pei == Approx(1.0));
    CHECK(e.at_shares[0].pei_star == Approx(1.0));
    CHECK(std::isnan(e.at_shares[0].rri));
    CHECK(e.at_shares[1].pai == Approx(20.0));
    CHECK(e.at_shares[1].pei_star == Approx(0.2));  // one cell of the five would do
    // The curve: share 0 has no PAI; share 1 has hit rate 1, PAI 1.
    REQUIRE(e.curve.size() == 101);
    CHECK(e.curve.front().hits == 0);
    CHECK(std::isnan(e.curve.front().pai));
    CHECK(e.curve.back().hit_rate == Approx(1.0));
    CHECK(e.curve.back().pai == Approx(1.0));
    // The worst forecast: the incidents in the coldest cell.
    std::vector<double> cold(100, 0.0);
    cold[99] = 3;
    const auto w = evaluate_surface(surface, cold, {}, o);
    CHECK(w.at_shares[0].hits == 0);
    CHECK(w.at_shares[0].pei == 0);
    CHECK(w.at_shares[0].pei_star == 0);
}

TEST_CASE("evaluate equals brute force from the definitions on random small grids with ties", "[evaluate]") {
    std::mt19937 rng(2024);
    for (int rep = 0; rep < 30; ++rep) {
        const int n = 9;
        std::vector<double> value(n), test(n), train(n);
        std::uniform_int_distribution<int> levels(0, 3), cnt(0, 4);
        for (int i = 0; i < n; ++i) {
            value[std::size_t(i)] = levels(rng);  // few levels: many ties
            test[std::size_t(i)] = cnt(rng);
            train[std::size_t(i)] = cnt(rng) + (i % 2);
        }
        const double N = std::accumulate(test.begin(), test.end(), 0.0);
        const double Ntr = std::accumulate(train.begin(), train.end(), 0.0);
        EvaluationOptions o;
        o.shares.clear();
        for (int k = 1; k <= n; ++k) o.shares.push_back(double(k) / n);
        const auto e = evaluate_surface(value, test, train, o);
        const auto all_hits = brute_hits(value, test), all_train = brute_hits(value, train);
        for (int k = 1; k <= n; ++k) {
            const auto& s = e.at_shares[std::size_t(k - 1)];
            const double a = double(k) / n;
            const double hits = all_hits[std::size_t(k)];
            const double train_hits = all_train[std::size_t(k)];
            const double best = best_subset(test, k);
            CHECK(s.hits == Approx(hits).margin(1e-12));
            if (N > 0) {
                CHECK(s.hit_rate == Approx(hits / N));
                CHECK(s.pai == Approx((hits / N) / a));
                CHECK(s.pai_max == Approx((best / N) / a));
            }
            if (best > 0) CHECK(s.pei == Approx(hits / best));
            // PEI*: the smallest area of whole-or-partial best cells holding `hits`.
            int m = 0;
            while (m < n && best_subset(test, m) < hits - 1e-12) ++m;
            double a_star = 0;
            if (hits > 0) {
                const double lo = best_subset(test, m - 1), hi = best_subset(test, m);
                a_star = (m - 1) + (hits - lo) / (hi - lo);
            }
            if (N > 0) CHECK(s.pei_star == Approx(a_star / k).margin(1e-12));
            if (train_hits > 0 && N > 0) CHECK(s.rri == Approx((hits / train_hits) / (N / Ntr)));
        }
    }
}

TEST_CASE("a partial cell counts its fraction; NaN cells are outside; bad input is refused", "[evaluate]") {
    const double nan = std::nan("");
    std::vector<double> surface = {5, 4, nan, 3}, test = {2, 0, 9, 1};
    EvaluationOptions o;
    o.shares = {0.5 / 3};  // half of the top cell
    const auto e = evaluate_surface(surface, test, {}, o);
    CHECK(e.cells == 3);
    CHECK(e.test_total == 3);  // the NaN cell's 9 are not counted
    CHECK(e.at_shares[0].hits == Approx(1.0));
    o.shares = {0};
    CHECK_THROWS_AS(evaluate_surface(surface, test, {}, o), UsageError);
    o.shares = {0.1};
    std::vector<double> neg = {1, -1, 0, 0};
    CHECK_THROWS_AS(evaluate_surface(surface, neg, {}, o), UsageError);
    CHECK_THROWS_AS(evaluate_surface(surface, std::vector<double>{1, 2}, {}, o), UsageError);
    const auto area = evaluate_area(1e4, 1e6, 5, 50, 10, 200);
    CHECK(area.area_share == Approx(0.01));
    CHECK(area.pai == Approx(10.0));
    CHECK(area.rri == Approx((5.0 / 10) / (50.0 / 200)));
    CHECK(std::isnan(area.pei));
}
