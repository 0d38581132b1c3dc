// End to end through the CLI: `hotspot rates` on the demo town (rates recomputed here from the
// ground truth), its styles, population joins that go wrong, and, when ../shared/data is
// present, a real police.uk month against the Leicestershire LSOAs.

#include <catch2/catch.hpp>
#include <regex>
#include <cmath>
#include <gdal.h>
#include <map>
#include <nlohmann/json.hpp>
#include <ogr_api.h>

#include "hotspot/csv.hpp"
#include "support.hpp"

using namespace hotspot;
namespace fs = std::filesystem;

namespace {

using Row = std::map<std::string, std::string>;

std::vector<Row> read_layer(const fs::path& gpkg, const std::string& layer_name) {
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(gpkg.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
    REQUIRE(ds);
    OGRLayerH layer = GDALDatasetGetLayerByName(ds, layer_name.c_str());
    REQUIRE(layer);
    std::vector<Row> rows;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(layer)) != nullptr) {
        Row row;
        for (int i = 0; i < OGR_FD_GetFieldCount(defn); ++i)
            row[OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i))] = OGR_F_IsFieldSetAndNotNull(f, i) ? OGR_F_GetFieldAsString(f, i) : "";
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

std::string demo_areas() {
    return "--incidents '" + test::demo_file("incidents.csv") +
           "' --crs EPSG:27700 --areas 'ward=" + test::demo_file("wards.geojson") +
           ":ward_code:ward_name'";
}

} // namespace

