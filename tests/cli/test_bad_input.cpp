// Bad inputs through the CLI (`hotspot geocode` and `hotspot kde`): each case of the corpus in
// tests/corpus/bad_input/ asserts the exit code, the message (file, line, field where they
// apply) and, where the run goes on, the rejects and the reconciliation
// rows_in = assigned + outside + rejected of the summary.

#include <catch2/catch.hpp>
#include <gdal.h>
#include <map>
#include <ogr_api.h>
#include <regex>

#include "hotspot/sha256.hpp"
#include "support.hpp"

using namespace hotspot;
namespace fs = std::filesystem;

namespace {

std::string corpus(const std::string& f) {
    return (test::source_dir() / "tests" / "corpus" / "bad_input" / f).string();
}

using Row = std::map<std::string, std::string>;

std::vector<Row> read_layer(const fs::path& path, const char* layer_name) {
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(path.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
    REQUIRE(ds);
    OGRLayerH layer = GDALDatasetGetLayerByName(ds, layer_name);
    REQUIRE(layer);
    std::vector<Row> rows;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(layer)) != nullptr) {
        Row row;
        for (int i = 0; i < OGR_FD_GetFieldCount(defn); ++i)
            row[OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i))] = OGR_F_GetFieldAsString(f, i);
        if (OGRGeometryH g = OGR_F_GetGeometryRef(f)) {
            row["#parts"] = std::to_string(OGR_G_GetGeometryCount(g));
            if (wkbFlatten(OGR_G_GetGeometryType(g)) == wkbMultiPolygon)
                row["#area"] = std::to_string(OGR_G_Area(g));
        }
        rows.push_back(std::move(row));
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
    return rows;
}

const Row& row_where(const std::vector<Row>& rows, const std::string& field, const std::string& value) {
    for (const auto& r : rows)
        if (r.count(field) && r.at(field) == value) return r;
    FAIL("no row with " << field << " = " << value);
    throw std::logic_error("unreachable");
}

std::uint64_t num(std::string s) {
    s.erase(std::remove(s.begin(), s.end(), ','), s.end());
    return std::stoull(s);
}

/// The counts a geocode summary prints; the reconciliation line must add up.
struct Summary {
    std::uint64_t rows_in = 0, assigned = 0, outside = 0, rejected = 0;
    std::map<std::string, std::uint64_t> reasons;
};

Summary summary(const std::string& out) {
    static const std::regex recon(
        R"(rows_in = assigned \+ outside \+ rejected: ([\d,]+) = ([\d,]+) \+ ([\d,]+) \+ ([\d,]+))");
    std::smatch m;
    INFO(out);
    REQUIRE(std::regex_search(out, m, recon));
    Summary s{num(m[1]), num(m[2]), num(m[3]), num(m[4]), {}};
    CHECK(s.rows_in == s.assigned + s.outside + s.rejected);
    static const std::regex rej(R"(rejected +[\d,]+ \(([^)]*)\))");
    if (std::regex_search(out, m, rej)) {
        static const std::regex item(R"((\w+) ([\d,]+))");
        const std::string list = m[1];
        for (std::sregex_iterator it(list.begin(), list.end(), item), end; it != end; ++it)
            s.reasons[(*it)[1]] = num((*it)[2]);
    }
    return s;
}

/// `hotspot geocode` of one incident file against a small two-area layer.
test::CliResult geocode(const std::string& incidents, const fs::path& out, const std::string& extra = "",
                        const std::string& areas = corpus("areas_two.geojson")) {
    return test::run_cli("geocode --incidents " + test::quoted(incidents) + " --areas " +
                         test::quoted("a=" + areas) + " --out " + test::quoted(out) + " " + extra);
}

test::CliResult kde(const std::string& incidents, const fs::path& out, const std::string& extra = "") {
    return test::run_cli("kde --incidents " + test::quoted(incidents) +
                         " --bandwidth 200 --cell 50 --out " + test::quoted(out) + " " + extra);
}

bool contains(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

} // namespace

