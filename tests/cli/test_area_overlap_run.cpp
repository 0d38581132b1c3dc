// Issue 19: an area layer whose polygons overlap beyond slivers (2011 LSOAs beside the 2021 LSOAs
// that replaced one of them, case 15) is refused by every command that computes rates: `rates`
// (test_cases_inputs.cpp) and `run` (here), naming the codes, writing nothing.

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
