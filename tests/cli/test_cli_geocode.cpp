// End to end through the CLI: `hotspot geocode` on the shipped demo town, checked against the
// demo's ground truth (the ward and LSOA each incident was generated in), read back with OGR.

#include <catch2/catch.hpp>
#include <gdal.h>
#include <map>
#include <nlohmann/json.hpp>
#include <ogr_api.h>
#include <regex>
#include <set>

#include "hotspot/csv.hpp"
#include "hotspot/sha256.hpp"
#include "support.hpp"

using namespace hotspot;
namespace fs = std::filesystem;

namespace {

std::string demo_args() {
    return "--incidents '" + test::demo_file("incidents.csv") +
           "' --crs EPSG:27700 --areas 'ward=" + test::demo_file("wards.geojson") +
           ":ward_code:ward_name' --areas 'lsoa=" + test::demo_file("lsoas.geojson") +
           ":lsoa_code:lsoa_name'";
}

// Reads a layer into rows of field name -> value.
std::vector<std::map<std::string, std::string>> read_layer(const fs::path& gpkg, const char* layer_name) {
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(gpkg.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
    REQUIRE(ds);
    OGRLayerH layer = GDALDatasetGetLayerByName(ds, layer_name);
    REQUIRE(layer);
    std::vector<std::map<std::string, std::string>> rows;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(layer)) != nullptr) {
        std::map<std::string, std::string> row;
        for (int i = 0; i < OGR_FD_GetFieldCount(defn); ++i)
            row[OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i))] = OGR_F_GetFieldAsString(f, i);
        rows.push_back(std::move(row));
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
    return rows;
}

std::vector<std::vector<std::string>> read_csv(const std::string& path) {
    const std::string text = test::read_file(path);
    CsvReader r(text, path);
    std::vector<std::string_view> f;
    std::vector<std::vector<std::string>> rows;
    while (r.next(f)) rows.emplace_back(f.begin(), f.end());
    return rows;
}

} // namespace

TEST_CASE("geocode CLI: demo town, nothing lost, every incident in its generated ward", "[cli-geocode]") {
    const auto dir = test::fresh_dir("cli-geocode-demo");
    const auto out = dir / "demo.gpkg";
    const auto r = test::run_cli("geocode " + demo_args() + " --out '" + out.string() + "'");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    // The demo town plants 2 incidents outside every area: said on the console, nothing else.
    CHECK(std::regex_replace(r.err, std::regex("warning: [a-z]+: 2 of 10,002 incidents lie outside the areas of '[a-z]+' [^\\n]*\\n"), "").empty());  // no unexpected warnings on clean input

    // ground truth
    const auto truth = read_csv(test::demo_file("ground_truth_incidents.csv"));
    REQUIRE(truth[0] == std::vector<std::string>{"incident_id", "ward_code", "lsoa_code", "hotspot_id", "status"});
    std::map<std::string, std::pair<std::string, std::string>> where;
    std::size_t expected_rejects = 0, expected_outside = 0;
    for (std::size_t i = 1; i < truth.size(); ++i) {
        const auto& s = truth[i][4];
        if (s == "ok") where[truth[i][0]] = {truth[i][1], truth[i][2]};
        else if (s == "outside_areas") ++expected_outside;
        else ++expected_rejects;
    }
    const std::size_t rows_in = truth.size() - 1;

    const auto incidents = read_layer(out, "incidents");
    const auto rejects = read_layer(out, "rejects");
    CHECK(incidents.size() + rejects.size() == rows_in);
    CHECK(rejects.size() == expected_rejects);
    std::size_t checked = 0, outside = 0;
    for (const auto& row : incidents) {
        if (row.at("status") == "outside") {
            ++outside;
            continue;
        }
        const auto it = where.find(row.at("incident_id"));
        REQUIRE(it != where.end());
        if (row.at("ward_code") != it->second.first || row.at("lsoa_code") != it->second.second)
            FAIL("incident " << row.at("incident_id") << " placed in " << row.at("ward_code") << "/"
                             << row.at("lsoa_code") << ", generated in " << it->second.first << "/"
                             << it->second.second);
        ++checked;
    }
    CHECK(checked == where.size());
    CHECK(outside == expected_outside);
    for (const auto& row : rejects) CHECK_FALSE(row.at("reject_reason").empty());

    // area counts add up to the assigned incidents
    for (const char* layer : {"ward_counts", "lsoa_counts"}) {
        std::size_t total = 0;
        for (const auto& row : read_layer(out, layer)) total += std::stoul(row.at("incidents"));
        CHECK(total == checked);
    }
    CHECK(read_layer(out, "ward_counts").size() == 10);

    // the summary states the reconciliation, and the manifest records it and the checksums
    const std::regex recon(R"(rows_in = assigned \+ outside \+ rejected: ([\d,]+) = ([\d,]+) \+ ([\d,]+) \+ ([\d,]+))");
    std::smatch m;
    REQUIRE(std::regex_search(r.out, m, recon));
    auto num = [](std::string s) { s.erase(std::remove(s.begin(), s.end(), ','), s.end()); return std::stoul(s); };
    CHECK(num(m[1]) == rows_in);
    CHECK(num(m[2]) == checked);
    CHECK(num(m[3]) == expected_outside);
    CHECK(num(m[4]) == expected_rejects);
    const auto manifest = nlohmann::json::parse(test::read_file(dir / "demo.manifest.json"));
    CHECK(manifest["counts"]["rows_in"] == rows_in);
    CHECK(manifest["inputs"][0]["sha256"] == sha256_file(test::demo_file("incidents.csv")));
    CHECK(manifest["version"].is_string());
    CHECK_FALSE(manifest["crs"]["operation"].get<std::string>().empty());
    // no temporary files left behind
    for (const auto& e : fs::directory_iterator(dir)) CHECK(e.path().filename().string().find(".partial") == std::string::npos);
}

