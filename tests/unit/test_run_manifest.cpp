// The typed run manifest (manifest.hpp: RunManifest) and the one naming function of a run's
// outputs (run_names.hpp).

#include <catch2/catch.hpp>
#include <cmath>

#include "hotspot/manifest.hpp"
#include "hotspot/run_names.hpp"
#include "hotspot/steps/gistar_step.hpp"
#include "hotspot/steps/hotspots_step.hpp"
#include "hotspot/steps/kde_step.hpp"
#include "hotspot/steps/rates_step.hpp"

using namespace hotspot;

TEST_CASE("run names: every output of a profile is named from its slug", "[run-manifest]") {
    CHECK(profile_slug("car-key-burglary") == "car_key_burglary");
    CHECK(profile_slug("PPV 21:00") == "ppv_21_00");
    CHECK(run_output_name("car-key-burglary", RunOutputKind::kde) == "car_key_burglary_kde.tif");
    CHECK(run_output_name("car-key-burglary", RunOutputKind::kde_change) == "car_key_burglary_kde_change.tif");
    CHECK(run_output_name("car-key-burglary", RunOutputKind::gistar_z) == "car_key_burglary_gistar_z.tif");
    CHECK(run_output_name("car-key-burglary", RunOutputKind::hotspots) == "car_key_burglary_hotspots");
    CHECK(run_output_name("car-key-burglary", RunOutputKind::gistar_cells) == "car_key_burglary_gistar_cells");
    CHECK(run_output_name("car-key-burglary", RunOutputKind::incidents) == "car_key_burglary_incidents");
    CHECK(run_output_name("all-crime", RunOutputKind::rates, "lsoa") == "all_crime_lsoa_rates");
    CHECK(boundaries_layer_name("ward") == "boundaries_ward");
    CHECK(run_output_key(RunOutputKind::gistar_cells) == "gistar_cells");
}

TEST_CASE("run manifest: written and read back through one type, versioned", "[run-manifest]") {
    RunManifest rm;
    rm.run = {{"title", "t"}};
    rm.counts = {{"rows_in", 10}, {"kept", 9}, {"rejected", 1}};
    rm.gpkg = run_gpkg_name;
    rm.project = run_project_name;
    RunProfileRecord p;
    p.name = "all-crime";
    p.title = "All crime";
    p.selected = 9;
    p.outputs = {"kde", "rates"};
    p.steps["kde"] = {{"bandwidth_m", 250}};
    p.written.push_back({"kde", run_output_name("all-crime", RunOutputKind::kde), false, ""});
    p.written.push_back({"rates", run_output_name("all-crime", RunOutputKind::rates, "ward"), true, "ward"});
    rm.profiles.push_back(p);
    RunProfileRecord empty;
    empty.name = "none";
    empty.warnings = {"selects no incidents"};
    rm.profiles.push_back(empty);
    Manifest m("run", "hotspot run x.toml");
    rm.write_into(m);
    const auto& j = m.json();
    CHECK(j.at("schema_version") == run_manifest_schema_version);
    CHECK(j.at("profiles")[0].at("layers") == nlohmann::ordered_json::array({"all_crime_ward_rates"}));
    CHECK(j.at("profiles")[0].at("kde").at("bandwidth_m") == 250);
    CHECK_FALSE(j.at("profiles")[1].contains("written"));  // nothing selected, nothing written

    const RunManifest back = RunManifest::from_json(j);
    CHECK(back.schema_version == 2);
    REQUIRE(back.profiles.size() == 2);
    const RunProfileRecord& q = back.profiles[0];
    CHECK(q.name == "all-crime");
    CHECK(q.selected == 9);
    CHECK(q.outputs == p.outputs);
    CHECK(q.steps.at("kde").at("bandwidth_m") == 250);
    REQUIRE(q.written.size() == 2);
    CHECK(q.written[0].name == "all_crime_kde.tif");
    CHECK_FALSE(q.written[0].layer);
    CHECK(q.written[1].layer);
    CHECK(q.written[1].level == "ward");
    CHECK(back.profiles[1].warnings == empty.warnings);
    CHECK(back.gpkg == "hotspot_run.gpkg");

    // A manifest written before the typed schema reads as version 1.
    CHECK(RunManifest::from_json(nlohmann::ordered_json{{"profiles", nlohmann::ordered_json::array()}}).schema_version == 1);
}

