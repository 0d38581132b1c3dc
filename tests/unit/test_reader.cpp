#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <random>
#include <set>

#include "hotspot/crs.hpp"

#include "hotspot/error.hpp"
#include "hotspot/incidents_io.hpp"
#include "support.hpp"

using namespace hotspot;
namespace fs = std::filesystem;

namespace {

const char* police_header =
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
    "Crime type,Last outcome category,Context\r\n";

ReadResult read_one(const fs::path& p, ReadOptions o = {}) {
    o.paths = {p.string()};
    return read_incidents(o);
}

std::size_t count_reason(const RejectTable& r, RejectReason why) {
    return std::size_t(std::count(r.reason.begin(), r.reason.end(), why));
}

} // namespace

TEST_CASE("reader: police.uk files are recognised by their header alone", "[reader]") {
    const auto dir = test::fresh_dir("reader-puk");
    test::write_file(dir / "m.csv",
                     std::string("\xEF\xBB\xBF") + police_header +
                         "abc1,2024-01,Leicestershire Police,Leicestershire Police,-1.131,52.636,On or near X,E01013630,Leicester 030A,Burglary,Under investigation,\r\n"
                         ",2024-01,Leicestershire Police,Leicestershire Police,-1.132,52.637,\"On or near A, B\",E01013630,Leicester 030A,Anti-social behaviour,,\r\n"
                         ",2024-01,Leicestershire Police,Leicestershire Police,-1.132,52.637,\"On or near A, B\",E01013630,Leicester 030A,Anti-social behaviour,,\r\n"
                         "abc2,2024-01,Leicestershire Police,Leicestershire Police,,,No location,,,Drugs,,\r\n");
    const auto r = read_one(dir / "m.csv");
    CHECK(r.police_uk);
    CHECK(r.rows_in == 4);
    CHECK(r.incidents.size() == 3);
    CHECK(r.rejects.size() == 1);
    CHECK(r.rejects.reason[0] == RejectReason::missing_coordinate);
    CHECK(r.rejects.source_line[0] == 5);
    CHECK(r.exact_duplicates == 1);  // the repeated ASB row is kept and counted
    CHECK(r.incidents.field_names.front() == "Crime ID");  // BOM stripped
    CHECK(r.incidents.categories.size() == 2);
    // transformed to British National Grid: Leicester is near (458,000, 304,000)
    CHECK(r.incidents.x[0] == Approx(458900).margin(2000));
    CHECK(r.incidents.y[0] == Approx(304200).margin(2000));
    CHECK(r.crs_operation.find("British National Grid") != std::string::npos);
    CHECK(r.crs_accuracy_m > 0);
    // month becomes a date
    CHECK(r.incidents.date_days[0] != no_date);
    CHECK(r.incidents.fields[6][1] == "On or near A, B");
}

