// End to end through the CLI: `hotspot near-repeat` on a synthetic year of burglaries with
// planted near repeats (within 100 m and 0-6 days of a distinct earlier burglary). The Knox
// table is read back from the GeoPackage with OGR and its observed counts recomputed here by
// brute force from the CSV written; the risk windows, their style row, the CSV, the manifest and
// the sentence are checked; --threads 1 and 2 give the same bytes; police.uk months and bad
// options are refused with the documented exit codes.

#include <catch2/catch.hpp>
#include <cmath>
#include <gdal.h>
#include <map>
#include <nlohmann/json.hpp>
#include <ogr_api.h>
#include <random>
#include <sstream>

#include "hotspot/dates.hpp"
#include "support.hpp"

using namespace hotspot;
namespace fs = std::filesystem;

namespace {

struct Incident {
    double x, y;
    int day;  // days since 2025-01-01
};

std::vector<Incident> planted_year() {
    std::mt19937 rng(99);
    std::uniform_real_distribution<double> ux(430000, 434000), uy(300000, 304000), unit(0, 1);
    std::uniform_int_distribution<int> day(0, 364), lag(0, 6);
    std::vector<Incident> v;
    for (int i = 0; i < 1500; ++i) v.push_back({std::round(ux(rng)), std::round(uy(rng)), day(rng)});
    for (int k = 0; k < 120; ++k) {
        const double r = 5 + 90 * std::sqrt(unit(rng)), a = 2 * M_PI * unit(rng);
        v.push_back({std::round(v[std::size_t(k)].x + r * std::cos(a)), std::round(v[std::size_t(k)].y + r * std::sin(a)),
                     v[std::size_t(k)].day + lag(rng)});
    }
    return v;
}

std::string iso(int day) {
    const std::int32_t c = civil_from_days(days_from_civil(2025, 1, 1) + day);
    char b[16];
    std::snprintf(b, sizeof b, "%04d-%02d-%02d", c / 10000, (c / 100) % 100, c % 100);
    return b;
}

fs::path write_csv(const fs::path& dir, const std::vector<Incident>& v) {
    std::ostringstream s;
    s << "crime_ref,easting,northing,offence_date\n";
    for (std::size_t i = 0; i < v.size(); ++i) s << "B" << i << "," << v[i].x << "," << v[i].y << "," << iso(v[i].day) << "\n";
    s << "B-nodate,431000,301000,\n";  // no date: left out, counted
    const fs::path p = dir / "burglary.csv";
    test::write_file(p, s.str());
    return p;
}

struct Cell {
    long long observed = 0;
    double p = 1, ratio = NAN;
    int significant = 0;
    std::string distance_band, time_band;
};

std::map<std::pair<int, int>, Cell> read_table(const fs::path& gpkg) {
    std::map<std::pair<int, int>, Cell> t;
    test::for_each_feature(gpkg, "knox", [&](OGRFeatureH f, const test::FieldIndex& idx) {
        Cell c;
        c.observed = OGR_F_GetFieldAsInteger64(f, idx("observed"));
        c.p = OGR_F_GetFieldAsDouble(f, idx("p"));
        c.ratio = OGR_F_IsFieldNull(f, idx("ratio")) ? NAN : OGR_F_GetFieldAsDouble(f, idx("ratio"));
        c.significant = OGR_F_GetFieldAsInteger(f, idx("significant"));
        c.distance_band = OGR_F_GetFieldAsString(f, idx("distance_band"));
        c.time_band = OGR_F_GetFieldAsString(f, idx("time_band"));
        t[{OGR_F_GetFieldAsInteger(f, idx("row")), OGR_F_GetFieldAsInteger(f, idx("col"))}] = c;
    });
    return t;
}

std::string args(const fs::path& csv, const fs::path& out, const std::string& more = "") {
    return "near-repeat --incidents '" + csv.string() + "' --x easting --y northing --crs EPSG:27700 --date offence_date" +
           " --permutations 199 --what burglaries --out '" + out.string() + "' " + more;
}

} // namespace

