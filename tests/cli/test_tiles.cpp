// Tiled density runs (issue 20, README "Tiled runs"): a surface cut into tiles with a fixed
// --extent each, fed the incidents of the tile's core grown by the kernel's radius, and merged by
// GDAL, equals the untiled surface cell for cell. The engine-level check compares the doubles;
// the end-to-end check runs bench/tiles/tiles.sh (split with ogr2ogr, four `hotspot kde`
// processes, gdalbuildvrt + gdal_translate) and reads both rasters back with GDAL.

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <gdal.h>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "hotspot/config.hpp"
#include "hotspot/error.hpp"
#include "hotspot/kde.hpp"
#include "hotspot/steps/kde_step.hpp"
#include "support.hpp"

using namespace hotspot;
namespace fs = std::filesystem;

namespace {

/// 3,000 incidents on a 10 x 8 km patch (whole metres, so many coincide as police.uk snap points
/// do): a uniform background and four clusters, two of them on the lines the 2 x 2 tiles cut.
struct Points {
    std::vector<double> x, y;
};
Points synthetic_incidents() {
    std::mt19937_64 rng(20);
    std::uniform_real_distribution<double> u(0, 1);
    std::normal_distribution<double> n(0, 1);
    Points p;
    const double x0 = 430000, y0 = 300000;
    auto add = [&](double x, double y) {
        p.x.push_back(std::round(x));
        p.y.push_back(std::round(y));
    };
    for (int i = 0; i < 1200; ++i) add(x0 + 10000 * u(rng), y0 + 8000 * u(rng));
    const double centres[4][2] = {{5000, 4000}, {5000, 6500}, {2000, 2000}, {8000, 4000}};
    for (const auto& c : centres)
        for (int i = 0; i < 450; ++i) add(x0 + c[0] + 300 * n(rng), y0 + c[1] + 300 * n(rng));
    return p;
}

/// The tiles' cores: the grid's bounds cut at whole cells into nx x ny (as tiles.sh split does).
std::vector<Bounds> cores(const Grid& g, int nx, int ny) {
    std::vector<Bounds> out;
    const double c = g.cell_size_m;
    for (int j = 0; j < ny; ++j)
        for (int i = 0; i < nx; ++i)
            out.push_back({g.origin_x + double(i * g.cols / nx) * c, g.origin_y - double((j + 1) * g.rows / ny) * c,
                           g.origin_x + double((i + 1) * g.cols / nx) * c, g.origin_y - double(j * g.rows / ny) * c});
    return out;
}

/// Runs a bench/tiles/tiles.sh step; REQUIREs exit 0 (showing its output otherwise).
void tiles_sh(const fs::path& dir, const std::string& args) {
    const std::string cmd = "'" + (test::source_dir() / "bench" / "tiles" / "tiles.sh").string() +
                            "' " + args + " >" + test::quoted(dir / "sh.out") + " 2>&1";
    const int rc = std::system(cmd.c_str());
    INFO(cmd << "\n" << test::read_file(dir / "sh.out"));
    REQUIRE(rc == 0);
}

/// The untiled `hotspot kde <args> --out whole.tif`, then tiles.sh split (with `split_args`, the
/// whole grid's extent and `nx` x `ny` tiles), run and merge: REQUIREs the same grid and every
/// Float32 cell identical (NaN as NaN). Returns the whole surface.
test::Band1 tiled_equals_untiled(const fs::path& dir, const std::string& inputs, const std::string& args,
                                 const std::string& split_args) {
    auto r = test::run_cli("kde --incidents " + inputs + args + " --out " +
                           test::quoted(dir / "whole.tif"));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    GDALAllRegister();
    const test::Band1 whole = test::read_band1(dir / "whole.tif");
    std::ostringstream extent;
    extent.precision(17);
    extent << whole.gt[0] << ',' << whole.gt[3] + whole.rows * whole.gt[5] << ','
           << whole.gt[0] + whole.cols * whole.gt[1] << ',' << whole.gt[3];
    const fs::path tiles = dir / "tiles";
    tiles_sh(dir, "split --extent " + extent.str() + " " + split_args + " --nx 2 --ny 2 --out " +
                      test::quoted(tiles) + " " + inputs);
    tiles_sh(dir, "run " + test::quoted(tiles) + " --jobs 2 -- '" + std::string(HOTSPOT_CLI) +
                      "' kde" + args);
    tiles_sh(dir, "merge " + test::quoted(tiles) + " " + test::quoted(dir / "merged.tif"));
    const test::Band1 merged = test::read_band1(dir / "merged.tif");
    CHECK(merged.cols == whole.cols);
    CHECK(merged.rows == whole.rows);
    for (int i = 0; i < 6; ++i) CHECK(merged.gt[i] == whole.gt[i]);
    REQUIRE(merged.v.size() == whole.v.size());
    std::size_t differ = 0;
    for (std::size_t i = 0; i < whole.v.size(); ++i)
        if (std::memcmp(&merged.v[i], &whole.v[i], sizeof(float)) != 0 && !(std::isnan(merged.v[i]) && std::isnan(whole.v[i])))
            ++differ;
    CHECK(differ == 0);
    return whole;
}

} // namespace

