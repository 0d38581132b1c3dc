// Hot spots (hotspots.hpp), grid references (bng.hpp) and street text (steps/hotspots_step.hpp)
// on synthetic surfaces whose truth is known, the watershed checked against a brute-force
// steepest-ascent partition written here from the definition.

#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <set>

#include "hotspot/bng.hpp"
#include "hotspot/error.hpp"
#include "hotspot/hotspots.hpp"
#include "hotspot/steps/hotspots_step.hpp"

using namespace hotspot;

namespace {

// A grid of n x n cells of `cell` m with its origin at (0, n·cell).
Grid square_grid(std::int64_t n, double cell) {
    Grid g;
    g.origin_x = 0;
    g.origin_y = double(n) * cell;
    g.cell_size_m = cell;
    g.cols = g.rows = n;
    return g;
}

// Sum of isotropic Gaussians (centre x, y, sigma, height) sampled at cell centres.
std::vector<double> gaussians(const Grid& g, const std::vector<std::array<double, 4>>& bumps) {
    std::vector<double> v(std::size_t(g.size()), 0.0);
    for (std::int64_t i = 0; i < g.size(); ++i) {
        const double x = g.x_of_col(i % g.cols), y = g.y_of_row(i / g.cols);
        for (const auto& b : bumps)
            v[std::size_t(i)] += b[3] * std::exp(-((x - b[0]) * (x - b[0]) + (y - b[1]) * (y - b[1])) / (2 * b[2] * b[2]));
    }
    return v;
}

// The local maximum that steepest ascent (to the strictly densest 8-neighbour) reaches from
// cell i: the definition of a peak's catchment, written independently of the engine.
std::int64_t ascend(const Grid& g, const std::vector<double>& v, std::int64_t i) {
    for (;;) {
        std::int64_t best = i;
        const std::int64_t r = i / g.cols, c = i % g.cols;
        for (std::int64_t dr = -1; dr <= 1; ++dr)
            for (std::int64_t dc = -1; dc <= 1; ++dc)
                if (g.in_grid(c + dc, r + dr)) {
                    const std::int64_t n = (r + dr) * g.cols + c + dc;
                    if (v[std::size_t(n)] > v[std::size_t(best)]) best = n;
                }
        if (best == i) return i;
        i = best;
    }
}

} // namespace

TEST_CASE("two Gaussian peaks joined by a saddle give two hot spots split at the saddle", "[hotspots]") {
    const Grid g = square_grid(60, 10);  // 600 m square
    // peaks at (203, 297) and (423, 297) (off cell edges, so each peak is one cell), sigma 60 m:
    // the saddle lies between them, lower than both, and above the threshold (value:0.2 of peak
    // heights 1 and 0.8)
    const std::vector<double> v = gaussians(g, {{203, 297, 60, 1.0}, {423, 297, 60, 0.8}});
    std::vector<double> x, y;
    for (int k = 0; k < 12; ++k) x.push_back(201 + k), y.push_back(301);  // 12 at the first peak
    for (int k = 0; k < 7; ++k) x.push_back(421 + k), y.push_back(301);   // 7 at the second
    HotspotOptions o = HotspotOptions::parse("value:0.2");
    o.min_incidents = 5;
    o.max_area_m2 = 1e9;
    const HotspotResult r = find_hotspots(g, v, x, y, 0, o);
    REQUIRE(r.hotspots.size() == 2);
    CHECK(r.regions == 2);
    // one region covers the hot cells connected across the saddle...
    const double saddle = v[std::size_t(g.row_of(300) * g.cols + g.col_of(310))];
    CHECK(saddle > 0.2);
    // ...and the two meet where steepest ascent changes peak (the brute-force partition)
    std::map<std::int64_t, std::set<std::int32_t>> labels_of_peak;
    for (std::int64_t i = 0; i < g.size(); ++i)
        if (r.labels[std::size_t(i)]) labels_of_peak[ascend(g, v, i)].insert(r.labels[std::size_t(i)]);
    REQUIRE(labels_of_peak.size() == 2);
    for (const auto& [peak, labels] : labels_of_peak) CHECK(labels.size() == 1);
    // every hot cell is in a hot spot (no cap, nothing dropped)
    for (std::int64_t i = 0; i < g.size(); ++i)
        CHECK((v[std::size_t(i)] >= 0.2) == (r.labels[std::size_t(i)] != 0));
    // ranked by incidents: the 12 first, peak near (200, 300); the 7 second near (420, 300)
    CHECK(r.hotspots[0].incidents == 12);
    CHECK(r.hotspots[1].incidents == 7);
    CHECK(r.hotspots[0].centre_x == 205);
    CHECK(r.hotspots[1].centre_x == 425);
    CHECK(r.hotspots[0].centre_y == 295);
    CHECK(r.hotspots[0].label == 1);
    CHECK_FALSE(r.hotspots[0].cut);
    // the boundary lies at the saddle: between x = 300 and 330 along the line joining the peaks
    const std::int64_t row = g.row_of(300);
    std::int64_t first_second = -1;
    for (std::int64_t c = 0; c < g.cols; ++c)
        if (r.labels[std::size_t(row * g.cols + c)] == 2) { first_second = c; break; }
    CHECK(g.x_of_col(first_second) > 300);
    CHECK(g.x_of_col(first_second) < 340);
    // PAI = share / area share
    const double study = double(g.size()) * g.cell_area_m2();
    CHECK(r.hotspots[0].pai == Approx((12.0 / 19.0) / (r.hotspots[0].area_m2 / study)));
}

