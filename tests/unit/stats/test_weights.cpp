#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "hotspot/contiguity.hpp"
#include "hotspot/error.hpp"
#include "hotspot/weights.hpp"

using namespace hotspot;

namespace {
// Brute-force neighbour pairs within band, for comparison with the R-tree and stencil.
std::vector<std::vector<std::int32_t>> brute(const std::vector<Point>& pts, double band, bool self) {
    std::vector<std::vector<std::int32_t>> nb(pts.size());
    for (std::size_t i = 0; i < pts.size(); ++i)
        for (std::size_t j = 0; j < pts.size(); ++j) {
            if (i == j && !self) continue;
            if (std::hypot(pts[i].x - pts[j].x, pts[i].y - pts[j].y) <= band + 1e-9)
                nb[i].push_back(std::int32_t(j));
        }
    return nb;
}
MultiPolygon square(double x0, double y0, double x1, double y1) {
    return {Polygon{{Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}}}};
}
} // namespace

TEST_CASE("distance band from an R-tree equals brute force", "[weights]") {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(0, 1000);
    std::vector<Point> pts;
    for (int i = 0; i < 400; ++i) pts.push_back({u(rng), u(rng)});
    pts.push_back(pts[3]); // a coincident point
    for (bool self : {true, false}) {
        DistanceBandOptions o;
        o.band_m = 90;
        o.include_self = self;
        const auto w = distance_band_weights(pts, o);
        const auto b = brute(pts, 90, self);
        REQUIRE(w.size() == pts.size());
        for (std::size_t i = 0; i < pts.size(); ++i) {
            const auto nb = w.neighbours_of(i);
            CHECK(std::vector<std::int32_t>(nb.begin(), nb.end()) == b[i]);
        }
    }
}

TEST_CASE("grid stencil equals the R-tree on cell centres, with a mask", "[weights]") {
    const Grid g{1000, 2000, 10, 23, 17};
    std::vector<std::uint8_t> mask(std::size_t(g.size()), 1);
    for (std::int64_t k = 0; k < g.size(); k += 7) mask[std::size_t(k)] = 0;
    DistanceBandOptions o;
    o.band_m = 50; // exactly 5 cells: offsets (3,4) and (5,0) lie on the band and count
    const auto w = grid_band_weights(g, o, mask);
    const auto cells = study_area_cells(g, mask);
    std::vector<Point> pts;
    for (auto k : cells) pts.push_back({g.x_of_col(k % g.cols), g.y_of_row(k / g.cols)});
    const auto r = distance_band_weights(pts, o);
    REQUIRE(w.size() == r.size());
    CHECK(w.neighbours == r.neighbours);
    CHECK(w.offsets == r.offsets);
    // an interior cell sees the full disc of radius 5: 81 cells (Gauss circle N(5) = 81)
    const auto full = grid_band_weights(g, o);
    CHECK(full.cardinality(std::size_t(10 * g.cols + 10)) == 81);
}

TEST_CASE("inverse distance and row standardisation", "[weights]") {
    const std::vector<Point> pts{{0, 0}, {3, 4}, {6, 8}, {0, 0.5}};
    DistanceBandOptions o;
    o.band_m = 5;
    o.scheme = WeightScheme::inverse_distance;
    auto w = distance_band_weights(pts, o);
    // point 0: self (clamped to 1 m -> 1), point 1 at 5 m -> 0.2, point 3 at 0.5 m -> 1 (clamped)
    REQUIRE(w.cardinality(0) == 3);
    CHECK(w.weights_of(0)[0] == Approx(1.0));
    CHECK(w.weights_of(0)[1] == Approx(0.2));
    CHECK(w.weights_of(0)[2] == Approx(1.0));
    row_standardise(w);
    for (std::size_t i = 0; i < w.size(); ++i) CHECK(w.row_sum(i) == Approx(1.0));
    const auto ns = without_self(w);
    for (std::size_t i = 0; i < ns.size(); ++i)
        for (auto j : ns.neighbours_of(i)) CHECK(std::size_t(j) != i);
}

TEST_CASE("weights: invalid options say what to do", "[weights]") {
    DistanceBandOptions o;
    CHECK_THROWS_WITH(o.validate(), "weights: band must be > 0 m (got 0)");
    o.band_m = 10;
    o.scheme = WeightScheme::inverse_distance;
    o.power = -1;
    CHECK_THROWS_AS(o.validate(), UsageError);
    CHECK_THROWS_AS(weights_from_lists({{1}, {5}}), UsageError);
}

TEST_CASE("queen contiguity snaps slivers but not real gaps", "[weights][contiguity]") {
    // 3x3 block of 100 m squares; the centre one is shifted by 0.3 m (a sliver / overlap) and
    // its edges carry extra vertices, so no vertex is shared exactly.
    std::vector<MultiPolygon> areas;
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c) {
            const double x0 = c * 100, y0 = r * 100;
            if (r == 1 && c == 1) {
                areas.push_back({Polygon{{Ring{{100.3, 100.3}, {150, 100.3}, {199.7, 100.3},
                                                {199.7, 199.7}, {100.3, 199.7}, {100.3, 150}}}}});
            } else {
                areas.push_back(square(x0, y0, x0 + 100, y0 + 100));
            }
        }
    areas.push_back(square(1000, 1000, 1100, 1100)); // an island
    areas.push_back(square(300.5, 0, 400, 100));       // 0.5 m gap to area 2 (east of it)
    ContiguityOptions strict;
    strict.snap_m = 0;
    const auto nb0 = queen_neighbours(areas, strict);
    CHECK(nb0[4].empty()); // the shifted centre touches nothing exactly
    CHECK(nb0[0] == std::vector<std::int32_t>{1, 3});
    const auto nb = queen_neighbours(areas, ContiguityOptions{1.0});
    CHECK(nb[4] == std::vector<std::int32_t>{0, 1, 2, 3, 5, 6, 7, 8});
    CHECK(nb[0] == std::vector<std::int32_t>{1, 3, 4}); // queen: corner 0-4 via snapping
    CHECK(nb[9].empty());
    CHECK(nb[2] == std::vector<std::int32_t>{1, 4, 5, 10});
    const auto nb_tight = queen_neighbours(areas, ContiguityOptions{0.2});
    CHECK(nb_tight[2] == std::vector<std::int32_t>{1, 5});
    // symmetric
    for (std::size_t i = 0; i < nb.size(); ++i)
        for (auto j : nb[i])
            CHECK(std::count(nb[std::size_t(j)].begin(), nb[std::size_t(j)].end(), std::int32_t(i)) == 1);
}
