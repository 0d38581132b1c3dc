// Tests of kde.hpp against independent references: a brute-force sum of the documented
// kernel formulas over every incident and every cell (no merging, no windows, no threads).
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <numbers>
#include <random>

#include "hotspot/error.hpp"
#include "hotspot/kde.hpp"

using namespace hotspot;

namespace {

constexpr double pi = std::numbers::pi;

/// The normalised kernel of kde.hpp's table, written out again (per m²).
double reference_kernel(Kernel k, double d, double r) {
    const double u = d / r;
    switch (k) {
    case Kernel::quartic: return u < 1 ? 3 / (pi * r * r) * std::pow(1 - u * u, 2) : 0;
    case Kernel::triweight: return u < 1 ? 4 / (pi * r * r) * std::pow(1 - u * u, 3) : 0;
    case Kernel::epanechnikov: return u < 1 ? 2 / (pi * r * r) * (1 - u * u) : 0;
    case Kernel::triangular: return u < 1 ? 3 / (pi * r * r) * (1 - u) : 0;
    case Kernel::uniform: return u <= 1 ? 1 / (pi * r * r) : 0;
    case Kernel::gaussian: {
        const double s = r / 4;  // the bandwidth is σ, the support 4σ
        return u < 1 ? std::exp(-d * d / (2 * s * s)) / (2 * pi * s * s * (1 - std::exp(-8.0)))
                     : 0;
    }
    }
    return 0;
}

struct Incidents {
    std::vector<double> x, y, w;
};

/// Random incidents with a share snapped onto a few shared points (like police.uk).
Incidents random_incidents(std::size_t n, const Bounds& b, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> ux(b.xmin, b.xmax), uy(b.ymin, b.ymax), uw(0.5, 3);
    Incidents in;
    std::vector<std::pair<double, double>> snaps;
    for (int i = 0; i < 5; ++i) snaps.emplace_back(ux(rng), uy(rng));
    for (std::size_t i = 0; i < n; ++i) {
        if (i % 4 == 0) {
            const auto& s = snaps[i % snaps.size()];
            in.x.push_back(s.first);
            in.y.push_back(s.second);
        } else {
            in.x.push_back(ux(rng));
            in.y.push_back(uy(rng));
        }
        in.w.push_back(uw(rng));
    }
    return in;
}

/// Σ_i w_i K(d) over every incident for every cell centre, per km².
std::vector<double> brute_force(const Incidents& in, const Grid& g, Kernel k, double r,
                                bool weighted) {
    std::vector<double> out(std::size_t(g.size()), 0.0);
    for (std::int64_t row = 0; row < g.rows; ++row)
        for (std::int64_t col = 0; col < g.cols; ++col) {
            double s = 0;
            for (std::size_t i = 0; i < in.x.size(); ++i) {
                const double d = std::hypot(g.x_of_col(col) - in.x[i], g.y_of_row(row) - in.y[i]);
                s += (weighted ? in.w[i] : 1.0) * reference_kernel(k, d, r);
            }
            out[std::size_t(row * g.cols + col)] = s * 1e6;
        }
    return out;
}

double peak_of(const std::vector<double>& v) {
    double p = 0;
    for (double x : v) p = std::max(p, x);
    return p;
}

double sum_of(const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s;
}

const Kernel all_kernels[] = {Kernel::quartic,    Kernel::triweight, Kernel::epanechnikov,
                              Kernel::triangular, Kernel::uniform,   Kernel::gaussian};

} // namespace

TEST_CASE("kde equals the brute-force sum for every kernel", "[kde]") {
    const Bounds study{1003.3, 2001.7, 2497.9, 3203.1};
    const Incidents in = random_incidents(300, study, 42);
    for (Kernel k : all_kernels)
        for (bool weighted : {false, true}) {
            KdeOptions o;
            o.kernel = k;
            o.bandwidth_m = k == Kernel::gaussian ? 60 : 170;
            o.cell_size_m = 25;
            const Grid g = kde_grid(study, o);
            const auto got = kernel_density(in.x, in.y, weighted ? std::span<const double>(in.w)
                                                                 : std::span<const double>(),
                                            g, o);
            const auto want = brute_force(in, g, k, o.radius_m(), weighted);
            const double peak = peak_of(want);
            INFO("kernel " << kernel_name(k) << (weighted ? " weighted" : ""));
            REQUIRE(got.values.size() == want.size());
            REQUIRE(peak > 0);
            std::size_t bad = 0;
            for (std::size_t i = 0; i < want.size(); ++i) {
                const double tol = 1e-9 * std::max(std::abs(want[i]), 1e-3 * peak);
                if (std::abs(got.values[i] - want[i]) > tol) ++bad;
            }
            CHECK(bad == 0);
            CHECK(got.incidents == 300);
            CHECK(got.distinct_points == 300 - 75 + 5);
        }
}

