// The two frames give the same products (issue 13): `hotspot kde` with the options a run uses
// writes the same surface (pixels, grid and tags) as the run's density step, and a run writes the
// same outputs whatever --threads. Everything is read back with GDAL/OGR, not the engine.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <cpl_string.h>
#include <gdal.h>
#include <map>
#include <nlohmann/json.hpp>

#include "hotspot/sha256.hpp"
#include "support.hpp"

using namespace hotspot;
namespace fs = std::filesystem;

namespace {

struct Raster {
    double gt[6] = {};
    int cols = 0, rows = 0;
    std::vector<float> values;
    std::map<std::string, std::string> tags;
    std::string crs_wkt;
};

Raster read_raster(const fs::path& p) {
    GDALAllRegister();
    GDALDatasetH ds = GDALOpen(p.c_str(), GA_ReadOnly);
    REQUIRE(ds);
    Raster r;
    GDALGetGeoTransform(ds, r.gt);
    r.cols = GDALGetRasterXSize(ds);
    r.rows = GDALGetRasterYSize(ds);
    r.values.resize(std::size_t(r.cols) * std::size_t(r.rows));
    REQUIRE(GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Read, 0, 0, r.cols, r.rows, r.values.data(), r.cols, r.rows,
                         GDT_Float32, 0, 0) == CE_None);
    if (char** md = GDALGetMetadata(ds, nullptr))
        for (int i = 0; md[i]; ++i) {
            char* key = nullptr;
            const char* value = CPLParseNameValue(md[i], &key);
            if (key) r.tags[key] = value ? value : "";
            CPLFree(key);
        }
    r.crs_wkt = GDALGetProjectionRef(ds);
    GDALClose(ds);
    return r;
}

// A run of the demo town with every path absolute, so the tags that name inputs are spelled as
// the single commands spell them. Profile "everything" selects every incident (as the single
// commands map every incident); profile "cells-only" lists only the gistar output.
fs::path write_config(const fs::path& dir, const std::string& analysis) {
    test::write_file(dir / "everything.toml", "name = \"everything\"\ntitle = \"Everything\"\n");
    test::write_file(dir / "cells-only.toml", "name = \"cells-only\"\ntitle = \"Cells only\"\noutputs = [\"gistar\"]\n");
    const fs::path cfg = dir / "run.toml";
    test::write_file(cfg, "title = \"equivalence\"\noutput = \"" + (dir / "run").string() +
                              "\"\nprofile_files = [\"everything.toml\", "
                              "\"cells-only.toml\"]\n\n[incidents]\npaths = [\"" +
                              test::demo_file("incidents.csv") +
                              "\"]\ncrs = \"EPSG:27700\"\nid = \"incident_id\"\n\n[[areas]]\n"
                              "name = \"ward\"\npath = \"" +
                              test::demo_file("wards.geojson") +
                              "\"\ncode_field = \"ward_code\"\nname_field = \"ward_name\"\n"
                              "population = \"" +
                              test::demo_file("ward_population.csv") + "\"\n\n[analysis]\n" +
                              analysis);
    return cfg;
}

// The rows of `layer` keyed by `key` (a field name, or "" for the geometry's WKT), each row a
// map of field name to text.
std::map<std::string, std::map<std::string, std::string>> rows_by(const test::Layer& layer, const std::string& key) {
    std::map<std::string, std::map<std::string, std::string>> out;
    REQUIRE(!layer.empty());
    const auto& header = layer.front();
    for (std::size_t r = 1; r < layer.size(); ++r) {
        std::map<std::string, std::string> row;
        for (std::size_t c = 0; c < header.size(); ++c) row[header[c]] = layer[r][c + 1];  // [0] is the FID
        const std::string k = key.empty() ? layer[r].back() : row.at(key);
        out[k] = std::move(row);
    }
    return out;
}

// Checks that every field of `fields` holds the same text in both layers, row for row.
void check_same_fields(const std::map<std::string, std::map<std::string, std::string>>& a,
                       const std::map<std::string, std::map<std::string, std::string>>& b,
                       const std::vector<std::string>& fields) {
    REQUIRE(a.size() == b.size());
    std::size_t differ = 0;
    for (const auto& [k, ra] : a) {
        REQUIRE(b.count(k) == 1);
        const auto& rb = b.at(k);
        for (const auto& f : fields) {
            INFO("row " << k << " field " << f);
            REQUIRE(ra.count(f) == 1);
            REQUIRE(rb.count(f) == 1);
            if (ra.at(f) != rb.at(f)) {
                ++differ;
                if (differ < 5) CHECK(ra.at(f) == rb.at(f));
            }
        }
    }
    CHECK(differ == 0);
}

} // namespace

