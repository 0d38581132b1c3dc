// Heat map classes (heat_classes.hpp) against a brute force written from the definition:
// shares of the study area and of the incidents per class, and the k-incident floor.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "hotspot/error.hpp"
#include "hotspot/heat_classes.hpp"
#include "hotspot/kde.hpp"

using namespace hotspot;

namespace {

struct Scene {
    Grid grid;
    std::vector<double> x, y, values;
    std::vector<std::size_t> lone;  // indices of isolated incidents
    double radius = 0;
};

/// Two tight clusters of 40 incidents and 25 lone incidents on a 3 km square, 20 m cells,
/// quartic 200 m: every lone incident is more than 2 radii from any other incident.
Scene scene(int lone_pairs = 0) {
    Scene s;
    s.grid = Grid::aligned({0, 0, 3000, 3000}, 20);
    std::mt19937 rng(7);
    std::normal_distribution<double> n(0, 60);
    for (auto [cx, cy] : {std::pair{800.0, 900.0}, std::pair{2100.0, 2200.0}})
        for (int i = 0; i < 40; ++i) s.x.push_back(cx + n(rng)), s.y.push_back(cy + n(rng));
    for (int i = 0; i < 5; ++i)
        for (int j = 0; j < 5; ++j) {
            const double x = 150 + 600.0 * i + 3.0, y = 150 + 600.0 * j + 7.0;
            if (std::hypot(x - 800, y - 900) < 700 || std::hypot(x - 2100, y - 2200) < 700) continue;
            s.lone.push_back(s.x.size());
            s.x.push_back(x), s.y.push_back(y);
            if (lone_pairs-- > 0) s.x.push_back(x + 5), s.y.push_back(y + 5);  // a repeat pair
        }
    KdeOptions o;
    o.bandwidth_m = 200;
    o.cell_size_m = 20;
    const KdeResult k = kernel_density(s.x, s.y, {}, s.grid, o);
    s.values = k.values;
    s.radius = k.radius_m;
    return s;
}

std::size_t cell_of(const Grid& g, double x, double y) {
    const auto c = std::int64_t(std::floor((x - g.origin_x) / g.cell_size_m));
    const auto r = std::int64_t(std::floor((g.origin_y - y) / g.cell_size_m));
    return std::size_t(r * g.cols + c);
}

/// Incidents within the support radius of cell i's centre: those contributing to its density.
int reaching(const Scene& s, std::size_t i) {
    const double cx = s.grid.x_of_col(std::int64_t(i) % s.grid.cols), cy = s.grid.y_of_row(std::int64_t(i) / s.grid.cols);
    int n = 0;
    for (std::size_t j = 0; j < s.x.size(); ++j) n += std::hypot(s.x[j] - cx, s.y[j] - cy) < s.radius;
    return n;
}

} // namespace

TEST_CASE("heat classes: shares of area and incidents match a brute force", "[heat]") {
    const Scene s = scene();
    HeatClassOptions o;
    o.min_incidents = 1;  // no floor: the area shares alone
    const HeatClasses h = heat_classes(s.grid, s.values, s.x, s.y, s.radius, o);
    REQUIRE(h.classes.size() >= 3);
    double max = 0;
    for (double v : s.values) max = std::max(max, v);
    CHECK(h.classes.back().upper == max);
    double area_above = 0, inc_above = 0;
    for (std::size_t k = h.classes.size(); k-- > 0;) {
        const auto& c = h.classes[k];
        CHECK(c.lower < c.upper);
        if (k + 1 < h.classes.size()) CHECK(c.area_share >= 0.001);  // no sliver class
        // brute force: cells and incidents with lower < v <= upper (the top class: any v > lower)
        const bool top = k + 1 == h.classes.size();
        std::size_t cells = 0, incs = 0;
        for (double v : s.values) cells += v > c.lower && (top || v <= c.upper);
        for (std::size_t j = 0; j < s.x.size(); ++j) {
            const double v = s.values[cell_of(s.grid, s.x[j], s.y[j])];
            incs += v > c.lower && (top || v <= c.upper);
        }
        CHECK(c.area_share == Approx(double(cells) / double(s.values.size())));
        CHECK(c.incident_share == Approx(double(incs) / double(s.x.size())));
        area_above += c.area_share, inc_above += c.incident_share;
        CHECK(c.area_share_above == Approx(area_above));
        CHECK(c.incident_share_above == Approx(inc_above));
        // each edge is a 2-significant-figure number
        CHECK(round_significant(c.lower, 2) == c.lower);
    }
    // the darkest class is about the densest 0.5% of the area (rounding of its edge moves it a little)
    CHECK(h.classes.back().area_share_above == Approx(0.005).margin(0.002));
    // the clusters hold most of the incidents in the densest 10%; the lone incidents do not
    CHECK(h.classes.front().incident_share_above > 0.6);
    CHECK(h.breaks().front() == h.floor);
    CHECK(h.breaks().size() == h.classes.size() + 1);
    CHECK_THAT(h.classes.back().label, Catch::StartsWith("over "));
    CHECK_THAT(h.classes.back().label, Catch::Contains("per km²: densest"));
    CHECK_THAT(h.classes.back().label, Catch::Contains("of incidents"));
}

