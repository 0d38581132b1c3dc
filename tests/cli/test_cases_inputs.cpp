// Inputs that mislead, by kind (issue 14): the replayed cases of tests/cases/ (copied from
// ../shared/cases, each with its CASE.md) and small variants of each kind, through the CLI.
// Each asserts the right value or the clear error, and that rows reconcile:
// rows_in = kept + rejected (= assigned + outside + rejected).

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <map>
#include <gdal.h>
#include <nlohmann/json.hpp>
#include <ogr_api.h>
#include <regex>
#include <sstream>
#include <set>

#include "hotspot/dates.hpp"
#include "hotspot/incidents_io.hpp"
#include "hotspot/vector_out.hpp"
#include "support.hpp"

using namespace hotspot;
namespace fs = std::filesystem;

namespace {

std::string cases(const std::string& f) {
    return "'" + (test::source_dir() / "tests" / "cases" / f).string() + "'";
}
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// The numbers of "rows_in = assigned + outside + rejected: A = B + C + D" in a summary.
std::array<long, 4> reconcile_line(const std::string& out) {
    std::smatch m;
    static const std::regex re(R"(rows_in = assigned \+ outside \+ rejected: ([\d,]+) = ([\d,]+) \+ ([\d,]+) \+ ([\d,]+))");
    REQUIRE(std::regex_search(out, m, re));
    std::array<long, 4> v{};
    for (int i = 0; i < 4; ++i) {
        std::string s = m[i + 1];
        s.erase(std::remove(s.begin(), s.end(), ','), s.end());
        v[std::size_t(i)] = std::stol(s);
    }
    CHECK(v[0] == v[1] + v[2] + v[3]);
    return v;
}

// " --areas all=PATH:code:name" for one square area over the whole test region (geocode needs
// an area layer; this one holds every incident of these tests, the stray record too).
std::string all_area(const fs::path& dir) {
    test::write_file(dir / "all.geojson",
                     R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}},"features":[)"
                     R"({"type":"Feature","properties":{"code":"ALL","name":"All"},"geometry":{"type":"Polygon","coordinates":)"
                     R"([[[100000,100000],[700000,100000],[700000,900000],[100000,900000],[100000,100000]]]}}]})");
    return " --areas all=" + test::quoted(dir / "all.geojson") + ":code:name";
}

// The band of a gistar summary ("band 265 m (...)").
std::string band_of(const std::string& out) {
    std::smatch m;
    static const std::regex re(R"(band ([\d.]+) m)");
    return std::regex_search(out, m, re) ? m[1].str() : std::string("none");
}

// A fresh sub-folder per command.
fs::path sub(const fs::path& dir, const std::string& name) {
    fs::create_directories(dir / name);
    return dir / name;
}

struct Layer {
    GDALDatasetH ds = nullptr;
    OGRLayerH layer = nullptr;
    Layer(const fs::path& p, const char* name) {
        GDALAllRegister();
        ds = GDALOpenEx(p.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
        REQUIRE(ds);
        layer = GDALDatasetGetLayerByName(ds, name);
        REQUIRE(layer);
    }
    ~Layer() { GDALClose(ds); }
};

// West and north edges of the cells of a Gi* layer with gi_bin == 3.
std::set<std::pair<long, long>> hot_cells(const fs::path& gpkg) {
    Layer l(gpkg, "gistar_cells");
    std::set<std::pair<long, long>> out;
    OGRFeatureH f;
    const int bin = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(l.layer), "gi_bin");
    while ((f = OGR_L_GetNextFeature(l.layer)) != nullptr) {
        if (OGR_F_GetFieldAsInteger(f, bin) == 3) {
            OGREnvelope e;
            OGR_G_GetEnvelope(OGR_F_GetGeometryRef(f), &e);
            out.insert({std::lround(e.MinX), std::lround(e.MaxY)});
        }
        OGR_F_Destroy(f);
    }
    return out;
}

std::map<std::string, std::string> reasons_by_id(const fs::path& gpkg) {
    Layer l(gpkg, "rejects");
    std::map<std::string, std::string> out;
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(l.layer);
    const int id = OGR_FD_GetFieldIndex(d, "incident_id"), why = OGR_FD_GetFieldIndex(d, "reject_reason");
    REQUIRE(id >= 0);
    REQUIRE(why >= 0);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(l.layer)) != nullptr) {
        out[OGR_F_GetFieldAsString(f, id)] = OGR_F_GetFieldAsString(f, why);
        OGR_F_Destroy(f);
    }
    return out;
}

} // namespace