TEST_CASE("near-repeat: planted near repeats, table, windows, CSV, manifest and sentence", "[cli-near-repeat]") {
    const fs::path dir = test::fresh_dir("cli_near_repeat");
    const auto v = planted_year();
    const fs::path csv = write_csv(dir, v);
    const fs::path out = dir / "nr.gpkg";
    const auto r = test::run_cli(args(csv, out, "--recent-days 28"));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("burglaries within 100 m and 7 days of another were") != std::string::npos);
    CHECK(r.out.find("times as common as chance (p = 0.005") != std::string::npos);
    CHECK(r.err.find("1 of 1621 incidents have no readable date") != std::string::npos);

    // The table against a brute-force count of the incidents written.
    const auto t = read_table(out);
    REQUIRE(t.size() == 20);
    long long brute[5][4] = {};
    const double lim[] = {100, 200, 300};
    const int dlim[] = {7, 14, 21};
    for (std::size_t i = 0; i < v.size(); ++i)
        for (std::size_t j = i + 1; j < v.size(); ++j) {
            const double d = std::hypot(v[i].x - v[j].x, v[i].y - v[j].y);
            int row = d == 0 ? 0 : 4;
            for (int k = 0; k < 3 && row == 4; ++k)
                if (d < lim[k]) row = k + 1;
            const int dt = std::abs(v[i].day - v[j].day);
            int col = 3;
            for (int k = 0; k < 3 && col == 3; ++k)
                if (dt < dlim[k]) col = k;
            ++brute[row][col];
        }
    for (int row = 0; row < 5; ++row)
        for (int col = 0; col < 4; ++col) {
            INFO("row " << row << " col " << col);
            CHECK(t.at({row, col}).observed == brute[row][col]);
        }
    CHECK(t.at({1, 0}).significant == 1);
    CHECK(t.at({1, 0}).distance_band == "0\u2013100 m");
    CHECK(t.at({1, 0}).time_band == "0\u20137 days");
    CHECK(t.at({1, 0}).ratio > 2);

    // Risk windows: one or more, every field set, expiry = first date + 7 at least, styled.
    GDALDatasetH ds = GDALOpenEx(out.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
    REQUIRE(ds);
    OGRLayerH l = GDALDatasetGetLayerByName(ds, "risk_windows");
    REQUIRE(l);
    CHECK(OGR_L_GetFeatureCount(l, 1) > 0);
    long long incidents = 0;
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(l)) != nullptr) {
        incidents += OGR_F_GetFieldAsInteger(f, OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(l), "incidents"));
        const std::string first = OGR_F_GetFieldAsString(f, OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(l), "first_date"));
        const std::string expires = OGR_F_GetFieldAsString(f, OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(l), "expires"));
        CHECK(expires > first);
        CHECK(OGR_F_GetFieldAsDouble(f, OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(l), "distance_m")) == 100);
        CHECK(OGR_F_GetFieldAsInteger(f, OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(l), "days")) == 7);
        OGR_F_Destroy(f);
    }
    long long recent = 0;
    int last = 0;
    for (const auto& i : v) last = std::max(last, i.day);
    for (const auto& i : v) recent += i.day > last - 28;
    CHECK(incidents == recent);  // every recent incident is in exactly one window
    OGRLayerH styles = GDALDatasetExecuteSQL(ds, "SELECT count(*) FROM layer_styles WHERE f_table_name = 'risk_windows'", nullptr, nullptr);
    REQUIRE(styles);
    OGRFeatureH sf = OGR_L_GetNextFeature(styles);
    CHECK(OGR_F_GetFieldAsInteger(sf, 0) == 1);
    OGR_F_Destroy(sf);
    GDALDatasetReleaseResultSet(ds, styles);
    GDALClose(ds);

    const std::string table_csv = test::read_file(dir / "nr_knox.csv");
    CHECK(std::count(table_csv.begin(), table_csv.end(), '\n') == 21);
    const auto m = nlohmann::json::parse(test::read_file(dir / "nr.manifest.json"));
    CHECK(m["command"] == "near-repeat");
    CHECK(m["counts"]["tested"] == v.size());
    CHECK(m["counts"]["no_date"] == 1);
    CHECK(m["counts"]["rows_in"] == v.size() + 1);
    CHECK(m["options"]["permutations"] == 199);
    CHECK(m["raised_risk"]["found"] == true);
    CHECK(m["table"].size() == 20);
}

TEST_CASE("near-repeat: same bytes with --threads 1 and 2; --compat nrc labels", "[cli-near-repeat]") {
    const fs::path dir = test::fresh_dir("cli_near_repeat_threads");
    const fs::path csv = write_csv(dir, planted_year());
    REQUIRE(test::run_cli("--threads 1 " + args(csv, dir / "a.gpkg", "--manifest '" + (dir / "a.json").string() + "'")).exit_code == 0);
    REQUIRE(test::run_cli("--threads 2 " + args(csv, dir / "b.gpkg", "--manifest '" + (dir / "b.json").string() + "'")).exit_code == 0);
    CHECK(test::read_file(dir / "a_knox.csv") == test::read_file(dir / "b_knox.csv"));
    REQUIRE(test::run_cli(args(csv, dir / "c.gpkg", "--compat nrc --manifest '" + (dir / "c.json").string() + "'")).exit_code == 0);
    const auto t = read_table(dir / "c.gpkg");
    CHECK(t.at({0, 0}).distance_band == "Same location");
    CHECK(t.at({1, 0}).distance_band == "1 to 100");
    CHECK(t.at({2, 0}).distance_band == "101 to 200");
    CHECK(t.at({4, 0}).distance_band == "More than 300");
    CHECK(t.at({1, 0}).time_band == "0 to 7");
    CHECK(t.at({1, 1}).time_band == "8 to 14");
    CHECK(t.at({1, 3}).time_band == "More than 21");
}