TEST_CASE("heat classes: an isolated incident is never shaded; no shaded cell has fewer than k", "[heat]") {
    for (int k : {2, 3, 5}) {
        const Scene s = scene(/*lone_pairs=*/4);
        HeatClassOptions o;
        o.min_incidents = k;
        const HeatClasses h = heat_classes(s.grid, s.values, s.x, s.y, s.radius, o);
        REQUIRE(!h.classes.empty());
        // the first 4 lone incidents have a repeat (a pair): with k = 2 a pair may be shaded
        for (std::size_t l = k == 2 ? 4 : 0; l < s.lone.size(); ++l)
            CHECK(!(s.values[cell_of(s.grid, s.x[s.lone[l]], s.y[s.lone[l]])] > h.floor));
        for (std::size_t i = 0; i < s.values.size(); ++i)
            if (s.values[i] > h.floor) CHECK(reaching(s, i) >= k);
        // the floor is the densest cell under k, rounded up: a lone incident's peak is below it
        double under_k = 0;
        for (std::size_t i = 0; i < s.values.size(); ++i)
            if (reaching(s, i) < k) under_k = std::max(under_k, s.values[i]);
        CHECK(h.floor_from_count == Approx(under_k));
        CHECK(h.floor >= under_k);
        CHECK_THAT(h.floor_label, Catch::Contains("fewer than " + std::to_string(k) + " incidents"));
    }
    // without the floor (k = 1), the same lone incidents are shaded: the test can fail
    const Scene s = scene();
    HeatClassOptions o;
    o.min_incidents = 1;
    o.area_shares = {0.005, 0.01, 0.02, 0.05, 0.10, 0.3};
    const HeatClasses h = heat_classes(s.grid, s.values, s.x, s.y, s.radius, o);
    std::size_t shaded = 0;
    for (std::size_t j : s.lone) shaded += s.values[cell_of(s.grid, s.x[j], s.y[j])] > h.floor;
    CHECK(shaded == s.lone.size());
}

TEST_CASE("heat classes: nodata cells are outside the study area; empty and flat surfaces", "[heat]") {
    Scene s = scene();
    // mask the west half: the shares are of the cells left
    std::size_t inside = 0;
    for (std::int64_t i = 0; i < s.grid.size(); ++i)
        if (i % s.grid.cols < s.grid.cols / 2) s.values[std::size_t(i)] = std::nan("");
        else ++inside;
    HeatClassOptions o;
    o.min_incidents = 1;
    const HeatClasses h = heat_classes(s.grid, s.values, s.x, s.y, s.radius, o);
    REQUIRE(!h.classes.empty());
    std::size_t top = 0;
    for (double v : s.values) top += v > h.classes.back().lower;
    CHECK(h.classes.back().area_share == Approx(double(top) / double(inside)));
    const std::vector<double> zeros(std::size_t(s.grid.size()), 0.0);
    CHECK(heat_classes(s.grid, zeros, {}, {}, 0, o).classes.empty());
    CHECK(heat_classes(s.grid, zeros, {}, {}, 0, o).breaks().empty());
    o.area_shares = {1.5};
    CHECK_THROWS_AS(heat_classes(s.grid, zeros, {}, {}, 0, o), UsageError);
}

