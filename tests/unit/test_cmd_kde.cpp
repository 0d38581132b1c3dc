// `hotspot kde` end to end: a CSV in, a GeoTIFF + style out, refusal to overwrite.
#include <catch2/catch.hpp>
#include <gdal.h>

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
