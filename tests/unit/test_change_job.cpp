// The change step (change_job.hpp): in memory on synthetic incidents with planted rises and
// falls, end to end through `hotspot change`, and on the Leicestershire months when present.

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <gdal.h>
#include <map>
#include <nlohmann/json.hpp>
#include <ogr_api.h>
#include <sstream>

#include "hotspot/change_job.hpp"
#include "hotspot/dates.hpp"
#include "hotspot/error.hpp"
#include "support.hpp"

using namespace hotspot;
namespace fs = std::filesystem;

namespace {

// Three 1 km squares side by side: A rises 20 -> 30 per month, B stays at 20, C falls 25 -> 15,
// over 24 months (2023-01..2024-12); a few incidents fall outside every square.
struct Planted {
    IncidentTable inc;
    std::vector<AreaLayer> areas;
    std::map<std::string, std::pair<std::int64_t, std::int64_t>> truth;  // code -> (2024, 2023)
};

Planted planted() {
    Planted p;
    AreaLayer layer;
    layer.name = "ward";
    const char* codes[] = {"A", "B", "C"};
    for (int k = 0; k < 3; ++k) {
        layer.codes.push_back(codes[k]);
        layer.names.push_back(std::string("Ward ") + codes[k]);
        const double x0 = 1000.0 * k;
        layer.polygons.push_back({Polygon{{Ring{{x0, 0}, {x0 + 1000, 0}, {x0 + 1000, 1000}, {x0, 1000}}}}});
    }
    p.areas.push_back(layer);
    const auto add = [&](double x, double y, int year, unsigned month) {
        p.inc.x.push_back(x);
        p.inc.y.push_back(y);
        p.inc.date_days.push_back(days_from_civil(year, month, 1 + unsigned(p.inc.x.size() % 27)));
        p.inc.minute_of_day.push_back(-1);
    };
    for (int year : {2023, 2024})
        for (unsigned month = 1; month <= 12; ++month) {
            const int per[3] = {year == 2023 ? 20 : 30, 20, year == 2023 ? 25 : 15};
            for (int k = 0; k < 3; ++k)
                for (int i = 0; i < per[k]; ++i) add(1000.0 * k + 10 + 30 * (i % 30), 500 + i, year, month);
            add(-500, -500, year, month);  // outside every ward
        }
    p.inc.x.push_back(1500);  // one with no date
    p.inc.y.push_back(500);
    p.inc.date_days.push_back(no_date);
    p.inc.minute_of_day.push_back(-1);
    p.truth = {{"A", {360, 240}}, {"B", {240, 240}}, {"C", {180, 300}}};
    return p;
}

std::string column(const std::string& line, std::size_t k) {
    // police.uk CSV: fields may be double-quoted with commas inside.
    std::string cur;
    std::size_t field = 0;
    bool quoted = false;
    for (char c : line) {
        if (c == '"') quoted = !quoted;
        else if (c == ',' && !quoted) {
            if (field == k) return cur;
            ++field, cur.clear();
        } else if (c != '\r') cur += c;
    }
    return field == k ? cur : std::string();
}

} // namespace

TEST_CASE("change: planted rises and falls are classed right, counts add up", "[change-job]") {
    const Planted p = planted();
    ChangeOptions o;
    o.period_from = "2024-01", o.period_to = "2024-12", o.compare_from = "2023-01", o.compare_to = "2023-12";
    const std::vector<std::vector<double>> pops = {{1000, 2000, 0}};
    const ChangeResult r = compute_change(p.inc, p.areas, pops, o);
    CHECK(r.selected == p.inc.size());
    CHECK(r.no_date == 1);
    CHECK(r.outside_periods == 0);
    CHECK(r.study_area.period == 360 + 240 + 180 + 12);
    CHECK(r.study_area.comparison == 240 + 240 + 300 + 12);
    REQUIRE(r.layers.size() == 1);
    const auto& l = r.layers[0];
    CHECK(l.outside == 24);
    std::int64_t period_sum = 0;
    for (const auto& a : l.areas) {
        INFO(a.code);
        CHECK(a.period == p.truth.at(a.code).first);
        CHECK(a.comparison == p.truth.at(a.code).second);
        period_sum += a.period;
        // The test equals a direct call with the same counts and 12 months each.
        CHECK(a.test.p == poisson_change_test(a.period, a.comparison, 12, 12).p);
        CHECK(a.monthly.size() == 24);
    }
    CHECK(period_sum + std::int64_t(l.outside) / 2 == r.study_area.period);
    CHECK(l.areas[0].change == ChangeClass::significant_increase);
    CHECK(l.areas[1].change == ChangeClass::no_significant_change);
    CHECK(l.areas[2].change == ChangeClass::significant_decrease);
    CHECK(l.classes[4] == 1);
    CHECK(l.classes[2] == 1);
    CHECK(l.classes[0] == 1);
    // Rates per 1,000 residents per year; no rate without a population.
    CHECK(l.areas[0].rate_period == Approx(360.0));
    CHECK(l.areas[1].rate_comparison == Approx(120.0));
    CHECK(std::isnan(l.areas[2].rate_period));
    // The step up of A is a rising trend; its seasonal Sen's slope is the step, 10 incidents per
    // month per year; B has no trend.
    CHECK(std::string(trend_words(l.areas[0].trend)) == "rising");
    REQUIRE(l.areas[0].seasonal);
    CHECK(l.areas[0].seasonal->sen_slope == Approx(10.0));
    CHECK(std::string(trend_words(l.areas[1].trend)) == "no significant trend");
    CHECK(std::string(trend_words(l.areas[2].trend)) == "falling");
    const std::string s = r.sentence();
    INFO(s);
    CHECK(s.find("All incidents did not change (792 in Jan 2023 to Dec 2023 to 792 in Jan 2024 to Dec 2024), no significant "
                 "change (exact Poisson test, p = 1). Monthly trend 2023-01 to 2024-12: no significant trend") == 0);
}

