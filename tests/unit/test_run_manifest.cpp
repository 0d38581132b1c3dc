// The typed run manifest (manifest.hpp: RunManifest) and the one naming function of a run's
// outputs (run_names.hpp).

#include <catch2/catch.hpp>
#include <cmath>

#include "hotspot/backtest.hpp"
#include "hotspot/manifest.hpp"
#include "hotspot/run_names.hpp"
#include "hotspot/steps/gistar_step.hpp"
#include "hotspot/steps/hotspots_step.hpp"
#include "hotspot/steps/kde_step.hpp"
#include "hotspot/steps/change_step.hpp"
#include "hotspot/steps/hours_step.hpp"
#include "hotspot/steps/near_repeat_step.hpp"
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
    rm.run.title = "t";
    rm.run.period_from = "2025-01";
    rm.run.period_to = "2025-12";
    rm.run.comparing = true;
    rm.run.comparison_from = "2024-01";
    rm.run.comparison_to = "2024-12";
    rm.run.marking = "OFFICIAL-SENSITIVE";
    rm.run.author = "GIS team";
    rm.run.attribution = {"Contains OS data"};
    rm.run.area_levels.push_back({"lsoa", 611, "boundaries_lsoa", "LSOA21CD", "LSOA21CD LIKE 'E01%'", nullptr});
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
    // The run section: every field back, and the protective marking kept for a later `hotspot report`.
    CHECK(j.at("run").at("marking") == "OFFICIAL-SENSITIVE");
    CHECK(j.at("run").at("comparison").at("from") == "2024-01");
    CHECK(back.run.title == "t");
    CHECK(back.run.comparing);
    CHECK(back.run.comparison_to == "2024-12");
    CHECK(back.run.period_from == "2025-01");
    CHECK(back.run.marking == "OFFICIAL-SENSITIVE");
    CHECK(back.run.author == "GIS team");
    CHECK(back.run.attribution == rm.run.attribution);
    REQUIRE(back.run.area_levels.size() == 1);
    CHECK(back.run.area_levels[0].areas == 611);
    CHECK(back.run.area_levels[0].code_field == "LSOA21CD");
    CHECK(back.run.area_levels[0].areas_where == "LSOA21CD LIKE 'E01%'");
    CHECK(back.run.area_levels[0].vintage.is_null());
    // No comparison: null in the document, not comparing when read.
    RunSection plain;
    CHECK(plain.to_json().at("comparison").is_null());
    CHECK_FALSE(RunSection::from_json(plain.to_json()).comparing);
    CHECK_FALSE(plain.to_json().contains("marking"));

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

// The change, hours, near-repeat and backtest nodes (issue 13): each is one type, written through
// to_json() and read through from_json(); a node read back writes the same document, key for key
// and in order, and its typed fields hold what was written.
namespace {
template <class Node>
nlohmann::ordered_json round_trip(const nlohmann::ordered_json& j) {
    return Node::from_json(j).to_json();
}
} // namespace

