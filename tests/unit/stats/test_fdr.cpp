#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "fixture_csv.hpp"
#include "hotspot/error.hpp"
#include "hotspot/fdr.hpp"

using namespace hotspot;
using hotspot::test::close;

TEST_CASE("BH and Bonferroni equal R p.adjust, with ties and NA", "[fdr]") {
    const test::FixtureCsv f("p_adjust.csv");
    const auto p = f.column("p");
    const auto bh = adjust_p_values(p, PAdjust::fdr_bh);
    const auto bonf = adjust_p_values(p, PAdjust::bonferroni);
    const auto none = adjust_p_values(p, PAdjust::none);
    for (std::size_t i = 0; i < p.size(); ++i) {
        INFO(f.name() << " row " << i << " p=" << p[i]);
        CHECK(close(bh[i], f.num(i, "bh"), 1e-12));
        CHECK(close(bonf[i], f.num(i, "bonferroni"), 1e-12));
        CHECK(close(none[i], p[i], 0));
    }
}

TEST_CASE("BH by hand on a textbook example", "[fdr]") {
    // m = 4, sorted p = .01 .02 .03 .04: m p / k = .04 .04 .04 .04 -> all .04.
    const std::vector<double> p{0.03, 0.01, 0.04, 0.02};
    for (double v : adjust_p_values(p, PAdjust::fdr_bh)) CHECK(v == Approx(0.04));
    // A large p never makes a smaller one's adjusted value exceed 1 or the running minimum.
    const std::vector<double> q{0.001, 0.9, 0.5};
    const auto a = adjust_p_values(q, PAdjust::fdr_bh);
    CHECK(a[0] == Approx(0.003));
    CHECK(a[2] == Approx(0.75));
    CHECK(a[1] == Approx(0.9));
}

TEST_CASE("fdr: names and invalid input", "[fdr]") {
    CHECK(parse_p_adjust("fdr") == PAdjust::fdr_bh);
    CHECK(parse_p_adjust("bonferroni") == PAdjust::bonferroni);
    CHECK(parse_p_adjust("none") == PAdjust::none);
    CHECK_THROWS_WITH(parse_p_adjust("holm"),
                      "fdr: unknown correction 'holm' (use fdr, bonferroni or none)");
    const std::vector<double> bad{0.1, 1.5};
    CHECK_THROWS_AS(adjust_p_values(bad, PAdjust::fdr_bh), UsageError);
    CHECK(adjust_p_values(std::vector<double>{}, PAdjust::fdr_bh).empty());
}

TEST_CASE("BH by distinct value equals the rank-by-rank running minimum, to the bit", "[fdr]") {
    // The reference: Benjamini-Hochberg written out rank by rank over a stable sort (the
    // textbook loop), against adjust_p_values, which works once per distinct p-value. Gi*
    // grids give runs of tied p-values; continuous p-values give none; NaN is left alone.
    const auto reference = [](const std::vector<double>& p) {
        std::vector<std::size_t> order;
        for (std::size_t i = 0; i < p.size(); ++i)
            if (!std::isnan(p[i])) order.push_back(i);
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
        std::vector<double> out = p;
        const double m = double(order.size());
        double running = 1.0;
        for (std::size_t k = order.size(); k-- > 0;) {
            running = std::min(running, m * p[order[k]] / double(k + 1));
            out[order[k]] = std::min(1.0, running);
        }
        return out;
    };
    std::mt19937_64 rng(20261203);
    // (20,000 values: up to 1,250 distinct ones are counted in a table, more are sorted)
    for (const int distinct : {1, 3, 40, 1200, 1300, 5000, 0}) {
        std::vector<double> pool(std::size_t(distinct > 0 ? distinct : 1));
        std::uniform_real_distribution<double> u(0.0, 1.0);
        for (auto& v : pool) v = u(rng) * u(rng);
        std::vector<double> p(20000);
        for (std::size_t i = 0; i < p.size(); ++i) {
            p[i] = distinct > 0 ? pool[rng() % pool.size()] : u(rng);
            if (rng() % 50 == 0) p[i] = NAN;
            if (rng() % 97 == 0) p[i] = std::array{0.0, -0.0, 1.0}[rng() % 3];  // -0.0: its sign is kept
        }
        const auto got = adjust_p_values(p, PAdjust::fdr_bh), want = reference(p);
        INFO("distinct values " << distinct);
        std::size_t differ = 0;
        for (std::size_t i = 0; i < p.size(); ++i)
            differ += std::isnan(want[i]) ? !std::isnan(got[i]) : got[i] != want[i] || std::signbit(got[i]) != std::signbit(want[i]);
        CHECK(differ == 0);
    }
    // Runs of zeros of both signs, in both orders: the textbook loop gives the whole run the
    // sign of its last row's zero.
    for (const auto& p : {std::vector<double>{0.0, -0.0, 0.5, -0.0, 0.2}, std::vector<double>{-0.0, 0.0, 0.5, 0.0, NAN},
                          std::vector<double>{-0.0, -0.0, 0.0, -0.0}, std::vector<double>{0.0, 0.0, 1.0}}) {
        const auto got = adjust_p_values(p, PAdjust::fdr_bh), want = reference(p);
        for (std::size_t i = 0; i < p.size(); ++i) {
            if (std::isnan(p[i])) continue;
            CHECK(got[i] == want[i]);
            CHECK(std::signbit(got[i]) == std::signbit(want[i]));
        }
    }
}
