// Emerging hot spots in `hotspot run` and `hotspot emerging` (issue 17): one step, two frames.
// The run's <profile>_emerging layer equals the command's cells layer field for field when the
// command is given the options the run's manifest records; the manifest's category counts add
// up to the study cells; the layer carries its style; the report draws the section; a profile
// with fewer than 12 months writes no layer and says why. Read back with OGR and the JSON parser.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "support.hpp"

using namespace hotspot;
namespace fs = std::filesystem;

namespace {

fs::path write_config(const fs::path& dir, const std::string& period) {
    test::write_file(dir / "everything.toml", "name = \"everything\"\ntitle = \"Everything\"\n"
                                              "outputs = [\"kde\", \"hotspot_polygons\", \"emerging\"]\n");
    const fs::path cfg = dir / "run.toml";
    test::write_file(cfg, "title = \"emerging\"\noutput = \"" + (dir / "run").string() + "\"\n" +
                              period +
                              "profile_files = [\"everything.toml\"]\n\n[incidents]\npaths = [\"" +
                              test::demo_file("incidents.csv") +
                              "\"]\ncrs = \"EPSG:27700\"\nid = \"incident_id\"\n\n[[areas]]\n"
                              "name = \"ward\"\npath = \"" +
                              test::demo_file("wards.geojson") +
                              "\"\ncode_field = \"ward_code\"\nname_field = \"ward_name\"\n");
    return cfg;
}

} // namespace

TEST_CASE("emerging in run: the run's layer equals hotspot emerging's, field for field", "[emerging-run]") {
    const auto dir = test::fresh_dir("emerging-run");
    auto r = test::run_cli("run " + test::quoted(write_config(dir, "")));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto m = nlohmann::json::parse(test::read_file(dir / "run" / "manifest.json"));
    const auto& prof = m["profiles"][0];
    REQUIRE(prof.contains("emerging"));
    const auto& node = prof["emerging"];
    REQUIRE_FALSE(node.contains("skipped"));
    CHECK(node["slices"]["n"] == 12);
    CHECK(node["slices"]["from"] == "2025-01");
    CHECK(node["slices"]["to"] == "2025-12");
    // Nothing lost: every study cell has one category and one persistence class.
    std::int64_t cats = 0, pers = 0;
    for (const auto& [k, v] : node["categories"].items()) cats += v.get<std::int64_t>();
    for (const auto& [k, v] : node["persistence"].items()) pers += v.get<std::int64_t>();
    CHECK(cats == node["grid"]["study_cells"].get<std::int64_t>());
    CHECK(pers == cats);
    std::int64_t per_month = 0;
    for (const auto& mo : node["months"]) per_month += mo["incidents"].get<std::int64_t>();
    CHECK(per_month == node["counted"].get<std::int64_t>());
    CHECK(node["counted"].get<std::int64_t>() + node["outside_study"].get<std::int64_t>() +
              node["undated"].get<std::int64_t>() + node["outside_months"].get<std::int64_t>() ==
          prof["selected"].get<std::int64_t>());

    const auto& o = node["options"];
    char cell[32], band[32];
    std::snprintf(cell, sizeof cell, "%g", o["cell_size_m"].get<double>());
    std::snprintf(band, sizeof band, "%g", o["band_m"].get<double>());
    r = test::run_cli(
        "emerging --incidents " + test::quoted(test::demo_file("incidents.csv")) +
        " --crs EPSG:27700 --id incident_id --areas " +
        test::quoted("study=" + test::demo_file("wards.geojson") + ":ward_code:ward_name") +
        " --cell " + cell + " --band " + band + " --from-month " +
        o["from_month"].get<std::string>() + " --to-month " + o["to_month"].get<std::string>() +
        " --out " + test::quoted(dir / "emerging.gpkg"));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto run = test::read_all_layers(dir / "run" / "hotspot_run.gpkg");
    const auto one = test::read_all_layers(dir / "emerging.gpkg");
    REQUIRE(run.count("everything_emerging") == 1);
    REQUIRE(one.count("emerging_cells") == 1);
    const auto& a = run.at("everything_emerging");
    const auto& b = one.at("emerging_cells");
    REQUIRE(a.size() > 2);
    CHECK(a == b);  // same schema, same cells, same classes, same geometry
    CHECK(a.size() - 1 == node["written_cells"].get<std::size_t>());
    // The command's manifest holds the same node.
    const auto m1 = nlohmann::json::parse(test::read_file(dir / "emerging.manifest.json"));
    CHECK(m1["emerging"]["categories"] == node["categories"]);
    CHECK(m1["emerging"]["persistence"] == node["persistence"]);
    // Styled in the GeoPackage and on in the QGIS project.
    const auto styles = test::read_all_layers(dir / "run" / "hotspot_run.gpkg").at("layer_styles");
    bool styled = false;
    for (const auto& row : styles)
        for (const auto& v : row) styled = styled || v == "everything_emerging";
    CHECK(styled);
    const std::string qgs = test::read_file(dir / "run" / "hotspot_run.qgs");
    CHECK(qgs.find("Everything: emerging hot spots") != std::string::npos);
    // The report draws the section.
    r = test::run_cli("report " + test::quoted(dir / "run") + " --out " +
                      test::quoted(dir / "pack.html"));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const std::string html = test::read_file(dir / "pack.html");
    CHECK(html.find("Emerging hot spots: cells by pattern") != std::string::npos);
    // With its sentence when the page has room, else its rows continue in the annex.
    CHECK((html.find("Over 12 months") != std::string::npos || html.find("are in the annex") != std::string::npos));
}

TEST_CASE("emerging in run: under 12 months no layer, and the manifest says why", "[emerging-run]") {
    const auto dir = test::fresh_dir("emerging-run-short");
    // The slices end with the period's last month: January to June, 6 months.
    auto r = test::run_cli(
        "run " +
        test::quoted(write_config(dir, "period = { from = \"2025-04\", to = \"2025-06\" }\n")));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto m = nlohmann::json::parse(test::read_file(dir / "run" / "manifest.json"));
    const auto& node = m["profiles"][0]["emerging"];
    REQUIRE(node.contains("skipped"));
    CHECK(node["skipped"].get<std::string>().find("span 6 months (2025-01 to 2025-06)") != std::string::npos);
    CHECK(test::read_all_layers(dir / "run" / "hotspot_run.gpkg").count("everything_emerging") == 0);
    // The command refuses the same, with the usage exit code, and writes nothing.
    r = test::run_cli("emerging --incidents " + test::quoted(test::demo_file("incidents.csv")) +
                      " --crs EPSG:27700 --id incident_id --cell 200" +
                      " --from-month 2025-06 --to-month 2025-12 --out " +
                      test::quoted(dir / "e.gpkg"));
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("emerging: the incidents span 7 months (2025-06 to 2025-12); emerging hot spots need at least 12") !=
          std::string::npos);
    CHECK_FALSE(fs::exists(dir / "e.gpkg"));
}