TEST_CASE("bad input: an empty file and a header-only file", "[bad-input]") {
    const auto dir = test::fresh_dir("bad-input-empty");
    for (const char* cmd : {"geocode", "kde"}) {
        INFO(cmd);
        const bool g = std::string(cmd) == "geocode";
        const auto out = dir / (g ? "e.gpkg" : "ek.tif");
        const auto e = g ? geocode(corpus("empty.csv"), out) : kde(corpus("empty.csv"), out);
        INFO(e.err);
        CHECK(e.exit_code == 3);
        CHECK(contains(e.err, "empty.csv:1: "));
        CHECK(contains(e.err, "the file is empty; a header line is expected"));
        CHECK_FALSE(fs::exists(out));
    }
    // A header and no rows: geocode writes empty layers (0 = 0 + 0 + 0), kde has nothing to map.
    const auto h = geocode(corpus("header_only.csv"), dir / "h.gpkg");
    INFO(h.err);
    REQUIRE(h.exit_code == 0);
    CHECK(summary(h.out).rows_in == 0);
    CHECK(read_layer(dir / "h.gpkg", "incidents").empty());
    const auto k = kde(corpus("header_only.csv"), dir / "hk.tif");  // own stem: own manifest
    CHECK(k.exit_code == 3);
    CHECK(contains(k.err, "header_only.csv: "));
    CHECK(contains(k.err, "no incident has a usable location"));
    CHECK_FALSE(fs::exists(dir / "hk.tif"));
}

TEST_CASE("bad input: delimiters are sniffed from the header", "[bad-input]") {
    const auto dir = test::fresh_dir("bad-input-delim");
    SECTION("semicolons") {
        const auto r = geocode(corpus("semicolon.csv"), dir / "s.gpkg");
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        const auto s = summary(r.out);
        CHECK(s.rows_in == 2);
        CHECK(s.assigned == 2);
        // the comma inside a semicolon-delimited field stays in the field
        CHECK(row_where(read_layer(dir / "s.gpkg", "incidents"), "incident_id", "S-1").at("mo_text") ==
              "Rear door forced, keys taken");
    }
    SECTION("commas, with semicolons in the rows' text") {
        const auto r = geocode(corpus("comma_semicolon_text.csv"), dir / "c.gpkg");
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        CHECK(summary(r.out).assigned == 2);
        CHECK(row_where(read_layer(dir / "c.gpkg", "incidents"), "incident_id", "C-1").at("mo_text") ==
              "Rear door forced; keys taken; car driven away");
    }
    SECTION("semicolons with decimal commas: the row is rejected, not misread") {
        const auto r = geocode(corpus("semicolon_decimal_comma.csv"), dir / "d.gpkg");
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        const auto s = summary(r.out);
        CHECK(s.rows_in == 2);
        CHECK(s.reasons == std::map<std::string, std::uint64_t>{{"unparsable_coordinate", 1}});
        const auto rej = read_layer(dir / "d.gpkg", "rejects");
        REQUIRE(rej.size() == 1);
        CHECK(rej[0].at("incident_id") == "D-1");
        CHECK(rej[0].at("source_line") == "2");
        CHECK(contains(rej[0].at("reject_detail"), "421269,5 304278,25"));
    }
}

TEST_CASE("bad input: a truncated last line is rejected with its line", "[bad-input]") {
    const auto dir = test::fresh_dir("bad-input-truncated");
    const auto r = geocode(corpus("truncated_last_line.csv"), dir / "t.gpkg");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto s = summary(r.out);
    CHECK(s.rows_in == 3);
    CHECK(s.reasons == std::map<std::string, std::uint64_t>{{"wrong_field_count", 1}});
    const auto rej = read_layer(dir / "t.gpkg", "rejects");
    REQUIRE(rej.size() == 1);
    CHECK(rej[0].at("incident_id") == "T-3");
    CHECK(rej[0].at("source_line") == "4");
    CHECK(rej[0].at("source_file") == "truncated_last_line.csv");
    CHECK(contains(rej[0].at("reject_detail"), "3 fields, header has 6"));
}

