// hotspot_core on its own (issue 13): this program includes only core headers and links only
// hotspot_core, whose include path has no GDAL directory and whose link line has no GDAL, PROJ
// or GEOS library (tests/CMakeLists.txt checks both). It builds, so the core compiles and links
// without them; it runs two checks whose truth is known, so the core it linked also works.
// Exit 0 when both hold, 1 otherwise (the `core-alone` CTest).

#include <cmath>
#include <cstdio>
#include <vector>

#include "hotspot/fdr.hpp"
#include "hotspot/grid.hpp"
#include "hotspot/kde.hpp"

int main() {
    int failures = 0;
    // Benjamini-Hochberg by hand: sorted p 0.01, 0.03, 0.04 of m = 3 give 0.03, 0.045 -> 0.04,
    // 0.04 (R: p.adjust(c(0.01, 0.04, 0.03), "BH") = 0.03 0.04 0.04).
    const std::vector<double> p = {0.01, 0.04, 0.03};
    const std::vector<double> want = {0.03, 0.04, 0.04};
    const std::vector<double> got = hotspot::adjust_p_values(p, hotspot::PAdjust::fdr_bh);
    for (std::size_t i = 0; i < want.size(); ++i)
        if (got.size() != want.size() || std::abs(got[i] - want[i]) > 1e-12) {
            std::fprintf(stderr, "core-alone: BH p[%zu] = %g, want %g\n", i, i < got.size() ? got[i] : NAN, want[i]);
            ++failures;
        }
    // A kernel's mass is the incident count: one incident well inside a 10 m grid, quartic
    // radius 100 m, density per m², sums (times the cell area) to 1 within the grid error.
    hotspot::KdeOptions o;
    o.bandwidth_m = 100;
    o.cell_size_m = 10;
    o.units = hotspot::KdeUnits::per_m2;
    o.threads = 1;
    hotspot::Bounds b;
    b.xmin = b.ymin = 0;
    b.xmax = b.ymax = 1000;
    const hotspot::Grid grid = hotspot::kde_grid(b, o);
    const std::vector<double> x = {500}, y = {500};
    const hotspot::KdeResult k = hotspot::kernel_density(x, y, {}, grid, o);
    double mass = 0;
    for (double v : k.values) mass += v * o.cell_size_m * o.cell_size_m;
    if (std::abs(mass - 1.0) > 0.01) {
        std::fprintf(stderr, "core-alone: one incident's density sums to %g, want 1\n", mass);
        ++failures;
    }
    return failures ? 1 : 0;
}
