// bench_geocode: geocoding 1,000,000 points against the Staffordshire force area's LSOAs,
// and reading a 1,000,000-row police.uk CSV (parse + transform to EPSG:27700).
//   bench_geocode SHARED_DATA_DIR WORK_DIR [points=1000000] [runs=5]
// Prints one line per run and the medians. Release build; not part of the test suite.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "hotspot/areas_io.hpp"
#include "hotspot/geocode.hpp"
#include "hotspot/incidents_io.hpp"
#include "police_uk_csv.hpp"

using namespace hotspot;
namespace fs = std::filesystem;

static double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

static double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: bench_geocode SHARED_DATA_DIR WORK_DIR [points] [runs]\n");
        return 2;
    }
    const fs::path shared = argv[1], work = argv[2];
    const std::size_t n = argc > 3 ? std::stoul(argv[3]) : 1000000;
    const int runs = argc > 4 ? std::stoi(argv[4]) : 5;
    fs::create_directories(work);

    // ---- geocoding
    double t = now();
    const AreaLayer lsoa = read_area_layer(AreaSpec::parse(
        "lsoa=" + (shared / "boundaries" / "staffordshire_lsoa.geojson").string() + ":LSOA11CD:LSOA11NM"));
    std::printf("read %zu LSOAs in %.3f s\n", lsoa.size(), now() - t);
    std::mt19937_64 rng(1);
    std::uniform_real_distribution<double> ux(lsoa.bounds.xmin, lsoa.bounds.xmax), uy(lsoa.bounds.ymin, lsoa.bounds.ymax);
    std::vector<double> x(n), y(n);
    for (std::size_t i = 0; i < n; ++i) {
        x[i] = ux(rng);
        y[i] = uy(rng);
    }
    std::vector<double> build_s, geo_s;
    std::uint64_t assigned = 0;
    for (int r = 0; r < runs; ++r) {
        t = now();
        const AreaIndex idx(lsoa.polygons);
        const double b = now() - t;
        t = now();
        const auto g = geocode(idx, x, y, 0, 0);
        const double s = now() - t;
        assigned = g.assigned;
        build_s.push_back(b);
        geo_s.push_back(s);
        std::printf("geocode run %d: index %.3f s, %zu points %.3f s (%llu inside)\n", r, b, n, s,
                    (unsigned long long)g.assigned);
    }
    std::printf("MEDIAN geocode_1m_staffs_lsoa index_s=%.3f geocode_s=%.3f total_s=%.3f inside=%llu\n",
                median(build_s), median(geo_s), median(build_s) + median(geo_s), (unsigned long long)assigned);

    // ---- police.uk CSV parse: 1M rows in the file's exact format (CRLF, quoted locations)
    const fs::path csv = work / "police_uk_1m.csv";
    if (!fs::exists(csv)) {
        write_police_uk_csv(csv, n, rng);
    }
    std::vector<double> read_s;
    for (int r = 0; r < runs; ++r) {
        ReadOptions o;
        o.paths = {csv.string()};
        t = now();
        const auto res = read_incidents(o);
        read_s.push_back(now() - t);
        std::printf("read run %d: %llu rows, %zu kept, %.3f s\n", r, (unsigned long long)res.rows_in,
                    res.incidents.size(), read_s.back());
    }
    std::printf("MEDIAN read_police_uk_1m_s=%.3f (%.1f MB)\n", median(read_s), double(fs::file_size(csv)) / 1e6);
    return 0;
}
