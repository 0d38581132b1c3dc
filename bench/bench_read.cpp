// bench_read: reading a police.uk CSV (parse, checks, transform to EPSG:27700), one read per
// process so the peak is this read's (issue 20).
//   bench_read FILE.csv [rows=1000000] [threads=0: one per core]   (FILE.csv is written first when it does not exist)
// Prints wall and CPU seconds, peak RSS, and the heap the result holds per kept incident beside
// its kept text (the fields' bytes). Release build; not part of the test suite.
#include <malloc.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "hotspot/incidents_io.hpp"
#include "police_uk_csv.hpp"

using namespace hotspot;

static double cpu_s() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_read FILE.csv [rows] [threads]\n");
        return 2;
    }
    const std::filesystem::path csv = argv[1];
    if (!std::filesystem::exists(csv)) {
        std::mt19937_64 rng(20240601);
        write_police_uk_csv(csv, argc > 2 ? std::stoul(argv[2]) : 1000000, rng);
    }
    ReadOptions o;
    o.paths = {csv.string()};
    if (argc > 3) o.threads = unsigned(std::stoul(argv[3]));
    const std::size_t heap0 = mallinfo2().uordblks + mallinfo2().hblkhd;
    const double c0 = cpu_s();
    const auto t0 = std::chrono::steady_clock::now();
    const ReadResult res = read_incidents(o);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = cpu_s() - c0;
    const std::size_t heap = mallinfo2().uordblks + mallinfo2().hblkhd - heap0;
    std::size_t text = 0;
    for (const auto& c : res.incidents.fields)
        for (std::size_t i = 0; i < c.size(); ++i) text += c[i].size();
    // The kept table alone (the rejects and the CRS transform's caches are not per incident).
    const IncidentTable& t = res.incidents;
    std::size_t table = t.x.capacity() * 8 + t.y.capacity() * 8 + t.date_days.capacity() * 4 +
                        t.minute_of_day.capacity() * 2 + t.category.capacity() * 4 +
                        t.source_file.capacity() * 4 + t.source_line.capacity() * 8;
    for (const auto& c : t.fields) table += c.heap_bytes();
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    const double kept = double(res.incidents.size());
    std::printf("read %llu rows: %zu kept, %zu rejected; wall %.3f s, cpu %.3f s, peak RSS %.1f MB; "
                "heap held %.1f MB = %.1f bytes per kept incident + %.1f bytes of kept text; "
                "the kept table alone: %.1f bytes per incident + its text\n",
                (unsigned long long)res.rows_in, res.incidents.size(), res.rejects.size(), wall, cpu,
                double(u.ru_maxrss) / 1024.0, double(heap) / 1e6, (double(heap) - double(text)) / kept,
                double(text) / kept, (double(table) - double(text)) / kept);
    return 0;
}