TEST_CASE("change: default periods, exposure, absent months and option errors", "[change-job]") {
    Planted p = planted();
    ChangeOptions o;  // none given: the last 12 months against the 12 before
    ChangeResult r = compute_change(p.inc, p.areas, {}, o);
    CHECK(format_month(r.period_from) == "2024-01");
    CHECK(format_month(r.compare_to) == "2023-12");
    // Periods of different length compare incidents per month: 6 months of A's 2024 (180)
    // against its 12 months of 2023 (240) is a rise from 20 to 30 a month.
    o.period_from = "2024-07", o.period_to = "2024-12", o.compare_from = "2023-01", o.compare_to = "2023-12";
    r = compute_change(p.inc, p.areas, {}, o);
    CHECK(r.layers[0].areas[0].test.pct_change == Approx(50.0));
    CHECK(r.outside_periods == 6 * 66);  // 2024-01..06, 66 a month
    // A month with no incident at all is missing, not zero, and is reported.
    for (auto& d : p.inc.date_days)
        if (d != no_date && month_of_days(d) == parse_month("2023-05", "x")) d = no_date;
    r = compute_change(p.inc, p.areas, {}, ChangeOptions{});
    REQUIRE(r.absent_months.size() == 1);
    CHECK(std::isnan(r.study_area.monthly[4]));
    CHECK(r.warnings.size() == 1);

    ChangeOptions bad;
    bad.period_from = "2024-01";
    CHECK_THROWS_AS(bad.validate(), UsageError);
    bad.period_to = "2024-13", bad.compare_from = "2023-01", bad.compare_to = "2023-12";
    CHECK_THROWS_WITH(bad.validate(), "change: --period-to must be a month YYYY-MM (got '2024-13')");
    bad.period_to = "2024-06", bad.compare_from = "2024-03", bad.compare_to = "2024-08";
    CHECK_THROWS_WITH(bad.validate(), Catch::Contains("overlap"));
    ChangeOptions prof;
    prof.profile = "no-such-profile";
    CHECK_THROWS_WITH(prof.validate(), Catch::Contains("unknown --profile 'no-such-profile'"));
    CHECK(ChangeOptions{}.to_json()["p_significant"] == 0.002);
}