TEST_CASE("a shoulder peak above a shallow saddle is merged; one above a deep saddle is not", "[hotspots]") {
    const Grid g = square_grid(40, 10);
    // along x: peak A (10) at column 10, saddle at column 15, peak B (8) at column 18; across y
    // a bell, so the saddle between A and B is the saddle value times the bell's top
    const auto surface = [&](double saddle) {
        std::vector<double> v(std::size_t(g.size()));
        for (std::int64_t i = 0; i < g.size(); ++i) {
            const double c = double(i % g.cols), r = double(i / g.cols);
            double f;
            if (c <= 10) f = 10 - 0.5 * (10 - c);
            else if (c <= 15) f = 10 + (saddle - 10) * (c - 10) / 5;
            else if (c <= 18) f = saddle + (8 - saddle) * (c - 15) / 3;
            else f = 8 - 0.5 * (c - 18);
            v[std::size_t(i)] = f * std::exp(-(r - 20) * (r - 20) / 50);
        }
        return v;
    };
    std::vector<double> x, y;
    for (int k = 0; k < 6; ++k) x.push_back(105), y.push_back(195), x.push_back(185), y.push_back(195);
    HotspotOptions o = HotspotOptions::parse("value:3");
    o.min_incidents = 1;
    o.max_area_m2 = 1e9;
    CHECK(o.min_saddle_drop == 0.1);
    // saddle 7.5 under peak 8: a 6% drop, a shoulder -> one hot spot holding both groups
    HotspotResult r = find_hotspots(g, surface(7.5), x, y, 0, o);
    REQUIRE(r.hotspots.size() == 1);
    CHECK(r.hotspots[0].incidents == 12);
    CHECK(r.hotspots[0].centre_x == 105);
    // the same without merging (pure watershed): two
    o.min_saddle_drop = 0;
    r = find_hotspots(g, surface(7.5), x, y, 0, o);
    CHECK(r.hotspots.size() == 2);
    // saddle 4 under peak 8: a 50% drop -> two hot spots at the default
    o.min_saddle_drop = 0.1;
    r = find_hotspots(g, surface(4), x, y, 0, o);
    REQUIRE(r.hotspots.size() == 2);
    CHECK(r.hotspots[0].incidents == 6);
    // a merge that would pass the maximum area is not made: 30 cells are full before the
    // saddle (about 50 cells of A lie above it)
    o.max_area_m2 = 3000;
    r = find_hotspots(g, surface(7.5), x, y, 0, o);
    REQUIRE(r.hotspots.size() == 2);
    for (const auto& h : r.hotspots) CHECK(h.area_m2 == 3000);
    CHECK(r.hotspots[0].cut);
}