TEST_CASE("equivalence: hotspot gistar and hotspot rates give the run's layers, field for field",
          "[step-equivalence]") {
    const auto dir = test::fresh_dir("equivalence-layers");
    const fs::path cfg = write_config(dir, "cell_m = 25\nbandwidth = 250\ngistar_cell_m = 100\ngistar_band_m = 300\n");
    auto r = test::run_cli("run " + test::quoted(cfg));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto run = test::read_all_layers(dir / "run" / "hotspot_run.gpkg");

    r = test::run_cli("gistar --incidents " + test::quoted(test::demo_file("incidents.csv")) +
                      " --crs EPSG:27700 --id incident_id --areas " +
                      test::quoted("study=" + test::demo_file("wards.geojson")) +
                      " --cell 100 --band 300 --correction fdr --out " +
                      test::quoted(dir / "gistar.gpkg") + " --raster " +
                      test::quoted(dir / "gistar_z.tif") + " --manifest " +
                      test::quoted(dir / "gistar.manifest.json"));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto gi = test::read_all_layers(dir / "gistar.gpkg");
    REQUIRE(run.count("everything_gistar_cells") == 1);
    // One schema (the Gi* step's): the same fields in the same order, every one equal.
    const auto& run_cells = run.at("everything_gistar_cells");
    CHECK(run_cells.front() == gi.at("gistar_cells").front());
    check_same_fields(rows_by(run_cells, ""), rows_by(gi.at("gistar_cells"), ""),
                      {"col", "row", "count", "z", "p", "p_corrected", "gi_bin", "neighbours"});
    // The z raster: same grid, pixels and tags (but the profile), and the same style.
    {
        const Raster a = read_raster(dir / "run" / "everything_gistar_z.tif");
        const Raster b = read_raster(dir / "gistar_z.tif");
        CHECK(a.cols == b.cols);
        CHECK(a.rows == b.rows);
        for (int i = 0; i < 6; ++i) CHECK(a.gt[i] == b.gt[i]);
        REQUIRE(a.values.size() == b.values.size());
        CHECK(std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(float)) == 0);
        CHECK(a.tags.at("profile") == "everything");
        auto ta = a.tags, tb = b.tags;
        ta.erase("profile");
        tb.erase("profile");
        CHECK(ta == tb);
        CHECK(ta.at("band_m") == "300");
        CHECK(test::read_file(dir / "run" / "everything_gistar_z.qml") == test::read_file(dir / "gistar_z.qml"));
    }

    r = test::run_cli(
        "rates --incidents " + test::quoted(test::demo_file("incidents.csv")) +
        " --crs EPSG:27700 --id incident_id --areas " +
        test::quoted("ward=" + test::demo_file("wards.geojson") + ":ward_code:ward_name") +
        " --population " + test::quoted("ward=" + test::demo_file("ward_population.csv")) +
        " --out " + test::quoted(dir / "rates.gpkg") + " --manifest " +
        test::quoted(dir / "rates.manifest.json"));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto ra = test::read_all_layers(dir / "rates.gpkg");
    // The profile's `outputs` are honoured: "cells-only" lists gistar alone.
    CHECK(run.count("cells_only_gistar_cells") == 1);
    CHECK(run.count("cells_only_ward_rates") == 0);
    CHECK(run.count("cells_only_hotspots") == 0);
    CHECK_FALSE(fs::exists(dir / "run" / "cells_only_kde.tif"));
    REQUIRE(run.count("everything_ward_rates") == 1);
    // One schema (the rates step's): the same fields in the same order, every one equal,
    // LISA and Gi* of the areas included.
    const auto& run_rates = run.at("everything_ward_rates");
    CHECK(run_rates.front() == ra.at("ward_rates").front());
    for (const char* f : {"rate_per_1000", "eb_rate_per_1000", "lisa_p", "lisa_p_perm", "lisa_p_corrected", "gi_z", "gi_bin"})
        CHECK(std::find(run_rates.front().begin(), run_rates.front().end(), f) != run_rates.front().end());
    check_same_fields(rows_by(run_rates, "code"), rows_by(ra.at("ward_rates"), "code"), run_rates.front());
}

