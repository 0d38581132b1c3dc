#include <catch2/catch.hpp>

#include "hotspot/areas_io.hpp"
#include "hotspot/error.hpp"
#include "hotspot/geocode.hpp"
#include "support.hpp"

using namespace hotspot;

namespace {
std::string fc(const std::string& features) {
    return R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}},"features":[)" +
           features + "]}";
}
std::string sq(const std::string& code, const std::string& name, double x0, double y0, double x1, double y1) {
    auto c = [](double v) { return std::to_string(v); };
    return R"({"type":"Feature","properties":{"WD13CD":")" + code + R"(","WD13NM":")" + name +
           R"("},"geometry":{"type":"Polygon","coordinates":[[[)" + c(x0) + "," + c(y0) + "],[" + c(x1) + "," + c(y0) +
           "],[" + c(x1) + "," + c(y1) + "],[" + c(x0) + "," + c(y1) + "],[" + c(x0) + "," + c(y0) + "]]]}}";
}
} // namespace

TEST_CASE("areas: spec parsing", "[areas]") {
    auto s = AreaSpec::parse("wards=shapes/w.gpkg:WD13CD:WD13NM");
    CHECK(s.name == "wards");
    CHECK(s.path == "shapes/w.gpkg");
    CHECK(s.code_field == "WD13CD");
    CHECK(s.name_field == "WD13NM");
    CHECK(AreaSpec::parse("lsoa=x.geojson").code_field.empty());
    CHECK_THROWS_AS(AreaSpec::parse("x.geojson"), UsageError);
    CHECK_THROWS_AS(AreaSpec::parse("bad name=x.geojson"), UsageError);
}

TEST_CASE("areas: fields detected, invalid polygons repaired with a warning", "[areas]") {
    const auto dir = test::fresh_dir("areas");
    // a bow-tie (self-intersecting) ward plus a square
    test::write_file(dir / "w.geojson",
                     fc(sq("W1", "North", 0, 0, 100, 100) + "," +
                        R"({"type":"Feature","properties":{"WD13CD":"W2","WD13NM":"Bow"},"geometry":{"type":"Polygon","coordinates":[[[200,0],[300,100],[300,0],[200,100],[200,0]]]}})"));
    const auto layer = read_area_layer(AreaSpec::parse("ward=" + (dir / "w.geojson").string()));
    CHECK(layer.code_field == "WD13CD");
    CHECK(layer.name_field == "WD13NM");
    REQUIRE(layer.size() == 2);
    REQUIRE(layer.warnings.size() == 1);
    CHECK(layer.warnings[0].find("W2") != std::string::npos);
    CHECK(layer.warnings[0].find("MakeValid") != std::string::npos);
    // the repaired bow-tie is two triangles: both lobes are inside, the crossing gap is not
    const AreaIndex idx(layer.polygons);
    CHECK(idx.locate(210, 50) == 1);
    CHECK(idx.locate(290, 50) == 1);
    CHECK(idx.locate(250, 90) == -1);
    CHECK(idx.locate(50, 50) == 0);
}

TEST_CASE("areas: duplicate codes, missing fields and no CRS are errors", "[areas]") {
    const auto dir = test::fresh_dir("areas-bad");
    test::write_file(dir / "dup.geojson", fc(sq("W1", "A", 0, 0, 1, 1) + "," + sq("W1", "B", 1, 0, 2, 1)));
    CHECK_THROWS_WITH(read_area_layer(AreaSpec::parse("w=" + (dir / "dup.geojson").string())),
                      Catch::Contains("appears twice"));
    CHECK_THROWS_WITH(read_area_layer(AreaSpec::parse("w=" + (dir / "dup.geojson").string() + ":NOPE")),
                      Catch::Contains("NOPE"));
    test::write_file(dir / "nocrs.csv", "WKT,code\n\"POLYGON((0 0,1 0,1 1,0 0))\",A\n");
    CHECK_THROWS_AS(read_area_layer(AreaSpec::parse("w=" + (dir / "nocrs.csv").string() + ":code")), InputError);
    CHECK_THROWS_AS(read_area_layer(AreaSpec::parse("w=" + (dir / "absent.gpkg").string())), InputError);
}
