// Faults and determinism through the CLI:
//  - a run killed (SIGKILL) while it writes leaves nothing under the final output names, and a
//    later run neither trips over its temporaries nor removes files that are not its own;
//  - `hotspot kde` gives byte-identical GeoTIFFs run after run and whatever --threads is;
//  - `hotspot geocode` gives the same layers (every field and geometry) whatever --threads is.

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <map>
#include <cpl_conv.h>
#include <gdal.h>
#include <ogr_api.h>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "hotspot/sha256.hpp"
#include "support.hpp"

extern char** environ;

using namespace hotspot;
namespace fs = std::filesystem;

namespace {

/// Writes `rows` incidents spread over the demo town (deterministic).
void write_big_csv(const fs::path& path, std::size_t rows) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    REQUIRE(f);
    std::fputs("incident_id,category,date,easting,northing,mo_text\n", f);
    std::uint64_t s = 12345;
    for (std::size_t i = 0; i < rows; ++i) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        const unsigned dx = unsigned(s >> 33) % 4000, dy = unsigned(s >> 13) % 3000;
        std::fprintf(f, "B-%zu,Burglary,2025-01-%02zu,%u,%u,generated row %zu\n", i, 1 + i % 28,
                     419000 + dx, 302500 + dy, i);
    }
    REQUIRE(std::fclose(f) == 0);
}

/// Files in `dir` whose name contains `needle`.
std::vector<fs::path> files_with(const fs::path& dir, const std::string& needle) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().filename().string().find(needle) != std::string::npos) out.push_back(e.path());
    return out;
}

