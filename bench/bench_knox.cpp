// Benchmark of the Knox test core (issue 18; not part of the test suite):
//   bench_knox [POINTS=1000000] [PERMUTATIONS=999] [THREADS=0] [SPREAD=clustered|uniform]
// Synthetic incidents over a force-sized extent (50 x 50 km, as bench/run's force_1m.csv: half
// uniform, half around 40 hot spots with sigma 1.5 km, 0.1 m resolution) with days uniform over a
// year; default bands (100 m x 3, 7 days x 3). Prints the pair counts, the time of each phase and
// the first cell. Deterministic: the same arguments give the same table.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "hotspot/knox.hpp"

using namespace hotspot;

namespace {
double unit(std::mt19937_64& rng) { return double(rng() >> 11) * 0x1.0p-53; }
double normal(std::mt19937_64& rng) {
    const double u1 = std::max(unit(rng), 1e-300), u2 = unit(rng);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}
} // namespace

int main(int argc, char** argv) {
    const auto n = std::size_t(argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000);
    const int perms = argc > 2 ? std::atoi(argv[2]) : 999;
    const unsigned threads = argc > 3 ? unsigned(std::atoi(argv[3])) : 0;
    const bool uniform = argc > 4 && std::string(argv[4]) == "uniform";
    const double x0 = 375000, y0 = 295000, w = 50000, h = 50000, sigma = 0.03 * 50000;
    std::mt19937_64 rng(20240601);
    std::vector<std::pair<double, double>> centres;
    for (int i = 0; i < 40; ++i) centres.emplace_back(x0 + unit(rng) * w, y0 + unit(rng) * h);
    std::vector<double> x(n), y(n);
    std::vector<std::int32_t> days(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (i % 2 && !uniform) {
            const auto& c = centres[i % centres.size()];
            x[i] = std::clamp(c.first + sigma * normal(rng), x0, x0 + w);
            y[i] = std::clamp(c.second + sigma * normal(rng), y0, y0 + h);
        } else {
            x[i] = x0 + unit(rng) * w;
            y[i] = y0 + unit(rng) * h;
        }
        x[i] = std::round(x[i] * 10) / 10, y[i] = std::round(y[i] * 10) / 10;
        days[i] = std::int32_t(20089 + (rng() % 365));  // 2025
    }
    KnoxOptions o;
    o.permutations = perms;
    o.threads = threads;
    const auto t0 = std::chrono::steady_clock::now();
    double t_pairs = 0;
    const KnoxResult r = knox_test(x, y, days, o, [&](double f, std::string_view) {
        if (f > 0 && t_pairs == 0) t_pairs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        return true;
    });
    const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("knox: %zu incidents (%s), %d permutations, %lld close pairs (< 300 m) of %lld\n", n,
                uniform ? "uniform" : "clustered", perms, (long long)r.close_pairs, (long long)r.total_pairs);
    std::printf("knox: pairs + first permutation %.2f s, total %.2f s\n", t_pairs, t);
    std::printf("knox: 0-100 m x 0-7 days observed %lld expected %.1f ratio %.3f p %.4f\n", (long long)r.observed[r.cell(1, 0)],
                r.expected[r.cell(1, 0)], r.ratio[r.cell(1, 0)], r.p[r.cell(1, 0)]);
    std::printf("MEDIAN_KNOX_S %.2f\n", t);
    return 0;
}