TEST_CASE("tiles: extent_grid covers the extent's cells, and abutting extents give disjoint grids", "[tiles]") {
    const Grid g = extent_grid({100, 200, 1100, 700}, 25);
    CHECK(g.origin_x == 100);
    CHECK(g.origin_y == 700);
    CHECK(g.cols == 40);  // not 41 as Grid::aligned's half-open rule would give
    CHECK(g.rows == 20);
    const Grid s = extent_grid({101, 199, 1099.5, 690}, 25);  // snapped outward
    CHECK(s.origin_x == 100);
    CHECK(s.origin_y == 700);
    CHECK(s.cols == 40);
    CHECK(s.rows == 21);
    CHECK(parse_extent("1,2,3,4").xmax == 3);
    CHECK_THROWS_WITH(parse_extent("1,2,3"), Catch::Contains("xmin,ymin,xmax,ymax"));
    CHECK_THROWS_WITH(parse_extent("1,2,3,4,5"), Catch::Contains("xmin,ymin,xmax,ymax"));
    CHECK_THROWS_WITH(parse_extent("1,2,x,4"), Catch::Contains("xmin,ymin,xmax,ymax"));
    KdeStepOptions o;
    o.bandwidth.fixed_m = 300;
    o.extent = Bounds{0, 0, 1000, 1000};
    CHECK_THROWS_WITH(o.validate(), Catch::Contains("needs a fixed --cell"));
    o.cell_size_m = 25;
    CHECK_NOTHROW(o.validate());
    CHECK(o.to_json()["extent"][2] == 1000);
    o.extent = Bounds{0, 0, 0, 1000};
    CHECK_THROWS_WITH(o.validate(), Catch::Contains("xmin < xmax"));
}

TEST_CASE("tiles: the run config's analysis.extent reaches the density step, checked with its line", "[tiles]") {
    const std::string base = "output = \"o\"\n[incidents]\npaths = [\"a.csv\"]\n[analysis]\n";
    const RunConfig ok = parse_run_config(base + "cell_m = 25\nextent = [400000, 300000, 410000, 308000.5]\n", "/x/run.toml");
    REQUIRE(ok.analysis.extent);
    CHECK(ok.analysis.extent->ymax == 308000.5);
    for (const auto& [text, says] : {std::pair{"cell_m = 25\nextent = [1, 2, 3]\n", "[xmin, ymin, xmax, ymax]"},
                                     std::pair{"cell_m = 25\nextent = [5, 2, 3, 4]\n", "xmin < xmax"},
                                     std::pair{"cell_m = 25\nextent = \"1,2,3,4\"\n", "[xmin, ymin, xmax, ymax]"},
                                     std::pair{"extent = [1, 2, 3, 4]\n", "needs analysis.cell_m"}}) {
        INFO(text);
        try {
            parse_run_config(base + text, "/x/run.toml");
            FAIL("accepted");
        } catch (const InputError& e) {
            CHECK(e.field() == "analysis.extent");
            CHECK(e.line() >= 5);
            CHECK_THAT(std::string(e.what()), Catch::Contains(says));
        }
    }
}

