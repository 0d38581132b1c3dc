// Benchmark of emerging hot spots (issue 17; not part of the test suite):
//   bench_emerging [threads] [band_m]
// 1M incidents over 36 monthly slices on a 1000 x 1000 grid of 10 m cells (a 10 x 10 km town):
// background everywhere, one hot spot that grows, one that fades, one that appears in the last
// 4 months. Times binning the incidents into the slices and emerging_hot_spots() (Gi* per slice,
// FDR, Mann-Kendall per cell, classification), and prints the category counts.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>

#include "hotspot/emerging.hpp"

using namespace hotspot;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
    const unsigned threads = argc > 1 ? unsigned(std::atoi(argv[1])) : 2u;
    const double band = argc > 2 ? std::atof(argv[2]) : 30.0;
    const Grid g{400000, 310000, 10, 1000, 1000};
    const std::size_t slices = 36, cells = std::size_t(g.size()), incidents = 1000000;
    // Incidents: (slice, x, y), deterministic.
    std::mt19937_64 rng(17);
    std::uniform_real_distribution<double> u(0, 1);
    std::normal_distribution<double> nd(0, 60);
    std::vector<std::uint8_t> month(incidents);
    std::vector<double> xs(incidents), ys(incidents);
    const double cx[3] = {402500, 405000, 407500}, cy = 305000;
    for (std::size_t i = 0; i < incidents; ++i) {
        const auto t = std::size_t(u(rng) * double(slices));
        month[i] = std::uint8_t(t);
        const double k = u(rng);
        // 70% background; hot spots share the rest by their month's weight.
        const double grow = double(t + 1) / double(slices), fade = 1 - grow, fresh = t + 4 >= slices ? 1.0 : 0.0;
        const double w = grow + fade + fresh;
        if (k < 0.7 || w == 0) {
            xs[i] = 400000 + u(rng) * 10000;
            ys[i] = 300000 + u(rng) * 10000;
        } else {
            const double pick = u(rng) * w;
            const int h = pick < grow ? 0 : pick < grow + fade ? 1 : 2;
            xs[i] = cx[h] + nd(rng);
            ys[i] = cy + nd(rng);
        }
    }
    const auto t0 = Clock::now();
    std::vector<std::vector<double>> counts(slices, std::vector<double>(cells, 0.0));
    for (std::size_t i = 0; i < incidents; ++i) {
        const auto c = g.col_of(xs[i]), r = g.row_of(ys[i]);
        if (g.in_grid(c, r)) counts[month[i]][std::size_t(r * g.cols + c)] += 1;
    }
    const double bin_s = std::chrono::duration<double>(Clock::now() - t0).count();
    EmergingOptions o;
    o.gistar.band_m = band;
    o.gistar.threads = threads;
    const auto t1 = Clock::now();
    const EmergingResult r = emerging_hot_spots(g, counts, o);
    const double ehsa_s = std::chrono::duration<double>(Clock::now() - t1).count();
    std::map<int, std::size_t> n;
    for (auto c : r.category) ++n[int(c)];
    std::printf("emerging hot spots: 1M incidents, 36 slices of 1000 x 1000 cells (10 m), band %.0f m, %u threads: "
                "binning %.3f s, Gi* + trends + classes %.3f s, total %.3f s\n",
                band, threads, bin_s, ehsa_s, bin_s + ehsa_s);
    // The Gi* share: one slice alone (Gi* with FDR), times 36.
    const auto t2 = Clock::now();
    gistar_grid(g, counts[slices - 1], o.gistar);
    const double one = std::chrono::duration<double>(Clock::now() - t2).count();
    std::printf("  one slice's Gi* + FDR alone: %.3f s (x 36 = %.1f s of the above)\n", one, one * double(slices));
    for (auto [k, v] : n) std::printf("  %-26s %zu cells\n", std::string(to_string(EmergingClass(k))).c_str(), v);
    return 0;
}
