// The near-repeat step's own behaviour (steps/near_repeat_step.hpp) beyond the Knox core
// (test_knox.cpp): months-only data, refused unless the frame allows it and then tested by month
// (labels, counts against a brute-force count of pairs by month apart, no windows); and the
// report's Knox table (report_near_repeat.hpp): shading by significance, the "or more" row never
// shaded, the sentence under it.

#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "hotspot/dates.hpp"
#include "hotspot/error.hpp"
#include "hotspot/steps/near_repeat_step.hpp"
#include "hotspot/vector_out.hpp"
#include "report_near_repeat.hpp"
#include "support.hpp"

using namespace hotspot;

namespace {

// police.uk-like incidents: a Month field only, each dated the 1st of its month.
IncidentTable months_only(int n) {
    std::mt19937 rng(5);
    std::uniform_real_distribution<double> u(0, 1500);
    std::uniform_int_distribution<int> month(0, 11);
    IncidentTable t;
    t.field_names = {"Month"};
    t.roles.month = 0;
    for (int i = 0; i < n; ++i) {
        t.x.push_back(std::round(u(rng)));
        t.y.push_back(std::round(u(rng)));
        t.date_days.push_back(days_from_civil(2025, unsigned(1 + month(rng)), 1));
    }
    return t;
}

} // namespace

TEST_CASE("near-repeat step: months-only data is refused by default, tested by month when allowed", "[knox]") {
    const auto dir = test::fresh_dir("near_repeat_step_months");
    const IncidentTable inc = months_only(300);
    NearRepeatStepOptions o;
    o.permutations = 19;
    NearRepeatStepInput in;
    in.incidents = &inc;
    {
        VectorWriter w((dir / "a.gpkg").string(), "EPSG:27700", true);
        NearRepeatStepOutput out;
        out.writer = &w;
        CHECK_THROWS_AS(run_near_repeat_step(in, o, out), InputError);
    }
    in.allow_months = true;
    VectorWriter w((dir / "b.gpkg").string(), "EPSG:27700", true);
    NearRepeatStepOutput out;
    out.writer = &w;
    const NearRepeatResult r = run_near_repeat_step(in, o, out);
    w.commit();
    REQUIRE(r.months);
    const KnoxResult& t = r.table;
    REQUIRE(t.cols == 4);
    CHECK(t.col_labels[0] == "same month");
    CHECK(t.col_labels[1] == "1 month apart");
    CHECK(t.col_labels[2] == "2 months apart");
    CHECK(t.col_labels[3] == "3 months or more apart");
    CHECK(r.windows.empty());
    CHECK(r.sentence.find("in the same month as another") != std::string::npos);
    // Brute force: rows same location (d = 0), [0,100) exclusive of 0, [100,200), [200,300), 300+;
    // cols by whole months apart 0, 1, 2, 3+.
    std::int64_t brute[5][4] = {};
    for (std::size_t i = 0; i < inc.size(); ++i)
        for (std::size_t j = i + 1; j < inc.size(); ++j) {
            const double d = std::hypot(inc.x[i] - inc.x[j], inc.y[i] - inc.y[j]);
            const int row = d == 0 ? 0 : d < 100 ? 1 : d < 200 ? 2 : d < 300 ? 3 : 4;
            const std::int32_t ci = civil_from_days(inc.date_days[i]), cj = civil_from_days(inc.date_days[j]);
            const int months = std::abs((ci / 10000 * 12 + ci / 100 % 100) - (cj / 10000 * 12 + cj / 100 % 100));
            brute[row][std::min(months, 3)]++;
        }
    for (std::size_t row = 0; row < 5; ++row)
        for (std::size_t col = 0; col < 4; ++col) {
            INFO("row " << row << " col " << col);
            CHECK(t.observed[t.cell(row, col)] == brute[row][col]);
        }
}

TEST_CASE("report: the Knox table shades significant cells, never the 'or more' row", "[knox][report]") {
    using namespace hotspot::report;
    NearRepeatInput in;
    in.present = true;
    in.permutations = 999;
    in.sentence = "burglaries within 100 m and 7 days of another were 2.3 times as common as chance (p = 0.001, 999 permutations)";
    const auto cell = [](std::size_t r, std::size_t c, const char* db, const char* tb, double ratio, double p, bool sig) {
        KnoxCellInput k;
        k.row = r, k.col = c, k.distance_band = db, k.time_band = tb, k.ratio = ratio, k.p = p, k.significant = sig;
        return k;
    };
    in.cells = {cell(0, 0, "same location (0 m)", "0–7 days", NAN, 1, false), cell(0, 1, "same location (0 m)", "7 days or more", 1, 0.5, false),
                cell(1, 0, "0–100 m", "0–7 days", 2.34, 0.001, true), cell(1, 1, "0–100 m", "7 days or more", 1.2, 0.03, true),
                cell(2, 0, "100 m or more", "0–7 days", 1.01, 0.001, true), cell(2, 1, "100 m or more", "7 days or more", 0.99, 1, false)};
    const NearRepeatTable t = near_repeat_table(in);
    REQUIRE(t.rows.size() == 3);
    CHECK(t.head.find("0–7 days") != std::string::npos);
    CHECK(t.rows[0].find("background") == std::string::npos);
    CHECK(t.rows[0].find("\u2013") != std::string::npos);          // no ratio where expected is 0
    CHECK(t.rows[1].find("#fd8d3c;font-weight:bold\">2.3<") != std::string::npos);  // p <= 0.01: darker
    CHECK(t.rows[1].find("#fdbe85\">1.2<") != std::string::npos);    // p <= alpha
    CHECK(t.rows[2].find("background") == std::string::npos);      // the "or more" row, significant or not
    CHECK(t.after.rfind("Burglaries within 100 m and 7 days", 0) == 0);
}
