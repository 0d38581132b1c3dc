#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <sstream>

#include "fixture_csv.hpp"
#include "hotspot/error.hpp"
#include "hotspot/lisa.hpp"

using namespace hotspot;
using hotspot::test::close;

namespace {
SpatialWeights fixture_weights(const test::FixtureCsv& f) {
    std::vector<std::vector<std::int32_t>> lists;
    for (std::size_t r = 0; r < f.rows(); ++r) {
        std::istringstream s(f.text(r, "neighbours"));
        std::vector<std::int32_t> row;
        for (std::int32_t j; s >> j;) row.push_back(j);
        lists.push_back(row);
    }
    auto w = weights_from_lists(lists);
    row_standardise(w);
    return w;
}
} // namespace

TEST_CASE("local Moran's I equals spdep localmoran (conditional and total randomisation)",
          "[lisa]") {
    const test::FixtureCsv f("areas_lisa.csv");
    const auto w = fixture_weights(f);
    const auto x = f.column("value");
    LocalMoranOptions o;
    const auto c = local_moran(x, w, o);
    o.conditional = false;
    const auto u = local_moran(x, w, o);
    for (std::size_t i = 0; i < x.size(); ++i) {
        INFO(f.name() << " area " << i);
        CHECK(close(c.ii[i], f.num(i, "Ii")));
        CHECK(close(c.expected[i], f.num(i, "E_Ii_c")));
        CHECK(close(c.variance[i], f.num(i, "Var_Ii_c")));
        CHECK(close(c.z[i], f.num(i, "Z_Ii_c")));
        CHECK(close(c.p[i], f.num(i, "P_Ii_c")));
        CHECK(close(u.ii[i], f.num(i, "Ii")));
        CHECK(close(u.expected[i], f.num(i, "E_Ii_u")));
        CHECK(close(u.variance[i], f.num(i, "Var_Ii_u")));
        CHECK(close(u.z[i], f.num(i, "Z_Ii_u")));
    }
}

TEST_CASE("LISA classes follow the quadrant and the significance", "[lisa]") {
    // A line of 9 areas, each the neighbour of the next: high values at one end, low at the other.
    std::vector<std::vector<std::int32_t>> lists(9);
    for (std::int32_t i = 0; i < 9; ++i) {
        if (i > 0) lists[std::size_t(i)].push_back(i - 1);
        if (i < 8) lists[std::size_t(i)].push_back(i + 1);
    }
    auto w = weights_from_lists(lists);
    row_standardise(w);
    const std::vector<double> x{100, 98, 97, 50, 50, 50, 3, 2, 0};
    LocalMoranOptions o;
    o.p_adjust = PAdjust::none;
    o.alpha = 0.2;
    const auto r = local_moran(x, w, o);
    for (std::size_t i = 0; i < x.size(); ++i) {
        INFO("area " << i << " p " << r.p_adjusted[i]);
        // z_i = 0 (value at the mean) has zero conditional variance: p is NaN, never significant
        if (r.cluster[i] == LisaClass::not_significant) CHECK(!(r.p_adjusted[i] < 0.2));
        else CHECK(r.p_adjusted[i] < 0.2);
    }
    CHECK(r.cluster[0] == LisaClass::high_high);
    CHECK(r.cluster[1] == LisaClass::high_high);
    CHECK(r.cluster[8] == LisaClass::low_low);
    CHECK(to_string(r.cluster[0]) == "HH");
    // a high outlier among low neighbours
    // (A lone extreme value carries nearly all of m2, where the conditional variance degenerates
    // towards 0 — a property of the formula, spdep's too — so use total randomisation here.)
    const std::vector<double> y{1, 2, 1, 2, 90, 1, 2, 1, 2};
    o.conditional = false;
    const auto s = local_moran(y, w, o);
    INFO("outlier p " << s.p[4] << " z " << s.z[4] << " Ii " << s.ii[4]);
    CHECK(s.ii[4] < 0);
    CHECK(s.cluster[4] == LisaClass::high_low);
}

TEST_CASE("LISA permutations are seeded and thread-independent", "[lisa]") {
    const test::FixtureCsv f("areas_lisa.csv");
    const auto w = fixture_weights(f);
    const auto x = f.column("value");
    LocalMoranOptions o;
    o.permutations = 499;
    o.threads = 1;
    const auto a = local_moran(x, w, o);
    o.threads = 4;
    const auto b = local_moran(x, w, o);
    CHECK(a.p_sim == b.p_sim);
    std::size_t agree = 0;
    for (std::size_t i = 0; i < x.size(); ++i) agree += std::abs(a.p_sim[i] - a.p[i]) < 0.15;
    CHECK(agree >= x.size() * 8 / 10);
}

