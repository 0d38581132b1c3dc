// Direction of travel in `hotspot run` (issue 17): the run's change layers equal `hotspot
// change`'s for the same incidents, areas, population and periods, field for field (one step,
// two frames); the run's manifest carries the change and hours nodes; the numbered hot spots'
// counts equal a direct count of the incidents in their cells; the report draws the section.
// Everything is read back with OGR and the JSON parser, not the engine.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <sstream>

#include "support.hpp"

using namespace hotspot;
namespace fs = std::filesystem;

namespace {

fs::path write_config(const fs::path& dir, const std::string& period) {
    test::write_file(dir / "everything.toml", "name = \"everything\"\ntitle = \"Everything\"\n");
    const fs::path cfg = dir / "run.toml";
    test::write_file(cfg, "title = \"change\"\noutput = \"" + (dir / "run").string() + "\"\n" +
                              period +
                              "profile_files = [\"everything.toml\"]\n\n[incidents]\npaths = [\"" +
                              test::demo_file("incidents.csv") +
                              "\"]\ncrs = \"EPSG:27700\"\nid = \"incident_id\"\n\n[[areas]]\n"
                              "name = \"ward\"\npath = \"" +
                              test::demo_file("wards.geojson") +
                              "\"\ncode_field = \"ward_code\"\nname_field = \"ward_name\"\n"
                              "population = \"" +
                              test::demo_file("ward_population.csv") + "\"\n");
    return cfg;
}

} // namespace

TEST_CASE("change in run: the run's direction of travel equals hotspot change's, field for field", "[change-run]") {
    const auto dir = test::fresh_dir("change-run");
    // The run's period with an explicit comparison period.
    const fs::path cfg = write_config(dir, "period = { from = \"2025-07\", to = \"2025-12\" }\n"
                                           "comparison = { from = \"2025-01\", to = \"2025-06\" }\n");
    auto r = test::run_cli("run " + test::quoted(cfg));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("direction of travel: Everything") != std::string::npos);
    r = test::run_cli(
        "change --incidents " + test::quoted(test::demo_file("incidents.csv")) +
        " --crs EPSG:27700 --id incident_id --areas " +
        test::quoted("ward=" + test::demo_file("wards.geojson") + ":ward_code:ward_name") +
        " --population " + test::quoted("ward=" + test::demo_file("ward_population.csv")) +
        " --period-from 2025-07 --period-to 2025-12" +
        " --compare-from 2025-01 --compare-to 2025-06 --out " + test::quoted(dir / "change.gpkg"));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto run = test::read_all_layers(dir / "run" / "hotspot_run.gpkg");
    const auto one = test::read_all_layers(dir / "change.gpkg");
    REQUIRE(run.count("everything_ward_change") == 1);
    REQUIRE(run.count("everything_change") == 1);
    const auto& a = run.at("everything_ward_change");
    const auto& b = one.at("ward_change");
    REQUIRE(a.size() == b.size());
    REQUIRE(a.size() > 2);
    CHECK(a == b);  // same schema, same rows, same geometry
    // The study area row: the same test (the label differs: the profile's title vs "All incidents").
    const auto& s1 = run.at("everything_change");
    const auto& s2 = one.at("study_area_change");
    REQUIRE(s1.size() == 2);
    REQUIRE(s2.size() == 2);
    for (std::size_t c = 2; c < s1[0].size(); ++c) {  // from period_count on (code, name differ)
        INFO(s1[0][c]);
        CHECK(s1[1][c + 1] == s2[1][c + 1]);
    }
    // Counts equal the run's own selections of each period (select() with the period's dates,
    // not the step's month binning), read from the manifest.
    const auto m = nlohmann::json::parse(test::read_file(dir / "run" / "manifest.json"));
    const auto& prof = m["profiles"][0];
    const std::int64_t later = prof["selected"].get<std::int64_t>(), earlier = prof["selected_comparison"].get<std::int64_t>();
    REQUIRE(later > 1000);
    const auto col = [&](const test::Layer& l, const char* name) {
        for (std::size_t c = 0; c < l[0].size(); ++c)
            if (l[0][c] == name) return l[1][c + 1];
        return std::string("absent");
    };
    CHECK(col(s1, "period_count") == std::to_string(later));
    CHECK(col(s1, "comparison_count") == std::to_string(earlier));

    // The manifest: the nodes the report reads.
    const auto& ch = prof["change"];
    CHECK(ch["comparison_source"] == "the run's comparison period");
    CHECK(ch["change"]["period_count"] == later);
    CHECK(ch["change"]["trend"]["monthly"].size() == 12);
    // The demo incidents have times: a 7 x 24 table whose cells sum to the incidents in it.
    const auto& h = prof["hours"]["hours"];
    REQUIRE(h["table"].size() == 7);
    std::uint64_t sum = 0;
    for (const auto& day : h["table"])
        for (const auto& v : day) sum += v.get<std::uint64_t>();
    CHECK(sum == h["in_table"].get<std::uint64_t>());
    CHECK(h["incidents"].get<std::uint64_t>() == h["in_table"].get<std::uint64_t>() + h["unknown_time"].get<std::uint64_t>() +
                                                      h["no_date"].get<std::uint64_t>());
    CHECK(h["incidents"].get<std::uint64_t>() == std::uint64_t(later));
    // The numbered hot spots: one row each in the hot spots' change table, none above the period's total.
    bool spots = false;
    for (const auto& lv : ch["levels"])
        if (lv["level"] == "hotspot") {
            spots = true;
            std::int64_t in_spots = 0;
            for (const auto& e : lv["each"]) in_spots += e["period_count"].get<std::int64_t>();
            CHECK(in_spots > 0);
            CHECK(in_spots <= later);
        }
    CHECK(spots);
}

TEST_CASE("change in run: without a comparison period the months before the period are used, and said so", "[change-run]") {
    const auto dir = test::fresh_dir("change-run-previous");
    const fs::path cfg = write_config(dir, "period = { from = \"2025-10\", to = \"2025-12\" }\nreport = true\n");
    auto r = test::run_cli("run " + test::quoted(cfg));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto m = nlohmann::json::parse(test::read_file(dir / "run" / "manifest.json"));
    const auto& ch = m["profiles"][0]["change"];
    CHECK(ch["comparison_source"].get<std::string>().find("the 3 months before the period") != std::string::npos);
    CHECK(ch["change"]["comparison"][0] == "2025-07");
    CHECK(ch["change"]["comparison"][1] == "2025-09");
    // The report's profile page has the section, its chart and the heat-clock (the demo has times).
    int reports = 0;
    for (const auto& e : fs::directory_iterator(dir / "run"))
        if (e.path().extension() == ".html") {
            ++reports;
            const std::string html = test::read_file(e.path());
            CHECK(html.find("<h3>Direction of travel</h3>") != std::string::npos);
            CHECK(html.find("class=\"trend-chart\"") != std::string::npos);
            CHECK(html.find("class=\"heat-clock\"") != std::string::npos);
        }
    CHECK(reports == 1);
}
