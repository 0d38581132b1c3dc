// The bulk-built GeoPackage R-tree of point and polygon layers (engine/src/gpkg_rtree.hpp, issue 20):
// SQLite's own rtreecheck() passes; the index holds exactly the features with a point; its
// entries equal those of the index GDAL builds point by point (HOTSPOT_GPKG_RTREE=gdal); OGR's
// spatial filter (which reads the index) returns the brute-force count in random windows; and
// an edit through GDAL afterwards keeps it consistent (the triggers are there). Sizes around one
// node (51 cells) and a few levels.

#include <catch2/catch.hpp>
#include <cpl_conv.h>
#include <gdal.h>
#include <ogr_api.h>
#include <random>
#include <sqlite3.h>

#include <fstream>
#include <iterator>

#include "hotspot/error.hpp"
#include "hotspot/vector_out.hpp"
#include "gpkg_rtree.hpp"
#include "support.hpp"

using namespace hotspot;

namespace {

struct Pt {
    double x, y;
    bool has;
};

std::vector<Pt> points(int n, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> u(0, 5000);  // whole metres: exact in the index's floats
    std::vector<Pt> p;
    for (int i = 0; i < n; ++i) p.push_back({400000.0 + u(rng), 300000.0 + u(rng), i % 17 != 5});
    if (n > 10) p[3] = p[2];  // a duplicate location
    return p;
}

void write(const std::string& path, const std::vector<Pt>& pts) {
    VectorWriter w(path, "EPSG:27700", true);
    w.begin_layer("incidents", GeomType::point, {{"n", FieldType::integer}});
    for (std::size_t i = 0; i < pts.size(); ++i) {
        w.set_integer(0, std::int64_t(i));
        if (pts[i].has) w.set_point(pts[i].x, pts[i].y);
        w.write_feature();
    }
    w.commit();
}

std::string query(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    std::string out;
    sqlite3_exec(db, sql.c_str(), [](void* o, int n, char** v, char**) {
        for (int i = 0; i < n; ++i) *static_cast<std::string*>(o) += std::string(v[i] ? v[i] : "NULL") + (i + 1 < n ? "|" : "\n");
        return 0;
    }, &out, nullptr);
    sqlite3_close(db);
    return out;
}

} // namespace

TEST_CASE("bulk GeoPackage R-tree: valid, complete, equal to GDAL's, queried right", "[gpkg-rtree]") {
    const auto dir = test::fresh_dir("gpkg_rtree");
    for (const int n : {0, 1, 51, 52, 3000, 20000}) {
        INFO("points " << n);
        const auto pts = points(n, unsigned(n) + 1);
        const std::string bulk = (dir / ("bulk" + std::to_string(n) + ".gpkg")).string();
        const std::string ref = (dir / ("gdal" + std::to_string(n) + ".gpkg")).string();
        write(bulk, pts);
        CPLSetConfigOption("HOTSPOT_GPKG_RTREE", "gdal");
        write(ref, pts);
        CPLSetConfigOption("HOTSPOT_GPKG_RTREE", nullptr);
        std::size_t with = 0;
        for (const auto& p : pts) with += p.has;
        CHECK(query(bulk, "SELECT rtreecheck('rtree_incidents_geom')") == "ok\n");
        CHECK(query(bulk, "SELECT count(*) FROM rtree_incidents_geom") == std::to_string(with) + "\n");
        const std::string entries = "SELECT id, minx, maxx, miny, maxy FROM rtree_incidents_geom ORDER BY id";
        CHECK(query(bulk, entries) == query(ref, entries));
        CHECK(query(bulk, "SELECT table_name, column_name, extension_name FROM gpkg_extensions") ==
              query(ref, "SELECT table_name, column_name, extension_name FROM gpkg_extensions"));
        const std::string trig = "SELECT name FROM sqlite_master WHERE type='trigger' AND name LIKE 'rtree%' ORDER BY name";
        CHECK(query(bulk, trig) == query(ref, trig));
        CHECK(query(bulk, trig).size() > 0);

        // OGR's spatial filter reads the index: counts against brute force in random windows
        GDALDatasetH ds = GDALOpenEx(bulk.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
        REQUIRE(ds);
        OGRLayerH l = GDALDatasetGetLayerByName(ds, "incidents");
        CHECK(OGR_L_TestCapability(l, OLCFastSpatialFilter));  // GDAL sees and uses the index
        std::mt19937 rng(7);
        std::uniform_int_distribution<int> u(-100, 5100), s(0, 1500);
        for (int q = 0; q < 20; ++q) {
            const double x0 = 400000.0 + u(rng), y0 = 300000.0 + u(rng), x1 = x0 + s(rng), y1 = y0 + s(rng);
            GIntBig expect = 0;
            for (const auto& p : pts) expect += p.has && p.x >= x0 && p.x <= x1 && p.y >= y0 && p.y <= y1;
            OGR_L_SetSpatialFilterRect(l, x0, y0, x1, y1);
            CHECK(OGR_L_GetFeatureCount(l, TRUE) == expect);
        }
        GDALClose(ds);
    }
    // An edit through GDAL afterwards goes through the triggers: still a valid, complete index.
    const std::string path = (dir / "bulk3000.gpkg").string();
    GDALDatasetH ds = GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE, nullptr, nullptr, nullptr);
    REQUIRE(ds);
    GDALDatasetReleaseResultSet(ds, GDALDatasetExecuteSQL(ds, "DELETE FROM incidents WHERE fid <= 100", nullptr, nullptr));
    GDALDatasetReleaseResultSet(
        ds, GDALDatasetExecuteSQL(ds, "UPDATE incidents SET geom = (SELECT geom FROM incidents WHERE fid = 200) WHERE fid = 300",
                                  nullptr, nullptr));
    GDALClose(ds);
    CHECK(query(path, "SELECT rtreecheck('rtree_incidents_geom')") == "ok\n");
    CHECK(query(path, "SELECT count(*) FROM rtree_incidents_geom") ==
          query(path, "SELECT count(*) FROM incidents WHERE geom IS NOT NULL"));
    CHECK(query(path, "SELECT minx, miny FROM rtree_incidents_geom WHERE id = 300") ==
          query(path, "SELECT minx, miny FROM rtree_incidents_geom WHERE id = 200"));
}

