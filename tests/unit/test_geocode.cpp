#include <boost/geometry.hpp>
#include <catch2/catch.hpp>
#include <random>

#include "hotspot/geocode.hpp"

using namespace hotspot;

namespace {

MultiPolygon square(double x0, double y0, double x1, double y1) {
    return {Polygon{{Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}}}};
}

// A 2 x 2 block of unit squares: 0 = SW, 1 = SE, 2 = NW, 3 = NE.
std::vector<MultiPolygon> block() {
    return {square(0, 0, 1, 1), square(1, 0, 2, 1), square(0, 1, 1, 2), square(1, 1, 2, 2)};
}

} // namespace

TEST_CASE("geocode: inside and outside", "[geocode]") {
    const AreaIndex idx(block());
    CHECK(idx.locate(0.5, 0.5) == 0);
    CHECK(idx.locate(1.5, 0.5) == 1);
    CHECK(idx.locate(0.5, 1.5) == 2);
    CHECK(idx.locate(1.5, 1.5) == 3);
    CHECK(idx.locate(-0.5, 0.5) == -1);
    CHECK(idx.locate(2.5, 2.5) == -1);
}

TEST_CASE("geocode: shared edges and vertices go to exactly one area, east then north", "[geocode]") {
    const AreaIndex idx(block());
    // on the vertical edge x = 1 between SW and SE: east (SE)
    CHECK(idx.locate(1.0, 0.5) == 1);
    // on the horizontal edge y = 1 between SW and NW: north (NW)
    CHECK(idx.locate(0.5, 1.0) == 2);
    // the centre vertex shared by all four: NE
    CHECK(idx.locate(1.0, 1.0) == 3);
    // every point on every interior edge lies in exactly one area
    for (double t = 0.01; t < 2.0; t += 0.173) {
        for (auto [x, y] : {std::pair{1.0, t}, std::pair{t, 1.0}}) {
            int n = 0;
            for (std::size_t a = 0; a < 4; ++a) n += idx.contains(a, x, y);
            CHECK(n == 1);
        }
    }
}

TEST_CASE("geocode: holes and multipolygons", "[geocode]") {
    // area 0: a square with a hole; area 1: the hole's island plus a far part
    MultiPolygon donut{Polygon{{Ring{{0, 0}, {10, 0}, {10, 10}, {0, 10}}, Ring{{4, 4}, {6, 4}, {6, 6}, {4, 6}}}}};
    MultiPolygon islands{Polygon{{Ring{{4, 4}, {6, 4}, {6, 6}, {4, 6}}}}, Polygon{{Ring{{20, 0}, {21, 0}, {21, 1}, {20, 1}}}}};
    const AreaIndex idx({donut, islands});
    CHECK(idx.locate(1, 1) == 0);
    CHECK(idx.locate(5, 5) == 1);       // in the hole: the island
    CHECK(idx.locate(20.5, 0.5) == 1);  // second part
    CHECK(idx.locate(15, 5) == -1);
    // the hole's boundary belongs to one of the two, never both or neither
    int n = idx.contains(0, 6.0, 5.0) + idx.contains(1, 6.0, 5.0);
    CHECK(n == 1);
}

TEST_CASE("geocode: overlaps go to the first area and are counted", "[geocode]") {
    const AreaIndex idx({square(0, 0, 2, 2), square(1, 1, 3, 3)});
    bool several = false;
    CHECK(idx.locate(1.5, 1.5, &several) == 0);
    CHECK(several);
    const std::vector<double> x{1.5, 0.5, 2.5}, y{1.5, 0.5, 2.5};
    const auto r = geocode(idx, x, y);
    CHECK(r.in_several == 1);
    CHECK(r.counts == std::vector<std::uint64_t>{2, 1});
}