TEST_CASE("heat classes: each edge is the value just below the n-th densest cell, ties and order as the definition", "[heat]") {
    // Whole-number values 0-59 (many ties, skewed: few dense cells), some cells outside (NaN),
    // shares unsorted and repeated. Expected from the definition by a full sort, densest first:
    // t = the ceil(share x cells)-th value, the edge = the largest value below t (0 if none),
    // rounded to 2 significant figures (whole numbers under 100 are their own rounding).
    const Grid grid = Grid::aligned({0, 0, 1000, 800}, 20);  // 50 x 40 cells
    std::mt19937 rng(11);
    std::uniform_real_distribution<double> u(0, 1);
    // (then continuous values: no ties, so each smaller share's edge lies above the larger's;
    // then a sparse surface: 70% zeros of both signs and a few negative cells, with shares whose
    // ranks fall among the zeros and the negative values)
    for (const int kind : {0, 1, 2}) {
    const bool whole = kind == 0;
    INFO((kind == 0 ? "whole numbers" : kind == 1 ? "continuous values" : "sparse, zeros of both signs, negatives"));
    std::vector<double> values(std::size_t(grid.size()));
    for (auto& v : values) {
        const double a = u(rng), b = u(rng);
        if (kind < 2) v = a < 0.1 ? std::nan("") : whole ? std::floor(60 * std::pow(b, 3)) : 60 * std::pow(b, 3);
        else v = a < 0.1 ? std::nan("") : a < 0.7 ? 0.0 : a < 0.8 ? -0.0 : a < 0.83 ? -5 * b : 60 * std::pow(b, 3);
    }
    HeatClassOptions o;
    o.min_incidents = 1;
    o.area_shares = {0.10, 0.005, 0.02, 0.02, 0.35, 0.05};
    if (kind == 2) o.area_shares = {0.10, 0.005, 0.02, 0.02, 0.35, 0.05, 0.9, 0.99};
    std::vector<double> sorted;
    for (double v : values)
        if (std::isfinite(v)) sorted.push_back(v);
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
    std::vector<double> expected;
    for (double share : o.area_shares) {
        const auto n = std::size_t(std::ceil(share * double(sorted.size())));
        const double t = sorted[n - 1];
        double edge = 0;
        for (double v : sorted)
            if (v < t) {
                edge = v;
                break;
            }
        // (an edge below the floor, 0 here, is the floor)
        expected.push_back(std::max(whole ? edge : round_significant(edge, 2), 0.0));
    }
    std::sort(expected.begin(), expected.end());
    expected.erase(std::unique(expected.begin(), expected.end()), expected.end());
    expected.push_back(sorted.front());  // the top class's upper end: the densest cell
    REQUIRE(expected.size() >= 5);
    const HeatClasses h = heat_classes(grid, values, {}, {}, 0, o);
    for (const auto& c : h.classes) REQUIRE(c.area_share >= 0.001);  // no sliver merged away
    CHECK(h.breaks() == expected);
    // the same surface with its cells in another order: the same classes
    std::shuffle(values.begin(), values.end(), rng);
    CHECK(heat_classes(grid, values, {}, {}, 0, o).breaks() == expected);
    }
}

TEST_CASE("heat classes: breaks rounded to 2 significant figures for the legend", "[heat]") {
    CHECK(round_significant(1234, 2) == 1200);
    CHECK(round_significant(1250.1, 2) == 1300);
    CHECK(round_significant(1201, 2, true) == 1300);
    CHECK(round_significant(1200, 2, true) == 1200);
    CHECK(round_significant(0.029, 2, true) == Approx(0.029));
    CHECK(round_significant(0.0034449, 2) == Approx(0.0034));
    CHECK(format_break(1919) == "1,900");
    CHECK(format_break(13656) == "14,000");
    CHECK(format_break(7.24141699) == "7.2");
    CHECK(format_break(76.6881609) == "77");
    CHECK(format_break(0.0034449) == "0.0034");
    CHECK(format_break(0) == "0");
}