TEST_CASE("LISA sequential permutations (Besag & Clifford): small p as the full R, valid under the null, far fewer draws", "[lisa]") {
    // A 40 x 40 lattice, rook neighbours, row-standardised; values independent N(0,1) (the null)
    // with one planted 3 x 3 block of high values (a real HH cluster).
    const int side = 40;
    std::vector<std::vector<std::int32_t>> lists(std::size_t(side * side));
    for (int r = 0; r < side; ++r)
        for (int c = 0; c < side; ++c) {
            auto& l = lists[std::size_t(r * side + c)];
            if (r > 0) l.push_back((r - 1) * side + c);
            if (r + 1 < side) l.push_back((r + 1) * side + c);
            if (c > 0) l.push_back(r * side + c - 1);
            if (c + 1 < side) l.push_back(r * side + c + 1);
        }
    auto w = weights_from_lists(lists);
    row_standardise(w);
    std::mt19937_64 rng(77);
    std::normal_distribution<double> nd(0, 1);
    std::vector<double> x(lists.size());
    for (auto& v : x) v = nd(rng);
    for (int r = 20; r < 23; ++r)
        for (int c = 20; c < 23; ++c) x[std::size_t(r * side + c)] = 4 + nd(rng);
    LocalMoranOptions o;
    o.permutations = 9999;
    o.threads = 2;
    const auto full = local_moran(x, w, o);
    o.stop_after = 20;
    const auto seq = local_moran(x, w, o);
    o.threads = 1;
    CHECK(local_moran(x, w, o).p_sim == seq.p_sim);  // thread-independent
    const double h = 20, r1 = 10000;
    std::size_t stopped = 0, null_small = 0, nulls = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        INFO("area " << i << " full p " << full.p_sim[i] << " sequential p " << seq.p_sim[i]);
        if (seq.p_sim[i] == full.p_sim[i]) {
            // not stopped: the same draws, the same p; every p the correction could pass is here
            continue;
        }
        ++stopped;
        // stopped after l draws with h on each side: p = 2h/l, l < R, so p > 2h/R
        const double l = 2 * h / seq.p_sim[i];
        CHECK(std::abs(l - std::round(l)) < 1e-6 * l);
        CHECK(l < 9999.5);
        CHECK(seq.p_sim[i] > 2 * h / r1);
        // an area that stops early had at least h of R on each side had it gone on: a full-R p
        // well above the smallest; the two estimate the same p (relative error ~ 1/sqrt(h))
        CHECK(full.p_sim[i] >= 2 * (h + 1) / r1);
        if (full.p_sim[i] < 1) CHECK(std::abs(std::log(seq.p_sim[i] / full.p_sim[i])) < 1.2);
    }
    // the cluster's centre and edge middles (3 or 4 of 4 neighbours high) have tiny p and run all
    // R: identical
    for (const auto& [r, c] : std::vector<std::pair<int, int>>{{21, 21}, {20, 21}, {22, 21}, {21, 20}, {21, 22}}) {
        const auto i = std::size_t(r * side + c);
        INFO("cluster area " << r << "," << c);
        CHECK(full.p_sim[i] <= 2 * h / r1);
        CHECK(seq.p_sim[i] == full.p_sim[i]);
    }
    // most areas stop early (the saving), and under the null p is not too small too often
    CHECK(stopped > x.size() * 8 / 10);
    for (std::size_t i = 0; i < x.size(); ++i) {
        const int r = int(i) / side, c = int(i) % side;
        if (r >= 18 && r <= 24 && c >= 18 && c <= 24) continue;  // the cluster and its ring
        ++nulls;
        null_small += seq.p_sim[i] <= 0.05;
    }
    INFO(null_small << " of " << nulls << " null areas at p <= 0.05");
    CHECK(double(null_small) / double(nulls) < 0.08);
    CHECK(seq.cluster[std::size_t(21 * side + 21)] == LisaClass::high_high);
}

TEST_CASE("lisa: refuses self-neighbours, constant values and bad alpha", "[lisa]") {
    auto w = weights_from_lists({{0, 1}, {0, 2}, {1}});
    CHECK_THROWS_WITH(local_moran(std::vector<double>{1, 2, 3}, w),
                      Catch::StartsWith("lisa: area 0 is its own neighbour"));
    const auto v = weights_from_lists({{1}, {0, 2}, {1}});
    CHECK_THROWS_WITH(local_moran(std::vector<double>{2, 2, 2}, v),
                      Catch::StartsWith("lisa: all values are equal"));
    LocalMoranOptions o;
    o.alpha = 5;
    CHECK_THROWS_AS(local_moran(std::vector<double>{1, 2, 3}, v, o), UsageError);
}