// ---- times and dates -------------------------------------------------------------------

TEST_CASE("24:00 is midnight at the end of the day", "[cli-cases-inputs]") {
    CHECK(parse_time("24:00") == minutes_per_day);
    CHECK(parse_time("2400") == minutes_per_day);
    CHECK(parse_time("24:00:00") == minutes_per_day);
    CHECK_FALSE(parse_time("24:01"));
    CHECK_FALSE(parse_time("25:00"));
    const auto d = parse_date("2025-02-13 24:00");
    REQUIRE(d);
    CHECK(d->days == days_from_civil(2025, 2, 14));
    CHECK(d->minute_of_day == 0);
    const auto e = parse_date("28/02/2025 24:00");  // rolls over the month end
    REQUIRE(e);
    CHECK(civil_from_days(e->days) == 20250301);
}

TEST_CASE("dates before 1900 are dates, not format errors", "[cli-cases-inputs]") {
    const auto d = parse_date("1899-12-31");
    REQUIRE(d);
    CHECK(civil_from_days(d->days) == 18991231);
    CHECK(parse_date("12/03/1850"));
    CHECK_FALSE(parse_date("1899-02-29"));  // 1899 was not a leap year
    CHECK_FALSE(parse_date("1899-13-01"));
}

TEST_CASE("case 17: 24:00 assaults are selected by the night-time window", "[cli-cases-inputs]") {
    const auto dir = test::fresh_dir("case17");
    const auto r = test::run_cli(
        "run --incidents " + cases("17-midnight-24h/violence.csv") +
        " --crs EPSG:27700 --areas ward=" + cases("17-midnight-24h/wards.geojson") +
        ":ward_code:ward_name --population ward=" + cases("17-midnight-24h/ward_population.csv") +
        " --profiles public-place-violence --period-from 2025-02 --period-to 2025-02 --out " +
        test::quoted(dir / "run"));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto m = nlohmann::json::parse(test::read_file(dir / "run" / "manifest.json"));
    // 10 timed 23:30 with ISO dates + 6 timed 24:00 (00:00 on the 14th). The 5 Excel serial
    // dates are reported, not guessed (see README), so they fall outside the period.
    CHECK(m["profiles"][0]["selected"] == 16);
    const auto& c = m["counts"];
    CHECK(c["rows_in"] == 25);
    CHECK(c["rows_in"].get<long>() == c["kept"].get<long>() + c["rejected"].get<long>());
    CHECK(contains(r.err, "5 dates could not be read"));
    CHECK(contains(r.err, "violence.csv:18 '45701'"));
    CHECK(contains(r.err, "bare numbers, as Excel writes"));
    CHECK_FALSE(contains(r.err, "times of day could not be read"));
}

TEST_CASE("unreadable times are reported with value, file and line; future and old dates warned", "[cli-cases-inputs]") {
    const auto dir = test::fresh_dir("bad_times");
    test::write_file(dir / "in.csv",
                     "incident_id,date,time,easting,northing\n"
                     "A1,2025-02-13,25:00,440100,300100\n"
                     "A2,2025-02-13,9pm,440200,300100\n"
                     "A3,2025-02-13,24:00,440300,300100\n"
                     "A4,2999-01-01,12:00,440400,300100\n"
                     "A5,1890-06-01,12:00,440500,300100\n");
    const auto r =
        test::run_cli("geocode --incidents " + test::quoted(dir / "in.csv") + " --crs EPSG:27700" +
                      all_area(dir) + " --out " + test::quoted(sub(dir, "g") / "g.gpkg"));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.err, "2 times of day could not be read"));
    CHECK(contains(r.err, "in.csv:2 '25:00'"));
    CHECK(contains(r.err, "in.csv:3 '9pm'"));
    CHECK(contains(r.err, "1 incidents are dated after today"));
    CHECK(contains(r.err, "in.csv:5 '2999-01-01'"));
    CHECK(contains(r.err, "1 incidents are dated before 1900"));
    CHECK(contains(r.err, "in.csv:6 '1890-06-01'"));
    CHECK_FALSE(contains(r.err, "dates could not be read"));
    const auto v = reconcile_line(r.out);
    CHECK(v[0] == 5);
    CHECK(v[3] == 0);
}

