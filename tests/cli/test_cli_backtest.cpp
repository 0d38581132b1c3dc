// `hotspot run` replays each profile's history (backtest.hpp, run/profile_backtest.cpp): on the
// demo town's year copied a year back (24 months), the backtest table is written, the summary
// gives the out-of-sample sentence, and bandwidth = "auto:backtest" draws the map with the best
// density candidate of the table.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support.hpp"

using namespace hotspot;
namespace fs = std::filesystem;

namespace {

// The demo incidents (2025) and the same rows a year earlier (ids prefixed "P").
fs::path two_years(const fs::path& dir) {
    std::istringstream in(test::read_file(test::source_dir() / "shapes" / "demo" / "incidents.csv"));
    std::string line, out, earlier;
    std::getline(in, line);
    out = line + "\n";
    while (std::getline(in, line)) {
        out += line + "\n";
        std::string e = "P" + line;
        const auto at = e.find(",2025-");
        REQUIRE(at != std::string::npos);
        e.replace(at, 6, ",2024-");
        earlier += e + "\n";
    }
    test::write_file(dir / "two_years.csv", out + earlier);
    return dir / "two_years.csv";
}

std::string config(const fs::path& incidents, const std::string& analysis) {
    const fs::path demo = test::source_dir() / "shapes" / "demo";
    return "title = \"t\"\noutput = \"pack\"\nprofiles = [\"drug-possession\"]\n[incidents]\npaths = [\"" +
           incidents.string() + "\"]\ncrs = \"EPSG:27700\"\nid = \"incident_id\"\n[[areas]]\nname = \"ward\"\npath = \"" +
           (demo / "wards.geojson").string() + "\"\ncode_field = \"ward_code\"\nname_field = \"ward_name\"\n" +
           "[period]\nfrom = \"2025-07\"\nto = \"2025-12\"\n[analysis]\ncell_m = 25\n" + analysis;
}

// The bandwidth of the backtest node's best density candidate at 1% of the area.
double best_density_bandwidth(const nlohmann::json& b) {
    double best = -1, best_bw = 0;
    for (const auto& c : b["candidates"]) {
        if (c["candidate"].get<std::string>().rfind("kde ", 0) != 0) continue;
        const double h = c["at_shares"][1]["hit_rate"].get<double>();
        CHECK(c["at_shares"][1]["area_share"].get<double>() == 0.01);
        if (h > best) best = h, best_bw = c["mean_bandwidth_m"].get<double>();
    }
    return best_bw;
}

} // namespace

TEST_CASE("run: backtest table, out-of-sample sentence, and auto:backtest draws the best density candidate", "[cli-backtest]") {
    const auto dir = test::fresh_dir("cli-backtest");
    const fs::path inc = two_years(dir);
    test::write_file(dir / "bt.toml", config(inc, "bandwidth = \"auto:backtest\"\n"));
    const auto r = test::run_cli("run '" + (dir / "bt.toml").string() + "'");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("out of sample: Over the last") != std::string::npos);
    // the default design's words (BacktestOptions: train 12, test 3)
    CHECK(r.out.find(", each from the 12 months before) caught ") != std::string::npos);
    CHECK(r.out.find("% of the next quarter's ") != std::string::npos);
    const auto m = nlohmann::json::parse(test::read_file(dir / "pack" / "manifest.json"));
    const auto& p = m["profiles"][0];
    REQUIRE(p.contains("backtest"));
    const auto& b = p["backtest"];
    // history 2024-01..2025-12: origins 2025-01 .. 2025-10 (train 12, test 3)
    REQUIRE(b["origins"].size() == 10);
    CHECK(b["origins"][0]["test_from"] == "2025-01");
    CHECK(b["origins"][9]["test_to"] == "2025-12");
    // the map's bandwidth: the best density candidate at 1% of the area
    int chosen = 0;
    for (const auto& c : b["candidates"]) chosen += c["chosen"].get<bool>();
    CHECK(chosen == 1);
    CHECK(p["kde"]["bandwidth_m"].get<double>() == Approx(best_density_bandwidth(b)));
    // shown as the backtest measured it (run/backtest_display.hpp): no incident floor, and the
    // classes' lower edges at the densest 0.5/1/2/5% of the area (fewer when shares tie)
    CHECK(p["kde"]["heat_classes"]["min_incidents"] == 1);
    CHECK(p["kde"]["heat_classes"]["classes"].size() <= 4);
    // the table layer: 12 candidates x 4 shares (the profile's 200 m is one of the fixed ones)
    const auto layers = test::read_all_layers(dir / "pack" / "hotspot_run.gpkg");
    REQUIRE(layers.count("drug_possession_backtest") == 1);
    CHECK(layers.at("drug_possession_backtest").size() == 1 + 12 * 4);
    // the same backtest whatever --threads
    const auto one = test::run_cli("run '" + (dir / "bt.toml").string() + "' --threads 1 --out '" + (dir / "one").string() + "'");
    REQUIRE(one.exit_code == 0);
    const auto m1 = nlohmann::json::parse(test::read_file(dir / "one" / "manifest.json"));
    CHECK(m1["profiles"][0]["backtest"] == b);
}