TEST_CASE("bad input: an unbalanced quote stops the run at its line", "[bad-input]") {
    const auto dir = test::fresh_dir("bad-input-quote");
    for (const char* cmd : {"geocode", "kde"}) {
        INFO(cmd);
        const bool g = std::string(cmd) == "geocode";
        const auto out = dir / (g ? "q.gpkg" : "qk.tif");
        const auto r = g ? geocode(corpus("unbalanced_quote.csv"), out) : kde(corpus("unbalanced_quote.csv"), out);
        INFO(r.err);
        CHECK(r.exit_code == 3);
        CHECK(contains(r.err, "error: csv: "));
        CHECK(contains(r.err, "unbalanced_quote.csv:3: field 'field 6': a quoted field is never closed"));
        CHECK(contains(r.err, "check the quoting"));
        CHECK_FALSE(fs::exists(out));
        CHECK_FALSE(fs::exists(fs::path(out).replace_extension(".manifest.json")));
    }
}

TEST_CASE("bad input: a UTF-8 byte-order mark and CRLF line ends", "[bad-input]") {
    const auto dir = test::fresh_dir("bad-input-bom");
    const auto r = geocode(corpus("bom_crlf.csv"), dir / "b.gpkg");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    // The id column is found under its name (no BOM glued to it): the repeated id is rejected.
    const auto s = summary(r.out);
    CHECK(s.rows_in == 2);
    CHECK(s.reasons == std::map<std::string, std::uint64_t>{{"duplicate_id", 1}});
    const auto inc = read_layer(dir / "b.gpkg", "incidents");
    REQUIRE(inc.size() == 1);
    CHECK(inc[0].count("incident_id") == 1);
    CHECK(inc[0].at("mo_text") == "Rear door forced");  // no trailing \r
}

TEST_CASE("bad input: Windows-1252/Latin-1 text is converted to UTF-8 with a warning", "[bad-input]") {
    const auto dir = test::fresh_dir("bad-input-latin1");
    const auto r = geocode(corpus("latin1.csv"), dir / "l.gpkg");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(summary(r.out).assigned == 3);
    CHECK(contains(r.err, "read: 2 rows have text that is not UTF-8 (first: "));
    CHECK(contains(r.err, "latin1.csv:2 field 'mo_text'"));
    CHECK(contains(r.err, "Windows-1252"));
    const auto inc = read_layer(dir / "l.gpkg", "incidents");
    CHECK(row_where(inc, "incident_id", "L-1").at("mo_text") == "Caf\u00e9 window smashed, \u00a350 taken");
    CHECK(row_where(inc, "incident_id", "L-2").at("mo_text") == "Plain ASCII");
    CHECK(row_where(inc, "incident_id", "L-3").at("mo_text") == "Victim\u2019s phone taken");
    // kde reads the same file and warns the same way
    const auto k = kde(corpus("latin1.csv"), dir / "lk.tif");
    CHECK(k.exit_code == 0);
    CHECK(contains(k.err, "not UTF-8"));
}

TEST_CASE("bad input: a 1 MB MO text field is kept whole", "[bad-input]") {
    const auto dir = test::fresh_dir("bad-input-long");
    const std::string mo(1'000'000, 'x');
    test::write_file(dir / "long.csv", "incident_id,category,date,easting,northing,mo_text\n"
                                       "X-1,Burglary,2025-01-01,421269,304278," + mo + "\n"
                                       "X-2,Drugs,2025-01-02,421000,304500,\"" + mo + "\"\n");
    const auto r = geocode((dir / "long.csv").string(), dir / "x.gpkg");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(summary(r.out).assigned == 2);
    const auto inc = read_layer(dir / "x.gpkg", "incidents");
    REQUIRE(inc.size() == 2);
    for (const auto& row : inc) CHECK(row.at("mo_text") == mo);
    CHECK(kde((dir / "long.csv").string(), dir / "xk.tif").exit_code == 0);
}

TEST_CASE("bad input: NaN, inf, blank, text and (0,0) coordinates are rejected by reason", "[bad-input]") {
    const auto dir = test::fresh_dir("bad-input-coords");
    const auto r = geocode(corpus("bad_coordinates.csv"), dir / "k.gpkg");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto s = summary(r.out);
    CHECK(s.rows_in == 9);
    CHECK(s.assigned == 1);
    CHECK(s.reasons == std::map<std::string, std::uint64_t>{{"missing_coordinate", 2},
                                                            {"non_finite_coordinate", 3},
                                                            {"unparsable_coordinate", 2},
                                                            {"zero_zero", 1}});
    const auto rej = read_layer(dir / "k.gpkg", "rejects");
    CHECK(row_where(rej, "incident_id", "K-1").at("reject_reason") == "non_finite_coordinate");
    CHECK(row_where(rej, "incident_id", "K-7").at("reject_reason") == "unparsable_coordinate");
    CHECK(contains(row_where(rej, "incident_id", "K-7").at("reject_detail"), "30427B"));
    CHECK(row_where(rej, "incident_id", "K-7").at("source_line") == "8");
    // kde maps the one good row
    const auto k = kde(corpus("bad_coordinates.csv"), dir / "kk.tif");
    INFO(k.err);
    CHECK(k.exit_code == 0);
    CHECK(contains(k.out, "kde: 1 incidents"));
}

