// distinct_points() against a std::map keyed by the coordinates' bits.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <map>
#include <random>

#include "hotspot/distinct_points.hpp"
#include "hotspot/error.hpp"

using namespace hotspot;

namespace {
std::pair<std::uint64_t, std::uint64_t> bits(double x, double y) {
    std::uint64_t a = 0, b = 0;
    std::memcpy(&a, &x, 8);
    std::memcpy(&b, &y, 8);
    return {a, b};
}
} // namespace

TEST_CASE("distinct_points: each location once, in order of first appearance, with its count", "[distinct_points]") {
    std::mt19937_64 rng(5);
    std::vector<double> x, y;
    for (int i = 0; i < 20000; ++i) {
        const int k = int(rng() % 700);
        x.push_back(450000.25 + k * 3.5);
        y.push_back(300000.5 - (k % 37) * 11.0);
    }
    // signed zeros and NaNs are told apart by their bits
    x.insert(x.end(), {0.0, -0.0, 0.0, std::nan(""), std::nan("")});
    y.insert(y.end(), {1.0, 1.0, 1.0, 2.0, 2.0});
    const DistinctPoints d = distinct_points(x, y, true);
    std::map<std::pair<std::uint64_t, std::uint64_t>, std::size_t> first;  // location -> its index
    std::vector<std::uint32_t> count;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const auto [it, fresh] = first.emplace(bits(x[i], y[i]), first.size());
        if (fresh) count.push_back(0);
        ++count[it->second];
        REQUIRE(d.of[i] == it->second);
    }
    REQUIRE(d.x.size() == first.size());
    CHECK(d.count == count);
    for (const auto& [b, k] : first) CHECK(bits(d.x[k], d.y[k]) == b);
    CHECK(d.x.size() == 700 + 3);  // 0.0 and -0.0 differ; the two NaNs share their bits
    CHECK(distinct_points(x, y, false).of.empty());
    CHECK_FALSE(mostly_distinct(x, y));
    std::vector<double> ux, uy;
    for (int i = 0; i < 1000; ++i) ux.push_back(i), uy.push_back(i % 7);
    CHECK(mostly_distinct(ux, uy));
    CHECK_THROWS_AS(distinct_points(std::vector<double>{1}, std::vector<double>{}, false), UsageError);
}