TEST_CASE("run: short history skips the backtest and says so; backtest = false with auto:backtest is refused", "[cli-backtest]") {
    const auto dir = test::fresh_dir("cli-backtest-short");
    const fs::path demo_inc = test::source_dir() / "shapes" / "demo" / "incidents.csv";
    test::write_file(dir / "short.toml", config(demo_inc, "bandwidth = \"auto:backtest\"\n"));
    const auto r = test::run_cli("run '" + (dir / "short.toml").string() + "'");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.find("backtest skipped: 12 months of dated incidents") != std::string::npos);
    CHECK(r.err.find("the profile's own bandwidth") != std::string::npos);
    test::write_file(dir / "off.toml", config(demo_inc, "bandwidth = \"auto:backtest\"\nbacktest = false\n"));
    const auto off = test::run_cli("run '" + (dir / "off.toml").string() + "'");
    CHECK(off.exit_code == 3);
    CHECK(off.err.find("analysis.backtest") != std::string::npos);
}

TEST_CASE("run: with no analysis.bandwidth the backtest's best density setting is the default, with enough history", "[cli-backtest]") {
    const auto dir = test::fresh_dir("cli-backtest-default");
    const fs::path inc = two_years(dir);
    test::write_file(dir / "default.toml", config(inc, ""));
    const auto r = test::run_cli("run '" + (dir / "default.toml").string() + "'");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("the default with 15 months of history or more") != std::string::npos);
    const auto m = nlohmann::json::parse(test::read_file(dir / "pack" / "manifest.json"));
    const auto& b = m["profiles"][0]["backtest"];
    CHECK(b["bandwidth_from"].get<std::string>().rfind("backtest (default", 0) == 0);
    CHECK(m["profiles"][0]["kde"]["bandwidth_m"].get<double>() == Approx(best_density_bandwidth(b)));
    // a bandwidth given in the run keeps it
    test::write_file(dir / "fixed.toml", config(inc, "bandwidth = 300\n"));
    const auto f = test::run_cli("run '" + (dir / "fixed.toml").string() + "' --out '" + (dir / "fixed").string() + "'");
    REQUIRE(f.exit_code == 0);
    const auto mf = nlohmann::json::parse(test::read_file(dir / "fixed" / "manifest.json"));
    CHECK(mf["profiles"][0]["kde"]["bandwidth_m"].get<double>() == 300);
    CHECK(mf["profiles"][0]["backtest"]["bandwidth_from"] == "the run's analysis.bandwidth");
    // short history, nothing asked: the profile's own bandwidth, no warning, the note says why
    const fs::path demo_inc = test::source_dir() / "shapes" / "demo" / "incidents.csv";
    test::write_file(dir / "short.toml", config(demo_inc, ""));
    const auto s = test::run_cli("run '" + (dir / "short.toml").string() + "' --out '" + (dir / "short").string() + "'");
    REQUIRE(s.exit_code == 0);
    CHECK(s.err.find("backtest") == std::string::npos);
    const auto ms = nlohmann::json::parse(test::read_file(dir / "short" / "manifest.json"));
    CHECK(ms["profiles"][0]["backtest"]["note"].get<std::string>().find("12 months") != std::string::npos);
    CHECK(ms["profiles"][0]["kde"]["bandwidth_m"].get<double>() == 200);
}