TEST_CASE("tiles: four tiles with a radius-wide overlap give the untiled surface bit for bit, every kernel",
          "[tiles]") {
    const Points p = synthetic_incidents();
    for (const Kernel kernel : {Kernel::quartic, Kernel::epanechnikov, Kernel::triangular, Kernel::uniform,
                                Kernel::gaussian}) {
        INFO("kernel " << kernel_name(kernel));
        KdeOptions k;
        k.kernel = kernel;
        k.bandwidth_m = kernel == Kernel::gaussian ? 100 : 400;
        k.cell_size_m = 25;
        Bounds b;
        for (std::size_t i = 0; i < p.x.size(); ++i) b.add(p.x[i], p.y[i]);
        const Grid whole = kde_grid(b, k);
        const KdeResult all = kernel_density(p.x, p.y, {}, whole, k);
        const double r = all.radius_m;
        std::size_t cells = 0, nonzero_near_cut = 0;
        for (const Bounds& core : cores(whole, 2, 2)) {
            const Grid g = extent_grid(core, k.cell_size_m);
            cells += std::size_t(g.size());
            // The tile reads its core grown by the radius (tiles.sh adds two cells more).
            Points t;
            const Bounds read = core.grown(r);
            for (std::size_t i = 0; i < p.x.size(); ++i)
                if (read.contains(p.x[i], p.y[i])) t.x.push_back(p.x[i]), t.y.push_back(p.y[i]);
            REQUIRE(t.x.size() < p.x.size());
            const KdeResult tile = kernel_density(t.x, t.y, {}, g, k);
            const auto col0 = std::int64_t(std::llround((g.origin_x - whole.origin_x) / k.cell_size_m));
            const auto row0 = std::int64_t(std::llround((whole.origin_y - g.origin_y) / k.cell_size_m));
            std::size_t differ = 0;
            for (std::int64_t row = 0; row < g.rows; ++row)
                for (std::int64_t col = 0; col < g.cols; ++col) {
                    const double a = all.values[std::size_t((row0 + row) * whole.cols + col0 + col)];
                    const double v = tile.values[std::size_t(row * g.cols + col)];
                    if (std::memcmp(&a, &v, sizeof a) != 0) ++differ;
                    const bool edge = col == 0 || row == 0 || col == g.cols - 1 || row == g.rows - 1;
                    if (edge && v > 0) ++nonzero_near_cut;
                }
            CHECK(differ == 0);
        }
        CHECK(cells == std::size_t(whole.size()));  // the cores partition the untiled grid
        CHECK(nonzero_near_cut > 100);              // the clusters on the cut lines reach across them
    }
}

TEST_CASE("tiles: tiles.sh split, run (four hotspot kde processes) and merge equal the untiled hotspot kde",
          "[tiles]") {
    if (std::system("command -v ogr2ogr >/dev/null && command -v gdalbuildvrt >/dev/null") != 0) {
        WARN("skipped: ogr2ogr or gdalbuildvrt not found (Debian gdal-bin)");
        return;
    }
    const auto dir = test::fresh_dir("tiles");
    const Points p = synthetic_incidents();
    {
        std::ostringstream csv;
        csv << "id,x,y,label\n";
        for (std::size_t i = 0; i < p.x.size(); ++i)
            csv << i << ',' << p.x[i] << ',' << p.y[i] << ",\"near \"\"A\"\", street " << i % 7 << "\"\n";
        test::write_file(dir / "all.csv", csv.str());
    }
    const std::string args = " --x x --y y --crs EPSG:27700 --bandwidth 400 --cell 25";
    const test::Band1 whole = tiled_equals_untiled(
        dir, test::quoted(dir / "all.csv"), args + " --keep-outliers", "--cell 25 --radius 400");
    std::size_t nonzero = 0;
    for (float v : whole.v) nonzero += v > 0;
    CHECK(nonzero > whole.v.size() / 4);
    std::size_t rows_in_tiles = 0;
    for (int id = 0; id < 4; ++id) {
        std::ifstream f(dir / "tiles" / ("tile_" + std::to_string(id)) / "0.csv");
        std::string line;
        std::size_t n = 0;
        while (std::getline(f, line)) ++n;
        CHECK(n > 1);
        CHECK(n - 1 < p.x.size());
        rows_in_tiles += n - 1;
    }
    CHECK(rows_in_tiles > p.x.size());  // the overlaps read some incidents twice

    // A surface scaled by its own maximum is not tile-invariant: merge refuses it, even when one
    // tile alone was run so (as a Kubernetes or Slurm task runs one tile).
    const fs::path tiles = dir / "tiles";
    std::string command = test::read_file(tiles / "command");
    CHECK_THAT(command, Catch::StartsWith(std::string(HOTSPOT_CLI) + "\nkde\n--x\n"));
    test::write_file(tiles / "command", command + "--units\nrelative\n");
    tiles_sh(dir, "one " + test::quoted(tiles) + " 0");
    const int rc =
        std::system(("'" + (test::source_dir() / "bench" / "tiles" / "tiles.sh").string() +
                     "' merge " + test::quoted(tiles) + " " + test::quoted(dir / "relative.tif") +
                     " 2>" + test::quoted(dir / "refused.err"))
                        .c_str());
    CHECK(WEXITSTATUS(rc) == 2);
    CHECK_THAT(test::read_file(dir / "refused.err"), Catch::Contains("not tile-invariant"));
    CHECK_FALSE(fs::exists(dir / "relative.tif"));
}