TEST_CASE("reader: every rejection reason, and the counts reconcile", "[reader]") {
    const auto dir = test::fresh_dir("reader-reasons");
    test::write_file(dir / "bng.csv",
                     "incident_id,category,date,easting,northing\n"
                     "1,Burglary,2025-01-02,421000,304000\n"   // kept
                     "2,Burglary,2025-01-02,,304000\n"         // missing
                     "3,Burglary,2025-01-02,abc,304000\n"      // unparsable
                     "4,Burglary,2025-01-02,nan,304000\n"      // non-finite
                     "5,Burglary,2025-01-02,inf,304000\n"      // non-finite
                     "6,Burglary,2025-01-02,0,0\n"             // (0,0)
                     "7,Burglary,2025-01-02,-1.7,52.6\n"       // degrees in a metres column
                     "8,Burglary,2025-01-02,9000000,304000\n"  // outside EPSG:27700's area
                     "1,Burglary,2025-01-03,421001,304001\n"   // duplicate id
                     "9,Burglary,2025-01-02\n"                 // truncated row
                     "10,Vehicle crime,02/01/2025 23:15,421500,304500\n");
    const auto r = read_one(dir / "bng.csv");
    CHECK(r.rows_in == 11);
    CHECK(r.incidents.size() == 2);
    CHECK(r.incidents.size() + r.rejects.size() == r.rows_in);
    const auto& rj = r.rejects;
    CHECK(count_reason(rj, RejectReason::missing_coordinate) == 1);
    CHECK(count_reason(rj, RejectReason::unparsable_coordinate) == 1);
    CHECK(count_reason(rj, RejectReason::non_finite_coordinate) == 2);
    CHECK(count_reason(rj, RejectReason::zero_zero) == 1);
    CHECK(count_reason(rj, RejectReason::looks_like_lon_lat) == 1);
    CHECK(count_reason(rj, RejectReason::outside_crs_area) == 1);
    CHECK(count_reason(rj, RejectReason::duplicate_id) == 1);
    CHECK(count_reason(rj, RejectReason::wrong_field_count) == 1);
    // identity transform keeps metres exactly
    CHECK(r.incidents.x[0] == 421000.0);
    CHECK(r.incidents.minute_of_day[1] == 23 * 60 + 15);
    // rejected rows keep their original fields and line
    CHECK(rj.fields[0][0] == "2");
    CHECK(rj.source_line[0] == 3);
}

TEST_CASE("reader: swapped latitude/longitude is recognised", "[reader]") {
    const auto dir = test::fresh_dir("reader-swap");
    test::write_file(dir / "ll.csv", "id,lat,lon\n1,52.6,-1.1\n2,-1.1,52.6\n3,10,10\n");
    ReadOptions o;
    o.x_field = "lon";
    o.y_field = "lat";
    o.crs = "EPSG:4326";
    const auto r = read_one(dir / "ll.csv", o);
    CHECK(r.incidents.size() == 1);
    CHECK(count_reason(r.rejects, RejectReason::swapped_lat_lon) == 1);
    CHECK(count_reason(r.rejects, RejectReason::outside_crs_area) == 1);
}

TEST_CASE("reader: errors name the file, line and field", "[reader]") {
    const auto dir = test::fresh_dir("reader-errors");
    test::write_file(dir / "empty.csv", "");
    CHECK_THROWS_AS(read_one(dir / "empty.csv"), InputError);
    test::write_file(dir / "nocoords.csv", "a;b;c\n1;2;3\n");
    CHECK_THROWS_WITH(read_one(dir / "nocoords.csv"), Catch::Contains("--x and --y"));
    test::write_file(dir / "ok.csv", "easting,northing\n421000,304000\n");
    ReadOptions o;
    o.x_field = "Eastings";
    try {
        read_one(dir / "ok.csv", o);
        FAIL("no error");
    } catch (const InputError& e) {
        CHECK(e.field() == "Eastings");
        CHECK(e.line() == 1);
        CHECK(std::string(e.what()).find("easting, northing") != std::string::npos);
    }
    test::write_file(dir / "quote.csv", "easting,northing,mo\n421000,304000,\"open\n");
    try {
        read_one(dir / "quote.csv");
        FAIL("no error");
    } catch (const InputError& e) {
        CHECK(e.line() == 2);
        CHECK(e.file().find("quote.csv") != std::string::npos);
    }
    CHECK_THROWS_AS(read_one(dir / "missing.csv"), InputError);
    o = {};
    o.crs = "EPSG:999999";
    CHECK_THROWS_AS(read_one(dir / "ok.csv", o), UsageError);
}

