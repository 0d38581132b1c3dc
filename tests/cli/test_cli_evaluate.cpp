// End to end through the CLI: `hotspot evaluate` on a GeoTIFF surface and on hot spot polygons,
// checked against an independent brute force from the papers' definitions (hit rate and PAI:
// Chainey, Tompson & Uhlig 2008; PEI and PEI*: Hunt 2016; RRI: Levine 2008), on synthetic data
// with known truth and on a split of the shared Leicestershire months (train 2019-12..2020-11
// drawn by `hotspot kde`, test the next 3 months). Also case 20: Gi* on one incident.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <gdal.h>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <ogr_api.h>
#include <sstream>

#include "hotspot/grid.hpp"
#include "hotspot/incidents_io.hpp"
#include "hotspot/raster_out.hpp"
#include "support.hpp"

using namespace hotspot;
namespace fs = std::filesystem;

namespace {

// evaluation.csv as rows of name -> value (NaN for empty).
std::vector<std::map<std::string, double>> read_table(const fs::path& p) {
    std::ifstream in(p);
    std::string line;
    std::getline(in, line);
    std::vector<std::string> names;
    {
        std::stringstream s(line);
        for (std::string f; std::getline(s, f, ',');) names.push_back(f);
    }
    std::vector<std::map<std::string, double>> rows;
    while (std::getline(in, line)) {
        std::map<std::string, double> row;
        std::size_t k = 0, start = 0;
        for (;;) {
            const auto end = line.find(',', start);
            const std::string f = line.substr(start, end == std::string::npos ? std::string::npos : end - start);
            row[names.at(k++)] = f.empty() ? NAN : std::stod(f);
            if (end == std::string::npos) break;
            start = end + 1;
        }
        rows.push_back(row);
    }
    return rows;
}

// The brute force: cells (value, test, train), every share s -> figures from the definitions.
// Ties: a tied block of b cells with T incidents, of which r cells fall inside the cutoff,
// contributes r/b · T (the expectation over a random order of the tied cells).
struct Truth { double hits, hit_rate, pai, pai_max, pei, pei_star, rri; };

Truth brute(const std::vector<double>& value, const std::vector<double>& test, const std::vector<double>& train,
            double share) {
    const std::size_t n = value.size();
    const double k = share * double(n);
    const auto take = [&](const std::vector<double>& counts) {
        // distinct values from the top
        std::map<double, std::pair<double, double>, std::greater<>> blocks;  // value -> (cells, count)
        for (std::size_t i = 0; i < n; ++i) { blocks[value[i]].first += 1; blocks[value[i]].second += counts[i]; }
        double left = k, got = 0;
        for (const auto& [v, b] : blocks) {
            const double r = std::min(left, b.first);
            got += r / b.first * b.second;
            left -= r;
            if (left <= 0) break;
        }
        return got;
    };
    Truth t{};
    const double N = std::accumulate(test.begin(), test.end(), 0.0);
    t.hits = take(test);
    t.hit_rate = t.hits / N;
    t.pai = t.hit_rate / share;
    std::vector<double> sorted = test;
    std::sort(sorted.rbegin(), sorted.rend());
    double best = 0;
    for (std::size_t i = 0; i < n && double(i) < k; ++i) best += sorted[i] * std::min(1.0, k - double(i));
    t.pai_max = (best / N) / share;
    t.pei = t.hits / best;
    double need = t.hits, a_star = 0;
    for (std::size_t i = 0; i < n && need > 1e-12; ++i) {
        const double f = std::min(1.0, need / sorted[i]);
        a_star += f;
        need -= f * sorted[i];
    }
    t.pei_star = a_star / k;
    if (!train.empty()) {
        const double Ntr = std::accumulate(train.begin(), train.end(), 0.0);
        t.rri = (t.hits / take(train)) / (N / Ntr);
    } else {
        t.rri = NAN;
    }
    return t;
}

void check_row(const std::map<std::string, double>& row, const Truth& t, double tol = 1e-9) {
    INFO("share " << row.at("area_share_pct") << "%");
    CHECK(row.at("hits") == Approx(t.hits).epsilon(tol).margin(tol));
    CHECK(row.at("hit_rate") == Approx(t.hit_rate).epsilon(tol).margin(tol));
    CHECK(row.at("pai") == Approx(t.pai).epsilon(tol).margin(tol));
    CHECK(row.at("pai_max") == Approx(t.pai_max).epsilon(tol).margin(tol));
    CHECK(row.at("pei") == Approx(t.pei).epsilon(tol).margin(tol));
    CHECK(row.at("pei_star") == Approx(t.pei_star).epsilon(tol).margin(tol));
    if (std::isnan(t.rri)) CHECK(std::isnan(row.at("rri")));
    else CHECK(row.at("rri") == Approx(t.rri).epsilon(tol));
}

// Reads a single-band GeoTIFF with GDAL: values (NaN for nodata) and its geotransform.
std::vector<double> read_tif(const fs::path& p, double gt[6], int& cols, int& rows) {
    GDALAllRegister();
    GDALDatasetH ds = GDALOpen(p.c_str(), GA_ReadOnly);
    REQUIRE(ds);
    GDALGetGeoTransform(ds, gt);
    cols = GDALGetRasterXSize(ds), rows = GDALGetRasterYSize(ds);
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    int has = 0;
    const double nd = GDALGetRasterNoDataValue(b, &has);
    std::vector<float> v(std::size_t(cols) * std::size_t(rows));
    REQUIRE(GDALRasterIO(b, GF_Read, 0, 0, cols, rows, v.data(), cols, rows, GDT_Float32, 0, 0) == CE_None);
    GDALClose(ds);
    std::vector<double> out(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) out[i] = (has && v[i] == float(nd)) || !std::isfinite(v[i]) ? NAN : v[i];
    return out;
}

} // namespace

