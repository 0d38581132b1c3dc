// The GeoTIFF writer, read back through GDAL and, independently, through libtiff.
#include <catch2/catch.hpp>
#include <cmath>
#include <gdal.h>
#include <ogr_srs_api.h>
#include <tiffio.h>

#include "hotspot/error.hpp"
#include "hotspot/raster_out.hpp"
#include "../support.hpp"

using namespace hotspot;
namespace fs = std::filesystem;

namespace {

Grid test_grid() {
    Grid g;
    g.origin_x = 421000;
    g.origin_y = 311010;
    g.cell_size_m = 10;
    g.cols = 300;
    g.rows = 200;
    return g;
}

std::vector<double> test_values(const Grid& g) {
    std::vector<double> v(std::size_t(g.size()));
    for (std::int64_t r = 0; r < g.rows; ++r)
        for (std::int64_t c = 0; c < g.cols; ++c)
            v[std::size_t(r * g.cols + c)] = (r + c) % 7 == 0 ? 0.0 : double(r) * 0.25 + double(c);
    v[5] = std::nan("");  // nodata
    return v;
}

GeoTiffOptions test_options() {
    GeoTiffOptions o;
    o.metadata = {{"kernel", "quartic"}, {"bandwidth_m", "250"}, {"units", "per-km2"}};
    o.legend_label = "incidents per km²";
    return o;
}

} // namespace

TEST_CASE("GeoTIFF reads back through GDAL with grid, CRS, nodata and metadata", "[raster]") {
    const fs::path dir = test::fresh_dir("raster_gdal");
    const Grid g = test_grid();
    const auto values = test_values(g);
    const auto res = write_geotiff((dir / "heat.tif").string(), g, values, test_options());
    CHECK(res.driver == "COG");

    GDALAllRegister();
    GDALDatasetH ds = GDALOpen((dir / "heat.tif").c_str(), GA_ReadOnly);
    REQUIRE(ds);
    CHECK(GDALGetRasterXSize(ds) == 300);
    CHECK(GDALGetRasterYSize(ds) == 200);
    double gt[6];
    REQUIRE(GDALGetGeoTransform(ds, gt) == CE_None);
    CHECK(gt[0] == 421000);
    CHECK(gt[1] == 10);
    CHECK(gt[3] == 311010);
    CHECK(gt[5] == -10);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(GDALGetProjectionRef(ds));
    REQUIRE(srs);
    OSRAutoIdentifyEPSG(srs);
    CHECK(std::string(OSRGetAuthorityCode(srs, nullptr)) == "27700");
    OSRDestroySpatialReference(srs);
    CHECK(std::string(GDALGetMetadataItem(ds, "kernel", nullptr)) == "quartic");
    CHECK(std::string(GDALGetMetadataItem(ds, "bandwidth_m", nullptr)) == "250");
    CHECK(std::string(GDALGetMetadataItem(ds, "COMPRESSION", "IMAGE_STRUCTURE")) == "DEFLATE");
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    CHECK(GDALGetRasterDataType(b) == GDT_Float32);
    int has = 0;
    CHECK(GDALGetRasterNoDataValue(b, &has) == -9999.0);
    CHECK(has);
    CHECK(GDALGetOverviewCount(b) >= 1);
    std::vector<float> back(std::size_t(g.size()));
    REQUIRE(GDALRasterIO(b, GF_Read, 0, 0, 300, 200, back.data(), 300, 200, GDT_Float32, 0, 0) ==
            CE_None);
    std::size_t bad = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const float want = std::isnan(values[i]) ? -9999.0f : float(values[i]);
        if (back[i] != want) ++bad;
    }
    CHECK(bad == 0);
    GDALClose(ds);
    // Nothing but the outputs is left in the folder (no temporary files, no .aux.xml).
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    CHECK(names == std::vector<std::string>{"heat.qml", "heat.tif"});
}

TEST_CASE("GeoTIFF tags read independently through libtiff", "[raster]") {
    const fs::path dir = test::fresh_dir("raster_tiff");
    const Grid g = test_grid();
    write_geotiff((dir / "heat.tif").string(), g, test_values(g), test_options());
    TIFF* tif = TIFFOpen((dir / "heat.tif").c_str(), "r");
    REQUIRE(tif);
    std::uint32_t tw = 0, th = 0, width = 0;
    std::uint16_t compression = 0, sample_format = 0, bits = 0, predictor = 0;
    CHECK(TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &width));
    CHECK(width == 300);
    REQUIRE(TIFFIsTiled(tif));
    CHECK(TIFFGetField(tif, TIFFTAG_TILEWIDTH, &tw));
    CHECK(TIFFGetField(tif, TIFFTAG_TILELENGTH, &th));
    CHECK(tw == 256);
    CHECK(th == 256);
    CHECK(TIFFGetField(tif, TIFFTAG_COMPRESSION, &compression));
    CHECK(compression == COMPRESSION_ADOBE_DEFLATE);
    CHECK(TIFFGetField(tif, TIFFTAG_SAMPLEFORMAT, &sample_format));
    CHECK(sample_format == SAMPLEFORMAT_IEEEFP);
    CHECK(TIFFGetField(tif, TIFFTAG_BITSPERSAMPLE, &bits));
    CHECK(bits == 32);
    // No predictor (smaller and faster on density surfaces, raster_out.cpp): the tag is absent
    // or says none.
    if (TIFFGetField(tif, TIFFTAG_PREDICTOR, &predictor)) CHECK(predictor == PREDICTOR_NONE);
    // GeoTIFF tags are unknown to plain libtiff: read them as anonymous arrays.
    std::uint32_t n = 0;
    double* scale = nullptr;
    REQUIRE(TIFFGetField(tif, 33550 /* ModelPixelScale */, &n, &scale));
    REQUIRE(n == 3);
    CHECK(scale[0] == 10);
    CHECK(scale[1] == 10);
    double* tie = nullptr;
    REQUIRE(TIFFGetField(tif, 33922 /* ModelTiepoint */, &n, &tie));
    REQUIRE(n == 6);
    CHECK(tie[0] == 0);
    CHECK(tie[1] == 0);
    CHECK(tie[3] == 421000);
    CHECK(tie[4] == 311010);
    std::uint16_t* keys = nullptr;
    REQUIRE(TIFFGetField(tif, 34735 /* GeoKeyDirectory */, &n, &keys));
    REQUIRE(n >= 4);
    bool epsg27700 = false;
    for (std::uint32_t k = 4; k + 3 < n; k += 4)
        if (keys[k] == 3072 /* ProjectedCSTypeGeoKey */ && keys[k + 3] == 27700) epsg27700 = true;
    CHECK(epsg27700);
    // Internal overviews follow as further directories.
    CHECK(TIFFNumberOfDirectories(tif) >= 2);
    TIFFClose(tif);
}