TEST_CASE("equivalence: hotspot geocode gives the run's incidents and rejects layers, field for field",
          "[step-equivalence]") {
    const auto dir = test::fresh_dir("equivalence-geocode");
    const fs::path cfg = write_config(dir, "cell_m = 25\nbandwidth = 250\n");
    auto r = test::run_cli("run " + test::quoted(cfg));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto run = test::read_all_layers(dir / "run" / "hotspot_run.gpkg");
    r = test::run_cli(
        "geocode --incidents " + test::quoted(test::demo_file("incidents.csv")) +
        " --crs EPSG:27700 --id incident_id --areas " +
        test::quoted("ward=" + test::demo_file("wards.geojson") + ":ward_code:ward_name") +
        " --out " + test::quoted(dir / "geocode.gpkg") + " --manifest " +
        test::quoted(dir / "geocode.manifest.json"));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto geo = test::read_all_layers(dir / "geocode.gpkg");
    // The profile "everything" selects every incident, so its layer is the geocode layer.
    REQUIRE(run.count("everything_incidents") == 1);
    const auto& a = run.at("everything_incidents");
    const auto& b = geo.at("incidents");
    CHECK(a.front() == b.front());
    for (const char* f : {"ward_code", "ward_name", "status", "source_file", "source_line"})
        CHECK(std::find(a.front().begin(), a.front().end(), f) != a.front().end());
    check_same_fields(rows_by(a, "incident_id"), rows_by(b, "incident_id"), a.front());
    // One rejects schema: the same layer, row for row.
    REQUIRE(run.count("rejects") == 1);
    CHECK(run.at("rejects") == geo.at("rejects"));
    const auto& rh = run.at("rejects").front();
    for (const char* f : {"reject_reason", "reject_detail", "source_file", "source_line"})
        CHECK(std::find(rh.begin(), rh.end(), f) != rh.end());
    // The run's manifest is the typed one: versioned, and each profile lists what it wrote.
    const auto m = nlohmann::json::parse(test::read_file(dir / "run" / "manifest.json"));
    CHECK(m.at("schema_version") == 2);
    bool listed = false;
    for (const auto& w : m.at("profiles")[0].at("written"))
        listed = listed || (w.at("kind") == "incidents" && w.at("name") == "everything_incidents" && w.at("type") == "layer");
    CHECK(listed);
}