TEST_CASE("kde mass: cells x cell area = incidents minus mass outside the grid", "[kde]") {
    for (Kernel k : all_kernels) {
        KdeOptions o;
        o.kernel = k;
        o.bandwidth_m = k == Kernel::gaussian ? 80 : 250;
        o.cell_size_m = 10;
        const Bounds study{0, 0, 3000, 2000};
        const Incidents in = random_incidents(200, study, 7);
        const Grid g = kde_grid(study, o);  // grown by the radius: no mass falls outside
        const auto r = kernel_density(in.x, in.y, {}, g, o);
        const double mass = sum_of(r.values) * g.cell_area_m2() / 1e6;
        INFO("kernel " << kernel_name(k));
        // uniform is discontinuous at r: its cell-centre discretisation is coarser
        CHECK(mass == Approx(200).epsilon(k == Kernel::uniform ? 1e-2 : 1e-3));

        // One incident on the grid's west edge: half its kernel lies outside.
        const Grid g2 = Grid::aligned({0, 0, 3000, 3000}, 10);
        const double ex[] = {0.0}, ey[] = {1500.0};
        const auto half = kernel_density(ex, ey, {}, g2, o);
        CHECK(sum_of(half.values) * g2.cell_area_m2() / 1e6 ==
              Approx(0.5).epsilon(k == Kernel::uniform ? 1e-2 : 1e-3));
        // Diggle edge correction gives it back its whole mass (up to the discretisation).
        o.edge = EdgeCorrection::diggle;
        const auto corrected = kernel_density(ex, ey, {}, g2, o);
        CHECK(sum_of(corrected.values) * g2.cell_area_m2() / 1e6 ==
              Approx(1.0).epsilon(k == Kernel::uniform ? 1e-2 : 1e-3));
        CHECK(sum_of(corrected.values) == Approx(2 * sum_of(half.values)).epsilon(1e-12));
    }
}

TEST_CASE("kde of one incident at a cell centre is radially symmetric", "[kde]") {
    KdeOptions o;
    o.bandwidth_m = 100;
    o.cell_size_m = 10;
    const Grid g = Grid::aligned({0, 0, 400, 400}, 10);
    const double x[] = {g.x_of_col(20)}, y[] = {g.y_of_row(20)};
    const auto r = kernel_density(x, y, {}, g, o);
    auto at = [&](std::int64_t row, std::int64_t col) { return r.values[std::size_t(row * g.cols + col)]; };
    const double peak = at(20, 20);
    CHECK(peak == Approx(3 / (pi * 100 * 100) * 1e6));
    for (int dr = -11; dr <= 11; ++dr)
        for (int dc = -11; dc <= 11; ++dc) {
            const double v = at(20 + dr, 20 + dc);
            CHECK(v == Approx(at(20 - dr, 20 + dc)).margin(1e-12 * peak));
            CHECK(v == Approx(at(20 + dr, 20 - dc)).margin(1e-12 * peak));
            CHECK(v == Approx(at(20 + dc, 20 + dr)).margin(1e-12 * peak));
        }
    CHECK(at(20, 30) == 0.0);  // d = r exactly
    CHECK(at(20, 29) > 0.0);
}