// ---- geometry types ----------------------------------------------------------------------

TEST_CASE("case 13: single-part MultiPoints are points", "[cli-cases-inputs]") {
    const auto dir = test::fresh_dir("case13");
    const auto g = test::run_cli(
        "geocode --incidents " + cases("13-multipoint-layer/incidents_promoted_multi.gpkg") +
        " --areas ward=" + cases("13-multipoint-layer/wards.geojson") +
        ":ward_code:ward_name --out " + test::quoted(sub(dir, "geo") / "geo.gpkg"));
    INFO(g.out << g.err);
    REQUIRE(g.exit_code == 0);
    const auto v = reconcile_line(g.out);
    CHECK(v[0] == 165);
    CHECK(v[3] == 0);
    CHECK(v[1] + v[2] == 165);
    const auto k = test::run_cli(
        "kde --incidents " + cases("13-multipoint-layer/incidents_promoted_multi.gpkg") +
        " --bandwidth 250 --cell 50 --out " + test::quoted(sub(dir, "heat") / "heat.tif"));
    INFO(k.out << k.err);
    CHECK(k.exit_code == 0);
}

TEST_CASE("case 13: points, Z, null, empty and multi-part geometries each get their reason", "[cli-cases-inputs]") {
    const auto dir = test::fresh_dir("case13_mixed");
    const auto g =
        test::run_cli("geocode --incidents " + cases("13-multipoint-layer/incidents.geojson") +
                      " --areas ward=" + cases("13-multipoint-layer/wards.geojson") +
                      ":ward_code:ward_name --out " + test::quoted(sub(dir, "geo") / "geo.gpkg"));
    INFO(g.out << g.err);
    REQUIRE(g.exit_code == 0);
    const auto v = reconcile_line(g.out);
    CHECK(v[0] == 7);
    CHECK(v[3] == 3);
    const auto why = reasons_by_id(dir / "geo" / "geo.gpkg");
    CHECK(why.size() == 3);
    CHECK(why.at("M4") == "multipart_point");
    CHECK(why.at("N5") == "missing_coordinate");
    CHECK(why.at("E6") == "missing_coordinate");
}

TEST_CASE("no row kept is an input error, exit 3", "[cli-cases-inputs]") {
    const auto dir = test::fresh_dir("none_kept");
    test::write_file(dir / "in.csv", "incident_id,easting,northing\nA1,,\nA2,0,0\n");
    const auto r =
        test::run_cli("geocode --incidents " + test::quoted(dir / "in.csv") + " --crs EPSG:27700" +
                      all_area(dir) + " --out " + test::quoted(sub(dir, "g") / "g.gpkg"));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 3);
    CHECK(contains(r.err, "all 2 rows were rejected (missing_coordinate 1, zero_zero 1)"));
    CHECK(contains(r.err, "in.csv:2"));
    CHECK_FALSE(fs::exists(dir / "g" / "g.gpkg"));
}

