// Nothing lost, whatever happens (issue 14): an output that is an input, formats that hold one
// layer per file, CR-only CSVs, the run pack written whole or not at all (a failed run, an
// --overwrite that fails, a full disk), two runs into one folder at once.

#include <catch2/catch.hpp>
#include <fcntl.h>
#include <gdal.h>
#include <nlohmann/json.hpp>
#include <ogr_api.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hotspot/sha256.hpp"
#include "support.hpp"

extern char** environ;

using namespace hotspot;
namespace fs = std::filesystem;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// Hidden files or folders a writer leaves while it works (or when killed).
std::vector<std::string> temporaries(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) {
        const std::string n = e.path().filename().string();
        if (!n.empty() && n[0] == '.' && (has(n, ".hotspot-") || has(n, ".partial-") || has(n, ".tmp")))
            out.push_back(n);
    }
    return out;
}

/// A small run config over the demo town with absolute paths (one profile, so it is quick).
void write_config(const fs::path& path, const fs::path& out, const std::string& extra = "",
                  const fs::path& ward_population = test::demo_file("ward_population.csv")) {
    test::write_file(
        path,
        "title = \"safety\"\noutput = " + test::quoted(out) +
            "\nprofiles = [\"drug-possession\"]\n[incidents]\npaths = [" +
            test::quoted(test::demo_file("incidents.csv")) +
            "]\ncrs = \"EPSG:27700\"\nid = \"incident_id\"\n[[areas]]\nname = \"ward\"\npath = " +
            test::quoted(test::demo_file("wards.geojson")) +
            "\ncode_field = \"ward_code\"\nname_field = \"ward_name\"\n"
            "population = " +
            test::quoted(ward_population) + "\n[analysis]\ncell_m = 50\nbandwidth = 250\n" + extra);
}

std::string areas_arg() {
    return "--areas " +
           test::quoted("ward=" + test::demo_file("wards.geojson") + ":ward_code:ward_name");
}

int feature_count(const fs::path& path) {
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(path.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
    if (!ds) return -1;
    const int n = int(OGR_L_GetFeatureCount(GDALDatasetGetLayer(ds, 0), TRUE));
    GDALClose(ds);
    return n;
}

} // namespace

TEST_CASE("an output that is one of the inputs is refused before any work, exit 2", "[output-safety]") {
    const auto dir = test::fresh_dir("safety-same-file");
    fs::copy_file(test::demo_file("incidents.csv"), dir / "in.csv");
    fs::copy_file(test::demo_file("wards.geojson"), dir / "wards.geojson");
    fs::copy_file(test::demo_file("ward_population.csv"), dir / "pop.csv");
    fs::create_symlink(dir / "in.csv", dir / "link.csv");
    const auto sum = [&](const char* f) { return sha256_file((dir / f).string()); };
    const auto in_sum = sum("in.csv"), wards_sum = sum("wards.geojson"), pop_sum = sum("pop.csv");
    const std::string inc = "--incidents " + test::quoted(dir / "in.csv") + " --crs EPSG:27700 ";

    SECTION("geocode: the manifest over the incidents, through a symbolic link") {
        const auto r = test::run_cli("geocode " + inc + areas_arg() + " --out " +
                                     test::quoted(dir / "g.gpkg") + " --manifest " +
                                     test::quoted(dir / "link.csv") + " --overwrite");
        CHECK(r.exit_code == 2);
        CHECK(has(r.err, "link.csv"));
        CHECK(has(r.err, "in.csv"));
        CHECK(has(r.err, "is the input"));
        CHECK_FALSE(fs::exists(dir / "g.gpkg"));
    }
    SECTION("kde: a GeoTIFF over the CSV") {
        const auto r = test::run_cli("kde " + inc + "--bandwidth 250 --cell 50 --out " +
                                     test::quoted(dir / "in.csv") + " --overwrite");
        CHECK(r.exit_code == 2);
        CHECK(has(r.err, ".tif"));
        CHECK_FALSE(fs::exists(dir / "in.qml"));
    }
    SECTION("gistar: the cells over the study area") {
        const auto r = test::run_cli("gistar " + inc + "--areas " +
                                     test::quoted("study=" + (dir / "wards.geojson").string()) +
                                     " --cell 100 --band 300 --out " +
                                     test::quoted(dir / "wards.geojson") + " --overwrite");
        CHECK(r.exit_code == 2);
        CHECK(has(r.err, "wards.geojson"));
    }
    SECTION("rates: the layer over the population table") {
        const auto r = test::run_cli(
            "rates " + inc + "--areas " +
            test::quoted("ward=" + (dir / "wards.geojson").string() + ":ward_code:ward_name") +
            " --population " + test::quoted("ward=" + (dir / "pop.csv").string()) + " --out " +
            test::quoted(dir / "pop.csv") + " --overwrite");
        CHECK(r.exit_code == 2);
        CHECK(has(r.err, "pop.csv"));
    }
    SECTION("run and report: an input inside the pack folder, the report over the manifest") {
        const auto out = dir / "pack";
        write_config(dir / "run.toml", out);
        REQUIRE(test::run_cli("run " + test::quoted(dir / "run.toml")).exit_code == 0);
        const auto manifest_sum = sha256_file((out / "manifest.json").string());
        const auto r = test::run_cli("report " + test::quoted(out) + " --out " +
                                     test::quoted(out / "manifest.json") + " --overwrite");
        CHECK(r.exit_code == 2);
        CHECK(has(r.err, "manifest.json"));
        CHECK(sha256_file((out / "manifest.json").string()) == manifest_sum);
        // the config kept in the pack folder, and --overwrite replacing that pack
        fs::copy_file(dir / "run.toml", out / "run.toml");
        const auto r2 = test::run_cli("run " + test::quoted(out / "run.toml") + " --overwrite");
        CHECK(r2.exit_code == 2);
        CHECK(has(r2.err, "run.toml"));
        CHECK(sha256_file((out / "manifest.json").string()) == manifest_sum);
    }
    CHECK(sum("in.csv") == in_sum);
    CHECK(sum("wards.geojson") == wards_sum);
    CHECK(sum("pop.csv") == pop_sum);
}