namespace {

// Rectangles with fractional corners (so the index's float rounding is exercised), some of two
// parts, some empty (not indexed).
std::vector<MultiPolygon> rectangles(int n, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0, 5000), s(0.1, 300);
    std::vector<MultiPolygon> out;
    const auto rect = [](double x, double y, double w, double h) {
        return Polygon{{Ring{{x, y}, {x + w, y}, {x + w, y + h}, {x, y + h}, {x, y}}}};
    };
    for (int i = 0; i < n; ++i) {
        MultiPolygon mp;
        if (i % 13 != 4) mp.push_back(rect(400000.0 + u(rng), 300000.0 + u(rng), s(rng), s(rng)));
        if (i % 7 == 2) mp.push_back(rect(400000.0 + u(rng), 300000.0 + u(rng), s(rng), s(rng)));
        out.push_back(std::move(mp));
    }
    return out;
}

void write_polygons(const std::string& path, const std::vector<MultiPolygon>& polys) {
    VectorWriter w(path, "EPSG:27700", true);
    w.begin_layer("cells", GeomType::multipolygon, {{"n", FieldType::integer}});
    for (std::size_t i = 0; i < polys.size(); ++i) {
        w.set_integer(0, std::int64_t(i));
        w.set_multipolygon(polys[i]);
        w.write_feature();
    }
    w.commit();
}

} // namespace