TEST_CASE("bad input: coordinates in another CRS or order than declared", "[bad-input]") {
    const auto dir = test::fresh_dir("bad-input-crs");
    SECTION("latitude and longitude exchanged") {
        // One square area over England, so the kept row is inside (none inside is exit 3).
        test::write_file(dir / "england.geojson",
                         R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}},"features":[)"
                         R"({"type":"Feature","properties":{"code":"E","name":"England"},"geometry":{"type":"Polygon","coordinates":)"
                         R"([[[100000,0],[700000,0],[700000,700000],[100000,700000],[100000,0]]]}}]})");
        const auto r = geocode(corpus("swapped_lat_lon.csv"), dir / "w.gpkg", "", (dir / "england.geojson").string());
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        const auto s = summary(r.out);
        CHECK(s.rows_in == 2);
        CHECK(s.reasons == std::map<std::string, std::uint64_t>{{"swapped_lat_lon", 1}});
        CHECK(row_where(read_layer(dir / "w.gpkg", "rejects"), "incident_id", "W-1").at("source_line") == "2");
    }
    SECTION("eastings/northings in columns named longitude/latitude") {
        const auto r = geocode(corpus("metres_as_lon_lat.csv"), dir / "m.gpkg");
        INFO(r.err);
        // Every row rejected: exit 3, the reasons counted and the first row named.
        REQUIRE(r.exit_code == 3);
        CHECK(contains(r.err, "all 2 rows were rejected (outside_crs_area 2)"));
        CHECK(contains(r.err, "metres_as_lon_lat.csv:2"));
        const auto k = kde(corpus("metres_as_lon_lat.csv"), dir / "m.tif");
        CHECK(k.exit_code == 3);
        CHECK(contains(k.err, "metres_as_lon_lat.csv: "));
        CHECK(contains(k.err, "check --crs and the coordinate columns"));
    }
    SECTION("degrees declared EPSG:27700") {
        const auto r = geocode(corpus("degrees_as_metres.csv"), dir / "d.gpkg", "--crs EPSG:27700");
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        const auto s = summary(r.out);
        CHECK(s.reasons == std::map<std::string, std::uint64_t>{{"looks_like_lon_lat", 1}});
        CHECK(s.assigned == 1);
    }
    SECTION("British National Grid declared EPSG:4326") {
        const auto r = geocode(corpus("good.csv"), dir / "g.gpkg", "--crs EPSG:4326");
        INFO(r.err);
        REQUIRE(r.exit_code == 3);
        CHECK(contains(r.err, "all 4 rows were rejected (outside_crs_area 4)"));
    }
}

TEST_CASE("bad input: duplicate ids, the first row is kept", "[bad-input]") {
    const auto dir = test::fresh_dir("bad-input-dup");
    const auto r = geocode(corpus("duplicate_ids.csv"), dir / "u.gpkg");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto s = summary(r.out);
    CHECK(s.rows_in == 4);
    CHECK(s.reasons == std::map<std::string, std::uint64_t>{{"duplicate_id", 2}});
    const auto inc = read_layer(dir / "u.gpkg", "incidents");
    CHECK(row_where(inc, "incident_id", "U-1").at("mo_text") == "first");
    const auto rej = read_layer(dir / "u.gpkg", "rejects");
    CHECK(row_where(rej, "source_line", "4").at("mo_text") == "repeat of U-1");
    CHECK(row_where(rej, "source_line", "5").at("reject_reason") == "duplicate_id");
}