TEST_CASE("one-layer-per-file formats: refused up front for several layers, written whole for one",
          "[output-safety]") {
    const auto dir = test::fresh_dir("safety-formats");
    test::write_file(dir / "rejects.dbf", "an earlier file\n");
    const std::string inc =
        "--incidents " + test::quoted(test::demo_file("incidents.csv")) + " --crs EPSG:27700 ";
    for (const char* ext : {".shp", ".geojson", ".fgb", ".csv"}) {
        INFO(ext);
        const auto r = test::run_cli("geocode " + inc + areas_arg() + " --out " +
                                     test::quoted(dir / (std::string("g") + ext)));
        CHECK(r.exit_code == 2);
        CHECK(has(r.err, "use .gpkg"));
    }
    const auto r = test::run_cli(
        "rates " + inc + areas_arg() + " --areas " +
        test::quoted("lsoa=" + test::demo_file("lsoas.geojson") + ":lsoa_code:lsoa_name") +
        " --population " + test::quoted("ward=" + test::demo_file("ward_population.csv")) +
        " --population " + test::quoted("lsoa=" + test::demo_file("lsoa_population.csv")) +
        " --out " + test::quoted(dir / "r.geojson"));
    CHECK(r.exit_code == 2);
    CHECK(has(r.err, "use .gpkg"));
    CHECK(test::read_file(dir / "rejects.dbf") == "an earlier file\n");
    for (const auto& e : fs::directory_iterator(dir)) CHECK(e.path().filename() == "rejects.dbf");

    // One layer: Shapefile (with its sidecars), GeoJSON and FlatGeobuf are written whole.
    const std::string gi = "gistar " + inc + "--areas " +
                           test::quoted("study=" + test::demo_file("wards.geojson")) +
                           " --cell 100 --band 300 ";
    int n = 0;
    for (const char* name : {"cells.shp", "cells.geojson", "cells.fgb"}) {
        INFO(name);
        const auto g = test::run_cli(gi + "--out " + test::quoted(dir / name) + " --manifest " +
                                     test::quoted(dir / (std::string(name) + ".json")));
        INFO(g.err);
        REQUIRE(g.exit_code == 0);
        const int c = feature_count(dir / name);
        CHECK(c > 0);
        if (n) CHECK(c == n);
        n = c;
    }
    for (const char* side : {"cells.shx", "cells.dbf", "cells.prj"}) CHECK(fs::exists(dir / side));
    CHECK(temporaries(dir).empty());
    // A Shapefile's sidecar counts as the output: an existing cells.dbf is not replaced
    // without --overwrite.
    fs::remove(dir / "cells.shp");
    const auto dbf = sha256_file((dir / "cells.dbf").string());
    const auto again = test::run_cli(gi + "--out " + test::quoted(dir / "cells.shp") +
                                     " --manifest " + test::quoted(dir / "m2.json"));
    CHECK(again.exit_code == 4);
    CHECK(has(again.err, "already exists"));
    CHECK(sha256_file((dir / "cells.dbf").string()) == dbf);
    CHECK_FALSE(fs::exists(dir / "cells.shp"));
}