TEST_CASE("bulk GeoPackage R-tree of polygons: valid, complete, equal to GDAL's, queried right", "[gpkg-rtree]") {
    const auto dir = test::fresh_dir("gpkg_rtree_polygons");
    for (const int n : {0, 1, 60, 5000}) {
        INFO("polygons " << n);
        const auto polys = rectangles(n, unsigned(n) + 3);
        const std::string bulk = (dir / ("bulk" + std::to_string(n) + ".gpkg")).string();
        const std::string ref = (dir / ("gdal" + std::to_string(n) + ".gpkg")).string();
        write_polygons(bulk, polys);
        CPLSetConfigOption("HOTSPOT_GPKG_RTREE", "gdal");
        write_polygons(ref, polys);
        CPLSetConfigOption("HOTSPOT_GPKG_RTREE", nullptr);
        std::size_t with = 0;
        for (const auto& p : polys) with += !p.empty();
        CHECK(query(bulk, "SELECT rtreecheck('rtree_cells_geom')") == "ok\n");
        CHECK(query(bulk, "SELECT count(*) FROM rtree_cells_geom") == std::to_string(with) + "\n");
        const std::string entries = "SELECT id, minx, maxx, miny, maxy FROM rtree_cells_geom ORDER BY id";
        CHECK(query(bulk, entries) == query(ref, entries));
        // The file's contents besides the index are GDAL's either way.
        const std::string rows = "SELECT fid, n, hex(geom) FROM cells ORDER BY fid";
        CHECK(query(bulk, rows) == query(ref, rows));

        GDALDatasetH ds = GDALOpenEx(bulk.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
        REQUIRE(ds);
        GDALDatasetH dr = GDALOpenEx(ref.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
        REQUIRE(dr);
        OGRLayerH l = GDALDatasetGetLayerByName(ds, "cells"), lr = GDALDatasetGetLayerByName(dr, "cells");
        CHECK(OGR_L_TestCapability(l, OLCFastSpatialFilter));
        std::mt19937 rng(11);
        std::uniform_real_distribution<double> u(-100, 5100), s(0, 1500);
        for (int q = 0; q < 20; ++q) {
            const double x0 = 400000.0 + u(rng), y0 = 300000.0 + u(rng), x1 = x0 + s(rng), y1 = y0 + s(rng);
            // GDAL counts a rectangle filter's features from the index: those whose envelope
            // meets the rectangle (a two-part feature may count with neither part inside).
            GIntBig expect = 0;
            for (const auto& mp : polys) {
                const Bounds b = bounds_of(mp);
                expect += !mp.empty() && b.xmin <= x1 && b.xmax >= x0 && b.ymin <= y1 && b.ymax >= y0;
            }
            OGR_L_SetSpatialFilterRect(l, x0, y0, x1, y1);
            OGR_L_SetSpatialFilterRect(lr, x0, y0, x1, y1);
            CHECK(OGR_L_GetFeatureCount(l, TRUE) == expect);
            CHECK(OGR_L_GetFeatureCount(l, TRUE) == OGR_L_GetFeatureCount(lr, TRUE));
        }
        GDALClose(ds);
        GDALClose(dr);
    }
}

TEST_CASE("a recorder replayed into a GeoPackage writes the same file as the calls made directly", "[gpkg-rtree][vector]") {
    // `hotspot run` analyses profiles concurrently into recorders (VectorWriter::recorder) and
    // replays them in profile order: the file must be byte for byte the one direct calls write.
    const auto dir = test::fresh_dir("vector_recorder");
    const auto polys = rectangles(120, 7);
    const auto write = [&](VectorWriter& w) {
        w.begin_layer("points", GeomType::point, {{"name", FieldType::string}, {"n", FieldType::integer}, {"v", FieldType::real}},
                      "a description");
        for (int i = 0; i < 300; ++i) {
            w.set_string(0, "p" + std::to_string(i));
            w.set_integer(1, i * 1000003LL);
            w.set_real(2, i % 7 == 0 ? NAN : i * 0.25);
            w.set_point(400000 + i * 3.5, 300000 - i * 1.25);
            w.write_feature();
        }
        CHECK(w.add_style("points", "<qgis/>", "style"));
        w.begin_layer("areas", GeomType::multipolygon, {{"code", FieldType::string}});
        for (std::size_t i = 0; i < polys.size(); ++i) {
            w.set_string(0, "A" + std::to_string(i));
            w.set_multipolygon(polys[i]);
            w.write_feature();
        }
        w.begin_layer("table", GeomType::none, {{"k", FieldType::integer}});
        w.set_integer(0, 42);
        w.write_feature();
    };
    const std::string direct = (dir / "direct.gpkg").string(), replayed = (dir / "replayed.gpkg").string();
    {
        VectorWriter w(direct, "EPSG:27700", false);
        write(w);
        w.commit();
    }
    {
        VectorWriter w(replayed, "EPSG:27700", false);
        VectorWriter rec = VectorWriter::recorder(w);
        write(rec);
        CHECK_THROWS_AS(rec.commit(), UsageError);
        rec.replay_into(w);
        w.commit();
        CHECK_THROWS_AS(w.replay_into(rec), UsageError);  // only a recorder replays
    }
    const auto bytes = [](const std::string& p) {
        std::ifstream f(p, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(f), {});
    };
    const std::string a = bytes(direct), b = bytes(replayed);
    CHECK(a.size() > 10000);
    CHECK(a == b);
}

// Every layer's index goes in one transaction: when one layer fails (here a layer whose table
// does not exist, so its triggers cannot be made), the error names that layer and no index of
// the call is left in the file, not even the ones written before it.
TEST_CASE("bulk GeoPackage R-trees: one transaction, the failing layer named, nothing half-written", "[gpkg-rtree]") {
    const auto dir = test::fresh_dir("gpkg_rtree_txn");
    const std::string path = (dir / "one.gpkg").string();
    write(path, points(60, 3));
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
        REQUIRE(sqlite3_exec(db, "CREATE TABLE other (fid INTEGER PRIMARY KEY, geom BLOB)", nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(db);
    }
    std::vector<detail::LayerRtree> layers;
    layers.push_back({"other", "geom", {detail::rtree_entry(1, 0, 1, 0, 1), detail::rtree_entry(2, 5, 6, 5, 6)}});
    layers.push_back({"missing", "geom", {detail::rtree_entry(1, 0, 1, 0, 1)}});
    std::string failed;
    try {
        detail::write_gpkg_rtrees(path, std::move(layers));
    } catch (const detail::RtreeWriteError& e) {
        failed = e.table;
    }
    CHECK(failed == "missing");
    CHECK(query(path, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'rtree_other%' OR name LIKE 'rtree_missing%'") == "0\n");
    CHECK(query(path, "SELECT count(*) FROM gpkg_extensions WHERE table_name IN ('other', 'missing')") == "0\n");
    // the layer written before is untouched and still indexed
    CHECK(query(path, "SELECT rtreecheck('rtree_incidents_geom')") == "ok\n");
    // and the same two layers' indexes without the failing one: written and valid
    std::vector<detail::LayerRtree> ok;
    ok.push_back({"other", "geom", {detail::rtree_entry(1, 0, 1, 0, 1), detail::rtree_entry(2, 5, 6, 5, 6)}});
    detail::write_gpkg_rtrees(path, std::move(ok));
    CHECK(query(path, "SELECT rtreecheck('rtree_other_geom')") == "ok\n");
    CHECK(query(path, "SELECT count(*) FROM rtree_other_geom") == "2\n");
}
