// End-to-end: `hotspot demo-data` writes the demo town, and the copy committed under
// shapes/demo is exactly what the generator makes today.

#include <catch2/catch.hpp>

#include <filesystem>

#include "../support.hpp"

namespace fs = std::filesystem;
using namespace hotspot::test;

namespace {
const char* const demo_files[] = {
    "wards.geojson",
    "lsoas.geojson",
    "lsoa_population.csv",
    "ward_population.csv",
    "incidents.csv",
    "ground_truth_incidents.csv",
    "ground_truth_hotspots.csv",
};
}

TEST_CASE("demo-data: the committed shapes/demo is what the generator makes", "[demo][cli]") {
    const fs::path out = fresh_dir("demo-data-committed");
    const auto r = run_cli("demo-data --out '" + out.string() + "'");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.empty());
    const fs::path committed = source_dir() / "shapes" / "demo";
    for (const char* name : demo_files) {
        INFO(name << ": regenerate with `hotspot demo-data --out shapes/demo --overwrite` and "
                     "commit it with the generator change");
        REQUIRE(fs::exists(committed / name));
        CHECK(read_file(out / name) == read_file(committed / name));
    }
    std::uintmax_t total = 0;
    for (const auto& e : fs::directory_iterator(committed))
        if (e.is_regular_file())
            total += e.file_size();
    CHECK(total < 3'000'000);
}

TEST_CASE("demo-data: refuses to replace files without --overwrite", "[demo][cli]") {
    const fs::path out = fresh_dir("demo-data-overwrite");
    REQUIRE(run_cli("demo-data --incidents 500 --out '" + out.string() + "'").exit_code == 0);
    const std::string before = read_file(out / "incidents.csv");
    const auto again = run_cli("demo-data --incidents 600 --out '" + out.string() + "'");
    CHECK(again.exit_code == 4);
    CHECK(again.err.find("demo-data: ") != std::string::npos);
    CHECK(again.err.find("exists; use --overwrite") != std::string::npos);
    CHECK(read_file(out / "incidents.csv") == before);
    const auto forced =
        run_cli("demo-data --incidents 600 --seed 3 --overwrite --out '" + out.string() + "'");
    CHECK(forced.exit_code == 0);
    CHECK(read_file(out / "incidents.csv") != before);
    for (const auto& e : fs::directory_iterator(out))
        CHECK(e.path().extension() != ".tmp");
}

TEST_CASE("demo-data: bad options exit with the usage code", "[demo][cli]") {
    const fs::path out = fresh_dir("demo-data-bad");
    const auto r = run_cli("demo-data --incidents 5 --out '" + out.string() + "'");
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("demo-data: --incidents") != std::string::npos);
    CHECK(run_cli("demo-data --help").exit_code == 0);
    CHECK(run_cli("demo-data").exit_code == 2); // --out is required
}
