// `hotspot hotspots` end to end on the demo town (incidents given a street column here), and
// its equivalence with `hotspot run`: the same hot spot layer, field for field and geometry for
// geometry, for the same inputs and options. Read back with OGR, not the engine.

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "support.hpp"

using namespace hotspot;
namespace fs = std::filesystem;

namespace {

// The demo incidents with a police.uk-style street text: "On or near Street <n>", n from the
// 200 m column of the incident, so each hot spot has a commonest street to name.
fs::path incidents_with_streets(const fs::path& dir) {
    std::ifstream in(test::demo_file("incidents.csv"));
    std::ofstream out(dir / "incidents.csv");
    std::string line;
    std::getline(in, line);
    out << line << ",street\n";
    while (std::getline(in, line)) {
        // easting is the 7th field; fields in double quotes may hold commas
        std::vector<std::string> f(1);
        bool quoted = false;
        for (char c : line) {
            if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) f.emplace_back();
            else f.back() += c;
        }
        REQUIRE(f.size() > 6);
        const double e = f[6].empty() ? 0.0 : std::stod(f[6]);
        out << line << ",On or near Street " << long(e / 200) << "\n";
    }
    return dir / "incidents.csv";
}

std::map<std::string, std::map<std::string, std::string>> by_rank(const test::Layer& layer) {
    std::map<std::string, std::map<std::string, std::string>> out;
    const auto& header = layer.front();
    for (std::size_t r = 1; r < layer.size(); ++r) {
        std::map<std::string, std::string> row;
        for (std::size_t c = 0; c < header.size(); ++c) row[header[c]] = layer[r][c + 1];
        row["geometry"] = layer[r].back();
        out[row.at("rank")] = row;
    }
    return out;
}

const std::string options = " --bandwidth 250 --cell 25 --min-incidents 5 --max-area 250000 --numbered 4";

/// `hotspot hotspots` of `inc` over the demo wards and LSOAs with `options`, into `out`.
std::string hotspots_args(const fs::path& inc, const fs::path& out) {
    return "hotspots --incidents " + test::quoted(inc) + " --crs EPSG:27700 --id incident_id --areas " +
           test::quoted("ward=" + test::demo_file("wards.geojson") + ":ward_code:ward_name") + " --areas " +
           test::quoted("lsoa=" + test::demo_file("lsoas.geojson") + ":lsoa_code:lsoa_name") + options + " --out " +
           test::quoted(out);
}

} // namespace

TEST_CASE("hotspot hotspots: compact, located hot spots on the demo town", "[cli-hotspots]") {
    const auto dir = test::fresh_dir("cli-hotspots");
    const fs::path inc = incidents_with_streets(dir);
    const auto r = test::run_cli(hotspots_args(inc, dir / "hs.gpkg"));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("hot spots cover") != std::string::npos);
    CHECK(fs::exists(dir / "hs_kde.tif"));
    const auto m = nlohmann::json::parse(test::read_file(dir / "hs.manifest.json"));
    CHECK(m["hotspots"]["options"]["threshold"] == "area:1");
    CHECK(m["counts"]["rows_in"] == m["counts"]["kept"].get<int>() + m["counts"]["rejected"].get<int>());
    const auto layers = test::read_all_layers(dir / "hs.gpkg");
    REQUIRE(layers.count("hotspots") == 1);
    const auto rows = by_rank(layers.at("hotspots"));
    REQUIRE(rows.size() >= 2);
    CHECK(m["hotspots"]["count"] == rows.size());
    const std::regex grid_ref("^S[JKP] [0-9]{4} [0-9]{4}$");
    int numbered = 0;
    for (const auto& [rank, row] : rows) {
        INFO("hot spot " << rank);
        CHECK(std::stod(row.at("area_m2")) <= 250000);
        CHECK(std::stoi(row.at("incidents")) >= 5);
        CHECK(std::regex_match(row.at("grid_ref"), grid_ref));
        CHECK(row.at("streets").rfind("Street ", 0) == 0);  // "On or near " removed
        CHECK(row.at("wards").find('%') != std::string::npos);
        CHECK(row.at("lsoas").find("Ashbridge ") != std::string::npos);
        if (!row.at("label").empty()) {
            ++numbered;
            CHECK(row.at("label") == rank);
        }
    }
    CHECK(numbered == std::min<int>(4, int(rows.size())));
    // an unknown street column is a usage error naming the columns
    const auto bad = test::run_cli("hotspots --incidents " + test::quoted(inc) +
                                   " --crs EPSG:27700 --street road --areas " +
                                   test::quoted("ward=" + test::demo_file("wards.geojson")) +
                                   " --bandwidth 250 --out " + test::quoted(dir / "bad.gpkg"));
    CHECK(bad.exit_code == 3);  // a column the file lacks is an input error, as --x or --category
    CHECK(bad.err.find("road") != std::string::npos);
}

TEST_CASE("equivalence: hotspot hotspots and hotspot run give the same hot spot layer", "[cli-hotspots]") {
    const auto dir = test::fresh_dir("cli-hotspots-equivalence");
    const fs::path inc = incidents_with_streets(dir);
    test::write_file(dir / "everything.toml", "name = \"everything\"\ntitle = \"Everything\"\n");
    test::write_file(dir / "run.toml",
                     "title = \"equivalence\"\noutput = \"" + (dir / "run").string() +
                         "\"\nprofile_files = [\"everything.toml\"]\n\n[incidents]\npaths = [\"" +
                         inc.string() +
                         "\"]\ncrs = \"EPSG:27700\"\nid = \"incident_id\"\n\n[[areas]]\nname = "
                         "\"ward\"\npath = \"" +
                         test::demo_file("wards.geojson") +
                         "\"\ncode_field = \"ward_code\"\nname_field = \"ward_name\"\n\n"
                         "[[areas]]\nname = \"lsoa\"\npath = \"" +
                         test::demo_file("lsoas.geojson") +
                         "\"\ncode_field = \"lsoa_code\"\nname_field = "
                         "\"lsoa_name\"\n\n[analysis]\ncell_m = 25\n"
                         "bandwidth = 250\nhotspot_min_incidents = 5\nhotspot_max_area_m2 = "
                         "250000\nhotspot_numbered = 4\n");
    auto r = test::run_cli("run " + test::quoted(dir / "run.toml"));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    r = test::run_cli(hotspots_args(inc, dir / "hs.gpkg"));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto run = test::read_all_layers(dir / "run" / "hotspot_run.gpkg");
    const auto one = test::read_all_layers(dir / "hs.gpkg");
    REQUIRE(run.count("everything_hotspots") == 1);
    CHECK(run.at("everything_hotspots").front() == one.at("hotspots").front());  // same fields, same order
    const auto a = by_rank(run.at("everything_hotspots")), b = by_rank(one.at("hotspots"));
    REQUIRE(a.size() == b.size());
    REQUIRE(!a.empty());
    for (const auto& [rank, row] : a)
        for (const auto& [field, value] : row) {
            INFO("hot spot " << rank << " field " << field);
            CHECK(value == b.at(rank).at(field));
        }
    const auto m = nlohmann::json::parse(test::read_file(dir / "run" / "manifest.json"));
    const auto h = nlohmann::json::parse(test::read_file(dir / "hs.manifest.json"));
    CHECK(m["profiles"][0]["hotspots"]["options"] == h["hotspots"]["options"]);
    CHECK(m["profiles"][0]["hotspots"]["threshold_value"] == h["hotspots"]["threshold_value"]);
}
