// bench_kde: times kernel_density() on synthetic incidents (not part of the test suite).
//   bench_kde [points=1000000] [cols=1000] [rows=800] [cell_m=10] [bandwidth_m=250] [runs=5]
// Prints one line per run and the median, in seconds.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "hotspot/kde.hpp"

int main(int argc, char** argv) {
    auto arg = [&](int i, double def) { return argc > i ? std::atof(argv[i]) : def; };
    const auto n = std::size_t(arg(1, 1e6));
    const auto cols = std::int64_t(arg(2, 1000)), rows = std::int64_t(arg(3, 800));
    const double cell = arg(4, 10), bw = arg(5, 250);
    const int runs = int(arg(6, 5));
    const double w = double(cols) * cell, h = double(rows) * cell;

    // Incidents clustered around 40 planted hot spots plus a uniform background.
    std::mt19937_64 rng(20240601);
    std::uniform_real_distribution<double> ux(400000, 400000 + w), uy(300000, 300000 + h);
    std::normal_distribution<double> spread(0, 300);
    std::vector<std::pair<double, double>> centres;
    for (int i = 0; i < 40; ++i) centres.emplace_back(ux(rng), uy(rng));
    std::vector<double> x(n), y(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (i % 2) {
            const auto& c = centres[i % centres.size()];
            x[i] = std::clamp(c.first + spread(rng), 400000.0, 400000 + w - 1e-6);
            y[i] = std::clamp(c.second + spread(rng), 300000.0, 300000 + h - 1e-6);
        } else {
            x[i] = ux(rng);
            y[i] = uy(rng);
        }
    }
    hotspot::Grid g;
    g.origin_x = 400000;
    g.origin_y = 300000 + h;
    g.cell_size_m = cell;
    g.cols = cols;
    g.rows = rows;
    hotspot::KdeOptions o;
    o.bandwidth_m = bw;
    std::vector<double> t;
    double checksum = 0;
    for (int r = 0; r < runs; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        const auto res = hotspot::kernel_density(x, y, {}, g, o);
        t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        checksum = 0;
        for (double v : res.values) checksum += v;
        std::printf("run %d: %.3f s\n", r + 1, t.back());
    }
    std::sort(t.begin(), t.end());
    std::printf("kde %zu points, %lld x %lld cells of %g m, bandwidth %g m: median %.3f s "
                "(sum %.6g)\n",
                n, (long long)cols, (long long)rows, cell, bw, t[t.size() / 2], checksum);
}