TEST_CASE("near-repeat: police.uk months are refused; bad options exit 2", "[cli-near-repeat]") {
    const fs::path dir = test::fresh_dir("cli_near_repeat_refuse");
    test::write_file(dir / "puk.csv",
                     "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n"
                     "a1,2025-03,Leics,Leics,-1.13,52.63,On or near X,E01000001,L 001A,Burglary,,\n"
                     "a2,2025-03,Leics,Leics,-1.131,52.631,On or near Y,E01000001,L 001A,Burglary,,\n");
    auto r = test::run_cli("near-repeat --incidents '" + (dir / "puk.csv").string() + "' --out '" + (dir / "o.gpkg").string() + "'");
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("months only") != std::string::npos);
    CHECK(r.err.find("--date FIELD") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "o.gpkg"));
    r = test::run_cli("near-repeat --incidents '" + (dir / "puk.csv").string() + "' --distance-bands 0 --out '" +
                      (dir / "o.gpkg").string() + "'");
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("near-repeat: --distance-bands must be 1..63 (got 0)") != std::string::npos);
    r = test::run_cli("near-repeat --help");
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("--compat") != std::string::npos);
}

// The two frames call one step (steps/near_repeat_step.hpp): a run whose profile lists
// "near_repeat" writes the same Knox table and risk windows, field for field and shape for
// shape, as `hotspot near-repeat` with the same options (the run's permutations and seed; the
// step's default bands and 28 recent days).
TEST_CASE("near-repeat: hotspot run writes the same Knox table and risk windows as hotspot near-repeat",
          "[step-equivalence]") {
    const fs::path dir = test::fresh_dir("cli_near_repeat_run");
    const fs::path csv = write_csv(dir, planted_year());
    test::write_file(dir / "square.geojson",
                     "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::27700\"}},"
                     "\"features\":[{\"type\":\"Feature\",\"properties\":{\"code\":\"W1\",\"name\":\"Square\"},\"geometry\":"
                     "{\"type\":\"Polygon\",\"coordinates\":[[[429000,299000],[436000,299000],[436000,305000],[429000,305000],[429000,299000]]]}}]}\n");
    test::write_file(dir / "nr.toml", "name = \"nr\"\ntitle = \"Burglary\"\ndenominator = \"none\"\noutputs = [\"near_repeat\"]\n");
    const fs::path cfg = dir / "run.toml";
    test::write_file(cfg, "title = \"nr\"\noutput = \"" + (dir / "run").string() +
                              "\"\nprofile_files = [\"nr.toml\"]\n\n[incidents]\npaths = [\"" + csv.string() +
                              "\"]\nx = \"easting\"\ny = \"northing\"\ncrs = \"EPSG:27700\"\ndate = \"offence_date\"\n\n"
                              "[[areas]]\nname = \"ward\"\npath = \"" + (dir / "square.geojson").string() +
                              "\"\ncode_field = \"code\"\nname_field = \"name\"\n\n[analysis]\npermutations = 199\n");
    auto r = test::run_cli("run '" + cfg.string() + "'");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("near repeats: burglary incidents within 100 m and 7 days of another were") != std::string::npos);
    r = test::run_cli(args(dir / "burglary.csv", dir / "job.gpkg"));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto run = test::read_all_layers(dir / "run" / "hotspot_run.gpkg");
    const auto job = test::read_all_layers(dir / "job.gpkg");
    REQUIRE(run.count("nr_knox") == 1);
    REQUIRE(run.count("nr_risk_windows") == 1);
    CHECK(run.at("nr_knox") == job.at("knox"));
    CHECK(run.at("nr_risk_windows") == job.at("risk_windows"));
    CHECK(job.at("risk_windows").size() > 1);  // a header and at least one window
    // The manifest's node and the QGIS project's group
    const auto m = nlohmann::json::parse(test::read_file(dir / "run" / "manifest.json"));
    CHECK(m["profiles"][0]["near_repeat"]["raised_risk"]["found"] == true);
    const std::string qgs = test::read_file(dir / "run" / "hotspot_run.qgs");
    CHECK(qgs.find("Burglary: near-repeat risk windows") != std::string::npos);
    CHECK(qgs.find("layername=nr_knox") != std::string::npos);
}