TEST_CASE("run manifest: the change node reads back equal, key for key, in every variant", "[run-manifest]") {
    ChangeManifestNode n;
    n.options = {{"alpha", 0.05}};
    n.method = "exact Poisson test";
    n.selected = 120, n.no_date = 3, n.outside_periods = 7;
    ChangeSummaryNode& c = n.change;
    c.label = "Burglary";
    c.period_from = "2024-01", c.period_to = "2024-12", c.comparison_from = "2023-01", c.comparison_to = "2023-12";
    c.period_count = 60, c.comparison_count = 50;
    c.pct_change = 20, c.rate_ratio = 1.2, c.rr_lower95 = 0.8, c.rr_upper95 = 1.7, c.p = 0.35;
    c.change_class = "no significant change";
    c.trend.series_from = "2023-01", c.trend.series_to = "2024-12";
    c.trend.mk_s = 12, c.trend.mk_tau = 0.1, c.trend.mk_p = 0.4, c.trend.sen_slope_per_month = 0.05;
    c.trend.words = "no clear trend";
    c.trend.monthly = {4, NAN, 6};
    c.sentence = "Burglary rose 20%.";
    c.absent_months = {"2023-02"};
    n.comparison_source = "the config's comparison";
    ChangeLevelNode ward;
    ward.layer = {{"layer", "burglary_ward_change"}, {"areas", 2}, {"incidents_outside", 0}};
    ward.level = "ward";
    ChangeAreaNode up;
    up.code = "E05000001", up.name = "Abbey", up.comparison_count = 2, up.period_count = 9, up.pct_change = 350, up.p = 0.03;
    up.change_class = "significant increase";
    ward.rising = {up};
    ChangeLevelNode spots;
    spots.layer = {{"layer", "burglary_hotspots_change"}};
    spots.level = "hotspot";
    ChangeAreaNode none = up;
    none.comparison_count = 0, none.pct_change = NAN;
    spots.each = {none};
    n.levels = std::vector<ChangeLevelNode>{ward, spots};
    n.publish_rows_hidden = 4;

    const nlohmann::ordered_json j = n.to_json();
    CHECK(round_trip<ChangeManifestNode>(j).dump() == j.dump());
    CHECK(j["change"]["trend"]["monthly"][1].is_null());
    CHECK(j["levels"][0]["layer"] == "burglary_ward_change");
    CHECK(j["levels"][0]["rising"][0]["class"] == "significant increase");
    CHECK_FALSE(j["levels"][0].contains("each"));
    CHECK_FALSE(j["levels"][1].contains("rising"));
    const ChangeManifestNode r = ChangeManifestNode::from_json(j);
    CHECK(r.selected == 120);
    CHECK(r.change.period_count == std::optional<std::int64_t>(60));
    CHECK(std::isnan(r.change.trend.monthly[1]));
    REQUIRE(r.levels);
    CHECK(r.levels->at(1).hotspots());
    CHECK(std::isnan(r.levels->at(1).each.at(0).pct_change));
    CHECK(r.levels->at(0).rising.at(0).name == "Abbey");
    CHECK(r.publish_rows_hidden == std::optional<std::uint64_t>(4));

    // publish mode: hidden counts, no test, the trend withheld; the single command: no levels
    ChangeManifestNode h = n;
    h.change.period_count.reset();
    h.change.pct_change = h.change.p = NAN;
    h.change.change_class = "suppressed";
    h.change.trend.withheld = "publish mode: a month below the threshold";
    h.change.trend.monthly.clear();
    h.levels.reset();
    h.comparison_source.clear();
    h.publish_rows_hidden.reset();
    const nlohmann::ordered_json hj = h.to_json();
    CHECK(hj["change"]["period_count"].is_null());
    CHECK(hj["change"]["trend"].size() == 3);  // series, monthly, withheld
    CHECK_FALSE(hj.contains("levels"));
    CHECK(round_trip<ChangeManifestNode>(hj).dump() == hj.dump());
    CHECK_FALSE(ChangeManifestNode::from_json(hj).change.period_count);

    ChangeManifestNode s;
    s.skipped = "one month of data";
    CHECK(s.to_json() == nlohmann::ordered_json{{"skipped", "one month of data"}});
    CHECK(ChangeManifestNode::from_json(s.to_json()).skipped == "one month of data");
}

TEST_CASE("run manifest: the hours node reads back equal, with and without its table", "[run-manifest]") {
    HoursManifestNode n;
    n.options = {{"midnight_min", 20}};
    n.method = "by weekday and hour";
    n.label = "All crime";
    n.incidents = 10, n.in_table = 7, n.no_date = 1, n.unknown_time = 2, n.at_midnight = 3;
    n.round_hour_baseline = 1.5, n.midnight_unknown = true, n.no_times = false;
    n.note = "00:00 taken as unknown";
    n.table = std::vector<std::vector<std::uint64_t>>(7, std::vector<std::uint64_t>(24, 0));
    (*n.table)[4][22] = 7;
    const nlohmann::ordered_json j = n.to_json();
    CHECK(round_trip<HoursManifestNode>(j).dump() == j.dump());
    const HoursManifestNode r = HoursManifestNode::from_json(j);
    CHECK_FALSE(r.no_times);
    REQUIRE(r.table);
    CHECK((*r.table)[4][22] == 7);
    CHECK(r.round_hour_baseline == 1.5);
    n.table.reset();
    CHECK_FALSE(n.to_json()["hours"].contains("table"));
    CHECK_FALSE(HoursManifestNode::from_json(n.to_json()).table);
    // no node at all reads as no times (the report draws no clock)
    CHECK(HoursManifestNode::from_json(nlohmann::ordered_json::object()).no_times);
}