TEST_CASE("evaluate CLI: synthetic surface equals the brute force, known truth, ties split", "[cli-evaluate]") {
    const auto dir = test::fresh_dir("cli_evaluate_synthetic");
    // 20 x 10 cells of 100 m; values descend with the cell index, the last 100 cells all tie at 0.
    const Grid grid{400000, 301000, 100, 20, 10};
    std::vector<double> value(200);
    for (int i = 0; i < 200; ++i) value[std::size_t(i)] = i < 100 ? 200 - i : 0;
    GeoTiffOptions go;
    go.write_qml = false;
    write_geotiff((dir / "surface.tif").string(), grid, value, go);
    // Test incidents: 3 in cell 0, 1 in cell 5, 2 in cell 150 (tied block), 4 in cell 30.
    // Training: 5 in cell 0, 5 in cell 30, 10 in cell 199.
    std::vector<double> test(200, 0.0), train(200, 0.0);
    test[0] = 3, test[5] = 1, test[150] = 2, test[30] = 4;
    train[0] = 5, train[30] = 5, train[199] = 10;
    const auto csv = [&](const std::vector<double>& c, const fs::path& p) {
        std::string s = "id,easting,northing\n";
        int id = 0;
        for (std::size_t k = 0; k < c.size(); ++k)
            for (int j = 0; j < int(c[k]); ++j)
                s += std::to_string(id++) + "," + std::to_string(grid.x_of_col(std::int64_t(k) % 20) + j) + "," +
                     std::to_string(grid.y_of_row(std::int64_t(k) / 20) - j) + "\n";
        test::write_file(p, s);
    };
    csv(test, dir / "test.csv");
    csv(train, dir / "train.csv");
    const auto r = test::run_cli("evaluate --surface '" + (dir / "surface.tif").string() + "' --incidents '" +
                                 (dir / "test.csv").string() + "' --train-incidents '" + (dir / "train.csv").string() +
                                 "' --crs EPSG:27700 --shares 0.5,1,2,5,10,30,60 --out '" + (dir / "out").string() + "'");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto rows = read_table(dir / "out" / "evaluation.csv");
    REQUIRE(rows.size() == 7);
    const double shares[] = {0.005, 0.01, 0.02, 0.05, 0.10, 0.30, 0.60};
    for (std::size_t i = 0; i < 7; ++i) check_row(rows[i], brute(value, test, train, shares[i]));
    // Known truth at 0.5% (the top cell): 3 of 10 test incidents, PAI 60, 5 of 20 training: RRI 1.2.
    CHECK(rows[0].at("hit_rate") == Approx(0.3));
    CHECK(rows[0].at("pai") == Approx(60));
    CHECK(rows[0].at("rri") == Approx((3.0 / 5) / (10.0 / 20)));
    // At 60% (120 cells): the top 100 + 20 of the 100 tied cells: 8 + 0.2 * 2 incidents.
    CHECK(rows[6].at("hits") == Approx(8.4));
    const auto curve = read_table(dir / "out" / "evaluation_curve.csv");
    REQUIRE(curve.size() == 101);
    CHECK(curve.back().at("hit_rate") == Approx(1.0));
    for (std::size_t i = 1; i < curve.size(); ++i) check_row(curve[i], brute(value, test, train, double(i) / 100));
    // Manifest and GeoPackage carry the same figures.
    const auto m = nlohmann::json::parse(test::read_file(dir / "out" / "manifest.json"));
    CHECK(m["evaluation"]["at_shares"][0]["pai"].get<double>() == Approx(60));
    CHECK(m["counts"]["counted"] == 10);
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx((dir / "out" / "evaluation.gpkg").c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
    REQUIRE(ds);
    OGRLayerH l = GDALDatasetGetLayerByName(ds, "evaluation");
    REQUIRE(l);
    CHECK(OGR_L_GetFeatureCount(l, 1) == 7);
    GDALClose(ds);
    // Outputs exist: a second run without --overwrite refuses (exit 4).
    const auto again = test::run_cli("evaluate --surface '" + (dir / "surface.tif").string() + "' --incidents '" +
                                     (dir / "test.csv").string() + "' --crs EPSG:27700 --out '" + (dir / "out").string() + "'");
    CHECK(again.exit_code == 4);
    // Usage errors exit 2.
    CHECK(test::run_cli("evaluate --incidents '" + (dir / "test.csv").string() + "' --out '" + (dir / "o2").string() + "'")
              .exit_code == 2);
    CHECK(test::run_cli("evaluate --surface '" + (dir / "surface.tif").string() + "' --incidents '" + (dir / "test.csv").string() +
                        "' --crs EPSG:27700 --period-from 2020-13 --out '" + (dir / "o3").string() + "'")
              .exit_code == 2);
}

TEST_CASE("evaluate CLI: hot spot polygons: area share within the study area, hits inside", "[cli-evaluate]") {
    const auto dir = test::fresh_dir("cli_evaluate_polygons");
    const std::string crs = R"("crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}})";
    // Study area 1 km square; hot spot 200 x 200 m inside it plus a part outside that must not count.
    test::write_file(dir / "study.geojson",
                     std::string(R"({"type":"FeatureCollection",)") + crs +
                         R"(,"features":[{"type":"Feature","properties":{"code":"S"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1000,0],[1000,1000],[0,1000],[0,0]]]}}]})");
    test::write_file(dir / "hot.geojson",
                     std::string(R"({"type":"FeatureCollection",)") + crs +
                         R"(,"features":[{"type":"Feature","properties":{"rank":1},"geometry":{"type":"Polygon","coordinates":[[[100,100],[300,100],[300,300],[100,300],[100,100]]]}},)"
                         R"({"type":"Feature","properties":{"rank":2},"geometry":{"type":"Polygon","coordinates":[[[900,900],[1100,900],[1100,1100],[900,1100],[900,900]]]}}]})");
    // 6 incidents in the first hot spot, 2 in the inner part of the second, 12 elsewhere, 3 outside the study area.
    std::string s = "id,easting,northing\n";
    int id = 0;
    for (int i = 0; i < 6; ++i) s += std::to_string(id++) + "," + std::to_string(150 + 10 * i) + ",200\n";
    for (int i = 0; i < 2; ++i) s += std::to_string(id++) + "," + std::to_string(950 + 10 * i) + ",950\n";
    for (int i = 0; i < 12; ++i) s += std::to_string(id++) + "," + std::to_string(500 + 10 * i) + ",600\n";
    for (int i = 0; i < 3; ++i) s += std::to_string(id++) + "," + std::to_string(1050) + ",1050\n";
    test::write_file(dir / "test.csv", s);
    const auto r = test::run_cli("evaluate --hotspots '" + (dir / "hot.geojson").string() + "' --areas 'study=" +
                                 (dir / "study.geojson").string() + "' --incidents '" + (dir / "test.csv").string() +
                                 "' --crs EPSG:27700 --out '" + (dir / "out").string() + "'");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto rows = read_table(dir / "out" / "evaluation.csv");
    REQUIRE(rows.size() == 1);
    // a = 200² + 100² = 50,000 m² of A = 1,000,000 m²: 5%. n = 8 of N = 20.
    CHECK(rows[0].at("area_share_pct") == Approx(5.0));
    CHECK(rows[0].at("hit_rate") == Approx(0.4));
    CHECK(rows[0].at("pai") == Approx(8.0));
    CHECK(std::isnan(rows[0].at("pei")));
    const auto m = nlohmann::json::parse(test::read_file(dir / "out" / "manifest.json"));
    CHECK(m["counts"]["outside_study"] == 3);
    CHECK(test::run_cli("evaluate --hotspots '" + (dir / "hot.geojson").string() + "' --incidents '" +
                        (dir / "test.csv").string() + "' --crs EPSG:27700 --out '" + (dir / "o2").string() + "'")
              .exit_code == 2);
}