TEST_CASE("equivalence: hotspot kde gives the run's density surface, pixel for pixel and tag for tag",
          "[step-equivalence]") {
    const auto dir = test::fresh_dir("equivalence-kde");
    for (const char* bandwidth : {"250", "\"auto:scott\""}) {
        INFO("bandwidth " << bandwidth);
        fs::remove_all(dir / "run");
        const fs::path cfg = write_config(dir, std::string("cell_m = 25\nbandwidth = ") + bandwidth + "\n");
        auto r = test::run_cli("run " + test::quoted(cfg) + " --overwrite");
        INFO(r.out << r.err);
        REQUIRE(r.exit_code == 0);
        const fs::path single = dir / "single.tif";
        std::string bw = bandwidth;
        bw.erase(std::remove(bw.begin(), bw.end(), '"'), bw.end());
        r = test::run_cli(
            "kde --incidents " + test::quoted(test::demo_file("incidents.csv")) +
            " --crs EPSG:27700 --id incident_id --areas " +
            test::quoted("ward=" + test::demo_file("wards.geojson") + ":ward_code:ward_name") +
            " --bandwidth " + bw + " --cell 25 --overwrite --out " + test::quoted(single));
        INFO(r.out << r.err);
        REQUIRE(r.exit_code == 0);
        CHECK(fs::exists(dir / "single.manifest.json"));

        const Raster a = read_raster(dir / "run" / "everything_kde.tif");
        const Raster b = read_raster(single);
        CHECK(a.cols == b.cols);
        CHECK(a.rows == b.rows);
        for (int i = 0; i < 6; ++i) CHECK(a.gt[i] == b.gt[i]);
        CHECK(a.crs_wkt == b.crs_wkt);
        REQUIRE(a.values.size() == b.values.size());
        std::size_t differ = 0;
        for (std::size_t i = 0; i < a.values.size(); ++i)
            if (std::memcmp(&a.values[i], &b.values[i], sizeof(float)) != 0) ++differ;
        CHECK(differ == 0);
        // Every tag the same, but the profile (a run names its profile; kde has "all incidents").
        CHECK(a.tags.at("profile") == "everything");
        CHECK(b.tags.at("profile") == "all incidents");
        auto ta = a.tags, tb = b.tags;
        ta.erase("profile");
        tb.erase("profile");
        CHECK(ta == tb);
        CHECK(ta.count("bandwidth_m") == 1);
        CHECK(ta.count("support_radius_m") == 1);
        // The style's legend names the units (a run once wrote the raw token "per-km2").
        const std::string qml = test::read_file(dir / "run" / "everything_kde.qml");
        CHECK(qml.find("incidents per km²") != std::string::npos);
        CHECK(qml == test::read_file(dir / "single.qml"));
        // The manifests record the same resolved bandwidth.
        const auto mk = nlohmann::json::parse(test::read_file(dir / "single.manifest.json"));
        const auto mr = nlohmann::json::parse(test::read_file(dir / "run" / "manifest.json"));
        CHECK(mk["kde"]["bandwidth_m"] == mr["profiles"][0]["kde"]["bandwidth_m"]);
        CHECK(mk["kde"]["options"] == mr["profiles"][0]["kde"]["options"]);
        CHECK(mk["counts"]["rows_in"] == mk["counts"]["kept"].get<int>() + mk["counts"]["rejected"].get<int>());
    }
}

TEST_CASE("equivalence: hotspot kde with a comparison gives the run's density change surface, blanked alike",
          "[step-equivalence]") {
    const auto dir = test::fresh_dir("equivalence-kde-change");
    const fs::path cfg = write_config(dir, "cell_m = 25\nbandwidth = 250\n\n[period]\nfrom = \"2025-07\"\nto = \"2025-12\"\n"
                                           "\n[comparison]\nfrom = \"2025-01\"\nto = \"2025-06\"\n");
    auto r = test::run_cli("run " + test::quoted(cfg));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    r = test::run_cli(
        "kde --incidents " + test::quoted(test::demo_file("incidents.csv")) +
        " --crs EPSG:27700 --id incident_id --areas " +
        test::quoted("ward=" + test::demo_file("wards.geojson") + ":ward_code:ward_name") +
        " --bandwidth 250 --cell 25" +
        " --period-from 2025-07 --period-to 2025-12 --compare-from 2025-01 --compare-to 2025-06" +
        " --out " + test::quoted(dir / "single.tif") + " --change-out " +
        test::quoted(dir / "single_change.tif"));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    using Files = std::pair<const char*, const char*>;
    for (const auto& [run_file, single_file] : {Files{"everything_kde.tif", "single.tif"},
                                                Files{"everything_kde_change.tif", "single_change.tif"}}) {
        INFO(run_file);
        const Raster a = read_raster(dir / "run" / run_file);
        const Raster b = read_raster(dir / single_file);
        REQUIRE(a.values.size() == b.values.size());
        std::size_t differ = 0;
        for (std::size_t i = 0; i < a.values.size(); ++i)
            if (std::memcmp(&a.values[i], &b.values[i], sizeof(float)) != 0) ++differ;
        CHECK(differ == 0);
        auto ta = a.tags, tb = b.tags;
        CHECK(ta.at("profile") == "everything");
        ta.erase("profile");
        tb.erase("profile");
        CHECK(ta == tb);
    }
    // The change surface is screened in both, by the same rule, the same cells blanked.
    const Raster change = read_raster(dir / "single_change.tif");
    REQUIRE(change.tags.count("change_significance") == 1);
    CHECK(change.tags.at("change_significance").find("in 6 months against 6 months") != std::string::npos);
    const auto mk = nlohmann::json::parse(test::read_file(dir / "single.manifest.json"));
    const auto mr = nlohmann::json::parse(test::read_file(dir / "run" / "manifest.json"));
    REQUIRE(mk["kde"].contains("change_surface"));
    CHECK(mk["kde"]["change_surface"]["cells_blanked"].get<int>() > 0);
    CHECK(mk["kde"]["change_surface"] == mr["profiles"][0]["kde"]["change_surface"]);
    CHECK(test::read_file(dir / "single_change.qml").find("not significant") != std::string::npos);
    // A comparison without --change-out is a usage error saying what to give.
    r = test::run_cli("kde --incidents " + test::quoted(test::demo_file("incidents.csv")) +
                      " --crs EPSG:27700 --bandwidth 250" +
                      " --period-from 2025-07 --period-to 2025-12 --compare-from 2025-01 "
                      "--compare-to 2025-06 --out " +
                      test::quoted(dir / "nochange.tif"));
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--change-out") != std::string::npos);
}