TEST_CASE("kde surfaces on different extents agree cell for cell", "[kde]") {
    const Incidents in = random_incidents(150, {500, 500, 1500, 1500}, 3);
    KdeOptions o;
    o.bandwidth_m = 200;
    const Grid a = Grid::aligned({0, 0, 2000, 2000}, 20);
    const Grid b = Grid::aligned({333, 451, 2700, 1777}, 20);
    const auto ra = kernel_density(in.x, in.y, {}, a, o);
    const auto rb = kernel_density(in.x, in.y, {}, b, o);
    std::size_t compared = 0;
    for (std::int64_t row = 0; row < b.rows; ++row)
        for (std::int64_t col = 0; col < b.cols; ++col) {
            const auto ca = a.col_of(b.x_of_col(col)), rw = a.row_of(b.y_of_row(row));
            if (!a.in_grid(ca, rw)) continue;
            ++compared;
            CHECK(rb.values[std::size_t(row * b.cols + col)] ==
                  ra.values[std::size_t(rw * a.cols + ca)]);
        }
    CHECK(compared > 1000);
}

TEST_CASE("kde in QGIS raw mode matches QGIS's formula and grid convention", "[kde]") {
    const Incidents in = random_incidents(80, {10000.4, 20000.2, 10800.9, 20500.7}, 11);
    KdeOptions o;
    o.bandwidth_m = 150;
    o.cell_size_m = 20;
    o.compat = KdeCompat::qgis_raw;
    Bounds pts;
    for (std::size_t i = 0; i < in.x.size(); ++i) pts.add(in.x[i], in.y[i]);
    const Grid g = kde_grid(pts, o);
    // DESIGN.md "Facts measured": origin (xmin − r, ymax + r), ceil(w/cell)+1 columns.
    CHECK(g.origin_x == pts.xmin - 150);
    CHECK(g.origin_y == pts.ymax + 150);
    CHECK(g.cols == std::int64_t(std::ceil((pts.width() + 300) / 20)) + 1);
    CHECK(g.rows == std::int64_t(std::ceil((pts.height() + 300) / 20)) + 1);
    const auto r = kernel_density(in.x, in.y, {}, g, o);
    CHECK(r.units == KdeUnits::raw);
    double peak = 0;
    std::vector<double> want(std::size_t(g.size()));
    for (std::int64_t row = 0; row < g.rows; ++row)
        for (std::int64_t col = 0; col < g.cols; ++col) {
            double s = 0;
            for (std::size_t i = 0; i < in.x.size(); ++i) {
                const double dx = g.x_of_col(col) - in.x[i], dy = g.y_of_row(row) - in.y[i];
                const double q = 1 - (dx * dx + dy * dy) / (150.0 * 150.0);
                if (q > 0) s += q * q;  // Σ (1 − d²/r²)²
            }
            want[std::size_t(row * g.cols + col)] = s;
            peak = std::max(peak, s);
        }
    for (std::size_t i = 0; i < want.size(); ++i)
        REQUIRE(r.values[i] == Approx(want[i]).margin(1e-9 * peak));

    // QGIS scaled: the fixed constant 3/(π r²); the 3.22 constant is 7.25 times that.
    o.compat = KdeCompat::qgis_scaled;
    const auto scaled = kernel_density(in.x, in.y, {}, g, o);
    o.compat = KdeCompat::qgis_scaled_legacy;
    const auto legacy = kernel_density(in.x, in.y, {}, g, o);
    const std::size_t i = std::size_t(std::max_element(want.begin(), want.end()) - want.begin());
    CHECK(scaled.values[i] == Approx(want[i] * 3 / (pi * 150 * 150)));
    CHECK(legacy.values[i] / scaled.values[i] == Approx(7.25));
}