TEST_CASE("area layers: points, all-null, several layers, layername and empty layers", "[cli-cases-inputs]") {
    const auto dir = test::fresh_dir("area_layers");
    const std::string inc = cases("13-multipoint-layer/incidents_promoted_multi.gpkg");
    // A point layer given as areas.
    auto r = test::run_cli("geocode --incidents " + inc + " --areas ward=" + inc + " --out " +
                           test::quoted(sub(dir, "a") / "a.gpkg"));
    CHECK(r.exit_code == 3);
    CHECK(contains(r.err, "not polygons"));
    // All geometries null.
    test::write_file(dir / "null.geojson",
                     R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}},"features":[)"
                     R"({"type":"Feature","properties":{"ward_code":"W1","ward_name":"One"},"geometry":null},)"
                     R"({"type":"Feature","properties":{"ward_code":"W2","ward_name":"Two"},"geometry":null}]})");
    r = test::run_cli("geocode --incidents " + inc +
                      " --areas ward=" + test::quoted(dir / "null.geojson") + " --out " +
                      test::quoted(sub(dir, "b") / "b.gpkg"));
    INFO(r.err);
    CHECK(r.exit_code == 3);
    CHECK(contains(r.err, "none of its 2 areas has a polygon (2 with no geometry)"));
    // A GeoPackage with two polygon layers: refused with the list unless one is named.
    const auto two = dir / "two.gpkg";
    REQUIRE(std::system(("ogr2ogr -f GPKG " + test::quoted(two) + " " +
                         cases("13-multipoint-layer/wards.geojson") + " -nln wards_a && " +
                         "ogr2ogr -update -f GPKG " + test::quoted(two) + " " +
                         cases("13-multipoint-layer/wards.geojson") +
                         " -nln wards_b && ogr2ogr -update -f GPKG " + test::quoted(two) + " " +
                         cases("13-multipoint-layer/wards.geojson") + " -nln empty -where \"1=0\"")
                            .c_str()) == 0);
    r = test::run_cli("geocode --incidents " + inc + " --areas ward=" + test::quoted(two) +
                      " --out " + test::quoted(sub(dir, "c") / "c.gpkg"));
    CHECK(r.exit_code == 3);
    CHECK(contains(r.err, "holds 3 layers (wards_a, wards_b, empty)"));
    CHECK(contains(r.err, "|layername="));
    r = test::run_cli("geocode --incidents " + inc + " --areas 'ward=" + two.string() +
                      "|layername=wards_b:ward_code:ward_name' --out " +
                      test::quoted(sub(dir, "d") / "d.gpkg"));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(reconcile_line(r.out)[0] == 165);
    r = test::run_cli("geocode --incidents " + inc + " --areas 'ward=" + two.string() +
                      "|layername=empty:ward_code:ward_name' --out " +
                      test::quoted(sub(dir, "e") / "e.gpkg"));
    CHECK(r.exit_code == 3);
    CHECK(contains(r.err, "layer 'empty' is empty"));
    CHECK_FALSE(contains(r.err, "no such field"));
}

// ---- inputs that miss each other ------------------------------------------------------------

TEST_CASE("case 10: incidents outside every area are said, and none inside is exit 3", "[cli-cases-inputs]") {
    const auto dir = test::fresh_dir("case10");
    const std::string inc = cases("10-inputs-miss-each-other/incidents.csv");
    const std::string wards = cases("10-inputs-miss-each-other/other_district_wards.geojson");
    auto r = test::run_cli("kde --incidents " + inc + " --crs EPSG:27700 --areas study=" + wards +
                           " --bandwidth 250 --cell 50 --out " +
                           test::quoted(sub(dir, "heat") / "heat.tif"));
    CHECK(r.exit_code == 3);
    CHECK(contains(r.err, "all 40 of 40 incidents lie outside the study area"));
    CHECK_FALSE(fs::exists(dir / "heat" / "heat.tif"));
    r = test::run_cli("rates --incidents " + inc + " --crs EPSG:27700 --areas ward=" + wards +
                      ":ward_code:ward_name --population ward=" +
                      cases("10-inputs-miss-each-other/ward_population.csv") + " --out " +
                      test::quoted(sub(dir, "rates") / "rates.gpkg"));
    CHECK(r.exit_code == 3);
    CHECK(contains(r.err, "all 40 of 40 incidents lie outside the areas of 'ward'"));
    r = test::run_cli("gistar --incidents " + inc + " --crs EPSG:27700 --areas study=" + wards +
                      " --cell 100 --out " + test::quoted(sub(dir, "cells") / "cells.gpkg"));
    CHECK(r.exit_code == 3);
    CHECK(contains(r.err, "all 40 of 40 incidents lie outside the study area"));
    r = test::run_cli("geocode --incidents " + inc + " --crs EPSG:27700 --areas ward=" + wards +
                      " --out " + test::quoted(sub(dir, "g") / "g.gpkg"));
    CHECK(r.exit_code == 3);
    CHECK(contains(r.err, "all 40 of 40 incidents lie outside the areas"));
}

TEST_CASE("some incidents outside the areas: counted on the console, the run goes on", "[cli-cases-inputs]") {
    const auto dir = test::fresh_dir("some_outside");
    // Two incidents inside the wards' extent, one 20 km away.
    test::write_file(dir / "in.csv", "incident_id,easting,northing\nA1,440500,300500\nA2,440600,300600\nA3,460000,320000\n");
    const auto r = test::run_cli(
        "geocode --incidents " + test::quoted(dir / "in.csv") +
        " --crs EPSG:27700 --areas ward=" + cases("13-multipoint-layer/wards.geojson") +
        ":ward_code:ward_name --out " + test::quoted(sub(dir, "g") / "g.gpkg"));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.err, "1 of 3 incidents lie outside the areas of 'ward'"));
    const auto v = reconcile_line(r.out);
    CHECK(v == std::array<long, 4>{3, 2, 1, 0});
}

