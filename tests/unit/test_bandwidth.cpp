#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "hotspot/bandwidth.hpp"
#include "hotspot/error.hpp"

using namespace hotspot;

TEST_CASE("scott and silverman rules use both coordinates", "[bandwidth]") {
    // Corners of a 2 x 2 m square: sample sd 2/√3 on each axis, n = 4.
    const double x[] = {0, 2, 0, 2}, y[] = {0, 0, 2, 2};
    const auto s = select_bandwidth(BandwidthMethod::scott, x, y);
    CHECK(s.is_sigma);
    CHECK(s.value_m == Approx(2 / std::sqrt(3.0) * std::pow(4.0, -1.0 / 6)));
    CHECK(s.radius_for(Kernel::quartic) == Approx(std::sqrt(8.0) * s.value_m));
    // Stretching y by 9 multiplies the geometric mean by 3 (an x-only rule would not change).
    const double y9[] = {0, 0, 18, 18};
    CHECK(select_bandwidth(BandwidthMethod::scott, x, y9).value_m == Approx(3 * s.value_m));
    // Silverman's robust spread never exceeds the sd.
    CHECK(select_bandwidth(BandwidthMethod::silverman, x, y).value_m <= s.value_m * (1 + 1e-12));
}

TEST_CASE("arcgis default search radius", "[bandwidth]") {
    // 8 points on a circle of 100 m: SD = 100, Dm = 100, so min(SD, 1.2011 Dm) = 100.
    std::vector<double> x, y;
    for (int i = 0; i < 8; ++i) {
        x.push_back(500 + 100 * std::cos(i * M_PI / 4));
        y.push_back(700 + 100 * std::sin(i * M_PI / 4));
    }
    const auto b = select_bandwidth(BandwidthMethod::arcgis, x, y);
    CHECK_FALSE(b.is_sigma);
    CHECK(b.value_m == Approx(0.9 * 100 * std::pow(8.0, -0.2)));
    CHECK(b.radius_for(Kernel::quartic) == b.value_m);
    // Weights of 2 are the same as every incident twice.
    const std::vector<double> w(8, 2.0);
    std::vector<double> x2 = x, y2 = y;
    x2.insert(x2.end(), x.begin(), x.end());
    y2.insert(y2.end(), y.begin(), y.end());
    CHECK(select_bandwidth(BandwidthMethod::arcgis, x, y, w).value_m ==
          Approx(select_bandwidth(BandwidthMethod::arcgis, x2, y2).value_m));
}

TEST_CASE("likelihood cross-validation finds a plausible sigma", "[bandwidth]") {
    std::mt19937_64 rng(1);
    std::normal_distribution<double> n(0, 100);
    std::vector<double> x, y;
    for (int i = 0; i < 400; ++i) {
        x.push_back(1000 + n(rng));
        y.push_back(2000 + n(rng));
    }
    const auto b = select_bandwidth(BandwidthMethod::ppl, x, y);
    CHECK(b.is_sigma);
    // The normal-reference optimum for a 100 m Gaussian cloud of 400 is ~100·400^(-1/6) ≈ 37 m.
    CHECK(b.value_m > 15);
    CHECK(b.value_m < 90);

    // Snapped data (each location 30 times) must not collapse to σ → 0.
    std::vector<double> sx, sy;
    for (int i = 0; i < 30; ++i)
        for (std::size_t k = 0; k < 60; ++k) {
            sx.push_back(x[k]);
            sy.push_back(y[k]);
        }
    CHECK(select_bandwidth(BandwidthMethod::ppl, sx, sy).value_m > 15);
}

TEST_CASE("bandwidth errors name the unit and the remedy", "[bandwidth]") {
    const double x[] = {5, 5}, y[] = {1, 1};
    CHECK_THROWS_WITH(select_bandwidth(BandwidthMethod::scott, x, y),
                      Catch::StartsWith("bandwidth: ") && Catch::Contains("--bandwidth in metres"));
    CHECK_THROWS_AS(parse_bandwidth_method("auto:magic"), UsageError);
    CHECK(parse_bandwidth_method("auto:ppl") == BandwidthMethod::ppl);
}