TEST_CASE("equivalence: a run writes the same outputs with --threads 1 and --threads 2", "[step-equivalence]") {
    const auto dir = test::fresh_dir("equivalence-threads");
    std::map<std::string, fs::path> outs;
    for (const char* t : {"1", "2"}) {
        outs[t] = dir / t;
        const auto r = test::run_cli(std::string("--threads ") + t + " run " +
                                     test::quoted(test::source_dir() / "examples" / "demo.toml") +
                                     " --out " + test::quoted(outs[t]));
        INFO(r.out << r.err);
        REQUIRE(r.exit_code == 0);
    }
    std::size_t rasters = 0;
    for (const auto& e : fs::directory_iterator(outs["1"])) {
        const std::string name = e.path().filename().string();
        INFO(name);
        REQUIRE(fs::exists(outs["2"] / name));
        if (e.path().extension() == ".tif" || e.path().extension() == ".qml" || e.path().extension() == ".qgs") {
            CHECK(sha256_file(e.path().string()) == sha256_file((outs["2"] / name).string()));
            rasters += e.path().extension() == ".tif";
        }
    }
    CHECK(rasters >= 4);
    // The GeoPackage: the same bytes (its write time is fixed, OGR_CURRENT_DATE; the main
    // thread writes every layer in one order, the incidents layers while the workers analyse),
    // and, read back through OGR, the same layers (fields, values, geometry).
    CHECK(sha256_file((outs["1"] / "hotspot_run.gpkg").string()) == sha256_file((outs["2"] / "hotspot_run.gpkg").string()));
    const auto la = test::read_all_layers(outs["1"] / "hotspot_run.gpkg");
    const auto lb = test::read_all_layers(outs["2"] / "hotspot_run.gpkg");
    CHECK(la.size() >= 10);
    // (each profile's last step, emerging hot spots, runs as a task of its own beside the
    // profile's other steps at two threads: its layer and manifest node must come out alike)
    for (const char* profile : {"car_key_burglary", "drug_possession", "public_place_violence", "all_crime"})
        CHECK(la.count(std::string(profile) + "_emerging") == 1);
    CHECK(la == lb);
    // The manifest: everything but the timings and the command line (which names --threads).
    auto ma = nlohmann::json::parse(test::read_file(outs["1"] / "manifest.json"));
    auto mb = nlohmann::json::parse(test::read_file(outs["2"] / "manifest.json"));
    // Timings: a profile's time holds its analysis (the selection of its rows, made before the
    // profiles run, included) and its writing, so no part is negative.
    for (const auto* m : {&ma, &mb}) {
        const auto& t = (*m)["timings_s"];
        std::size_t profiles = 0;
        for (auto it = t.begin(); it != t.end(); ++it) {
            INFO(it.key() << " = " << it.value());
            CHECK(it.value().get<double>() >= 0);
            if (it.key().rfind("profile ", 0) == 0 && it.key().find(' ', 8) == std::string::npos) {
                ++profiles;
                CHECK(it.value().get<double>() >= t.at(it.key() + " analyse").get<double>());
            }
        }
        CHECK(profiles == 4);
    }
    for (auto* m : {&ma, &mb}) {
        m->erase("timings_s");
        m->erase("command_line");
        (*m)["outputs_folder"] = "";
    }
    CHECK(ma == mb);
}

constexpr int kRatesThreshold = 300;  // demo wards: one below (261), and its complement