TEST_CASE("GeoTIFF bytes are identical for identical input", "[raster]") {
    const fs::path dir = test::fresh_dir("raster_bytes");
    const Grid g = test_grid();
    auto o = test_options();
    o.write_png = true;
    write_geotiff((dir / "a.tif").string(), g, test_values(g), o);
    write_geotiff((dir / "b.tif").string(), g, test_values(g), o);
    CHECK(test::read_file(dir / "a.tif") == test::read_file(dir / "b.tif"));
    CHECK(test::read_file(dir / "a.png") == test::read_file(dir / "b.png"));
    CHECK(test::read_file(dir / "a.qml") == test::read_file(dir / "b.qml"));
}

// Tiles compressed on several threads (GDAL's NUM_THREADS) are written in order: the same
// bytes as on one, on a grid of many tiles with overviews.
TEST_CASE("GeoTIFF bytes are the same whatever the compression threads", "[raster]") {
    const fs::path dir = test::fresh_dir("raster_threads");
    Grid g = test_grid();
    g.cols = 1100, g.rows = 900;  // 5 x 4 tiles of 256, two overview levels
    std::vector<double> v(std::size_t(g.size()));
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::sin(double(i % 1100) / 40.0) * std::cos(double(i / 1100) / 30.0);
    auto o = test_options();
    std::string one;
    for (unsigned threads : {1u, 2u, 3u, 0u}) {
        o.threads = threads;
        const fs::path path = dir / ("t" + std::to_string(threads) + ".tif");
        write_geotiff(path.string(), g, v, o);
        const std::string bytes = test::read_file(path);
        if (threads == 1) one = bytes;
        INFO(threads << " threads");
        CHECK(bytes.size() > 100000);
        CHECK(bytes == one);
    }
}

TEST_CASE("GeoTIFF refuses to overwrite unless asked", "[raster]") {
    const fs::path dir = test::fresh_dir("raster_overwrite");
    const Grid g = test_grid();
    const auto path = (dir / "heat.tif").string();
    write_geotiff(path, g, test_values(g), test_options());
    const auto before = test::read_file(path);
    CHECK_THROWS_AS(write_geotiff(path, g, test_values(g), test_options()), OutputError);
    CHECK_THROWS_WITH(write_geotiff(path, g, test_values(g), test_options()),
                      Catch::StartsWith("raster: ") && Catch::Contains("heat.tif") &&
                          Catch::Contains("use --overwrite"));
    CHECK(test::read_file(path) == before);
    auto o = test_options();
    o.overwrite = true;
    std::vector<double> zeros(std::size_t(g.size()), 1.0);
    write_geotiff(path, g, zeros, o);
    CHECK(test::read_file(path) != before);
    CHECK_THROWS_WITH(write_geotiff((dir / "no/such/dir/x.tif").string(), g, zeros, o),
                      Catch::Contains("does not exist"));
}

TEST_CASE("QML sidecar: heat ramp, transparent lowest class, classes by share of area", "[raster]") {
    const fs::path dir = test::fresh_dir("raster_qml");
    const Grid g = test_grid();
    auto v = test_values(g);
    const auto res = write_geotiff((dir / "heat.tif").string(), g, v, test_options());
    const std::string qml = test::read_file(dir / "heat.qml");
    CHECK_THAT(qml, Catch::Contains("singlebandpseudocolor"));
    CHECK_THAT(qml, Catch::Contains("<item alpha=\"0\""));
    CHECK_THAT(qml, Catch::Contains("zoomedInResampler=\"bilinear\""));
    CHECK_THAT(qml, Catch::Contains("value=\"inf\""));  // the darkest class has no upper limit
    CHECK_THAT(qml, Catch::Contains("densest"));
    CHECK(qml.find("{{") == std::string::npos);
    // Independent: the darkest class holds about the densest 0.5% of the finite cells.
    std::vector<double> in;
    for (double x : v)
        if (std::isfinite(x)) in.push_back(x);
    REQUIRE(res.class_breaks.size() >= 2);
    const double lower = res.class_breaks[res.class_breaks.size() - 2];
    const auto top = std::count_if(in.begin(), in.end(), [&](double x) { return x > lower; });
    CHECK(double(top) / double(in.size()) == Approx(0.005).margin(0.003));
    CHECK(res.class_breaks.back() == *std::max_element(in.begin(), in.end()));
    CHECK(std::is_sorted(res.class_breaks.begin(), res.class_breaks.end()));
}