TEST_CASE("geocode CLI: refuses to overwrite, usage and input errors have their exit codes", "[cli-geocode]") {
    const auto dir = test::fresh_dir("cli-geocode-errors");
    const auto out = dir / "x.gpkg";
    REQUIRE(test::run_cli("geocode " + demo_args() + " --out '" + out.string() + "'").exit_code == 0);
    const auto before = sha256_file(out.string());
    const auto again = test::run_cli("geocode " + demo_args() + " --out '" + out.string() + "'");
    CHECK(again.exit_code == 4);
    CHECK(again.err.find("--overwrite") != std::string::npos);
    CHECK(sha256_file(out.string()) == before);
    CHECK(test::run_cli("geocode " + demo_args() + " --out '" + out.string() + "' --overwrite").exit_code == 0);

    const auto usage = test::run_cli("geocode --incidents '" + test::demo_file("incidents.csv") +
                                     "' --out '" + out.string() + "'");
    CHECK(usage.exit_code == 2);
    const auto other = test::fresh_dir("cli-geocode-errors-2");
    const auto missing = test::run_cli("geocode --incidents '" + (dir / "nope.csv").string() +
                                       "' --areas 'w=" + test::demo_file("wards.geojson") +
                                       "' --out '" + (other / "y.gpkg").string() + "'");
    CHECK(missing.exit_code == 3);
    CHECK(missing.err.find("nope.csv") != std::string::npos);
    CHECK_FALSE(fs::exists(other / "y.gpkg"));
    CHECK_FALSE(fs::exists(other / "y.manifest.json"));
    const auto snap = test::run_cli("geocode " + demo_args() + " --snap -1 --out '" + (dir / "z.gpkg").string() + "'");
    CHECK(snap.exit_code == 2);
    CHECK(snap.err.find("--snap") != std::string::npos);
}

TEST_CASE("every command has a working --help", "[cli-geocode]") {
    const auto top = test::run_cli("--help");
    CHECK(top.exit_code == 0);
    // commands are listed under "Subcommands:" as "  name   description"
    const auto pos = top.out.find("Subcommands:");
    REQUIRE(pos != std::string::npos);
    std::istringstream lines(top.out.substr(pos));
    std::string line;
    std::getline(lines, line);
    int commands = 0;
    while (std::getline(lines, line)) {
        std::istringstream words(line);
        std::string name;
        if (!(words >> name)) continue;
        const auto h = test::run_cli(name + " --help");
        INFO(name);
        CHECK(h.exit_code == 0);
        CHECK(h.out.find("Usage") != std::string::npos);
        ++commands;
    }
    CHECK(commands >= 2);
}

TEST_CASE("geocode and gistar into one folder: each keeps its own <out>.manifest.json", "[cli-geocode]") {
    const auto dir = test::fresh_dir("cli-geocode-gistar-one-folder");
    const auto g = test::run_cli("geocode " + demo_args() + " --out '" + (dir / "g.gpkg").string() + "'");
    INFO(g.err);
    REQUIRE(g.exit_code == 0);
    const auto s =
        test::run_cli("gistar --incidents '" + test::demo_file("incidents.csv") +
                      "' --crs EPSG:27700 --areas 'study=" + test::demo_file("wards.geojson") +
                      "' --cell 100 --out '" + (dir / "cells.gpkg").string() + "'");
    INFO(s.err);
    REQUIRE(s.exit_code == 0);  // before: "manifest.json: already exists", exit 4
    CHECK_FALSE(fs::exists(dir / "manifest.json"));
    const auto mg = nlohmann::json::parse(test::read_file(dir / "g.manifest.json"));
    const auto ms = nlohmann::json::parse(test::read_file(dir / "cells.manifest.json"));
    CHECK(mg["command"] == "geocode");
    CHECK(ms["command"] == "gistar");
    CHECK(g.out.find("g.manifest.json") != std::string::npos);  // the summary names where it went

    // --manifest still chooses the path
    const auto o = test::run_cli("geocode " + demo_args() + " --out '" + (dir / "h.gpkg").string() + "' --manifest '" +
                                 (dir / "chosen.json").string() + "'");
    INFO(o.err);
    REQUIRE(o.exit_code == 0);
    CHECK(nlohmann::json::parse(test::read_file(dir / "chosen.json"))["command"] == "geocode");
    CHECK_FALSE(fs::exists(dir / "h.manifest.json"));
}
