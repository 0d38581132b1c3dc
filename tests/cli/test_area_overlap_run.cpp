// Issue 19: an area layer whose polygons overlap beyond slivers (2011 LSOAs beside the 2021 LSOAs
// that replaced one of them, case 15) is refused by every command that computes rates: `rates`
// (test_cases_inputs.cpp), `run` and `change` (here), naming the codes, writing nothing.

#include <fstream>

#include <catch2/catch.hpp>

#include "support.hpp"

using namespace hotspot;
namespace fs = std::filesystem;

TEST_CASE("run refuses an area layer mixing overlapping 2011 and 2021 LSOAs, naming the codes", "[cli-overlap]") {
    const auto dir = test::fresh_dir("overlap-run");
    const auto c = [](const char* f) {
        return "'" + (test::source_dir() / "tests" / "cases" / "15-mixed-vintages" / f).string() + "'";
    };
    const auto r = test::run_cli("run --incidents " + c("incidents.csv") + " --crs EPSG:27700 --areas lsoa=" +
                                 c("lsoa_mixed_vintage.geojson") + ":LSOA11CD:LSOA11NM --population lsoa=" +
                                 c("pop_mixed.csv") + " --profiles all-crime --out '" + (dir / "run").string() + "'");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("overlap") != std::string::npos);
    CHECK(r.err.find("E01095001") != std::string::npos);
    CHECK(r.err.find("E01095002") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "run" / "hotspot_run.gpkg"));
}

TEST_CASE("change refuses the same layer when it computes rates per resident", "[cli-overlap]") {
    const auto dir = test::fresh_dir("overlap-change");
    const auto c = [](const char* f) { return (test::source_dir() / "tests" / "cases" / "15-mixed-vintages" / f).string(); };
    // The case's incidents with a month each (change needs dates): two half-years.
    std::ifstream in(c("incidents.csv"));
    std::ofstream out(dir / "incidents.csv");
    std::string line;
    std::getline(in, line);
    out << line << ",month\n";
    for (int i = 0; std::getline(in, line); ++i) out << line << (i % 2 ? ",2025-02\n" : ",2025-08\n");
    out.close();
    const std::string common = "change --incidents '" + (dir / "incidents.csv").string() +
                               "' --crs EPSG:27700 --date month --period-from 2025-07 --period-to 2025-12 --compare-from 2025-01"
                               " --compare-to 2025-06 --areas 'lsoa=" + c("lsoa_mixed_vintage.geojson") +
                               ":LSOA11CD:LSOA11NM'";
    const auto r = test::run_cli(common + " --population 'lsoa=" + c("pop_mixed.csv") + "' --out '" +
                                 (dir / "a.gpkg").string() + "'");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("overlap") != std::string::npos);
    CHECK(r.err.find("E01095001") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "a.gpkg"));
    // Without a population there are no rates per resident: counts only, accepted.
    const auto counts = test::run_cli(common + " --out '" + (dir / "b.gpkg").string() + "'");
    INFO(counts.out << counts.err);
    CHECK(counts.exit_code == 0);
}