TEST_CASE("reader: several files, folders and globs; headers must agree", "[reader]") {
    const auto dir = test::fresh_dir("reader-multi");
    test::write_file(dir / "in" / "a.csv", "easting,northing\n421000,304000\n");
    test::write_file(dir / "in" / "b.csv", "easting,northing\n421001,304001\n421002,304002\n");
    ReadOptions o;
    o.paths = {(dir / "in").string()};
    auto r = read_incidents(o);
    CHECK(r.rows_in == 3);
    CHECK(r.incidents.source_files.size() == 2);
    CHECK(r.incidents.source_file[2] == 1);
    CHECK(r.incidents.source_line[2] == 3);
    o.paths = {(dir / "in" / "*.csv").string()};
    CHECK(read_incidents(o).rows_in == 3);
    test::write_file(dir / "in" / "c.csv", "northing,easting\n304000,421000\n");
    o.paths = {(dir / "in").string()};
    CHECK_THROWS_WITH(read_incidents(o), Catch::Contains("c.csv") && Catch::Contains("header differs"));
    o.paths = {(dir / "nothing*.csv").string()};
    CHECK_THROWS_AS(read_incidents(o), InputError);
}

TEST_CASE("reader: OGR sources (GeoJSON points) with their CRS", "[reader]") {
    const auto dir = test::fresh_dir("reader-ogr");
    test::write_file(dir / "p.geojson",
                     R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}},
"features":[
{"type":"Feature","properties":{"incident_id":"a","category":"Drugs"},"geometry":{"type":"Point","coordinates":[421000,304000]}},
{"type":"Feature","properties":{"incident_id":"b","category":"Drugs"},"geometry":null},
{"type":"Feature","properties":{"incident_id":"c","category":"Drugs"},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}
]})");
    const auto r = read_one(dir / "p.geojson");
    CHECK(r.rows_in == 3);
    REQUIRE(r.incidents.size() == 1);
    CHECK(r.incidents.x[0] == Approx(421000));
    CHECK(count_reason(r.rejects, RejectReason::missing_coordinate) == 1);
    CHECK(count_reason(r.rejects, RejectReason::bad_geometry) == 1);
}

TEST_CASE("reader: keep_text keeps the named fields' text only; roles are parsed, rejects whole", "[reader]") {
    const auto dir = test::fresh_dir("reader-keep-text");
    test::write_file(dir / "k.csv", "id,easting,northing,date,category,note,harm\n"
                                    "1,450000,300000,2025-03-04,burglary,side door forced,5\n"
                                    "2,450100,300100,2025-03-05,robbery,phone taken,2\n"
                                    "3,,300100,2025-03-06,robbery,no location,1\n");
    ReadOptions o;
    o.crs = "EPSG:27700";
    const ReadResult whole = read_one(dir / "k.csv", o);
    o.keep_text = std::vector<std::string>{"harm"};
    const ReadResult some = read_one(dir / "k.csv", o);
    REQUIRE(whole.incidents.size() == 2);
    REQUIRE(some.incidents.size() == 2);
    const auto col = [&](const ReadResult& r, const char* name) {
        const auto& n = r.incidents.field_names;
        return std::size_t(std::find(n.begin(), n.end(), name) - n.begin());
    };
    for (std::size_t i = 0; i < 2; ++i) {
        CHECK(some.incidents.fields[col(some, "harm")][i] == whole.incidents.fields[col(whole, "harm")][i]);
        CHECK(some.incidents.fields[col(some, "note")][i].empty());
        CHECK(some.incidents.fields[col(some, "id")][i].empty());
        CHECK_FALSE(whole.incidents.fields[col(whole, "note")][i].empty());
        // the roles are parsed from the text whatever is kept
        CHECK(some.incidents.x[i] == whole.incidents.x[i]);
        CHECK(some.incidents.date_days[i] == whole.incidents.date_days[i]);
        CHECK(some.incidents.categories[some.incidents.category[i]] == whole.incidents.categories[whole.incidents.category[i]]);
    }
    CHECK(some.incidents.fields[col(some, "harm")][0] == "5");
    // a row rejected while reading keeps all its text
    REQUIRE(some.rejects.size() == 1);
    CHECK(some.rejects.fields[5][0] == "no location");
}