TEST_CASE("tiles: a year of Leicestershire police.uk in four tiles equals the untiled surface", "[data-tiles-leics]") {
    HOTSPOT_REQUIRE_SHARED_DATA();
    const auto dir = test::fresh_dir("tiles-leics");
    // One year, in one file: split then cuts each tile with one ogr2ogr call.
    std::string all;
    for (int m = 1; m <= 12; ++m) {
        char name[64];
        std::snprintf(name, sizeof name, "2021-%02d-leicestershire-street.csv", m);
        const std::string text = test::read_file(test::shared_data() / "police_uk" / "leicestershire" / name);
        all += m == 1 ? text : text.substr(text.find('\n') + 1);
    }
    test::write_file(dir / "2021.csv", all);
    const std::string study = (test::shared_data() / "boundaries" / "leicestershire_lsoa.geojson").string();
    const test::Band1 whole = tiled_equals_untiled(
        dir, test::quoted(dir / "2021.csv"),
        " --areas " + test::quoted("study=" + study) + " --bandwidth 300 --cell 50",
        "--cell 50 --radius 300 --x Longitude --y Latitude --srs EPSG:4326");
    std::size_t nonzero = 0;
    for (float v : whole.v) nonzero += v > 0;
    CHECK(nonzero > 10000);
}

TEST_CASE("tiles: a run with analysis.extent writes its density surface on exactly that grid", "[tiles]") {
    const auto dir = test::fresh_dir("tiles-run");
    // The demo config, one profile, no report, its relative paths made absolute, and an extent
    // that cuts the town (a tile's core).
    std::istringstream in(test::read_file(test::source_dir() / "examples" / "demo.toml"));
    std::string line, toml;
    while (std::getline(in, line)) {
        if (line.rfind("report", 0) == 0) continue;
        for (auto at = line.find("\"../"); at != std::string::npos; at = line.find("\"../"))
            line.replace(at, 4, "\"" + test::source_dir().string() + "/");
        toml += line + "\n";
        if (line.rfind("cell_m", 0) == 0) toml += "extent = [418000, 301000, 421000, 305000]\n";
    }
    test::write_file(dir / "run.toml", toml);
    const auto r = test::run_cli("run " + test::quoted(dir / "run.toml") + " --out " +
                                 test::quoted(dir / "pack") + " --profiles all-crime");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    GDALAllRegister();
    const test::Band1 kde = test::read_band1(dir / "pack" / "all_crime_kde.tif");
    CHECK(kde.gt[0] == 418000);
    CHECK(kde.gt[3] == 305000);
    CHECK(kde.gt[1] == 25);
    CHECK(kde.cols == 120);
    CHECK(kde.rows == 160);
    const auto m = nlohmann::json::parse(test::read_file(dir / "pack" / "manifest.json"));
    CHECK(m["profiles"][0]["kde"]["options"]["extent"] == nlohmann::json::array({418000, 301000, 421000, 305000}));
}