TEST_CASE("run manifest: each step's node reads back through the step's typed reader", "[run-manifest]") {
    // The keys as the steps and run/profile_*.cpp write them.
    const auto kde = KdeManifestNode::from_json(nlohmann::ordered_json::parse(
        R"({"file": "a_kde.tif", "kernel": "quartic", "bandwidth_m": 250, "bandwidth_method": "fixed",
            "cell_size_m": 25, "units": "per_km2", "class_breaks": [1.5, 3, 6]})"));
    CHECK(kde.file == "a_kde.tif");
    CHECK(kde.kernel == "quartic");
    CHECK(kde.bandwidth_m == 250);
    CHECK(kde.cell_size_m == 25);
    CHECK(kde.class_breaks == std::vector<double>{1.5, 3, 6});
    // threshold_value is null when no threshold was found: NaN, as before it was written
    const auto hs = HotspotsManifestNode::from_json(
        nlohmann::ordered_json::parse(R"({"layer": "a_hotspots", "threshold": "densest 1%", "threshold_value": null})"));
    CHECK(hs.layer == "a_hotspots");
    CHECK(std::isnan(hs.threshold_value));
    const auto gi = GiStarManifestNode::from_json(nlohmann::ordered_json::parse(R"({"cell_m": 100, "hot_cells_99": 7})"));
    CHECK(gi.cell_m == 100);
    CHECK(gi.hot_cells_99 == 7);
    CHECK(std::isnan(gi.band_m));  // missing: the default
    CHECK(gi.weights.empty());
    const auto rates = RatesManifestNode::from_json(nlohmann::ordered_json::parse(R"({"reference_rate_per_1000": 11.5})"));
    CHECK(rates.reference_rate_per_1000 == 11.5);
    // a key of the wrong type is an error, not a silently empty field
    CHECK_THROWS_AS(KdeManifestNode::from_json(nlohmann::ordered_json::parse(R"({"bandwidth_m": "250"})")),
                    nlohmann::json::exception);
}

TEST_CASE("run manifest: the kde node the step writes (to_json) reads back equal, key for key and in order",
          "[run-manifest]") {
    // A node as kde_step.cpp writes it, publish and change screen included.
    const auto node = nlohmann::ordered_json::parse(R"({"file": "a_kde.tif", "options": {"kernel": "quartic"},
        "kernel": "quartic", "bandwidth_m": 250.0, "bandwidth_method": "fixed", "support_radius_m": 250.0,
        "cell_size_m": 25.0, "units": "per-km2", "grid": {"origin_x": 400000.0, "origin_y": 300000.0, "cols": 40, "rows": 30},
        "incidents": 74, "distinct_points": 70, "class_breaks": [1.5, 3.0], "heat_classes": {"k": 3},
        "change_file": "a_kde_change.tif", "publish": {"min_incidents": 10}, "warnings": ["w"],
        "change_surface": {"rule": "r", "cells_blanked": 12}})");
    const KdeManifestNode n = KdeManifestNode::from_json(node);
    CHECK(n.grid.cols == 40);
    CHECK(n.grid.cell_size_m == 25);
    CHECK(n.incidents == 74);
    CHECK(n.change_surface["cells_blanked"] == 12);
    CHECK(n.to_json().dump() == node.dump());
    // Without publish mode or a change screen those keys are not written.
    KdeManifestNode plain = n;
    plain.publish = nullptr;
    plain.change_surface = nullptr;
    CHECK_FALSE(plain.to_json().contains("publish"));
    CHECK_FALSE(plain.to_json().contains("change_surface"));
}