TEST_CASE("evaluate CLI: Leicestershire train 2019-12..2020-11, test 2020-12..2021-02", "[cli-evaluate-data]") {
    HOTSPOT_REQUIRE_SHARED_DATA();
    const auto dir = test::fresh_dir("cli_evaluate_leics");
    const auto folder = test::shared_data() / "police_uk" / "leicestershire";
    std::string train_files, test_files;
    for (const char* m : {"2019-12", "2020-01", "2020-02", "2020-03", "2020-04", "2020-05", "2020-06", "2020-07",
                          "2020-08", "2020-09", "2020-10", "2020-11"})
        train_files += " '" + (folder / (std::string(m) + "-leicestershire-street.csv")).string() + "'";
    for (const char* m : {"2020-12", "2021-01", "2021-02"})
        test_files += " '" + (folder / (std::string(m) + "-leicestershire-street.csv")).string() + "'";
    // The force's LSOAs as the study area: the surface is nodata outside, so A is the force.
    const std::string study = " --areas 'study=" + (test::shared_data() / "boundaries" / "leicestershire_lsoa.geojson").string() +
                              ":LSOA11CD:LSOA11NM'";
    const auto k = test::run_cli("kde --incidents" + train_files + study + " --bandwidth 200 --cell 100 --out '" +
                                 (dir / "train.tif").string() + "'");
    INFO(k.out << k.err);
    REQUIRE(k.exit_code == 0);
    // The test months by --period-from/--period-to over the whole folder.
    const auto r = test::run_cli("evaluate --surface '" + (dir / "train.tif").string() + "' --incidents '" + folder.string() +
                                 "' --period-from 2020-12 --period-to 2021-02 --train-incidents" + train_files +
                                 " --out '" + (dir / "out").string() + "'");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    // Brute force: the surface read with GDAL, the incidents read by the reader, counted here.
    double gt[6];
    int cols = 0, rows_n = 0;
    const auto surface = read_tif(dir / "train.tif", gt, cols, rows_n);
    const auto count = [&](const std::string& files) {
        ReadOptions ro;
        std::stringstream s(files);
        for (std::string f; s >> std::quoted(f, '\'');) ro.paths.push_back(f);
        const auto inc = read_incidents(ro).incidents;
        std::vector<double> c(surface.size(), 0.0);
        for (std::size_t i = 0; i < inc.size(); ++i) {
            const auto col = std::int64_t(std::floor((inc.x[i] - gt[0]) / gt[1]));
            const auto row = std::int64_t(std::floor((inc.y[i] - gt[3]) / gt[5]));
            if (col < 0 || row < 0 || col >= cols || row >= rows_n) continue;
            c[std::size_t(row * cols + col)] += 1;
        }
        return c;
    };
    const auto test_all = count(test_files), train_all = count(train_files);
    std::vector<double> v, te, tr;
    for (std::size_t i = 0; i < surface.size(); ++i)
        if (!std::isnan(surface[i])) v.push_back(surface[i]), te.push_back(test_all[i]), tr.push_back(train_all[i]);
    const auto table = read_table(dir / "out" / "evaluation.csv");
    REQUIRE(table.size() == 5);
    const double shares[] = {0.005, 0.01, 0.02, 0.05, 0.10};
    for (std::size_t i = 0; i < 5; ++i) check_row(table[i], brute(v, te, tr, shares[i]), 1e-6);
    WARN("Leicestershire, 200 m quartic drawn on 2019-12..2020-11, tested on 2020-12..2021-02: hit rate at 1% "
         << table[1].at("hit_rate") << ", PAI " << table[1].at("pai") << ", PEI " << table[1].at("pei") << ", RRI "
         << table[1].at("rri"));
    CHECK(table[1].at("pai") > 5);  // a real forecast beats chance by far
}

