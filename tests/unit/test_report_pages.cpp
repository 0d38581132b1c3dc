// The report's pure parts on synthetic run values whose truth is known: the ranking of areas
// against a brute-force count, the key-finding sentences, number words, and the pagination
// (every table row once, in order, on a profile page or a declared annex page).

#include <catch2/catch.hpp>

#include <algorithm>
#include <regex>
#include <string>

#include "hotspot/config.hpp"
#include "report_findings.hpp"
#include "report_pages.hpp"
#include "report_text.hpp"

using namespace hotspot;
using namespace hotspot::report;

namespace {

Feature area(const std::string& name, double incidents, double rate, const std::string& cls) {
    Feature f;
    f.text["name"] = name;
    f.text["code"] = "E0" + name;
    f.text["rate_class"] = cls;
    f.number["incidents"] = incidents;
    if (rate >= 0)
        f.number["rate_per_1000"] = rate;
    return f;
}

std::size_t count(const std::string& s, const std::string& what) {
    std::size_t n = 0;
    for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + what.size()))
        ++n;
    return n;
}

// A force of `n_wards` wards and 300 LSOAs; `n_above` wards significantly above.
ReportInput force(std::size_t n_wards, std::size_t n_above, bool population = true) {
    ReportInput in;
    in.version = "test";
    in.title = "Test force";
    in.area_name = "Testshire Police force area";
    in.period_from = "2021-05";
    in.period_to = "2022-04";
    in.marking = "OFFICIAL-SENSITIVE";
    in.levels = {"ward", "lsoa"};
    in.rows_in = 1000;
    in.assigned = 990;
    in.outside = 4;
    in.rejected = 6;
    Feature b;
    b.text["name"] = "Only";
    b.shape = {Polygon{{Ring{{0, 0}, {10000, 0}, {10000, 8000}, {0, 8000}, {0, 0}}}}};
    in.boundaries = {b};
    in.world = {0, 0, 10000, 8000};
    ProfileInput p;
    p.name = "drug-possession";
    p.title = "Drug possession";
    p.description = "Possession of controlled drugs.";
    p.has_population = population;
    p.selected = 5000;
    p.has_map = true;
    p.units = "per-km2";
    p.class_breaks = {1, 2, 4, 8, 16};
    p.has_rates = true;
    p.reference_rate = population ? 1.4 : NAN;
    LevelRates wards{"ward", "drug_possession_ward_rates", {}};
    for (std::size_t i = 0; i < n_wards; ++i) {
        const double rate = population ? 10.0 - 0.04 * double(i) : -1;
        wards.rows.push_back(area("Ward " + std::to_string(i + 1), double(200 - i), rate,
                                  population ? (i < n_above ? "significantly above" : "similar") : ""));
    }
    LevelRates lsoas{"lsoa", "drug_possession_lsoa_rates", {}};
    for (std::size_t i = 0; i < 300; ++i)
        lsoas.rows.push_back(area("Lsoa " + std::to_string(i + 1), 20, population ? 30.0 - 0.05 * double(i) : -1,
                                  population ? (i < 45 ? "significantly above" : "similar") : ""));
    p.rates = {wards, lsoas};
    in.profiles = {p};
    return in;
}

} // namespace

TEST_CASE("report: number words", "[report-pages]") {
    CHECK(thousands(13656) == "13,656");
    CHECK(thousands(-1234567) == "\u22121,234,567");
    CHECK(signed_thousands(5332) == "+5,332");
    CHECK(signed_thousands(0) == "0");
    CHECK(fixed(1919.26, 1) == "1,919.3");
    CHECK(fixed(8.04, 1) == "8.0");
    CHECK(percent(0.314) == "31.4%");
    CHECK(ordinal(1) == "1st");
    CHECK(ordinal(4) == "4th");
    CHECK(ordinal(12) == "12th");
    CHECK(ordinal(22) == "22nd");
    CHECK(ordinal(113) == "113th");
    CHECK(short_wards("A (50%), B (20%), C (20%), D (10%)") == "A (50%), B (20%), C (20%) and 1 more");
    CHECK(short_wards(ward_names("A (50%), B (20%), C (20%), D (<1%)")) == "A, B, C and 1 more");
    ProfileInput p;
    p.title = "Car key burglary";
    CHECK(profile_heading(p) == "Car key burglary");
    p.proxy = true;
    p.proxy_categories = {"Burglary"};
    CHECK(profile_heading(p) == "Burglary \u2014 police.uk proxy for car key burglary");
    CHECK(profile_subject(p) == "burglary (proxy for car key burglary)");
}

