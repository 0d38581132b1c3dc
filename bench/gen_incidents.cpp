// gen_incidents: deterministic synthetic incidents for the benchmark harness (bench/run).
//   gen_incidents OUT.csv POINTS XMIN YMIN XMAX YMAX [SEED=20240601]
// Writes "id,easting,northing,category" (EPSG:27700 metres, 0.1 m resolution): half a uniform
// background, half around 40 planted hot spots (Gaussian, sigma = 3% of the shorter side),
// clamped to the extent. The same arguments give the same bytes on every machine (the
// distributions are drawn from the raw 64-bit engine, not from the library's distributions,
// whose algorithms differ between standard libraries).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

namespace {
double unit(std::mt19937_64& rng) { return double(rng() >> 11) * 0x1.0p-53; }
double normal(std::mt19937_64& rng) {  // Box-Muller, one value per call
    const double u1 = std::max(unit(rng), 1e-300), u2 = unit(rng);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}
} // namespace

int main(int argc, char** argv) {
    if (argc < 7) {
        std::fprintf(stderr, "usage: gen_incidents OUT.csv POINTS XMIN YMIN XMAX YMAX [SEED]\n");
        return 2;
    }
    const auto n = std::strtoull(argv[2], nullptr, 10);
    const double x0 = std::atof(argv[3]), y0 = std::atof(argv[4]);
    const double x1 = std::atof(argv[5]), y1 = std::atof(argv[6]);
    const auto seed = argc > 7 ? std::strtoull(argv[7], nullptr, 10) : 20240601ull;
    std::FILE* f = std::fopen(argv[1], "wb");
    if (!f) {
        std::perror(argv[1]);
        return 1;
    }
    std::mt19937_64 rng(seed);
    const double w = x1 - x0, h = y1 - y0, sigma = 0.03 * std::min(w, h);
    std::vector<std::pair<double, double>> centres;
    for (int i = 0; i < 40; ++i) centres.emplace_back(x0 + unit(rng) * w, y0 + unit(rng) * h);
    static const char* const categories[] = {"Burglary", "Drugs", "Violence and sexual offences",
                                             "Vehicle crime", "Anti-social behaviour"};
    std::fputs("id,easting,northing,category\n", f);
    for (unsigned long long i = 0; i < n; ++i) {
        double x, y;
        if (i % 2) {
            const auto& c = centres[i % centres.size()];
            x = std::clamp(c.first + sigma * normal(rng), x0, x1);
            y = std::clamp(c.second + sigma * normal(rng), y0, y1);
        } else {
            x = x0 + unit(rng) * w;
            y = y0 + unit(rng) * h;
        }
        std::fprintf(f, "%llu,%.1f,%.1f,%s\n", i + 1, x, y, categories[i % 5]);
    }
    return std::fclose(f) == 0 ? 0 : 1;
}