TEST_CASE("a CSV with CR-only line ends (Excel 'CSV (Macintosh)') reads row by row", "[output-safety]") {
    const auto dir = test::fresh_dir("safety-cr");
    const std::string text = test::read_file(test::demo_file("incidents.csv"));
    std::string lf, cr;
    std::size_t at = 0;
    for (int line = 0; line < 50; ++line) {  // the header and 49 rows
        const std::size_t end = text.find('\n', at);
        lf += text.substr(at, end - at) + "\n";
        cr += text.substr(at, end - at) + "\r";
        at = end + 1;
    }
    test::write_file(dir / "lf.csv", lf);
    test::write_file(dir / "cr.csv", cr);
    std::string summaries[2];
    int i = 0;
    for (const char* f : {"lf.csv", "cr.csv"}) {
        const auto r =
            test::run_cli("geocode --incidents " + test::quoted(dir / f) + " --crs EPSG:27700 " +
                          areas_arg() + " --out " + test::quoted(dir / (std::string(f) + ".gpkg")) +
                          " --manifest " + test::quoted(dir / (std::string(f) + ".json")));
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        CHECK(has(r.out, "49 rows read"));
        const auto m = nlohmann::json::parse(test::read_file(dir / (std::string(f) + ".json")));
        const auto& c = m["counts"];
        CHECK(c["rows_in"] == 49);
        summaries[i++] = r.out.substr(r.out.find("rows_in"));
    }
    CHECK(summaries[0].substr(0, summaries[0].find('\n')) == summaries[1].substr(0, summaries[1].find('\n')));
}

TEST_CASE("a failed run leaves nothing; --overwrite replaces the old pack only when the new one is whole",
          "[output-safety]") {
    const auto dir = test::fresh_dir("safety-run-atomic");
    const auto out = dir / "pack";
    // A population table missing most wards fails after the incidents are read.
    test::write_file(dir / "short_pop.csv", "ward_code,population\nDEMO-W01,8496\n");
    write_config(dir / "bad.toml", out, "", dir / "short_pop.csv");
    write_config(dir / "good.toml", out);

    const auto bad = test::run_cli("run " + test::quoted(dir / "bad.toml"));
    CHECK(bad.exit_code == 3);
    CHECK_FALSE(fs::exists(out));
    CHECK(temporaries(dir).empty());
    CHECK_FALSE(fs::exists(dir / ".pack.hotspot-lock"));

    // The corrected run needs no --overwrite.
    const auto good = test::run_cli("run " + test::quoted(dir / "good.toml"));
    INFO(good.err);
    REQUIRE(good.exit_code == 0);
    CHECK(has(good.out, (out / "hotspot_run.gpkg").string()));
    CHECK_FALSE(has(good.out, ".hotspot-tmp"));
    const auto manifest = sha256_file((out / "manifest.json").string());
    const auto gpkg = sha256_file((out / "hotspot_run.gpkg").string());
    const auto m = nlohmann::json::parse(test::read_file(out / "manifest.json"));
    CHECK(m["outputs_folder"] == out.string());

    // Again without --overwrite: refused before any work.
    const auto twice = test::run_cli("run " + test::quoted(dir / "good.toml"));
    CHECK(twice.exit_code == 4);
    CHECK(has(twice.err, "--overwrite"));

    // A failing --overwrite leaves the old pack as it was.
    test::write_file(out / "notes.txt", "the analyst's own notes\n");
    const auto bad_over = test::run_cli("run " + test::quoted(dir / "bad.toml") + " --overwrite");
    CHECK(bad_over.exit_code == 3);
    CHECK(sha256_file((out / "manifest.json").string()) == manifest);
    CHECK(sha256_file((out / "hotspot_run.gpkg").string()) == gpkg);
    CHECK(temporaries(dir).empty());

    // A whole one replaces it, and keeps files the run does not write.
    const auto over =
        test::run_cli("run " + test::quoted(dir / "good.toml") + " --overwrite --title again");
    INFO(over.err);
    REQUIRE(over.exit_code == 0);
    CHECK(nlohmann::json::parse(test::read_file(out / "manifest.json"))["run"]["title"] == "again");
    CHECK(test::read_file(out / "notes.txt") == "the analyst's own notes\n");
    CHECK(temporaries(dir).empty());
    CHECK(temporaries(out).empty());
}