TEST_CASE("bad input: dates in mixed formats are counted in one warning", "[bad-input]") {
    const auto dir = test::fresh_dir("bad-input-dates");
    const auto r = geocode(corpus("mixed_dates.csv"), dir / "a.gpkg");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(summary(r.out).assigned == 6);  // an unreadable date does not reject the row
    CHECK(contains(r.err, "read: 2 dates could not be read and are left unknown (first: "));
    CHECK(contains(r.err, "mixed_dates.csv:5 '3 Jan 2025'"));
    CHECK(contains(r.err, "use YYYY-MM-DD or DD/MM/YYYY"));
}

TEST_CASE("bad input: area layers with invalid, overlapping, empty polygons, duplicate codes, no CRS",
          "[bad-input]") {
    const auto dir = test::fresh_dir("bad-input-areas");
    const std::string good = corpus("good.csv");
    SECTION("a bow-tie polygon is repaired into its two triangles") {
        // good.csv plus one incident inside the eastern triangle (none inside would be exit 3).
        test::write_file(dir / "bowtie_in.csv", test::read_file(good) + "G-9,Burglary,2025-01-09,421800,304750,Inside\n");
        const auto r = geocode((dir / "bowtie_in.csv").string(), dir / "b.gpkg", "", corpus("areas_bowtie.geojson"));
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        CHECK(summary(r.out).assigned == 1);
        CHECK(contains(r.err, "areas_bowtie.geojson: area BT-1 (Bow tie, feature 0) is not a valid polygon"));
        CHECK(contains(r.err, "repaired with GEOS MakeValid"));
        summary(r.out);
        const auto counts = read_layer(dir / "b.gpkg", "a_counts");
        REQUIRE(counts.size() == 1);
        CHECK(counts[0].at("#parts") == "2");
        CHECK(std::stod(counts[0].at("#area")) == Approx(2 * 0.5 * 1500.0 * 1000.0).epsilon(1e-9));
    }
    SECTION("overlapping polygons: the first area wins, the overlap is counted") {
        const auto r = geocode(good, dir / "o.gpkg", "", corpus("areas_overlap.geojson"));
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        CHECK(contains(r.err, "geocode: 2 incidents lie where areas of 'a' overlap"));
        CHECK(summary(r.out).assigned == 4);
        CHECK(row_where(read_layer(dir / "o.gpkg", "incidents"), "incident_id", "G-4").at("a_code") == "O-W");
    }
    SECTION("empty polygons and null geometries are kept as areas without ground, with a warning") {
        const auto r = geocode(good, dir / "n.gpkg", "", corpus("areas_empty_polygon.geojson"));
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        CHECK(contains(r.err, "area N-2 (Empty polygon) has no geometry"));
        CHECK(contains(r.err, "area N-3 (No geometry) has no geometry"));
        const auto s = summary(r.out);
        CHECK(s.assigned == 4);
        const auto counts = read_layer(dir / "n.gpkg", "a_counts");
        CHECK(row_where(counts, "code", "N-1").at("incidents") == "4");
        CHECK(row_where(counts, "code", "N-2").at("incidents") == "0");
    }
    SECTION("a layer of empty polygons only: geocode and kde refuse it") {
        const auto r = geocode(good, dir / "z.gpkg", "", corpus("areas_only_empty.geojson"));
        INFO(r.err);
        REQUIRE(r.exit_code == 3);
        CHECK(contains(r.err, "none of its 1 areas has a polygon (1 with no geometry)"));
        CHECK_FALSE(fs::exists(dir / "z.gpkg"));
        const auto k =
            kde(good, dir / "z.tif",
                "--areas " + test::quoted("study=" + corpus("areas_only_empty.geojson")));
        INFO(k.err);
        CHECK(k.exit_code == 3);
        CHECK(contains(k.err, "error: areas: " + corpus("areas_only_empty.geojson") + ": none of its 1 areas has a polygon"));
        CHECK_FALSE(fs::exists(dir / "z.tif"));
    }
    SECTION("duplicate codes") {
        const auto r = geocode(good, dir / "d.gpkg", "", corpus("areas_duplicate_codes.geojson"));
        INFO(r.err);
        CHECK(r.exit_code == 3);
        CHECK(contains(r.err, "error: areas: "));
        CHECK(contains(r.err, "areas_duplicate_codes.geojson:1: field 'code': area code 'DUP' appears twice"));
        CHECK(contains(r.err, "dissolve the layer"));
        CHECK_FALSE(fs::exists(dir / "d.gpkg"));
    }
    SECTION("no CRS (a shapefile without .prj)") {
        const auto shp = dir / "nocrs.shp";
        GDALAllRegister();
        GDALDatasetH ds = GDALCreate(GDALGetDriverByName("ESRI Shapefile"), shp.c_str(), 0, 0, 0, GDT_Unknown, nullptr);
        REQUIRE(ds);
        OGRLayerH layer = GDALDatasetCreateLayer(ds, "nocrs", nullptr, wkbPolygon, nullptr);
        OGRFieldDefnH fd = OGR_Fld_Create("code", OFTString);
        OGR_L_CreateField(layer, fd, TRUE);
        OGR_Fld_Destroy(fd);
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
        OGR_F_SetFieldString(f, 0, "NC-1");
        OGRGeometryH g = nullptr;
        char wkt[] = "POLYGON ((420000 304000,422000 304000,422000 305500,420000 305500,420000 304000))";
        char* p = wkt;
        OGR_G_CreateFromWkt(&p, nullptr, &g);
        OGR_F_SetGeometryDirectly(f, g);
        REQUIRE(OGR_L_CreateFeature(layer, f) == OGRERR_NONE);
        OGR_F_Destroy(f);
        GDALClose(ds);
        REQUIRE_FALSE(fs::exists(dir / "nocrs.prj"));
        const auto r = geocode(good, dir / "c.gpkg", "", shp.string());
        INFO(r.err);
        CHECK(r.exit_code == 3);
        CHECK(contains(r.err, "nocrs.shp: the layer has no CRS"));
        CHECK(contains(r.err, "-a_srs"));
        const auto k = kde(good, dir / "c.tif", "--areas " + test::quoted("study=" + shp.string()));
        CHECK(k.exit_code == 3);
        CHECK(contains(k.err, "has no CRS"));
    }
}

