// Issue 19, boundary vintages: an area layer mixing 2011 and 2021 LSOA codes is refused by
// `rates` and `run` (exit 3, the codes named); a population table of the other vintage is refused
// without --lookup and carried across with it, totals kept (tests/cases/19-vintages/CASE.md).

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support.hpp"

using namespace hotspot;
namespace fs = std::filesystem;

namespace {

std::string file(const char* c, const char* f) {
    return "'" + (test::source_dir() / "tests" / "cases" / c / f).string() + "'";
}
const std::string incidents = " --incidents " + file("15-mixed-vintages", "incidents.csv") + " --crs EPSG:27700";
bool contains(const std::string& s, const char* what) { return s.find(what) != std::string::npos; }

} // namespace

TEST_CASE("rates and run refuse a layer mixing 2011 and 2021 LSOA codes, naming them", "[cli-vintage]") {
    const auto dir = test::fresh_dir("vintage-mixed");
    const std::string areas = " --areas lsoa=" + file("19-vintages", "lsoa_mixed_codes.geojson") + ":LSOA11CD:LSOA11NM";
    SECTION("rates") {
        const auto r = test::run_cli("rates" + incidents + areas + " --population lsoa=" +
                                     file("19-vintages", "pop_mixed_codes.csv") + " --out '" + (dir / "r.gpkg").string() + "'");
        INFO(r.out << r.err);
        CHECK(r.exit_code == 3);
        CHECK(contains(r.err, "mixes 2011 and 2021 LSOA codes"));
        CHECK(contains(r.err, "E01034001"));
        CHECK(contains(r.err, "E01025001"));
        CHECK(contains(r.err, "lsoa_mixed_codes.geojson"));
        CHECK(contains(r.err, "LSOA11CD"));
        CHECK_FALSE(fs::exists(dir / "r.gpkg"));
    }
    SECTION("run") {
        const auto r = test::run_cli("run" + incidents + areas + " --population lsoa=" +
                                     file("19-vintages", "pop_mixed_codes.csv") + " --profiles all-crime --out '" +
                                     (dir / "run").string() + "'");
        INFO(r.out << r.err);
        CHECK(r.exit_code == 3);
        CHECK(contains(r.err, "mixes 2011 and 2021 LSOA codes"));
        CHECK(contains(r.err, "E01034001"));
        CHECK(contains(r.err, "E01025001"));
        CHECK_FALSE(fs::exists(dir / "run" / "hotspot_run.gpkg"));
    }
}

TEST_CASE("a population table of the other vintage: refused without --lookup, carried with it", "[cli-vintage]") {
    const auto dir = test::fresh_dir("vintage-lookup");
    const std::string common = incidents + " --areas lsoa=" + file("15-mixed-vintages", "lsoa11.geojson") +
                               ":LSOA11CD:LSOA11NM --population lsoa=" + file("15-mixed-vintages", "pop_2021.csv");
    const std::string lookup = " --lookup " + file("19-vintages", "lookup_lsoa11_lsoa21.csv");
    SECTION("rates without the lookup") {
        const auto r = test::run_cli("rates" + common + " --out '" + (dir / "a.gpkg").string() + "'");
        INFO(r.out << r.err);
        CHECK(r.exit_code == 3);
        CHECK(contains(r.err, "pop_2021.csv"));
        CHECK(contains(r.err, "holds 2021 LSOA codes"));
        CHECK(contains(r.err, "--lookup"));
        CHECK_FALSE(fs::exists(dir / "a.gpkg"));
    }
    SECTION("rates with the lookup: populations and counts carried, totals kept") {
        const auto r = test::run_cli("rates" + common + lookup + " --out '" + (dir / "b.gpkg").string() + "'");
        INFO(r.out << r.err);
        REQUIRE(r.exit_code == 0);
        CHECK(contains(r.err, "carried to the 2011 LSOAs"));
        const auto m = nlohmann::json::parse(test::read_file(dir / "b.manifest.json"));
        const auto& v = m["layers"][0]["vintage"];
        INFO(v.dump(1));
        CHECK(v["layer_vintage"] == "2011");
        CHECK(v["population_vintage"] == "2021");
        CHECK(v["population_total"]["before"].get<double>() == 6650.0);
        CHECK(v["population_total"]["after"].get<double>() == 6650.0);
        CHECK(contains(v["method"].get<std::string>(), "best-fit"));
        const auto& c = v["counts_carried"];
        CHECK(c["to"] == "2021");
        CHECK(c["total_before"].get<double>() == 100.0);  // every incident of the case lies in a 2011 LSOA
        CHECK(c["total_after"].get<double>() == c["total_before"].get<double>());
        // E01090004 split in two: each part gets half of its count, and the old code is gone.
        const double half = c["by_code"]["E01095001"].get<double>();
        CHECK(half > 0);
        CHECK(c["by_code"]["E01095002"].get<double>() == half);
        CHECK_FALSE(c["by_code"].contains("E01090004"));
        // The population of E01090004 in the output layer is 900 + 950.
        bool seen = false;
        test::for_each_feature(dir / "b.gpkg", "lsoa_rates", [&](OGRFeatureH f, const test::FieldIndex& fi) {
            if (std::string(OGR_F_GetFieldAsString(f, fi("code"))) != "E01090004") return;
            seen = true;
            CHECK(OGR_F_GetFieldAsDouble(f, fi("population")) == 1850.0);
        });
        CHECK(seen);
    }
    SECTION("run: refused without, accepted with") {
        const auto a = test::run_cli("run" + common + " --profiles all-crime --out '" + (dir / "run_a").string() + "'");
        INFO(a.out << a.err);
        CHECK(a.exit_code == 3);
        CHECK(contains(a.err, "--lookup"));
        const auto b = test::run_cli("run" + common + lookup + " --profiles all-crime --out '" + (dir / "run_b").string() + "'");
        INFO(b.out << b.err);
        CHECK(b.exit_code == 0);
        CHECK(contains(b.err, "carried to the 2011 LSOAs"));
        // The run's manifest says it per area level, as the rates manifest does.
        const auto m = nlohmann::json::parse(test::read_file(dir / "run_b" / "manifest.json"));
        const auto& lv = m["run"]["area_levels"][0];
        INFO(lv.dump(1));
        CHECK(lv["code_field"] == "LSOA11CD");
        CHECK(lv["vintage"]["layer_vintage"] == "2011");
        CHECK(lv["vintage"]["population_vintage"] == "2021");
        CHECK(lv["vintage"]["population_carried"] == true);
        CHECK(lv["vintage"]["population_total"]["before"].get<double>() == 6650.0);
        CHECK(lv["vintage"]["population_total"]["after"].get<double>() == 6650.0);
        CHECK(contains(lv["vintage"]["lookup"].get<std::string>(), "lookup_lsoa11_lsoa21.csv"));
        CHECK(m["inputs"].dump().find("lookup:lsoa") != std::string::npos);
    }
}