TEST_CASE("kde gives the same bytes whatever the thread count and input order", "[kde]") {
    Incidents in = random_incidents(2000, {0, 0, 5000, 4000}, 5);
    KdeOptions o;
    o.bandwidth_m = 300;
    o.cell_size_m = 10;
    const Grid g = kde_grid({0, 0, 5000, 4000}, o);
    o.threads = 1;
    const auto one = kernel_density(in.x, in.y, in.w, g, o);
    for (unsigned t : {2u, 3u, 7u}) {
        o.threads = t;
        const auto many = kernel_density(in.x, in.y, in.w, g, o);
        CHECK(std::memcmp(one.values.data(), many.values.data(),
                          one.values.size() * sizeof(double)) == 0);
    }
    // Reversed input: distinct points only (coincident ones would add weights in another order).
    Incidents rev;
    for (std::size_t i = in.x.size(); i-- > 0;)
        if (i % 4 != 0) {
            rev.x.push_back(in.x[i]);
            rev.y.push_back(in.y[i]);
        }
    Incidents fwd;
    for (std::size_t i = 0; i < in.x.size(); ++i)
        if (i % 4 != 0) {
            fwd.x.push_back(in.x[i]);
            fwd.y.push_back(in.y[i]);
        }
    const auto a = kernel_density(fwd.x, fwd.y, {}, g, o);
    const auto b = kernel_density(rev.x, rev.y, {}, g, o);
    CHECK(std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(double)) == 0);
    // Storage handed back (a backtest's previous surface, longer and full of other values, or
    // shorter): its contents are ignored; with a window, cells outside are NaN as before.
    std::vector<double> old(std::size_t(g.size()) + 77, 42.0);
    const auto reused = kernel_density(in.x, in.y, in.w, g, o, {}, no_progress(), std::move(old));
    CHECK(reused.values.size() == one.values.size());
    CHECK(std::memcmp(one.values.data(), reused.values.data(), one.values.size() * sizeof(double)) == 0);
    std::vector<std::uint8_t> window(std::size_t(g.size()), 1);
    for (std::size_t i = 0; i < window.size(); i += 3) window[i] = 0;
    const auto fresh = kernel_density(in.x, in.y, in.w, g, o, window);
    const auto again = kernel_density(in.x, in.y, in.w, g, o, window, no_progress(), std::vector<double>(5, -1.0));
    REQUIRE(again.values.size() == one.values.size());
    std::size_t wrong_fresh = 0, wrong_again = 0;
    for (std::size_t i = 0; i < window.size(); ++i) {
        wrong_fresh += window[i] ? fresh.values[i] != one.values[i] : !std::isnan(fresh.values[i]);
        wrong_again += window[i] ? again.values[i] != one.values[i] : !std::isnan(again.values[i]);
    }
    CHECK(wrong_fresh == 0);
    CHECK(wrong_again == 0);
}

TEST_CASE("spatstat sigma to radius mapping gives a per-axis sd of sigma", "[kde]") {
    // Numerical E[x²] of each unit-mass kernel with r = radius_from_sigma(k, 1).
    for (Kernel k : all_kernels) {
        const double r = radius_from_sigma(k, 1.0);
        const double h = r / 400;
        double mass = 0, ex2 = 0;
        for (double px = -r + h / 2; px < r; px += h)
            for (double py = -r + h / 2; py < r; py += h) {
                const double v = reference_kernel(k, std::hypot(px, py), r) * h * h;
                mass += v;
                ex2 += v * px * px;
            }
        INFO("kernel " << kernel_name(k));
        CHECK(mass == Approx(1).epsilon(2e-3));
        if (k == Kernel::gaussian)
            CHECK(ex2 / mass == Approx(1).epsilon(5e-3));  // truncation at 4σ: 0.997
        else
            CHECK(ex2 / mass == Approx(1).epsilon(2e-3));
    }
    CHECK(radius_from_sigma(Kernel::quartic, 1) == Approx(std::sqrt(8.0)));
}

TEST_CASE("kde merges coincident incidents and warns about snap points", "[kde]") {
    Incidents in;
    for (int i = 0; i < 1000; ++i) {
        in.x.push_back(1000.0 + 500.0 * (i % 10));
        in.y.push_back(1000.0);
    }
    KdeOptions o;
    o.bandwidth_m = 100;
    o.cell_size_m = 10;
    const auto r = kernel_density(in.x, in.y, {}, kde_grid({1000, 900, 5500, 1100}, o), o);
    CHECK(r.distinct_points == 10);
    CHECK(r.total_weight == 1000);
    REQUIRE(r.warnings.size() == 1);
    CHECK_THAT(r.warnings[0], Catch::StartsWith("kde: ") && Catch::Contains("snap points"));
    o.bandwidth_m = 800;
    const auto wide = kernel_density(in.x, in.y, {}, kde_grid({1000, 900, 5500, 1100}, o), o);
    CHECK(wide.warnings.empty());
}