TEST_CASE("rates CLI: demo town rates, classes and styles", "[cli-rates]") {
    const auto dir = test::fresh_dir("cli-rates-demo");
    const auto gpkg = dir / "rates.gpkg";
    const auto r = test::run_cli(
        "rates " + demo_areas() + " --areas 'lsoa=" + test::demo_file("lsoas.geojson") +
        ":lsoa_code:lsoa_name'" + " --population '" + test::demo_file("ward_population.csv") +
        "' --population 'lsoa=" + test::demo_file("lsoa_population.csv") +
        ":lsoa_code:population' --out '" + gpkg.string() + "'");
    INFO(r.err << r.out);
    REQUIRE(r.exit_code == 0);
    // The demo town plants 2 incidents outside every area: said on the console, nothing else.
    CHECK(std::regex_replace(r.err, std::regex("warning: [a-z]+: 2 of 10,002 incidents lie outside the areas of '[a-z]+' [^\\n]*\\n"), "").empty());

    // Independent rates from the ground truth: every "ok" incident lies in its generated ward.
    std::map<std::string, double> truth_count, pop;
    for (const auto& t : read_csv(test::demo_file("ground_truth_incidents.csv")))
        if (t[4] == "ok") ++truth_count[t[1]];
    for (const auto& p : read_csv(test::demo_file("ward_population.csv")))
        if (p[0] != "ward_code") pop[p[0]] = std::stod(p[1]);
    double total_count = 0, total_pop = 0;
    std::string top;
    for (const auto& [code, n] : truth_count) {
        total_count += n, total_pop += pop[code];
        if (top.empty() || n / pop[code] > truth_count[top] / pop[top]) top = code;
    }
    const auto wards = read_layer(gpkg, "ward_rates");
    REQUIRE(wards.size() == 10);
    for (const auto& w : wards) {
        INFO(w.at("code"));
        const double expected_rate = 1000 * truth_count[w.at("code")] / pop[w.at("code")];
        CHECK(w.at("status") == "ok");
        CHECK(std::stod(w.at("incidents")) == truth_count[w.at("code")]);
        CHECK(std::stod(w.at("rate_per_1000")) == Approx(expected_rate).epsilon(1e-12));
        CHECK(std::stod(w.at("reference_rate")) == Approx(1000 * total_count / total_pop).epsilon(1e-12));
        CHECK(std::stod(w.at("ci95_lower")) < expected_rate);
        CHECK(std::stod(w.at("ci95_upper")) > expected_rate);
        CHECK(std::stod(w.at("ci998_lower")) < std::stod(w.at("ci95_lower")));
        CHECK(std::stod(w.at("ci998_upper")) > std::stod(w.at("ci95_upper")));
        CHECK(std::stoi(w.at("neighbours")) >= 1);
        if (w.at("code") == top) {
            CHECK(w.at("name") == "Castle");
            CHECK(w.at("rate_class") == "significantly above");
            CHECK(std::stod(w.at("ci998_lower")) > std::stod(w.at("reference_rate")));
        }
    }
    const auto lsoas = read_layer(gpkg, "lsoa_rates");
    CHECK(lsoas.size() == 48);
    for (const auto& l : lsoas) CHECK(!l.at("rate_per_1000").empty());

    // Two styles per layer: the rate classes applied on load, the LISA clusters listed.
    GDALDatasetH ds = GDALOpenEx(gpkg.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
    REQUIRE(ds);
    for (const std::string layer : {"ward_rates", "lsoa_rates"}) {
        INFO(layer);
        OGRLayerH s = GDALDatasetExecuteSQL(
            ds, ("SELECT styleQML, useAsDefault FROM layer_styles WHERE f_table_name = '" + layer + "' ORDER BY id").c_str(), nullptr, nullptr);
        REQUIRE(s);
        std::vector<std::pair<std::string, int>> styles;
        OGRFeatureH f;
        while ((f = OGR_L_GetNextFeature(s)) != nullptr) {
            styles.emplace_back(OGR_F_GetFieldAsString(f, 0), OGR_F_GetFieldAsInteger(f, 1));
            OGR_F_Destroy(f);
        }
        GDALDatasetReleaseResultSet(ds, s);
        REQUIRE(styles.size() == 2);
        CHECK(styles[0].first.find("attr=\"rate_class\"") != std::string::npos);
        CHECK(styles[0].first.find("value=\"significantly above\"") != std::string::npos);
        CHECK(styles[0].second == 1);
        CHECK(styles[1].first.find("attr=\"lisa_class\"") != std::string::npos);
        CHECK(styles[1].second == 0);
        const char* desc = GDALGetMetadataItem(GDALDatasetGetLayerByName(ds, layer.c_str()), "DESCRIPTION", nullptr);
        REQUIRE(desc);
        CHECK(std::string(desc).find("local Moran's I") != std::string::npos);
    }
    GDALClose(ds);
    const auto m = nlohmann::json::parse(test::read_file(dir / "rates.manifest.json"));
    CHECK(m["layers"][0]["classes"]["significantly above"].get<int>() >= 1);
    CHECK(m["options"]["permutations"] == 9999);
}

TEST_CASE("rates CLI: unmatched codes are named; missing, zero and negative populations get a status", "[cli-rates]") {
    const auto dir = test::fresh_dir("cli-rates-pop");
    SECTION("codes missing from the population file") {
        test::write_file(dir / "pop.csv", "ward_code,population\nDEMO-W01,8496\nDEMO-W02,6896\nDEMO-W03,7000\nDEMO-W04,7000\n"
                                          "DEMO-W05,7000\nDEMO-W06,7000\nDEMO-W07,7000\nDEMO-W08,7000\n");
        const auto r = test::run_cli("rates " + demo_areas() + " --population '" + (dir / "pop.csv").string() +
                                     "' --out '" + (dir / "x.gpkg").string() + "'");
        CHECK(r.exit_code == 3);
        CHECK(r.err.find("population: ") != std::string::npos);
        CHECK(r.err.find("2 of the 10 codes") != std::string::npos);
        CHECK(r.err.find("DEMO-W09, DEMO-W10") != std::string::npos);
        CHECK(!fs::exists(dir / "x.gpkg"));
    }
    SECTION("a value that is not a number names the line and column") {
        test::write_file(dir / "pop.csv", "code,pop\nDEMO-W01,lots\n");
        const auto r = test::run_cli("rates " + demo_areas() + " --population '" + (dir / "pop.csv").string() +
                                     ":code:pop' --out '" + (dir / "x.gpkg").string() + "'");
        CHECK(r.exit_code == 3);
        CHECK(r.err.find("pop.csv:2: field 'pop': 'lots' is not a number") != std::string::npos);
    }
    SECTION("blank, zero and negative populations") {
        test::write_file(dir / "pop.csv", "ward_code,population\nDEMO-W01,8496\nDEMO-W02,\nDEMO-W03,0\nDEMO-W04,-5\n"
                                          "DEMO-W05,7000\nDEMO-W06,7000\nDEMO-W07,7000\nDEMO-W08,7000\nDEMO-W09,7000\nDEMO-W10,NA\n");
        const auto r = test::run_cli("rates " + demo_areas() + " --population '" + (dir / "pop.csv").string() +
                                     "' --out '" + (dir / "x.gpkg").string() + "'");
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        std::map<std::string, Row> by;
        for (auto& w : read_layer(dir / "x.gpkg", "ward_rates")) by[w["code"]] = w;
        CHECK(by["DEMO-W02"]["status"] == "population missing");
        CHECK(by["DEMO-W10"]["status"] == "population missing");
        CHECK(by["DEMO-W03"]["status"] == "population zero");
        CHECK(by["DEMO-W04"]["status"] == "population negative");
        for (const char* c : {"DEMO-W02", "DEMO-W03", "DEMO-W04"}) {
            CHECK(by[c]["rate_per_1000"].empty());
            CHECK(by[c]["rate_class"] == "not computed");
        }
        CHECK(by["DEMO-W01"]["status"] == "ok");
        CHECK(r.err.find("population zero") != std::string::npos);
    }
    SECTION("bad options exit 2") {
        for (const std::string bad : {"--per 0", "--per -1000", "--reference-rate -1", "--ci normal", "--permutations -3"}) {
            INFO(bad);
            const auto r = test::run_cli("rates " + demo_areas() + " --population '" +
                                         test::demo_file("ward_population.csv") + "' " + bad +
                                         " --out '" + (dir / "x.gpkg").string() + "'");
            CHECK(r.exit_code == 2);
            CHECK(r.err.find("rates: ") != std::string::npos);
        }
        const auto r = test::run_cli("rates " + demo_areas() + " --out '" + (dir / "x.gpkg").string() + "'");
        CHECK(r.exit_code == 2);
        CHECK(r.err.find("no population given") != std::string::npos);
    }
}

TEST_CASE("rates CLI: --reference-rate and --per scale together", "[cli-rates]") {
    const auto dir = test::fresh_dir("cli-rates-per");
    const auto r = test::run_cli("rates " + demo_areas() + " --population '" +
                                 test::demo_file("ward_population.csv") +
                                 "' --per 100000 --reference-rate 1150 --permutations 0 --out '" +
                                 (dir / "x.gpkg").string() + "'");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    for (const auto& w : read_layer(dir / "x.gpkg", "ward_rates")) {
        CHECK(std::stod(w.at("reference_rate")) == Approx(1150));
        CHECK(std::stod(w.at("rate_per_100000")) == Approx(1e5 * std::stod(w.at("incidents")) / std::stod(w.at("population"))));
        // expected count at 11.5 per 1,000
        CHECK(std::stod(w.at("expected")) == Approx(0.0115 * std::stod(w.at("population"))));
    }
}

TEST_CASE("rates CLI: a real police.uk month against every Leicestershire LSOA", "[cli-rates-data]") {
    HOTSPOT_REQUIRE_SHARED_DATA();
    const auto data = test::shared_data();
    const auto dir = test::fresh_dir("cli-rates-leics");
    const auto r = test::run_cli("rates --incidents '" + (data / "police_uk/leicestershire/2022-03-leicestershire-street.csv").string() +
                                 "' --areas 'lsoa=" + (data / "boundaries/leicestershire_lsoa.geojson").string() +
                                 ":LSOA11CD:LSOA11NM' --population '" + (data / "population/lsoa_population.csv").string() +
                                 ":LSOA11CD:population' --out '" + (dir / "leics.gpkg").string() + "'");
    INFO(r.err << r.out);
    REQUIRE(r.exit_code == 0);
    const auto rows = read_layer(dir / "leics.gpkg", "lsoa_rates");
    CHECK(rows.size() == 611);
    std::size_t with_neighbours = 0;
    double incidents = 0;
    for (const auto& l : rows) {
        INFO(l.at("code"));
        CHECK(l.at("status") == "ok");
        CHECK(!l.at("rate_per_1000").empty());
        CHECK(std::stod(l.at("population")) > 0);
        with_neighbours += std::stoi(l.at("neighbours")) >= 1;
        incidents += std::stod(l.at("incidents"));
    }
    CHECK(with_neighbours == rows.size());
    // 10,019 rows in the month; ~2.5% have no location and a few fall outside the force's LSOAs.
    CHECK(incidents > 9000);
    CHECK(incidents <= 10019);
}