TEST_CASE("bad input: bandwidth and cell size zero, negative, not a number or absurd", "[bad-input]") {
    const auto dir = test::fresh_dir("bad-input-kde-options");
    const std::string good = corpus("good.csv");
    const auto out = dir / "k.tif";
    auto run = [&](const std::string& opts) {
        return test::run_cli("kde --incidents " + test::quoted(good) + " --out " +
                             test::quoted(out) + " " + opts);
    };
    struct Case {
        const char* options;
        const char* message;
    };
    for (const Case& c : {Case{"--bandwidth 0", "kde: bandwidth must be > 0 m (got 0)"},
                          Case{"--bandwidth -250", "kde: bandwidth must be > 0 m (got -250)"},
                          Case{"--bandwidth nan", "kde: bandwidth must be > 0 m (got nan)"},
                          Case{"--bandwidth 250m", "kde: --bandwidth '250m' is neither metres nor auto:<method>"},
                          Case{"--bandwidth auto:nonsense", "bandwidth: unknown method 'nonsense'; use a number of metres or auto:scott"},
                          Case{"--bandwidth 250 --cell -5", "kde: cell size must be > 0 m, or 0 for the default (got -5)"},
                          Case{"--bandwidth 250 --cell inf", "cell size must be"},
                          // a radius of 10^9 m grows the grid past any limit
                          Case{"--bandwidth 1e9 --cell 25", "cells (limit"}}) {
        INFO(c.options);
        const auto r = run(c.options);
        INFO(r.err);
        CHECK(r.exit_code == 2);
        CHECK(contains(r.err, c.message));
        CHECK_FALSE(fs::exists(out));
    }
    // --cell 0 means the default cell size
    const auto d = run("--bandwidth 250 --cell 0");
    INFO(d.err);
    CHECK(d.exit_code == 0);
    CHECK(fs::exists(out));
    CHECK(test::run_cli("geocode --incidents " + test::quoted(good) + " --areas " +
                        test::quoted("a=" + corpus("areas_two.geojson")) + " --snap -1 --out " +
                        test::quoted(dir / "g.gpkg"))
              .exit_code == 2);
}