TEST_CASE("report: areas rank among all areas, ties share a rank", "[report-pages]") {
    LevelRates lv{"ward", "x", {}};
    const std::vector<double> rates = {3, 9, 5, 9, 1, -1, 5, 7};
    for (std::size_t i = 0; i < rates.size(); ++i)
        lv.rows.push_back(area("W" + std::to_string(i), 1, rates[i], ""));
    const auto ranked = rank_areas(lv, true);
    REQUIRE(ranked.size() == rates.size());
    for (const auto& r : ranked) {
        const auto v = r.area->num("rate_per_1000");
        if (!v) {
            CHECK(r.rank == 0); // no rate: not ranked, listed last
            CHECK(&r == &ranked.back());
            continue;
        }
        // Brute force: 1 + the number of areas with a strictly higher rate.
        int higher = 0;
        for (double x : rates)
            higher += x > *v;
        CHECK(r.rank == higher + 1);
    }
}

TEST_CASE("report: key findings say the strategic assessment's sentences", "[report-pages]") {
    ReportInput in = force(201, 15);
    // Castle: 4th by rate, the highest of those significantly above.
    auto& wards = in.profiles[0].rates[0].rows;
    for (std::size_t i = 0; i < wards.size(); ++i)
        wards[i].number["rate_per_1000"] = i < 3 ? 12.0 - double(i) : 7.9 - 0.01 * double(i);
    for (std::size_t i = 0; i < 3; ++i)
        wards[i].text["rate_class"] = "above";
    wards[3].text["name"] = "Castle";
    wards[3].number["rate_per_1000"] = 8.0;
    const auto f = key_findings(in, in.profiles[0]);
    CHECK(std::find(f.begin(), f.end(),
                    "Castle ward\u2019s rate of drug possession, 8.0 per 1,000 residents, is significantly above "
                    "the force rate of 1.4, the 4th highest of 201 wards.") != f.end());
    CHECK(std::find(f.begin(), f.end(), "12 of 201 wards are significantly above the force rate.") != f.end());

    const ReportInput counts = force(30, 0, false);
    const auto g = key_findings(counts, counts.profiles[0]);
    REQUIRE(g.size() >= 2);
    CHECK(g[1].rfind("Ward 1 ward recorded the most, 200 (4.0% of the force\u2019s total)", 0) == 0);
}

TEST_CASE("report: key findings sum the hot spots' share of area and of incidents", "[report-pages]") {
    ReportInput in = force(10, 0);
    // Two hot spots: 300 of 5,000 incidents (6%) on 0.02% of the area (PAI 300), and 200 (4%) on
    // 0.0026%: together 10% of the incidents on 0.0226% of the area.
    Feature a, b;
    a.text["wards"] = "Castle (100%)";
    a.text["grid_ref"] = "SK 5862 0434";
    a.text["streets"] = "Granby Street (40)";
    a.number["incidents"] = 300;
    a.number["share"] = 0.06;
    a.number["pai"] = 0.06 / 0.0002;
    a.number["area_m2"] = 63000;
    b.text["wards"] = "Abbey (100%)";
    b.number["incidents"] = 200;
    b.number["share"] = 0.04;
    b.number["pai"] = 0.04 / 0.000026;
    in.profiles[0].hotspots = {a, b};
    const auto f = key_findings(in, in.profiles[0]);
    CHECK(std::find(f.begin(), f.end(),
                    "The 2 hot spots cover 0.023% of the force area and held 10.0% of its incidents.") != f.end());
    CHECK(std::find(f.begin(), f.end(),
                    "Hot spot 1 (Castle, SK 5862 0434) held 300 incidents on 6.3 hectares; streets: Granby Street (40).") !=
          f.end());
}