TEST_CASE("geocode: snapping assigns near misses to the nearest area and flags them", "[geocode]") {
    const AreaIndex idx(block());
    const std::vector<double> x{-0.3, 2.05, 5.0, 0.5}, y{0.5, 1.5, 5.0, 0.5};
    const auto plain = geocode(idx, x, y, 0.0);
    CHECK(plain.outside == 3);
    const auto snapped = geocode(idx, x, y, 0.5);
    CHECK(snapped.area == std::vector<std::int32_t>{0, 3, -1, 0});
    CHECK(snapped.status[0] == AreaStatus::snapped);
    CHECK(snapped.status[3] == AreaStatus::assigned);
    CHECK(snapped.snapped == 2);
    CHECK(snapped.outside == 1);
    CHECK(snapped.assigned + snapped.snapped + snapped.outside == x.size());
}

TEST_CASE("geocode: agrees with Boost.Geometry on random polygons and points", "[geocode]") {
    namespace bg = boost::geometry;
    using BP = bg::model::d2::point_xy<double>;
    using BPoly = bg::model::polygon<BP, false>;  // counter-clockwise
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> u(0, 1000);
    // star-shaped polygons around random centres (simple, non-convex)
    std::vector<MultiPolygon> polys;
    std::vector<BPoly> bpolys;
    for (int k = 0; k < 30; ++k) {
        const double cx = u(rng), cy = u(rng);
        Ring ring;
        BPoly bp;
        for (int i = 0; i < 24; ++i) {
            const double a = 2 * M_PI * i / 24;
            const double r = 20 + u(rng) / 10;
            ring.push_back({cx + r * std::cos(a), cy + r * std::sin(a)});
            bg::append(bp.outer(), BP(ring.back().x, ring.back().y));
        }
        bg::append(bp.outer(), BP(ring.front().x, ring.front().y));
        polys.push_back({Polygon{{ring}}});
        bpolys.push_back(bp);
    }
    const AreaIndex idx(polys);
    std::vector<double> xs, ys;
    for (int i = 0; i < 20000; ++i) {
        xs.push_back(u(rng));
        ys.push_back(u(rng));
    }
    std::size_t checked = 0;
    for (std::size_t i = 0; i < xs.size(); ++i)
        for (std::size_t a = 0; a < polys.size(); ++a) {
            const bool ours = idx.contains(a, xs[i], ys[i]);
            const bool theirs = bg::within(BP(xs[i], ys[i]), bpolys[a]);
            if (ours != theirs) FAIL("point " << i << " area " << a);
            checked += ours;
        }
    CHECK(checked > 100);  // the test exercised insides, not only outsides
    // and whatever the thread count, the same answer
    const auto one = geocode(idx, xs, ys, 0, 1);
    const auto two = geocode(idx, xs, ys, 0, 2);
    CHECK(one.area == two.area);
}

TEST_CASE("geocode: rasterized areas equal point-in-polygon at every cell centre", "[geocode]") {
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> u(0, 1000);
    std::vector<MultiPolygon> polys;
    for (int k = 0; k < 12; ++k) {
        const double cx = u(rng), cy = u(rng);
        Ring ring;
        for (int i = 0; i < 30; ++i) {
            const double a = 2 * M_PI * i / 30, r = 30 + u(rng) / 8;
            ring.push_back({std::round(cx + r * std::cos(a)), std::round(cy + r * std::sin(a))});  // on cell edges/centres often
        }
        polys.push_back({Polygon{{ring}}});
    }
    polys.push_back(block()[0]);  // edges exactly on cell boundaries
    const AreaIndex idx(polys);
    for (double cell : {1.0, 5.0, 10.0, 7.3}) {
        const Grid g = Grid::aligned({-50, -50, 1050, 1050}, cell);
        const auto mask = rasterize_areas(g, polys);
        std::size_t inside = 0;
        for (std::int64_t r = 0; r < g.rows; ++r)
            for (std::int64_t c = 0; c < g.cols; ++c) {
                bool any = false;
                for (std::size_t a = 0; a < polys.size(); ++a) any = any || idx.contains(a, g.x_of_col(c), g.y_of_row(r));
                if (bool(mask[std::size_t(r * g.cols + c)]) != any) FAIL("cell " << c << "," << r << " size " << cell);
                inside += any;
            }
        CHECK(inside > 0);
    }
}