TEST_CASE("kde of unweighted snap points equals the incident-by-incident merge, to the bit", "[kde]") {
    // Unweighted incidents on repeated locations take the distinct-location path; the same
    // incidents with weights of one take the per-incident sort. 6,000 incidents at 150 snap
    // points, some at x = 0.0 and some at -0.0 (equal in value: one site), in random order.
    std::mt19937_64 rng(11);
    std::vector<double> sx, sy;
    for (int k = 0; k < 148; ++k) sx.push_back(double(rng() % 4000) + 0.25), sy.push_back(double(rng() % 3000) + 0.5);
    sx.push_back(0.0), sy.push_back(1500.0);
    sx.push_back(-0.0), sy.push_back(1500.0);
    std::vector<double> x, y;
    for (int i = 0; i < 6000; ++i) {
        const std::size_t k = std::size_t(rng() % sx.size());
        x.push_back(sx[k]), y.push_back(sy[k]);
    }
    const std::vector<double> ones(x.size(), 1.0);
    for (const Kernel kernel : {Kernel::quartic, Kernel::gaussian}) {
        KdeOptions o;
        o.kernel = kernel;
        o.bandwidth_m = 250;
        o.cell_size_m = 25;
        const Grid g = kde_grid({-500, 0, 4000, 3000}, o);
        for (const unsigned threads : {1u, 2u}) {
            o.threads = threads;
            const KdeResult snapped = kernel_density(x, y, {}, g, o);
            const KdeResult each = kernel_density(x, y, ones, g, o);
            CHECK(snapped.distinct_points == 149);  // 0.0 and -0.0 are one site
            CHECK(snapped.distinct_points == each.distinct_points);
            CHECK(snapped.total_weight == each.total_weight);
            REQUIRE(snapped.values.size() == each.values.size());
            CHECK(std::memcmp(snapped.values.data(), each.values.data(), each.values.size() * sizeof(double)) == 0);
            CHECK(snapped.warnings == each.warnings);
        }
    }
}

TEST_CASE("kde relative units, window and options", "[kde]") {
    KdeOptions o;
    CHECK_THROWS_WITH(o.validate(), Catch::StartsWith("kde: bandwidth must be > 0 m (got 0)"));
    o.bandwidth_m = -3;
    CHECK_THROWS_AS(o.validate(), UsageError);
    o.bandwidth_m = 100;
    o.kernel = Kernel::gaussian;
    o.compat = KdeCompat::qgis_raw;
    CHECK_THROWS_WITH(o.validate(), Catch::Contains("no gaussian kernel"));
    CHECK_THROWS_WITH(parse_kernel("cubic"), Catch::StartsWith("kde: unknown kernel 'cubic'") &&
                                                 Catch::Contains("quartic"));
    CHECK(parse_units("per_km2") == KdeUnits::per_km2);
    CHECK(parse_units("per-km2") == KdeUnits::per_km2);

    KdeOptions rel;
    rel.bandwidth_m = 100;
    rel.units = KdeUnits::relative;
    const Incidents in = random_incidents(50, {0, 0, 1000, 1000}, 9);
    const Grid g = Grid::aligned({-100, -100, 1100, 1100}, 20);
    std::vector<std::uint8_t> window(std::size_t(g.size()), 1);
    for (std::int64_t c = 0; c < g.cols; ++c) window[std::size_t(c)] = 0;  // first row outside
    const auto r = kernel_density(in.x, in.y, {}, g, rel, window);
    CHECK(std::isnan(r.values[0]));
    CHECK_FALSE(std::isnan(r.values[std::size_t(g.cols)]));
    double peak = 0;
    for (double v : r.values)
        if (v > peak) peak = v;
    CHECK(peak == 1.0);
    const double bad[] = {std::nan("")};
    CHECK_THROWS_WITH(kernel_density(bad, bad, {}, g, rel), Catch::StartsWith("kde: incident 0"));
}

TEST_CASE("default kde grid: shorter side / 150, grown by the radius", "[kde]") {
    KdeOptions o;
    o.bandwidth_m = 250;
    const Grid g = kde_grid({421003, 302991, 431017, 311004}, o);
    CHECK(g.cell_size_m == std::round(8013.0 / 150));
    CHECK(g.origin_x <= 421003 - 250);
    CHECK(g.origin_x > 421003 - 250 - g.cell_size_m);
    CHECK(std::fmod(g.origin_x, g.cell_size_m) == 0);
}