// ---- locational outliers ---------------------------------------------------------------------

TEST_CASE("Tukey far-out fences on easting and northing", "[cli-cases-inputs]") {
    // 40 points on a 2 km square lattice and one 290 km north: the fences are the quartiles
    // -/+ 3 * max(IQR, 2 km), computed here by hand.
    std::vector<double> x, y;
    for (int i = 0; i < 40; ++i) {
        x.push_back(440000 + 50.0 * i);
        y.push_back(300000 + 50.0 * i);
    }
    auto f = outlier_fences(x, y);
    REQUIRE(f.applied);
    // type-7 quartiles of 0..1950 step 50: 487.5 and 1462.5; IQR 975 -> floored to 2000.
    CHECK(f.x_lo == Approx(440487.5 - 6000));
    CHECK(f.x_hi == Approx(441462.5 + 6000));
    CHECK(f.contains(440000, 300000));
    CHECK_FALSE(f.contains(440500, 590000));
    CHECK_FALSE(outlier_fences(std::vector<double>(5, 1.0), std::vector<double>(5, 1.0)).applied);
}

TEST_CASE("towns beyond the fences but linked to the bulk are kept; a stray is not", "[cli-cases-inputs]") {
    // A city of 60 incidents in 1 km, a chain of villages every 3 km out to 30 km (beyond the
    // fences, linked within 5 km), and one record 200 km away.
    const auto dir = test::fresh_dir("outlier_chain");
    std::string csv = "incident_id,easting,northing\n";
    for (int i = 0; i < 60; ++i)
        csv += "C" + std::to_string(i) + "," + std::to_string(440000 + (i % 8) * 120) + "," + std::to_string(300000 + (i / 8) * 120) + "\n";
    for (int k = 1; k <= 10; ++k) csv += "V" + std::to_string(k) + "," + std::to_string(440000 + 3000 * k) + ",300000\n";
    csv += "S1,440000,500000\n";
    test::write_file(dir / "in.csv", csv);
    const auto r = test::run_cli("gistar --incidents " + test::quoted(dir / "in.csv") +
                                 " --crs EPSG:27700 --cell 500 --band 1000 --out " +
                                 test::quoted(sub(dir, "g") / "g.gpkg"));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.out, "71 rows read, 70 kept, 1 rejected"));
    CHECK(contains(r.err, "in.csv:72 at (440000, 500000)"));
    // Snapped: every location four times and the stray twice (worked out once per location),
    // the same verdicts.
    std::string snapped = "incident_id,easting,northing\n";
    std::istringstream rows(csv.substr(csv.find('\n') + 1));
    for (std::string line; std::getline(rows, line);)
        for (int copy = 0; copy < (line.rfind("S1", 0) == 0 ? 2 : 4); ++copy) snapped += std::to_string(copy) + line + "\n";
    test::write_file(dir / "snapped.csv", snapped);
    const auto s = test::run_cli("gistar --incidents " + test::quoted(dir / "snapped.csv") +
                                 " --crs EPSG:27700 --cell 500 --band 1000 --out " +
                                 test::quoted(sub(dir, "s") / "s.gpkg"));
    INFO(s.out << s.err);
    REQUIRE(s.exit_code == 0);
    CHECK(contains(s.out, "282 rows read, 280 kept, 2 rejected"));
    CHECK(contains(s.err, "2 incidents lie far outside"));
}

