// `hotspot kde` end to end: a CSV in, a GeoTIFF + style out, refusal to overwrite.
#include <catch2/catch.hpp>
#include <gdal.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <tuple>

#include "../support.hpp"

namespace fs = std::filesystem;
using namespace hotspot;

TEST_CASE("hotspot kde writes a GeoTIFF whose peak matches a hand computation", "[cli_kde]") {
    const fs::path dir = test::fresh_dir("cli_kde");
    // Three incidents on one point at a 10 m cell centre, one far away.
    test::write_file(dir / "in.csv", "id,easting,northing\n1,1005,2005\n2,1005,2005\n"
                                     "3,1005,2005\n4,3005,4005\n");
    const std::string out = (dir / "heat.tif").string();
    const auto r = test::run_cli("kde --incidents '" + (dir / "in.csv").string() +
                                 "' --x easting --y northing --crs EPSG:27700 --bandwidth 100 "
                                 "--cell 10 --out '" + out + "'");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("4 incidents (2 distinct points)"));
    CHECK(fs::exists(dir / "heat.qml"));
    GDALAllRegister();
    GDALDatasetH ds = GDALOpen(out.c_str(), GA_ReadOnly);
    REQUIRE(ds);
    double gt[6];
    GDALGetGeoTransform(ds, gt);
    // The cell whose centre is (1005, 2005): 3 incidents × 3/(π·100²) per m² × 10⁶.
    const int col = int((1005 - gt[0]) / gt[1]), row = int((gt[3] - 2005) / -gt[5]);
    float v = 0;
    REQUIRE(GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Read, col, row, 1, 1, &v, 1, 1, GDT_Float32,
                         0, 0) == CE_None);
    CHECK(v == Approx(3 * 3 / (3.141592653589793 * 1e4) * 1e6).epsilon(1e-6));
    CHECK(std::string(GDALGetMetadataItem(ds, "incidents", nullptr)) == "4");
    GDALClose(ds);

    const auto again = test::run_cli("kde --incidents '" + (dir / "in.csv").string() +
                                     "' --x easting --y northing --crs EPSG:27700 --bandwidth 100 "
                                     "--cell 10 --out '" + out + "'");
    CHECK(again.exit_code == 4);
    CHECK_THAT(again.err, Catch::Contains("use --overwrite"));
    const auto bad = test::run_cli("kde --incidents '" + (dir / "in.csv").string() +
                                   "' --x easting --y northing --bandwidth 0 --out '" + out + "'");
    CHECK(bad.exit_code == 2);
    CHECK_THAT(bad.err, Catch::Contains("kde: bandwidth must be > 0 m (got 0)"));
}

TEST_CASE("hotspot kde --weight: a harm score weights each incident", "[cli_kde]") {
    const fs::path dir = test::fresh_dir("cli_kde_weight");
    // One incident of weight 5 at a cell centre: the peak is 5 × 3/(π·100²) per m² × 10⁶.
    test::write_file(dir / "in.csv", "id,easting,northing,harm\n1,1005,2005,5\n2,3005,4005,1\n");
    const std::string out = (dir / "w.tif").string();
    const auto r = test::run_cli("kde --incidents '" + (dir / "in.csv").string() +
                                 "' --crs EPSG:27700 --bandwidth 100 --cell 10 --weight harm --out '" + out + "'");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    GDALAllRegister();
    GDALDatasetH ds = GDALOpen(out.c_str(), GA_ReadOnly);
    REQUIRE(ds);
    double gt[6];
    GDALGetGeoTransform(ds, gt);
    const int col = int((1005 - gt[0]) / gt[1]), row = int((gt[3] - 2005) / -gt[5]);
    float v = 0;
    REQUIRE(GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Read, col, row, 1, 1, &v, 1, 1, GDT_Float32, 0, 0) == CE_None);
    CHECK(v == Approx(5 * 3 / (3.141592653589793 * 1e4) * 1e6).epsilon(1e-6));
    GDALClose(ds);
    // a weight that is not a number names the file, line and field
    test::write_file(dir / "bad.csv", "id,easting,northing,harm\n1,1005,2005,5\n2,3005,4005,high\n");
    const auto bad = test::run_cli("kde --incidents '" + (dir / "bad.csv").string() +
                                   "' --crs EPSG:27700 --bandwidth 100 --cell 10 --weight harm --out '" +
                                   (dir / "b.tif").string() + "'");
    CHECK(bad.exit_code == 3);
    CHECK_THAT(bad.err, Catch::Contains("bad.csv:3") && Catch::Contains("harm") && Catch::Contains("'high'"));
    CHECK_FALSE(fs::exists(dir / "b.tif"));
}