TEST_CASE("bad input: a grid of 10^12 cells is refused before anything is allocated", "[bad-input]") {
    const auto dir = test::fresh_dir("bad-input-huge-grid");
    // Under a 2 GB address-space limit an attempt to allocate the grid would fail with
    // bad_alloc (exit 1); the refusal must come first, as a usage error. AddressSanitizer
    // reserves terabytes of address space for its shadow memory, so a sanitized binary cannot
    // start under that limit: there, ASan's own allocator aborts on so large a request instead.
#if defined(__SANITIZE_ADDRESS__)
    const std::string limit = "";
#else
    const std::string limit = "ulimit -v 2000000; ";
#endif
    const std::string areas =
        "--areas " +
        test::quoted("study=" + (test::source_dir() / "shapes/demo/wards.geojson").string());
    for (const char* extra : {"", "--compat qgis-raw", "--compat arcgis"}) {
        INFO(extra);
        const std::string cmd = "bash -c \"" + limit + "exec '" + std::string(HOTSPOT_CLI) +
                                "' kde --incidents '" + corpus("good.csv") + "' " + areas +
                                " --bandwidth 250 --cell 0.001 " + extra + " --out '" +
                                (dir / "huge.tif").string() + "'\" 2>&1";
        std::FILE* p = popen(cmd.c_str(), "r");
        REQUIRE(p);
        std::string text;
        char buf[4096];
        while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) text.append(buf, n);
        const int status = pclose(p);
        INFO(text);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 2);
        CHECK(contains(text, "cells (limit"));
        CHECK(contains(text, "use a larger cell size"));
        CHECK_FALSE(fs::exists(dir / "huge.tif"));
    }
}

TEST_CASE("bad input: an output folder that cannot be written", "[bad-input]") {
    const auto dir = test::fresh_dir("bad-input-unwritable");
    // Tests run as root in CI, and root ignores permission bits: use paths no one can write.
    for (const std::string& target : std::vector<std::string>{"/dev/null/x", (dir / "no-such-folder" / "x").string()}) {
        INFO(target);
        const auto g = geocode(corpus("good.csv"), target + ".gpkg");
        INFO(g.err);
        CHECK(g.exit_code == 4);
        CHECK(contains(g.err, "error: write: " + target + ".gpkg: "));
        const auto k = kde(corpus("good.csv"), target + ".tif");
        INFO(k.err);
        CHECK(k.exit_code == 4);
        CHECK(contains(k.err, target + ".tif"));
    }
    CHECK_FALSE(fs::exists(dir / "no-such-folder"));
}

TEST_CASE("bad input: an existing output is not replaced without --overwrite", "[bad-input]") {
    const auto dir = test::fresh_dir("bad-input-exists");
    const std::string good = corpus("good.csv");
    REQUIRE(geocode(good, dir / "g.gpkg").exit_code == 0);
    REQUIRE(kde(good, dir / "k.tif").exit_code == 0);
    const auto g_before = sha256_file((dir / "g.gpkg").string());
    const auto k_before = sha256_file((dir / "k.tif").string());
    const auto m_before = sha256_file((dir / "g.manifest.json").string());

    const auto g = geocode(good, dir / "g.gpkg");
    CHECK(g.exit_code == 4);
    CHECK(contains(g.err, "g.gpkg: already exists; use --overwrite to replace it"));
    const auto k = kde(good, dir / "k.tif");
    CHECK(k.exit_code == 4);
    CHECK(contains(k.err, "k.tif"));
    CHECK(contains(k.err, "--overwrite"));
    // only the manifest exists: the GeoPackage is not written either
    const auto m =
        geocode(good, dir / "other.gpkg", "--manifest " + test::quoted(dir / "g.manifest.json"));
    CHECK(m.exit_code == 4);
    CHECK(contains(m.err, "g.manifest.json: already exists"));
    CHECK_FALSE(fs::exists(dir / "other.gpkg"));

    CHECK(sha256_file((dir / "g.gpkg").string()) == g_before);
    CHECK(sha256_file((dir / "k.tif").string()) == k_before);
    CHECK(sha256_file((dir / "g.manifest.json").string()) == m_before);
    CHECK(geocode(good, dir / "g.gpkg", "--overwrite").exit_code == 0);
    CHECK(kde(good, dir / "k.tif", "--overwrite").exit_code == 0);
}