TEST_CASE("--areas-where filters an area layer through OGR (the server runs it for PG: sources)", "[cli-areas-where]") {
    const auto dir = test::fresh_dir("areas-where");
    const std::string common = incidents + " --areas lsoa=" + file("15-mixed-vintages", "lsoa11.geojson") +
                               ":LSOA11CD:LSOA11NM --population lsoa=" + file("15-mixed-vintages", "pop_messy.csv");
    const auto r = test::run_cli("rates" + common + " --areas-where \"lsoa=LSOA11CD <> 'E01090004'\" --out '" +
                                 (dir / "w.gpkg").string() + "'");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    std::vector<std::string> codes;
    test::for_each_feature(dir / "w.gpkg", "lsoa_rates", [&](OGRFeatureH f, const test::FieldIndex& fi) {
        codes.push_back(OGR_F_GetFieldAsString(f, fi("code")));
    });
    CHECK(codes == std::vector<std::string>{"E01090001", "E01090002", "E01090003"});
    const auto m = nlohmann::json::parse(test::read_file(dir / "w.manifest.json"));
    CHECK(m["options"]["areas_where"]["lsoa"] == "LSOA11CD <> 'E01090004'");
    // A filter OGR cannot run, and one naming no area, are refused.
    const auto bad = test::run_cli("rates" + common + " --areas-where \"lsoa=nosuchfield = 1\" --out '" +
                                   (dir / "x.gpkg").string() + "'");
    CHECK(bad.exit_code == 3);
    CHECK(contains(bad.err, "nosuchfield"));
    CHECK(contains(bad.err, "--areas-where lsoa"));  // the option as given, not the incidents' --where
    // The run takes the same filter and records it per area level in its manifest.
    const auto run = test::run_cli("run" + common + " --areas-where \"lsoa=LSOA11CD <> 'E01090004'\" --profiles all-crime"
                                   " --out '" + (dir / "run_w").string() + "'");
    INFO(run.out << run.err);
    REQUIRE(run.exit_code == 0);
    const auto rm = nlohmann::json::parse(test::read_file(dir / "run_w" / "manifest.json"));
    CHECK(rm["run"]["area_levels"][0]["areas_where"] == "LSOA11CD <> 'E01090004'");
    CHECK(rm["run"]["area_levels"][0]["areas"] == 3);
    const auto none = test::run_cli("rates" + common + " --areas-where \"ward=x = 1\" --out '" + (dir / "y.gpkg").string() + "'");
    CHECK(none.exit_code == 2);
    CHECK(contains(none.err, "no --areas named 'ward'"));
}