TEST_CASE("hotspot change end to end: layers, style, series CSV, manifest", "[change-job]") {
    const Planted p = planted();
    const fs::path dir = test::fresh_dir("change_cli");
    std::ostringstream csv;
    csv << "x,y,date\n";
    for (std::size_t i = 0; i < p.inc.size(); ++i) {
        csv << p.inc.x[i] << ',' << p.inc.y[i] << ',';
        if (p.inc.date_days[i] != no_date) {
            const auto c = civil_from_days(p.inc.date_days[i]);
            char b[16];
            std::snprintf(b, sizeof b, "%04d-%02d-%02d", c / 10000, (c / 100) % 100, c % 100);
            csv << b;
        }
        csv << '\n';
    }
    test::write_file(dir / "inc.csv", csv.str());
    std::ostringstream gj;
    gj << R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}},"features":[)";
    for (int k = 0; k < 3; ++k) {
        const int x0 = 1000 * k;
        gj << (k ? "," : "") << R"({"type":"Feature","properties":{"code":")" << p.areas[0].codes[std::size_t(k)]
           << R"(","name":"W"},"geometry":{"type":"Polygon","coordinates":[[[)" << x0 << ",0],[" << x0 + 1000 << ",0],["
           << x0 + 1000 << ",1000],[" << x0 << ",1000],[" << x0 << ",0]]]}}";
    }
    gj << "]}";
    test::write_file(dir / "wards.geojson", gj.str());
    const auto r = test::run_cli("change --incidents " + (dir / "inc.csv").string() + " --crs EPSG:27700 --areas ward=" +
                                 (dir / "wards.geojson").string() +
                                 ":code:name --period-from 2024-01 --period-to 2024-12 --compare-from 2023-01 --compare-to 2023-12 --out " +
                                 (dir / "change.gpkg").string());
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("no significant change (exact Poisson test, p = 1)") != std::string::npos);
    CHECK(r.out.find("ward: 3 areas: significant increase 1, increase 0, no significant change 1, decrease 0, significant decrease 1") !=
          std::string::npos);

    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx((dir / "change.gpkg").c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
    REQUIRE(ds);
    OGRLayerH layer = GDALDatasetGetLayerByName(ds, "ward_change");
    REQUIRE(layer);
    std::map<std::string, std::string> cls;
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(layer)) != nullptr) {
        cls[OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "code"))] =
            OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "change_class"));
        OGR_F_Destroy(f);
    }
    CHECK(cls == std::map<std::string, std::string>{{"A", "significant increase"}, {"B", "no significant change"}, {"C", "significant decrease"}});
    OGRLayerH styles = GDALDatasetExecuteSQL(ds, "SELECT styleQML FROM layer_styles WHERE f_table_name = 'ward_change'", nullptr, nullptr);
    REQUIRE(styles);
    f = OGR_L_GetNextFeature(styles);
    REQUIRE(f);
    CHECK(std::string(OGR_F_GetFieldAsString(f, 0)).find("attr=\"change_class\"") != std::string::npos);
    OGR_F_Destroy(f);
    GDALDatasetReleaseResultSet(ds, styles);
    GDALClose(ds);

    const std::string series = test::read_file(dir / "change_series.csv");
    CHECK(series.find("level,code,name,month,incidents\nstudy_area,study_area,All incidents,2023-01,66\n") == 0);
    CHECK(series.find("ward,A,W,2024-12,30\n") != std::string::npos);
    const auto m = nlohmann::json::parse(test::read_file(dir / "change.manifest.json"));
    CHECK(m["change"]["period_count"] == 792);
    CHECK(m["change"]["class"] == "no significant change");
    CHECK(m["counts"]["no_date"] == 1);
    CHECK(m["layers"][0]["classes"]["significant increase"] == 1);

    // Usage errors exit 2 and say what to do.
    const auto bad = test::run_cli("change --incidents " + (dir / "inc.csv").string() + " --period-from 2024-01 --out " +
                                   (dir / "x.gpkg").string());
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("give all four of --period-from") != std::string::npos);
}

TEST_CASE("Leicestershire: all crime, first 12 against last 12 months, is a significant increase", "[data-change]") {
    HOTSPOT_REQUIRE_SHARED_DATA();
    const fs::path folder = test::shared_data() / "police_uk" / "leicestershire";
    // Independent count from the CSV text: rows with a longitude and a latitude, by Month.
    std::map<std::string, std::int64_t> by_month;
    for (const auto& e : fs::directory_iterator(folder)) {
        if (e.path().extension() != ".csv") continue;
        std::ifstream in(e.path());
        std::string line;
        std::getline(in, line);
        REQUIRE(column(line, 1) == "Month");
        REQUIRE(column(line, 4) == "Longitude");
        while (std::getline(in, line))
            if (!column(line, 4).empty() && !column(line, 5).empty()) ++by_month[column(line, 1)];
    }
    REQUIRE(by_month.size() == 29);
    std::int64_t first = 0, last = 0;
    std::size_t k = 0;
    for (const auto& [month, n] : by_month) {
        if (k < 12) first += n;
        if (k >= 17) last += n;
        ++k;
    }
    const fs::path dir = test::fresh_dir("change_leics");
    const auto r = test::run_cli("change --incidents " + folder.string() + " --period-from " + std::prev(by_month.end(), 12)->first +
                                 " --period-to " + by_month.rbegin()->first + " --compare-from " + by_month.begin()->first +
                                 " --compare-to " + std::next(by_month.begin(), 11)->first + " --out " + (dir / "c.gpkg").string());
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto m = nlohmann::json::parse(test::read_file(dir / "c.manifest.json"));
    CHECK(m["change"]["period_count"] == last);
    CHECK(m["change"]["comparison_count"] == first);
    CHECK(m["change"]["class"] == "significant increase");
    CHECK(double(m["change"]["p"]) < 0.001);
    CHECK(double(m["change"]["pct_change"]) == Approx(100.0 * (double(last) / double(first) - 1)));
    CHECK(r.out.find("a significant increase (exact Poisson test, p < 0.001)") != std::string::npos);
    WARN(r.out);
}