/// Starts the CLI with `args`, waits until a temporary output of the process appears in `dir`
/// (a name holding `tmp_marker` + its pid), then kills it with SIGKILL. Returns true when the
/// process was killed while writing (false: it ended before its temporary appeared).
bool kill_while_writing(const std::vector<std::string>& args, const fs::path& dir, const std::string& tmp_marker) {
    std::vector<std::string> argv_s{HOTSPOT_CLI};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    REQUIRE(posix_spawn(&pid, HOTSPOT_CLI, &fa, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&fa);
    const std::string marker = tmp_marker + std::to_string(pid);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        if (waitpid(pid, &status, WNOHANG) == pid) return false;  // ended on its own
        if (!files_with(dir, marker).empty()) {
            // Let it write for a moment, then pull the plug.
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    FAIL("the run wrote no temporary file within 120 s");
    return false;
}

using test::Layer;
using test::read_all_layers;

} // namespace

TEST_CASE("faults: a geocode killed while writing leaves no file under its final names", "[faults]") {
    const auto dir = test::fresh_dir("faults-geocode");
    const auto big = dir / "big.csv";
    write_big_csv(big, 2'000'000);
    const auto out = dir / "out.gpkg";
    test::write_file(dir / "keep.txt", "not ours\n");
    const bool killed = kill_while_writing(
        {"geocode", "--incidents", big.string(), "--crs", "EPSG:27700", "--areas",
         "ward=" + test::demo_file("wards.geojson") + ":ward_code:ward_name", "--out",
         out.string()},
        dir, ".partial-");
    REQUIRE(killed);
    CHECK_FALSE(fs::exists(out));
    CHECK_FALSE(fs::exists(dir / "out.manifest.json"));
    const auto leftovers = files_with(dir, ".partial-");
    CHECK_FALSE(leftovers.empty());  // what a SIGKILL leaves: only temporaries

    // A later run writes its outputs, removes the dead process's temporaries (issue 14) and
    // leaves our unrelated file alone.
    const auto r = test::run_cli(
        "geocode --incidents " + test::quoted(test::demo_file("incidents.csv")) +
        " --crs EPSG:27700 --areas " +
        test::quoted("ward=" + test::demo_file("wards.geojson") + ":ward_code:ward_name") +
        " --out " + test::quoted(out));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(fs::exists(out));
    CHECK(fs::exists(dir / "out.manifest.json"));
    CHECK(test::read_file(dir / "keep.txt") == "not ours\n");
    for (const auto& p : leftovers) CHECK_FALSE(fs::exists(p));
    CHECK(files_with(dir, ".partial-").empty());
    CHECK(fs::exists(big));
}

TEST_CASE("faults: a kde killed while writing leaves no file under its final names", "[faults]") {
    const auto dir = test::fresh_dir("faults-kde");
    const auto out = dir / "heat.tif";
    test::write_file(dir / "keep.txt", "not ours\n");
    // a 2 m grid over the demo town: millions of cells, a write long enough to be caught
    const std::vector<std::string> args{"kde",
                                        "--incidents",
                                        test::demo_file("incidents.csv"),
                                        "--crs",
                                        "EPSG:27700",
                                        "--areas",
                                        "study=" + test::demo_file("wards.geojson"),
                                        "--bandwidth",
                                        "20",
                                        "--cell",
                                        "2",
                                        "--png",
                                        "--out",
                                        out.string()};
    const bool killed = kill_while_writing(args, dir, ".tmp");
    REQUIRE(killed);
    CHECK_FALSE(fs::exists(out));
    CHECK_FALSE(fs::exists(dir / "heat.qml"));
    CHECK_FALSE(fs::exists(dir / "heat.png"));
    CHECK_FALSE(fs::exists(dir / "heat.tif.qml"));
    const auto leftovers = files_with(dir, ".tmp");
    CHECK_FALSE(leftovers.empty());

    const auto r = test::run_cli(
        "kde --incidents " + test::quoted(test::demo_file("incidents.csv")) +
        " --crs EPSG:27700 --areas " + test::quoted("study=" + test::demo_file("wards.geojson")) +
        " --bandwidth 250 --cell 50 --out " + test::quoted(out));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(fs::exists(out));
    CHECK(test::read_file(dir / "keep.txt") == "not ours\n");
    for (const auto& p : leftovers) CHECK_FALSE(fs::exists(p));  // swept: their writer is dead
}

TEST_CASE("determinism: kde GeoTIFFs are byte-identical run after run and for 1 or 2 threads",
          "[determinism]") {
    const auto dir = test::fresh_dir("determinism-kde");
    const std::string common = "kde --incidents " + test::quoted(test::demo_file("incidents.csv")) +
                               " --crs EPSG:27700 --areas " +
                               test::quoted("study=" + test::demo_file("wards.geojson")) +
                               " --bandwidth 250 --cell 25 ";
    struct Run {
        std::string name, opts;
    };
    for (const char* kernel : {"quartic", "gaussian"}) {
        INFO(kernel);
        std::vector<std::string> sums;
        for (const Run& run : {Run{"a", ""}, Run{"b", ""}, Run{"t1", "--threads 1 "}, Run{"t2", "--threads 2 "}}) {
            const auto out = dir / (run.name + "-" + kernel + ".tif");
            // --threads is a global option: it comes before the command
            const auto r = test::run_cli(run.opts + common + "--kernel " + kernel + " --out " +
                                         test::quoted(out));
            INFO(r.err);
            REQUIRE(r.exit_code == 0);
            sums.push_back(sha256_file(out.string()));
        }
        CHECK(sums[0] == sums[1]);
        CHECK(sums[0] == sums[2]);
        CHECK(sums[0] == sums[3]);
    }
}

TEST_CASE("determinism: geocode layers are identical for 1 or 2 threads", "[determinism]") {
    const auto dir = test::fresh_dir("determinism-geocode");
    const std::string common =
        "geocode --incidents " + test::quoted(test::demo_file("incidents.csv")) +
        " --crs EPSG:27700 --areas " +
        test::quoted("ward=" + test::demo_file("wards.geojson") + ":ward_code:ward_name") +
        " --areas " +
        test::quoted("lsoa=" + test::demo_file("lsoas.geojson") + ":lsoa_code:lsoa_name") +
        " --snap 50 ";
    std::map<std::string, std::map<std::string, Layer>> layers;
    for (const char* t : {"1", "2"}) {
        const auto sub = dir / t;
        fs::create_directories(sub);
        const auto r = test::run_cli(std::string("--threads ") + t + " " + common + "--out " +
                                     test::quoted(sub / "g.gpkg"));
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        layers[t] = read_all_layers(sub / "g.gpkg");
    }
    const auto& a = layers["1"];
    const auto& b = layers["2"];
    REQUIRE(a.size() == b.size());
    CHECK(a.count("incidents") == 1);
    CHECK(a.count("rejects") == 1);
    CHECK(a.count("ward_counts") == 1);
    CHECK(a.count("lsoa_counts") == 1);
    for (const auto& [name, rows] : a) {
        INFO("layer " << name);
        REQUIRE(b.count(name) == 1);
        const Layer& other = b.at(name);
        REQUIRE(rows.size() == other.size());
        CHECK(rows.size() > 1);
        for (std::size_t i = 0; i < rows.size(); ++i) {
            INFO("row " << i);
            CHECK(rows[i] == other[i]);
        }
    }
}