TEST_CASE("case 09: a stray record does not size the grid", "[cli-cases-inputs]") {
    const auto dir = test::fresh_dir("case09");
    const std::string with = cases("09-stray-record/incidents.csv"), without = cases("09-stray-record/incidents_no_stray.csv");
    auto a = test::run_cli("gistar --incidents " + with + " --crs EPSG:27700 --cell 100 --out " +
                           test::quoted(sub(dir, "with") / "with.gpkg"));
    INFO(a.out << a.err);
    REQUIRE(a.exit_code == 0);
    CHECK(contains(a.err, "1 incident lies far outside the bulk of the others"));
    CHECK(std::regex_search(a.err, std::regex(R"(incidents\.csv:\d+ at \()")));
    auto b = test::run_cli("gistar --incidents " + without + " --crs EPSG:27700 --cell 100 --out " +
                           test::quoted(sub(dir, "without") / "without.gpkg"));
    REQUIRE(b.exit_code == 0);
    CHECK_FALSE(contains(b.err, "far outside"));
    CHECK(hot_cells(dir / "with" / "with.gpkg") == hot_cells(dir / "without" / "without.gpkg"));
    // kde: the grid is the town's, not 290 km tall.
    auto k = test::run_cli("kde --incidents " + with +
                           " --crs EPSG:27700 --bandwidth 250 --cell 10 --out " +
                           test::quoted(sub(dir, "heat") / "heat.tif"));
    INFO(k.out << k.err);
    REQUIRE(k.exit_code == 0);
    GDALAllRegister();
    GDALDatasetH ds = GDALOpen((dir / "heat" / "heat.tif").c_str(), GA_ReadOnly);  // NOLINT
    REQUIRE(ds);
    CHECK(GDALGetRasterYSize(ds) < 1000);
    GDALClose(ds);
    ds = nullptr;
    // Screened rows are rejects: rows reconcile (61 read = 60 kept + 1 rejected).
    CHECK(contains(a.out, "61 rows read, 60 kept, 1 rejected"));
    CHECK(band_of(a.out) == band_of(b.out));
    // --keep-outliers turns screening off: the grid then spans the stray record.
    auto w = test::run_cli("kde --incidents " + with +
                           " --crs EPSG:27700 --keep-outliers --bandwidth 250 --cell 1000 --out " +
                           test::quoted(sub(dir, "keep") / "keep.tif"));
    INFO(w.out << w.err);
    REQUIRE(w.exit_code == 0);
    ds = GDALOpen((dir / "keep" / "keep.tif").c_str(), GA_ReadOnly);
    REQUIRE(ds);
    CHECK(GDALGetRasterYSize(ds) > 250);
    GDALClose(ds);
    // With an area layer nothing is sized from the incidents: the stray record is kept and
    // counted outside the areas (geocode, rates and run work so).
    test::write_file(dir / "town.geojson",
                     R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}},"features":[)"
                     R"({"type":"Feature","properties":{"code":"T","name":"Town"},"geometry":{"type":"Polygon","coordinates":)"
                     R"([[[439000,299000],[443000,299000],[443000,303000],[439000,303000],[439000,299000]]]}}]})");
    auto g = test::run_cli("geocode --incidents " + with +
                           " --crs EPSG:27700 --areas town=" + test::quoted(dir / "town.geojson") +
                           ":code:name --out " + test::quoted(sub(dir, "g") / "g.gpkg"));
    INFO(g.out << g.err);
    REQUIRE(g.exit_code == 0);
    const auto v = reconcile_line(g.out);
    CHECK(v[0] == 61);
    CHECK(v == std::array<long, 4>{61, 60, 1, 0});
    CHECK(contains(g.err, "1 of 61 incidents lie outside the areas of 'town'"));
}

// ---- boundaries and codes ------------------------------------------------------------------

TEST_CASE("case 15: overlapping areas are refused for rates, naming the codes", "[cli-cases-inputs]") {
    const auto dir = test::fresh_dir("case15");
    auto r = test::run_cli(
        "rates --incidents " + cases("15-mixed-vintages/incidents.csv") +
        " --crs EPSG:27700 --areas lsoa=" + cases("15-mixed-vintages/lsoa_mixed_vintage.geojson") +
        ":LSOA11CD:LSOA11NM --population lsoa=" + cases("15-mixed-vintages/pop_mixed.csv") +
        " --out " + test::quoted(sub(dir, "rates") / "rates.gpkg"));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 3);
    CHECK(contains(r.err, "overlap"));
    CHECK(contains(r.err, "E01095001"));
    CHECK(contains(r.err, "E01095002"));
    CHECK_FALSE(fs::exists(dir / "rates" / "rates.gpkg"));
}

TEST_CASE("case 15: population codes match ignoring case and spaces, with a note", "[cli-cases-inputs]") {
    const auto dir = test::fresh_dir("case15_messy");
    auto r = test::run_cli(
        "rates --incidents " + cases("15-mixed-vintages/incidents.csv") +
        " --crs EPSG:27700 --areas lsoa=" + cases("15-mixed-vintages/lsoa11.geojson") +
        ":LSOA11CD:LSOA11NM --population lsoa=" + cases("15-mixed-vintages/pop_messy.csv") +
        " --out " + test::quoted(sub(dir, "rates") / "rates.gpkg"));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.err, "only when case and spaces are ignored"));
    CHECK(contains(r.err, "'e01090002' for E01090002"));
}