TEST_CASE("report: long tables continue on declared annex pages, every row once", "[report-pages]") {
    for (const bool population : {true, false}) {
        INFO("population " << population);
        ReportInput in = force(60, 40, population);
        // 12 hot spots, the first 10 labelled for the map (hotspots_step.hpp), with long
        // locating text: all 10 listed once, 5 on the profile page and 5 in the annex.
        for (int i = 1; i <= 12; ++i) {
            Feature h;
            h.number["rank"] = i;
            h.number["incidents"] = 100 - i;
            h.number["share"] = 0.01;
            h.number["pai"] = 20;
            if (i <= 10)
                h.text["label"] = std::to_string(i);
            h.text["grid_ref"] = "SK 5862 04" + std::to_string(10 + i);
            h.text["wards"] = "Braunstone Park and Rowley Fields (56%), Westcotes (40%), Western Park (4%)";
            h.text["streets"] = "Supermarket (8), Winton Avenue (5), Gaddesby Avenue (4)";
            h.shape = {Polygon{{Ring{{0, 0}, {100, 0}, {100, 100}, {0, 100}, {0, 0}}}}};
            in.profiles[0].hotspots.push_back(h);
        }
        const PagesResult r = render_pages(in, "1 July 2026");
        CHECK(r.cover_pages == 2);
        CHECK(r.profile_pages == 1);
        const std::size_t pages = count(r.body, "<section class=\"page");
        CHECK(pages == r.cover_pages + r.profile_pages + r.annex_pages);
        CHECK(r.body.find("data-annex-pages=\"" + std::to_string(r.annex_pages) + "\"") != std::string::npos);
        // Every page carries the marking, top and bottom, and its number of the total.
        CHECK(count(r.body, "<div class=\"marking\">OFFICIAL-SENSITIVE</div>") == pages);
        CHECK(count(r.body, " of " + std::to_string(pages) + "</span></div>") == pages);
        // Rates: the 40 wards above and 45 LSOAs above are all listed once, in rank order.
        // Counts: the top 12 wards and top 10 LSOAs.
        const std::size_t wards = population ? 40 : 12, lsoas = population ? 45 : 10;
        CHECK(r.annex_pages >= (population ? 2 : 0));
        std::size_t last = 0;
        for (std::size_t i = 1; i <= wards; ++i) {
            const std::string cell = "<td>Ward " + std::to_string(i) + "</td>";
            CHECK(count(r.body, cell) == 1);
            const std::size_t at = r.body.find(cell);
            CHECK(at > last);
            last = at;
        }
        CHECK(count(r.body, "<td>Ward " + std::to_string(wards + 1) + "</td>") == 0);
        for (std::size_t i = 1; i <= lsoas; ++i)
            CHECK(count(r.body, "<td>Lsoa " + std::to_string(i) + " <span") == 1);
        for (int i = 1; i <= 12; ++i)
            CHECK(count(r.body, "SK 5862 04" + std::to_string(10 + i) + "<") == (i <= 10 ? 1u : 0u));
        CHECK(r.body.find("2 smaller hot spots are outlined on the map but not numbered") != std::string::npos);
        // A continued table names its annex page, and the annex labels the rows it holds.
        if (r.annex_pages > 0) {
            CHECK(std::regex_search(r.body, std::regex("are in the annex, page [0-9]+\\.")));
            CHECK(r.body.find("@@ANNEX") == std::string::npos);
            CHECK(std::regex_search(r.body, std::regex("continued, rows [0-9]+\u2013[0-9]+ of [0-9]+</h3>")));
        }
        if (!population) {
            CHECK(r.body.find("not computed") == std::string::npos);
            CHECK(r.body.find("rate per 1,000") == std::string::npos);
            CHECK(r.body.find("Wards: incidents, ranked of 60") != std::string::npos);
        }
    }
}

TEST_CASE("report: the protective marking and author come from the run config", "[report-pages]") {
    const RunConfig c = parse_run_config("title = \"T\"\nmarking = \"OFFICIAL-SENSITIVE\"\nauthor = \"Force analysis team\"\n",
                                         "/x/run.toml");
    CHECK(c.marking == "OFFICIAL-SENSITIVE");
    CHECK(c.author == "Force analysis team");
    CHECK(parse_run_config("title = \"T\"\n", "/x/run.toml").marking.empty()); // none unless set
}

TEST_CASE("report: a map drawn from postcode centroids says so in its methods box", "[report-pages]") {
    ReportInput in = force(10, 2);
    const std::string plain = render_pages(in, "1 July 2026").body;
    CHECK(plain.find("postcode centroids") == std::string::npos);  // not placed by postcode: nothing
    in.profiles[0].postcode_share = 0.0;
    CHECK(render_pages(in, "1 July 2026").body.find("postcode centroids") == std::string::npos);
    in.profiles[0].postcode_share = 0.374;
    const std::string body = render_pages(in, "1 July 2026").body;
    const auto methods = body.substr(body.find("<div class=\"methods\">"));
    CHECK(methods.substr(0, methods.find("</div>")).find("<b>37% of the incidents are placed at postcode centroids</b>") !=
          std::string::npos);
}
