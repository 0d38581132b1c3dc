// The density change surface's significance blanking and symmetric classes (change_surface.hpp),
// on planted counts whose truth is known, the test's p checked against the binomial formula.

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "hotspot/change_surface.hpp"

using namespace hotspot;

namespace {

// Two-sided exact binomial p as R's binom.test, written here from the definition.
double binom_p(int x, int n, double pi) {
    std::vector<double> d(std::size_t(n) + 1);
    for (int k = 0; k <= n; ++k)
        d[std::size_t(k)] = std::exp(std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0) + k * std::log(pi) +
                                     (n - k) * std::log1p(-pi));
    double p = 0;
    for (double v : d)
        if (v <= d[std::size_t(x)] * (1 + 1e-7)) p += v;
    return std::min(1.0, p);
}

} // namespace

TEST_CASE("change surface: planted rise kept, chance rise and empty cells blanked", "[change-surface]") {
    // 10 x 10 grid of 100 m cells; radius 50 m: each cell's own incidents only.
    const Grid g = Grid::aligned({0, 0, 999, 999}, 100);
    REQUIRE(g.cols == 10);
    std::vector<double> x1, y1, x2, y2;
    const auto put = [](std::vector<double>& x, std::vector<double>& y, double cx, double cy, int n) {
        for (int i = 0; i < n; ++i) x.push_back(cx), y.push_back(cy);
    };
    put(x1, y1, 150, 850, 40), put(x2, y2, 150, 850, 10);  // a planted rise: 40 vs 10
    put(x1, y1, 550, 550, 12), put(x2, y2, 550, 550, 10);  // chance: 12 vs 10
    put(x1, y1, 850, 150, 5), put(x2, y2, 850, 150, 30);   // a planted fall: 5 vs 30
    REQUIRE(binom_p(40, 50, 0.5) < 0.05);
    REQUIRE(binom_p(12, 22, 0.5) >= 0.05);
    REQUIRE(binom_p(5, 35, 0.5) < 0.05);
    std::vector<double> diff(std::size_t(g.size()), 0.0);
    const auto at = [&](double x, double y) { return std::size_t(g.row_of(y) * g.cols + g.col_of(x)); };
    diff[at(150, 850)] = 30, diff[at(550, 550)] = 2, diff[at(850, 150)] = -25;
    diff[0] = std::numeric_limits<double>::quiet_NaN();  // outside the study area stays NaN
    ChangeSurfaceTest t;
    t.radius_m = 50;
    const std::size_t blanked = blank_insignificant_change(diff, g, x1, y1, x2, y2, t);
    CHECK(diff[at(150, 850)] == 30);
    CHECK(diff[at(850, 150)] == -25);
    CHECK(std::isnan(diff[at(550, 550)]));
    CHECK(blanked == std::size_t(g.size()) - 1 - 2);  // every finite cell but the two planted ones
    // Exposure: 40 in 12 months against 10 in 3 months is the same rate: not significant.
    std::vector<double> d2(std::size_t(g.size()), 1.0);
    t.e1 = 12, t.e2 = 3;
    std::vector<double> x3(x2.begin(), x2.begin() + 10), y3(y2.begin(), y2.begin() + 10);
    blank_insignificant_change(d2, g, std::span<const double>(x1.data(), 40), std::span<const double>(y1.data(), 40), x3, y3, t);
    CHECK(std::isnan(d2[at(150, 850)]));
}

TEST_CASE("change surface: classes symmetric around zero, rounded, in incidents per km2", "[change-surface]") {
    const std::vector<double> diff = {std::numeric_limits<double>::quiet_NaN(), -3.0, 0.5, 47.3, -12};
    const ChangeSurfaceClasses k = change_surface_classes(diff);
    CHECK(k.a == Approx(12));   // 47.3 / 4 = 11.8 -> 12
    CHECK(k.b == Approx(24));   // 47.3 / 2 = 23.65 -> 24
    REQUIRE(k.upper.size() == 6);
    CHECK(k.upper[0] == -k.upper[4]);
    CHECK(k.upper[1] == -k.upper[3]);
    CHECK(k.upper[2] == 0);
    CHECK(k.labels[0] == "fall of over 24 per km\u00b2");
    CHECK(k.labels[5] == "rise of over 24 per km\u00b2");
    const std::string q = change_surface_qml(k, "t", "rule");
    CHECK(q.find("value=\"-24\"") != std::string::npos);
    CHECK(q.find("value=\"24\"") != std::string::npos);
}