// ---- grids and edges -------------------------------------------------------------------------

TEST_CASE("incidents on the east and south edges of the extent or study area are counted", "[cli-cases-inputs]") {
    const auto dir = test::fresh_dir("edges");
    // A 1 km square study area on 100 m lines, and grid references rounded to 100 m: four on
    // its corners and one in the middle. Every one is inside (the edge belongs to the area).
    test::write_file(dir / "study.geojson",
                     R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}},"features":[)"
                     R"({"type":"Feature","properties":{"code":"S1","name":"Study"},"geometry":{"type":"Polygon","coordinates":)"
                     R"([[[440000,300000],[441000,300000],[441000,301000],[440000,301000],[440000,300000]]]}}]})");
    test::write_file(dir / "in.csv", "incident_id,easting,northing\nA1,440000,300000\nA2,441000,300000\n"
                                     "A3,441000,301000\nA4,440000,301000\nA5,440500,300500\n");
    auto g =
        test::run_cli("geocode --incidents " + test::quoted(dir / "in.csv") +
                      " --crs EPSG:27700 --areas study=" + test::quoted(dir / "study.geojson") +
                      ":code:name --out " + test::quoted(sub(dir, "g") / "g.gpkg"));
    INFO(g.out << g.err);
    REQUIRE(g.exit_code == 0);
    CHECK(reconcile_line(g.out) == std::array<long, 4>{5, 5, 0, 0});
    auto s =
        test::run_cli("gistar --incidents " + test::quoted(dir / "in.csv") +
                      " --crs EPSG:27700 --areas study=" + test::quoted(dir / "study.geojson") +
                      " --cell 100 --band 150 --out " + test::quoted(sub(dir, "s") / "s.gpkg"));
    INFO(s.out << s.err);
    REQUIRE(s.exit_code == 0);
    CHECK(contains(s.out, "5 incidents counted"));
    CHECK_FALSE(contains(s.err, "outside"));
    // Without a study area the grid is the incidents' extent: the east/south ones count too.
    auto t = test::run_cli("gistar --incidents " + test::quoted(dir / "in.csv") +
                           " --crs EPSG:27700 --cell 100 --band 150 --out " +
                           test::quoted(sub(dir, "t") / "t.gpkg"));
    INFO(t.out << t.err);
    REQUIRE(t.exit_code == 0);
    CHECK(contains(t.out, "5 incidents counted"));
}

// ---- axis order ------------------------------------------------------------------------------

TEST_CASE("a boundary file written latitude, longitude is read the right way round", "[cli-cases-inputs]") {
    const auto dir = test::fresh_dir("latlon");
    // A ward around Leicester (52.63 N, 1.13 W) written [lat, lon], and one incident in it.
    test::write_file(dir / "ward.geojson",
                     R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"W1","name":"Centre"},)"
                     R"("geometry":{"type":"Polygon","coordinates":[[[52.62,-1.15],[52.62,-1.11],[52.64,-1.11],[52.64,-1.15],[52.62,-1.15]]]}}]})");
    test::write_file(dir / "in.csv", "incident_id,longitude,latitude\nA1,-1.13,52.63\n");
    auto r = test::run_cli("geocode --incidents " + test::quoted(dir / "in.csv") +
                           " --areas ward=" + test::quoted(dir / "ward.geojson") +
                           ":code:name --out " + test::quoted(sub(dir, "g") / "g.gpkg"));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.err, "written latitude, longitude"));
    CHECK(reconcile_line(r.out) == std::array<long, 4>{1, 1, 0, 0});
}

// ---- numbers and text ------------------------------------------------------------------------