TEST_CASE("equivalence: hotspot kde, gistar and rates --publish give the run's publish-mode outputs",
          "[step-equivalence]") {
    const auto dir = test::fresh_dir("equivalence-publish");
    const fs::path cfg = write_config(dir, "cell_m = 25\nbandwidth = 250\ngistar_cell_m = 100\ngistar_band_m = 300\n");
    auto r = test::run_cli("run " + test::quoted(cfg) + " --publish");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const std::string inputs = "--incidents " + test::quoted(test::demo_file("incidents.csv")) +
                               " --crs EPSG:27700 --id incident_id --areas ";
    r = test::run_cli(
        "kde " + inputs +
        test::quoted("ward=" + test::demo_file("wards.geojson") + ":ward_code:ward_name") +
        " --bandwidth 250 --cell 25 --publish --out " + test::quoted(dir / "single.tif"));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const Raster a = read_raster(dir / "run" / "everything_kde.tif");
    const Raster b = read_raster(dir / "single.tif");
    REQUIRE(a.values.size() == b.values.size());
    CHECK(std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(float)) == 0);
    CHECK(a.tags.at("bandwidth_m") == "300");  // the floor, in both
    CHECK(b.tags.at("bandwidth_m") == "300");
    const auto mk = nlohmann::json::parse(test::read_file(dir / "single.manifest.json"));
    const auto mr = nlohmann::json::parse(test::read_file(dir / "run" / "manifest.json"));
    CHECK(mk["kde"]["publish"] == mr["profiles"][0]["kde"]["publish"]);

    r = test::run_cli(
        "gistar " + inputs + test::quoted("study=" + test::demo_file("wards.geojson")) +
        " --cell 100 --band 300 --correction fdr --publish --out " +
        test::quoted(dir / "gistar.gpkg") + " --raster " + test::quoted(dir / "gistar_z.tif"));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto run = test::read_all_layers(dir / "run" / "hotspot_run.gpkg");
    const auto gi = test::read_all_layers(dir / "gistar.gpkg");
    const auto run_cells = rows_by(run.at("everything_gistar_cells"), "");
    check_same_fields(run_cells, rows_by(gi.at("gistar_cells"), ""), {"col", "row", "count", "z", "p", "p_corrected", "gi_bin"});
    for (const auto& [k, row] : run_cells) CHECK(row.at("z") == "<null>");  // publish mode: no z
    const Raster za = read_raster(dir / "run" / "everything_gistar_z.tif"), zb = read_raster(dir / "gistar_z.tif");
    REQUIRE(za.values.size() == zb.values.size());
    CHECK(std::memcmp(za.values.data(), zb.values.data(), za.values.size() * sizeof(float)) == 0);

    // rates: a threshold that hides some wards (primary and secondary), the same decisions
    const std::string n = "--publish-min-count " + std::to_string(kRatesThreshold);
    r = test::run_cli("run " + test::quoted(cfg) + " --overwrite --publish " + n);
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    r = test::run_cli(
        "rates " + inputs +
        test::quoted("ward=" + test::demo_file("wards.geojson") + ":ward_code:ward_name") +
        " --population " + test::quoted("ward=" + test::demo_file("ward_population.csv")) +
        " --publish " + n + " --out " + test::quoted(dir / "rates.gpkg"));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto run2 = test::read_all_layers(dir / "run" / "hotspot_run.gpkg");
    const auto ra = test::read_all_layers(dir / "rates.gpkg");
    const auto& run_rates = run2.at("everything_ward_rates");
    const auto rows = rows_by(run_rates, "code");
    check_same_fields(rows, rows_by(ra.at("ward_rates"), "code"), run_rates.front());
    std::size_t hidden = 0;
    for (const auto& [k, row] : rows) hidden += row.at("incidents") == "<null>";
    CHECK(hidden >= 2);  // one primary at least, and its complement
    // more than one level: refused (exit 2), the nesting is the run's to protect
    r = test::run_cli(
        "rates " + inputs +
        test::quoted("ward=" + test::demo_file("wards.geojson") + ":ward_code:ward_name") +
        " --areas " + test::quoted("lsoa=" + test::demo_file("lsoas.geojson")) + " --population " +
        test::quoted("ward=" + test::demo_file("ward_population.csv")) + " --publish --out " +
        test::quoted(dir / "rates2.gpkg"));
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("one --areas level") != std::string::npos);
}