namespace {

/// The band of `path` (a GeoTIFF or a VRT mosaic) read whole through GDAL, with its grid.
struct Band {
    int cols = 0, rows = 0;
    double gt[6] = {};
    std::vector<float> v;
};

Band read_band(const std::string& path) {
    GDALAllRegister();
    Band b;
    GDALDatasetH ds = GDALOpen(path.c_str(), GA_ReadOnly);
    REQUIRE(ds);
    b.cols = GDALGetRasterXSize(ds), b.rows = GDALGetRasterYSize(ds);
    GDALGetGeoTransform(ds, b.gt);
    b.v.resize(std::size_t(b.cols) * std::size_t(b.rows));
    REQUIRE(GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Read, 0, 0, b.cols, b.rows, b.v.data(), b.cols, b.rows,
                         GDT_Float32, 0, 0) == CE_None);
    GDALClose(ds);
    return b;
}

/// `count` incidents in clusters and scatter over 30 x 20 km (a fixed LCG), a tenth of them
/// repeats at an earlier incident's point, as police.uk snap points give.
std::string scattered_incidents(int count) {
    std::uint64_t s = 20261202;
    const auto next = [&] { s = s * 6364136223846793005ULL + 1442695040888963407ULL; return double(s >> 11) / double(1ULL << 53); };
    std::string csv = "id,easting,northing\n";
    std::vector<std::pair<double, double>> at;
    for (int i = 0; i < count; ++i) {
        double x, y;
        if (!at.empty() && next() < 0.1) {
            std::tie(x, y) = at[std::size_t(next() * double(at.size()))];
        } else if (next() < 0.6) {  // one of three clusters
            const int k = int(next() * 3);
            x = 410000 + 8000 * k + 600 * (next() - 0.5), y = 300000 + 5000 * k + 600 * (next() - 0.5);
        } else {
            x = 400000 + 30000 * next(), y = 290000 + 20000 * next();
        }
        x = std::round(x), y = std::round(y);
        at.emplace_back(x, y);
        csv += std::to_string(i) + "," + std::to_string(x) + "," + std::to_string(y) + "\n";
    }
    return csv;
}

} // namespace