TEST_CASE("a thousands dot in a population is warned about", "[cli-cases-inputs]") {
    const auto dir = test::fresh_dir("thousands_dot");
    test::write_file(dir / "pop.csv", "LSOA11CD,population\nE01090001,1500\nE01090002,1.6\nE01090003,1700\nE01090004,1800\n");
    auto r = test::run_cli(
        "rates --incidents " + cases("15-mixed-vintages/incidents.csv") +
        " --crs EPSG:27700 --areas lsoa=" + cases("15-mixed-vintages/lsoa11.geojson") +
        ":LSOA11CD:LSOA11NM --population lsoa=" + test::quoted(dir / "pop.csv") + " --out " +
        test::quoted(sub(dir, "rates") / "rates.gpkg"));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.err, "fewer residents than incidents and under 100 residents (first: E01090002"));
    CHECK(contains(r.err, "not whole numbers (first: E01090002: 1.6)"));
}

TEST_CASE("CSV text that cannot be read right is refused up front", "[cli-cases-inputs]") {
    const auto dir = test::fresh_dir("bad_text");
    auto geocode = [&](const std::string& file) {
        return test::run_cli("geocode --incidents " + test::quoted(dir / file) +
                             " --crs EPSG:27700" + all_area(dir) + " --out " +
                             test::quoted(dir / (file + ".gpkg")));
    };
    // UTF-16 with a BOM, and without one (NUL after every ASCII byte).
    std::string u16 = "\xFF\xFE";
    for (char c : std::string("incident_id,easting,northing\nA1,440100,300100\n")) u16 += std::string{c, '\0'};
    test::write_file(dir / "u16.csv", u16);
    test::write_file(dir / "u16nobom.csv", u16.substr(2));
    for (const char* f : {"u16.csv", "u16nobom.csv"}) {
        const auto r = geocode(f);
        CHECK(r.exit_code == 3);
        CHECK(contains(r.err, "save it as UTF-8"));
    }
    // A NUL byte inside a field: file, line and field.
    test::write_file(dir / "nul.csv", std::string("incident_id,category,easting,northing\nA1,Burg\0lary,440100,300100\n", 66));
    auto r = geocode("nul.csv");
    CHECK(r.exit_code == 3);
    CHECK(contains(r.err, "nul.csv:2: field 'category': holds a NUL byte"));
    // The same column name twice.
    test::write_file(dir / "dup.csv", "incident_id,easting,northing,Easting\nA1,440100,300100,1\n");
    r = geocode("dup.csv");
    CHECK(r.exit_code == 3);
    CHECK(contains(r.err, "names this column twice (columns 2 and 4)"));
    // 100,000 columns: refused at the header, quickly, with a short message.
    std::string wide = "easting,northing";
    for (int i = 0; i < 100000; ++i) wide += ",c" + std::to_string(i);
    wide += "\n440100,300100";
    for (int i = 0; i < 100000; ++i) wide += ",1";
    wide += "\n";
    test::write_file(dir / "wide.csv", wide);
    r = geocode("wide.csv");
    CHECK(r.exit_code == 3);
    CHECK(contains(r.err, "has 100002 columns; outputs hold at most 1900"));
    CHECK(r.err.size() < 1000);
}

TEST_CASE("CSV outputs neutralise formulas but keep negative numbers", "[cli-cases-inputs]") {
    CHECK(needs_formula_guard("=HYPERLINK(\"http://x\")"));
    CHECK(needs_formula_guard("@SUM(A1)"));
    CHECK(needs_formula_guard("+44 116 222"));
    CHECK(needs_formula_guard("-2+3"));
    CHECK_FALSE(needs_formula_guard("-1.25"));
    CHECK_FALSE(needs_formula_guard("+3"));
    CHECK_FALSE(needs_formula_guard("Burglary"));
    CHECK_FALSE(needs_formula_guard(""));
    // Through the writer: a text column and a numeric column of a .csv output.
    const auto dir = test::fresh_dir("formula");
    {
        VectorWriter w((dir / "out.csv").string(), "EPSG:27700", false);
        w.begin_layer("out", GeomType::none, {{"mo_text", FieldType::string}, {"change", FieldType::real}});
        w.set_string(0, "=1+1");
        w.set_real(1, -5);
        w.write_feature();
        w.set_string(0, "-5");
        w.set_real(1, 2);
        w.write_feature();
        w.commit();
    }
    const std::string text = test::read_file(dir / "out.csv");
    INFO(text);
    CHECK(contains(text, "'=1+1"));
    CHECK(contains(text, ",-5\n"));   // the real column, untouched
    // A number in a text column is untouched (OGR quotes a text cell; no ' is added).
    CHECK((contains(text, "\n-5,") || contains(text, "\n\"-5\",")));
    CHECK_FALSE(contains(text, "'-5"));
}