TEST_CASE("a full disk is an output error (exit 4) and leaves no output and no temporary", "[output-safety]") {
    if (geteuid() != 0) {
        WARN("skipped: the full-disk test mounts a small tmpfs, which needs root");
        return;
    }
    const auto dir = test::fresh_dir("safety-full-disk");
    const auto disk = dir / "disk";
    fs::create_directories(disk);
    if (mount("tmpfs", disk.c_str(), "tmpfs", 0, "size=2m") != 0) {
        WARN("skipped: cannot mount a tmpfs here");
        return;
    }
    struct Unmount {
        fs::path p;
        ~Unmount() { umount2(p.c_str(), MNT_DETACH); }
    } unmount{disk};
    // Leave 64 KB free: less than any of the outputs below needs.
    struct statvfs fsinfo {};
    REQUIRE(statvfs(disk.c_str(), &fsinfo) == 0);
    const std::size_t free_bytes = std::size_t(fsinfo.f_bavail) * fsinfo.f_frsize;
    REQUIRE(free_bytes > 64 * 1024);
    test::write_file(disk / "filler", std::string(free_bytes - 64 * 1024, 'x'));

    const auto geo = test::run_cli(
        "geocode --incidents " + test::quoted(test::demo_file("incidents.csv")) +
        " --crs EPSG:27700 " + areas_arg() + " --out " + test::quoted(disk / "g.gpkg"));
    INFO(geo.err);
    CHECK(geo.exit_code == 4);
    CHECK_FALSE(fs::exists(disk / "g.gpkg"));
    CHECK(temporaries(disk).empty());

    const auto kde =
        test::run_cli("kde --incidents " + test::quoted(test::demo_file("incidents.csv")) +
                      " --crs EPSG:27700 --bandwidth 250 "
                      "--cell 25 --out " +
                      test::quoted(disk / "heat.tif"));
    INFO(kde.err);
    CHECK(kde.exit_code == 4);
    CHECK_FALSE(fs::exists(disk / "heat.tif"));
    CHECK(temporaries(disk).empty());

    write_config(dir / "run.toml", disk / "pack");
    const auto run = test::run_cli("run " + test::quoted(dir / "run.toml"));
    INFO(run.err);
    CHECK(run.exit_code == 4);
    CHECK_FALSE(fs::exists(disk / "pack"));
    CHECK(temporaries(disk).empty());
    for (const auto& e : fs::directory_iterator(disk))
        if (e.path().filename() != "filler") FAIL_CHECK("left on the disk: " << e.path());
}

TEST_CASE("two runs into one folder at once: one writes a whole pack, the other exits 4", "[output-safety]") {
    const auto dir = test::fresh_dir("safety-concurrent");
    const auto out = dir / "pack";
    write_config(dir / "run.toml", out);
    pid_t pids[2];
    const std::string titles[2] = {"first", "second"};
    for (int i = 0; i < 2; ++i) {
        std::vector<std::string> args{HOTSPOT_CLI, "run", (dir / "run.toml").string(), "--title", titles[i]};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        const std::string err = (dir / ("err" + std::to_string(i) + ".txt")).string();
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        REQUIRE(posix_spawn(&pids[i], HOTSPOT_CLI, &fa, nullptr, argv.data(), environ) == 0);
        posix_spawn_file_actions_destroy(&fa);
    }
    int rc[2];
    for (int i = 0; i < 2; ++i) {
        int status = 0;
        waitpid(pids[i], &status, 0);
        rc[i] = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    INFO(test::read_file(dir / "err0.txt") << test::read_file(dir / "err1.txt"));
    REQUIRE(((rc[0] == 0 && rc[1] == 4) || (rc[0] == 4 && rc[1] == 0)));
    const int loser = rc[0] == 4 ? 0 : 1;
    const std::string lerr = test::read_file(dir / ("err" + std::to_string(loser) + ".txt"));
    CHECK((has(lerr, "another hotspot run") || has(lerr, "already holds a run pack")));
    // every file of the pack is the winner's
    const std::string& title = titles[1 - loser];
    CHECK(nlohmann::json::parse(test::read_file(out / "manifest.json"))["run"]["title"] == title);
    CHECK(has(test::read_file(out / "hotspot_run.qgs"), title));
    CHECK(temporaries(dir).empty());
}