TEST_CASE("run manifest: the near-repeat node reads back equal", "[run-manifest]") {
    NearRepeatManifestNode n;
    n.options = {{"permutations", 99}, {"alpha", 0.05}};
    n.statistic = "Knox", n.time_unit = "months", n.expected_text = "mean", n.p_text = "pseudo p", n.bands = "[lo, hi)";
    n.raised_risk_rule = "first band", n.summary = "Knox test";
    n.table = {{0, 0, "0-100 m", "0-1 months", 12, 6.5, 12 / 6.5, 0.01, true}, {0, 1, "0-100 m", "1-2 months", 0, 0, NAN, 1, false}};
    n.risk_found = true, n.risk_distance_m = 100, n.risk_days = 30, n.window_distance_m = 100, n.window_days = 30;
    n.risk_source = "Knox table";
    n.counts = {{"rows", 40}};
    n.first_date = "2024-01-01", n.last_date = "2024-12-31";
    n.sentence = "Near repeats up to 100 m.";
    n.warnings = {"months only"};
    const nlohmann::ordered_json j = n.to_json();
    CHECK(round_trip<NearRepeatManifestNode>(j).dump() == j.dump());
    CHECK(j["table"][1]["ratio"].is_null());
    CHECK(j["method"]["time_unit"] == "months");
    const NearRepeatManifestNode r = NearRepeatManifestNode::from_json(j);
    CHECK(r.table.at(0).observed == 12);
    CHECK(r.table.at(0).significant);
    CHECK(std::isnan(r.table.at(1).ratio));
    CHECK(r.window_days == 30);
    CHECK(r.last_date == "2024-12-31");
}

TEST_CASE("run manifest: the backtest node says in a flag whether the backtest chose the bandwidth", "[run-manifest]") {
    BacktestManifestNode n;
    n.result = {{"options", {{"train_months", 12}}}, {"candidates", nlohmann::ordered_json::array({{{"candidate", "300 m"}}})}};
    n.history_incidents = 500;
    n.shown = "300 m";
    n.bandwidth_from = "backtest (auto:backtest)";
    n.bandwidth_chosen_by_backtest = true;
    n.sentence = "Over the last 18 months ...";
    const nlohmann::ordered_json j = n.to_json();
    CHECK(j["bandwidth_chosen_by_backtest"] == true);
    CHECK(j["candidates"][0]["candidate"] == "300 m");  // the result's keys stay at the node's top
    CHECK(round_trip<BacktestManifestNode>(j).dump() == j.dump());
    CHECK(BacktestManifestNode::from_json(j).history_incidents == std::optional<std::uint64_t>(500));
    // the flag, not the words, decides
    nlohmann::ordered_json k = j;
    k["bandwidth_chosen_by_backtest"] = false;
    CHECK_FALSE(BacktestManifestNode::from_json(k).bandwidth_chosen_by_backtest);
    // a document written before the flag: its words say it
    k.erase("bandwidth_chosen_by_backtest");
    CHECK(BacktestManifestNode::from_json(k).bandwidth_chosen_by_backtest);
    k["bandwidth_from"] = "the run's analysis.bandwidth";
    CHECK_FALSE(BacktestManifestNode::from_json(k).bandwidth_chosen_by_backtest);
    // switched off: the one key
    BacktestManifestNode off;
    off.result = {{"skipped", "analysis.backtest = false"}};
    CHECK(off.to_json() == nlohmann::ordered_json{{"skipped", "analysis.backtest = false"}});
    CHECK_FALSE(BacktestManifestNode::from_json(off.to_json()).bandwidth_chosen_by_backtest);
}