TEST_CASE("a lone incident is no hot spot when min incidents > 1", "[hotspots]") {
    const Grid g = square_grid(40, 10);
    const std::vector<double> v = gaussians(g, {{200, 200, 50, 1.0}});
    const std::vector<double> x{201}, y{201};
    HotspotOptions o;  // defaults: area:1, min 5
    o.min_incidents = 2;
    HotspotResult r = find_hotspots(g, v, x, y, 0, o);
    CHECK(r.hotspots.empty());
    CHECK(r.regions == 1);
    CHECK(r.dropped_small == 1);
    for (auto l : r.labels) CHECK(l == 0);
    o.min_incidents = 1;
    r = find_hotspots(g, v, x, y, 0, o);
    REQUIRE(r.hotspots.size() == 1);
    CHECK(r.hotspots[0].incidents == 1);
}

TEST_CASE("a large plateau is cut to the maximum area around its densest point", "[hotspots]") {
    const Grid g = square_grid(100, 10);  // 1 km square
    // a broad dome: every cell within 400 m of the centre is above the threshold (~50 ha)
    std::vector<double> v(std::size_t(g.size()));
    for (std::int64_t i = 0; i < g.size(); ++i) {
        const double dx = g.x_of_col(i % g.cols) - 503, dy = g.y_of_row(i / g.cols) - 497;
        v[std::size_t(i)] = 1000 - std::hypot(dx, dy);
    }
    std::vector<double> x, y;
    for (int k = 0; k < 200; ++k) x.push_back(100 + 4 * k), y.push_back(500);  // a line across
    HotspotOptions o = HotspotOptions::parse("value:600");
    o.min_incidents = 1;
    o.max_area_m2 = 40'000;  // 400 cells of 100 m²
    const HotspotResult r = find_hotspots(g, v, x, y, 0, o);
    REQUIRE(r.hotspots.size() == 1);
    const Hotspot& h = r.hotspots[0];
    CHECK(h.cut);
    CHECK(h.area_m2 <= o.max_area_m2);
    CHECK(h.cells == 400);
    CHECK(r.hot_area_m2 > 10 * o.max_area_m2);
    // compact: every cell kept is at least as dense as every hot cell left out
    double min_in = 1e300, max_out = -1e300;
    for (std::int64_t i = 0; i < g.size(); ++i) {
        if (r.labels[std::size_t(i)]) min_in = std::min(min_in, v[std::size_t(i)]);
        else if (v[std::size_t(i)] >= 600) max_out = std::max(max_out, v[std::size_t(i)]);
    }
    CHECK(min_in >= max_out);
    // it holds the incidents of its cells only: those within ~113 m (400 cells ~ a disc) of the centre
    std::uint64_t inside = 0;
    for (std::size_t k = 0; k < x.size(); ++k)
        if (r.labels[std::size_t(g.row_of(y[k]) * g.cols + g.col_of(x[k]))]) ++inside;
    CHECK(h.incidents == inside);
    CHECK(inside > 40);
    CHECK(inside < 70);
}

TEST_CASE("the area threshold covers the stated share of the study area", "[hotspots]") {
    const Grid g = square_grid(100, 10);
    std::vector<double> v(std::size_t(g.size()));
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = double((i * 7919) % 10007) + 1;  // distinct values
    HotspotOptions o = HotspotOptions::parse("area:2");
    const double study = double(g.size()) * g.cell_area_m2();
    const double t = hotspot_threshold(v, o, study, g.cell_area_m2());
    std::size_t above = 0;
    for (double d : v) above += d >= t ? 1 : 0;
    CHECK(above == 200);  // 2% of 10,000 cells
    // a stated study area twice the grid's: 2% of it is 400 cells
    const double t2 = hotspot_threshold(v, o, 2 * study, g.cell_area_m2());
    above = 0;
    for (double d : v) above += d >= t2 ? 1 : 0;
    CHECK(above == 400);
}