TEST_CASE("hotspot kde --out NAME.vrt: the surface in tiles equals the untiled surface, cell for cell, with its classes",
          "[cli_kde]") {
    const fs::path dir = test::fresh_dir("cli_kde_tiled");
    test::write_file(dir / "in.csv", scattered_incidents(3000));
    // a study area leaving the grid's north-east corner out: the tiles there hold no study cell
    test::write_file(dir / "study.geojson",
                     R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:27700"}},)"
                     R"("features":[{"type":"Feature","properties":{"name":"study"},"geometry":{"type":"Polygon",)"
                     R"("coordinates":[[[399000,289000],[431000,289000],[431000,295000],[416000,295000],[416000,311000],)"
                     R"([399000,311000],[399000,289000]]]}}]})");
    const std::string in = "kde --incidents " + test::quoted((dir / "in.csv").string()) +
                           " --x easting --y northing --crs EPSG:27700 --bandwidth 400 --cell 50 ";
    for (const std::string& extra : {std::string(), " --areas study=" + test::quoted((dir / "study.geojson").string() + ":name:name"),
                                    std::string(" --publish")}) {
        DYNAMIC_SECTION("options:" << extra) {
            const auto whole = test::run_cli(in + extra + " --out " + test::quoted((dir / "whole.tif").string()) + " --overwrite");
            INFO(whole.err);
            REQUIRE(whole.exit_code == 0);
            // 300 cells a tile: the grid (about 650 x 450 cells) cut into 3 x 2 tiles, the last ones partial
            const auto tiled = test::run_cli(in + extra + " --out " + test::quoted((dir / "tiled.vrt").string()) +
                                             " --tile-cells 300 --overwrite");
            INFO(tiled.err);
            REQUIRE(tiled.exit_code == 0);
            const Band a = read_band((dir / "whole.tif").string()), b = read_band((dir / "tiled.vrt").string());
            REQUIRE(a.cols == b.cols);
            REQUIRE(a.rows == b.rows);
            REQUIRE(a.cols > 600);
            REQUIRE(a.rows > 300);
            for (int i = 0; i < 6; ++i) CHECK(a.gt[i] == b.gt[i]);
            std::size_t differ = 0, data = 0, nodata = 0;
            for (std::size_t i = 0; i < a.v.size(); ++i) {
                differ += a.v[i] != b.v[i];
                (a.v[i] == -9999.0f ? nodata : data) += 1;
            }
            CHECK(differ == 0);
            CHECK(data > 0);
            CHECK((nodata > 0) == (extra.find("areas") != std::string::npos));
            // the classes are the whole surface's: the same style and the same manifest figures
            CHECK(test::read_file(dir / "whole.qml") == test::read_file(dir / "tiled.qml"));
            const auto ma = nlohmann::json::parse(test::read_file(dir / "whole.manifest.json"));
            const auto mb = nlohmann::json::parse(test::read_file(dir / "tiled.manifest.json"));
            CHECK(ma["kde"]["heat_classes"] == mb["kde"]["heat_classes"]);
            CHECK(ma["kde"]["class_breaks"] == mb["kde"]["class_breaks"]);
            CHECK(ma["kde"]["warnings"] == mb["kde"]["warnings"]);
            CHECK(ma["kde"]["distinct_points"] == mb["kde"]["distinct_points"]);
            CHECK(ma["kde"]["grid"] == mb["kde"]["grid"]);
            CHECK(mb["kde"]["heat_classes"]["classes"].size() >= 3);
            if (extra.find("publish") != std::string::npos) {
                CHECK(ma["kde"]["publish"]["cells_zeroed"] == mb["kde"]["publish"]["cells_zeroed"]);
                CHECK(mb["kde"]["publish"]["cells_zeroed"].get<std::size_t>() > 0);
            }
            std::size_t tiles = 0;
            for (const auto& e : fs::directory_iterator(dir / "tiled_tiles")) tiles += e.path().extension() == ".tif";
            CHECK(mb["kde"]["tiles"]["of"] == 6);
            CHECK(mb["kde"]["tiles"]["written"] == tiles);
            CHECK(tiles == (extra.find("areas") != std::string::npos ? 5u : 6u));
            // the VRT names its tiles relative to itself, so the folder can be moved whole
            CHECK_THAT(test::read_file(dir / "tiled.vrt"), Catch::Contains("relativeToVRT=\"1\">tiled_tiles/r000_c000.tif"));
            if (extra.empty()) {  // the same bytes on one thread as on three
                fs::create_directories(dir / "one"), fs::create_directories(dir / "three");
                const auto one = test::run_cli(in + " --threads 1 --out " + test::quoted((dir / "one" / "tiled.vrt").string()));
                const auto three = test::run_cli(in + " --threads 3 --out " + test::quoted((dir / "three" / "tiled.vrt").string()));
                REQUIRE(one.exit_code == 0);
                REQUIRE(three.exit_code == 0);
                for (const auto& e : fs::directory_iterator(dir / "one" / "tiled_tiles"))
                    CHECK(test::read_file(e.path()) == test::read_file(dir / "three" / "tiled_tiles" / e.path().filename()));
                CHECK(test::read_file(dir / "one" / "tiled.vrt") == test::read_file(dir / "three" / "tiled.vrt"));
            }
        }
    }
    SECTION("tiles left out along a whole edge: the mosaic still covers the whole grid") {
        // a fixed extent whose northern tile row holds no study-area cell centre (the study area
        // stops at y 296,000; row 300's centres lie at 295,975)
        test::write_file(dir / "south.geojson",
                         R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:27700"}},)"
                         R"("features":[{"type":"Feature","properties":{"name":"south"},"geometry":{"type":"Polygon",)"
                         R"("coordinates":[[[399000,289000],[431000,289000],[431000,296000],[399000,296000],[399000,289000]]]}}]})");
        const std::string south = in + " --extent 399000,281000,431000,311000 --areas study=" +
                                  test::quoted((dir / "south.geojson").string() + ":name:name");
        REQUIRE(test::run_cli(south + " --out " + test::quoted((dir / "s.tif").string())).exit_code == 0);
        const auto t = test::run_cli(south + " --tile-cells 300 --out " + test::quoted((dir / "sv.vrt").string()));
        INFO(t.err);
        REQUIRE(t.exit_code == 0);
        const Band a = read_band((dir / "s.tif").string()), b = read_band((dir / "sv.vrt").string());
        REQUIRE(a.cols == b.cols);
        REQUIRE(a.rows == b.rows);
        for (int i = 0; i < 6; ++i) CHECK(a.gt[i] == b.gt[i]);
        CHECK(a.v == b.v);
        const auto m = nlohmann::json::parse(test::read_file(dir / "sv.manifest.json"));
        CHECK(m["kde"]["tiles"]["of"] == 6);
        CHECK(m["kde"]["tiles"]["written"] == 3);  // the northern row (rows 0-299 of 600) has no study cell
        // nothing of the staging folder is left
        for (const auto& e : fs::directory_iterator(dir)) CHECK(e.path().filename().string().find(".tmp") == std::string::npos);
        // a file hotspot did not write, in the tiles' folder: --overwrite refuses to remove it
        test::write_file(dir / "sv_tiles" / "notes.txt", "mine");
        const auto keep = test::run_cli(south + " --tile-cells 300 --overwrite --out " + test::quoted((dir / "sv.vrt").string()));
        CHECK(keep.exit_code == 4);
        CHECK_THAT(keep.err, Catch::Contains("notes.txt") && Catch::Contains("not a tile hotspot wrote"));
        CHECK(fs::exists(dir / "sv_tiles" / "notes.txt"));
        CHECK(fs::exists(dir / "sv.vrt"));
        const auto tile_cells = test::run_cli(in + " --tile-cells 100 --out " + test::quoted((dir / "x.vrt").string()));
        CHECK(tile_cells.exit_code == 2);
        CHECK_THAT(tile_cells.err, Catch::Contains("--tile-cells must lie between 256 and 16384"));
    }
    SECTION("refusals name the remedy") {
        const auto again = test::run_cli(in + " --out " + test::quoted((dir / "t2.vrt").string()) + " --tile-cells 300");
        REQUIRE(again.exit_code == 0);
        for (const char* f : {"t2.vrt", "t2.qml", "t2.manifest.json"}) fs::remove(dir / f);
        const auto stale = test::run_cli(in + " --out " + test::quoted((dir / "t2.vrt").string()) + " --tile-cells 300");
        CHECK(stale.exit_code == 4);
        CHECK_THAT(stale.err, Catch::Contains("t2_tiles") && Catch::Contains("use --overwrite"));
        const auto png = test::run_cli(in + " --png --out " + test::quoted((dir / "t3.vrt").string()));
        CHECK(png.exit_code == 2);
        CHECK_THAT(png.err, Catch::Contains("cannot have the PNG quick-look"));
        // 1 m cells over about 31 x 21 km: 6.6e8 cells, more than one GeoTIFF holds, fewer than tiles may
        const std::string fine = "kde --incidents " + test::quoted((dir / "in.csv").string()) +
                                 " --x easting --y northing --crs EPSG:27700 --bandwidth 400 --cell 1 ";
        const auto big = test::run_cli(fine + " --out " + test::quoted((dir / "big.tif").string()));
        CHECK(big.exit_code == 2);
        CHECK_THAT(big.err, Catch::Contains("cells (limit 4e+08 for one GeoTIFF)") && Catch::Contains("ending in .vrt"));
        // 0.5 m cells: 2.6e9 cells, more than tiles may have: refused, and without the .vrt remedy
        const std::string finer = "kde --incidents " + test::quoted((dir / "in.csv").string()) +
                                  " --x easting --y northing --crs EPSG:27700 --bandwidth 400 --cell 0.5 ";
        for (const char* name : {"huge.tif", "huge.vrt"}) {
            const auto huge = test::run_cli(finer + " --out " + test::quoted((dir / name).string()));
            CHECK(huge.exit_code == 2);
            CHECK_THAT(huge.err, Catch::Contains("cells (limit") && !Catch::Contains("ending in .vrt"));
        }
        CHECK_FALSE(fs::exists(dir / "big.tif"));
    }
}