// incidents_within() against the definition, cell by cell: the same test (dx*dx + dy*dy < r*r in
// doubles) over every incident. Scenes chosen for the run ends: whole-metre points on a 10 m grid
// with radii that put cell centres exactly on the circle, points on cell edges and corners,
// points outside the grid (their circles still reach it), radii under half a cell, and
// national-grid coordinates with fractions.
TEST_CASE("incidents_within equals the brute force count of every cell", "[heat]") {
    struct Case {
        Grid grid;
        double radius;
        std::vector<double> x, y;
    };
    std::vector<Case> cases;
    std::mt19937 rng(42);
    {
        Case c{Grid::aligned({0, 0, 400, 300}, 10), 30, {}, {}};
        std::uniform_int_distribution<int> u(-40, 440);
        for (int i = 0; i < 3000; ++i) c.x.push_back(u(rng)), c.y.push_back(u(rng) * 0.75);
        for (int i = 0; i <= 40; ++i) c.x.push_back(5.0 + 10 * i), c.y.push_back(5.0 + 7 * i);  // on cell centres
        cases.push_back(c);
        for (double r : {25.0, 50.0, 4.0, 5.0, 0.5, 7.0710678118654755}) {
            Case d = c;
            d.radius = r;
            cases.push_back(d);
        }
    }
    {
        Case c{Grid::aligned({412000.3, 287000.7, 418000.1, 291000.9}, 25), 183.7, {}, {}};
        std::uniform_real_distribution<double> ux(411700, 418300), uy(286700, 291300);
        for (int i = 0; i < 4000; ++i) c.x.push_back(ux(rng)), c.y.push_back(uy(rng));
        c.x.push_back(std::nan("")), c.y.push_back(289000);
        c.x.push_back(415000), c.y.push_back(std::numeric_limits<double>::infinity());
        cases.push_back(c);
    }
    {
        // snap points: 5,000 incidents at 200 locations (counted once per location, times its
        // incidents), non-finite ones repeated too
        Case c{Grid::aligned({412000.3, 287000.7, 418000.1, 291000.9}, 25), 183.7, {}, {}};
        std::uniform_real_distribution<double> ux(411700, 418300), uy(286700, 291300);
        std::vector<double> sx, sy;
        for (int i = 0; i < 198; ++i) sx.push_back(ux(rng)), sy.push_back(uy(rng));
        sx.push_back(std::nan("")), sy.push_back(289000);
        sx.push_back(415000), sy.push_back(std::numeric_limits<double>::infinity());
        for (int i = 0; i < 5000; ++i) {
            const std::size_t k = std::size_t(rng()) % sx.size();
            c.x.push_back(sx[k]), c.y.push_back(sy[k]);
        }
        cases.push_back(c);
    }
    // a radius of many grids: the sites are ordered by a sort, not by counting
    cases.push_back({Grid::aligned({0, 0, 400, 300}, 10), 50000, {-20000, 5, 390, 1e5, 200}, {150, 5, 290, 0, -4e4}});
    for (const auto& c : cases) {
        INFO("grid " << c.grid.cols << " x " << c.grid.rows << ", radius " << c.radius);
        const auto got = incidents_within(c.grid, c.x, c.y, c.radius);
        REQUIRE(got.size() == std::size_t(c.grid.size()));
        const double r2 = c.radius * c.radius;
        std::size_t wrong = 0, total = 0;
        std::vector<std::uint32_t> brute(std::size_t(c.grid.size()));
        for (std::int64_t r = 0; r < c.grid.rows; ++r)
            for (std::int64_t col = 0; col < c.grid.cols; ++col) {
                std::uint32_t n = 0;
                for (std::size_t i = 0; i < c.x.size(); ++i) {
                    const double dx = c.grid.x_of_col(col) - c.x[i], dy = c.grid.y_of_row(r) - c.y[i];
                    n += std::isfinite(dx) && std::isfinite(dy) && dx * dx + dy * dy < r2;
                }
                wrong += got[std::size_t(r * c.grid.cols + col)] != n;
                total += n;
                brute[std::size_t(r * c.grid.cols + col)] = n;
            }
        CHECK(wrong == 0);
        CHECK(total > 0);
        // densest_reached_by_fewer() (which never holds the grid's counts) against the brute
        // counts: the largest finite value whose cell fewer than k incidents reach, on random
        // values with NaN cells (outside the study area) among them
        std::vector<double> values(brute.size());
        std::uniform_real_distribution<double> uv(0, 100);
        for (auto& v : values) v = rng() % 7 == 0 ? std::nan("") : uv(rng);
        for (int k : {1, 2, 3, 5, 40}) {
            double want = 0;
            for (std::size_t i = 0; i < values.size(); ++i)
                if (std::isfinite(values[i]) && brute[i] < std::uint32_t(k)) want = std::max(want, values[i]);
            CHECK(densest_reached_by_fewer(c.grid, values, c.x, c.y, c.radius, k) == want);
        }
    }
    CHECK_THROWS_AS(incidents_within(Grid::aligned({0, 0, 10, 10}, 1), std::vector<double>{1}, std::vector<double>{}, 1), UsageError);
    for (const double bad : {-100.0, std::nan(""), std::numeric_limits<double>::infinity()})
        CHECK_THROWS_AS(incidents_within(Grid::aligned({0, 0, 10, 10}, 1), std::vector<double>{1}, std::vector<double>{1}, bad),
                        UsageError);
    CHECK_THROWS_AS(densest_reached_by_fewer(Grid::aligned({0, 0, 10, 10}, 1), std::vector<double>(99, 1.0),
                                             std::vector<double>{1}, std::vector<double>{1}, 2, 3),
                    UsageError);
}