TEST_CASE("hot spots are ranked by incidents and only the first are numbered", "[hotspots]") {
    const Grid g = square_grid(100, 10);
    std::vector<std::array<double, 4>> bumps;
    std::vector<double> x, y;
    for (int k = 0; k < 5; ++k) {
        bumps.push_back({100.0 + 180 * k, 500, 30, 1.0});
        for (int i = 0; i <= k; ++i) x.push_back(101.0 + 180 * k), y.push_back(501);  // k+1 incidents
    }
    HotspotOptions o = HotspotOptions::parse("value:0.5");
    o.min_incidents = 1;
    o.max_numbered = 3;
    const HotspotResult r = find_hotspots(g, gaussians(g, bumps), x, y, 0, o);
    REQUIRE(r.hotspots.size() == 5);
    for (std::size_t k = 0; k < 5; ++k) {
        CHECK(r.hotspots[k].rank == int(k + 1));
        CHECK(r.hotspots[k].incidents == 5 - k);
        CHECK(r.hotspots[k].numbered == (k < 3));
    }
    CHECK(r.total_incidents() == 15);
}

TEST_CASE("hot spot options: parse, text and refusals", "[hotspots]") {
    const HotspotOptions d;
    CHECK(d.threshold_text() == "area:1");
    CHECK(d.describe() == "densest 1% of the study area");
    CHECK(HotspotOptions::parse("top:5").describe() == "top 5% of non-zero cells");
    CHECK(HotspotOptions::parse(HotspotOptions::parse("sd:2.5").threshold_text()).value == 2.5);
    CHECK_THROWS_WITH(HotspotOptions::parse("area:0"), Catch::Contains("between 0 and 100"));
    CHECK_THROWS_WITH(HotspotOptions::parse("densest:3"), Catch::Contains("area:PERCENT"));
    CHECK_THROWS_WITH(HotspotOptions::parse("area:x"), Catch::Contains("not a number"));
    HotspotOptions o;
    o.max_area_m2 = 50;
    const Grid g = square_grid(10, 10);
    const std::vector<double> v(100, 1.0), none;
    CHECK_THROWS_WITH(find_hotspots(g, v, none, none, 0, o), Catch::Contains("smaller than one 10 m cell"));
    o.max_area_m2 = 0;
    CHECK_THROWS_AS(o.validate(), UsageError);
}

TEST_CASE("British National Grid references match Ordnance Survey's examples", "[hotspots]") {
    // The example, and OS's "A guide to coordinate systems in Great Britain" worked
    // example (Caister water tower, E 651409.903 N 313177.270 = TG 51409 13177).
    CHECK(bng_grid_reference(458620, 304340) == "SK 5862 0434");
    CHECK(bng_grid_reference(651409.903, 313177.270, 10) == "TG 51409 13177");
    CHECK(bng_grid_reference(651409.903, 313177.270, 6) == "TG 514 131");  // truncated, not rounded
    CHECK(bng_grid_reference(651409.903, 313177.270, 0) == "TG");
    // the false origin's square, Shetland's northernmost square, and London (TQ)
    CHECK(bng_grid_reference(0, 0, 4) == "SV 00 00");
    CHECK(bng_grid_reference(460000, 1210000, 2) == "HP 6 1");
    CHECK(bng_grid_reference(530000, 180000, 4) == "TQ 30 80");
    CHECK(bng_grid_reference(699999, 1299999, 2) == "JM 9 9");  // J: the north-east 500 km square
    CHECK(bng_grid_reference(-1, 100) == "");
    CHECK(bng_grid_reference(700000, 100) == "");
    CHECK(bng_grid_reference(NAN, 100) == "");
    CHECK_THROWS_AS(bng_grid_reference(1, 1, 3), UsageError);
}

TEST_CASE("street text drops police.uk's 'On or near'", "[hotspots]") {
    CHECK(street_name("On or near Granby Street") == "Granby Street");
    CHECK(street_name("  on or near  Parking Area ") == "Parking Area");
    CHECK(street_name("High Street") == "High Street");
    CHECK(street_name("On or near ") == "");
    CHECK(street_name("") == "");
}