TEST_CASE("reader: duplicate ids among many, exactly, whatever is kept and on any thread count", "[reader]") {
    // 30,000 rows (the id table grows several times): row i has id "R<i>", except that every
    // seventh row repeats an earlier row's id (padded with spaces, which are trimmed), every
    // eleventh has a blank id (never a duplicate), and ids that differ only in case are distinct.
    // The expected rejects come from a std::set run over the same ids.
    const auto dir = test::fresh_dir("reader-ids");
    std::string text = "incident_id,easting,northing\n";
    std::set<std::string> seen;
    std::vector<std::uint64_t> expected_lines;
    for (int i = 0; i < 30000; ++i) {
        std::string id = "R" + std::to_string(i);
        if (i % 7 == 3) id = " R" + std::to_string(i / 2) + " ";
        if (i % 13 == 5) id = "r" + std::to_string(i - 1);
        if (i % 11 == 0) id = "";
        text += id + "," + std::to_string(450000 + i % 997) + "," + std::to_string(300000 + i % 991) + "\n";
        std::string t = id;
        t.erase(0, t.find_first_not_of(' '));
        t.erase(t.find_last_not_of(' ') + 1);
        if (!t.empty() && !seen.insert(t).second) expected_lines.push_back(std::uint64_t(i) + 2);
    }
    test::write_file(dir / "ids.csv", text);
    REQUIRE(expected_lines.size() > 3000);
    for (const unsigned threads : {1u, 2u}) {
        for (const bool keep_ids : {true, false}) {
            ReadOptions o;
            o.crs = "EPSG:27700";
            o.threads = threads;
            if (!keep_ids) o.keep_text = std::vector<std::string>{"easting"};
            const ReadResult r = read_one(dir / "ids.csv", o);
            CHECK(r.rows_in == 30000);
            CHECK(count_reason(r.rejects, RejectReason::duplicate_id) == expected_lines.size());
            CHECK(r.rejects.size() == expected_lines.size());
            CHECK(std::vector<std::uint64_t>(r.rejects.source_line.begin(), r.rejects.source_line.end()) ==
                  expected_lines);
            CHECK(r.incidents.size() == 30000 - expected_lines.size());
        }
    }
}

TEST_CASE("reader: repeated locations (snap points) transform exactly as each point alone", "[reader]") {
    // 150,000 police.uk-style points at 2,000 snap points, then 70,000 all different (past the
    // 65,536-point probe, so that block is transformed directly): each transformed point must
    // equal PROJ's transform of that point alone, bit for bit, on one thread and on three.
    std::vector<double> lon, lat;
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> ux(-1.6, -0.7), uy(52.4, 52.9);
    std::vector<std::pair<double, double>> snaps(2000);
    for (auto& s : snaps) s = {ux(rng), uy(rng)};
    for (int i = 0; i < 150000; ++i) {
        const auto& s = snaps[std::size_t(rng() % snaps.size())];
        lon.push_back(s.first);
        lat.push_back(s.second);
    }
    for (int i = 0; i < 70000; ++i) {
        lon.push_back(ux(rng));
        lat.push_back(uy(rng));
    }
    const CrsTransform t("EPSG:4326", "EPSG:27700");
    for (const unsigned threads : {1u, 3u}) {
        std::vector<double> x = lon, y = lat;
        t.transform(x, y, threads);
        std::size_t differ = 0;
        for (std::size_t i = 0; i < x.size(); i += 37) {  // every 37th point, alone
            double px = lon[i], py = lat[i];
            t.transform(std::span(&px, 1), std::span(&py, 1), 1);
            if (std::memcmp(&px, &x[i], 8) != 0 || std::memcmp(&py, &y[i], 8) != 0) ++differ;
        }
        CHECK(differ == 0);
        CHECK(x[0] == Approx(450000).margin(40000));
    }
}