TEST_CASE("case 20: Gi* on one incident marks no significant cell", "[cli-evaluate]") {
    const auto dir = test::fresh_dir("case20_gistar");
    const auto c = test::source_dir() / "tests" / "cases" / "20-too-few-incidents";
    const auto r = test::run_cli("gistar --incidents '" + (c / "single.csv").string() + "' --crs EPSG:27700 --areas 'study=" +
                                 (c / "ward.geojson").string() + "' --cell 100 --band 200 --out '" + (dir / "g1.gpkg").string() + "'");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("1: 0  2: 0  3: 0") != std::string::npos);
    CHECK(r.err.find("exact binomial") != std::string::npos);
    // spdep's normal z on the same data: the 13 cells "hot at 99%" of the case.
    fs::create_directories(dir / "normal");
    const auto n = test::run_cli("gistar --incidents '" + (c / "single.csv").string() + "' --crs EPSG:27700 --areas 'study=" +
                                 (c / "ward.geojson").string() + "' --cell 100 --band 200 --gistar-test normal --out '" +
                                 (dir / "normal" / "g2.gpkg").string() + "'");
    INFO(n.out << n.err);
    CHECK(n.out.find("3: 13") != std::string::npos);
    // The run on three burglaries (two at one spot): its Gi* (the same core, default auto)
    // marks no cell hot; the case saw 21 cells hot at 90%.
    const auto run = test::run_cli("run --incidents '" + (c / "three_burglaries.csv").string() +
                                   "' --crs EPSG:27700 --areas 'ward=" + (c / "ward.geojson").string() +
                                   ":code:name' --population 'ward=" + (c / "ward_population.csv").string() +
                                   "' --profiles all-crime --out '" + (dir / "run3").string() + "'");
    INFO(run.out << run.err);
    REQUIRE(run.exit_code == 0);
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx((dir / "run3" / "hotspot_run.gpkg").c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
    REQUIRE(ds);
    OGRLayerH l = GDALDatasetGetLayerByName(ds, "all_crime_gistar_cells");
    REQUIRE(l);
    int hot = 0, rows = 0;
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(l)) != nullptr) {
        hot += OGR_F_GetFieldAsInteger(f, OGR_F_GetFieldIndex(f, "gi_bin")) > 0;
        ++rows;
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
    CHECK(rows > 0);
    CHECK(hot == 0);
}
