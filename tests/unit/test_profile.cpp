// Offence profiles: every filter term on small tables made in code, TOML reading/writing, and
// the built-ins against the demo town's ground truth and real police.uk files.

#include <catch2/catch.hpp>
#include <functional>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <sstream>

#include "../support.hpp"
#include "hotspot/dates.hpp"
#include "hotspot/error.hpp"
#include "hotspot/incidents_io.hpp"
#include "hotspot/profile.hpp"
#include "hotspot/profile_split.hpp"

using namespace hotspot;
namespace fs = std::filesystem;

namespace {

struct Row {
    std::string code, category, location, mo, date, time;
};

// A table with the roles of a records-system export; date "" = unknown, time "" = unknown.
IncidentTable make_table(const std::vector<Row>& rows) {
    IncidentTable t;
    t.field_names = {"offence_code", "category", "location_type", "mo_text", "date", "time"};
    t.fields.resize(6);
    t.roles.offence_code = 0;
    t.roles.category = 1;
    t.roles.location_type = 2;
    t.roles.mo_text = 3;
    t.roles.date = 4;
    t.roles.time = 5;
    t.source_files = {"made-in-code"};
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const Row& r = rows[i];
        std::size_t k = 0;
        for (const std::string& v : {r.code, r.category, r.location, r.mo, r.date, r.time})
            t.fields[k++].push_back(v);
        t.x.push_back(double(i));
        t.y.push_back(0);
        const auto d = parse_date(r.date);
        t.date_days.push_back(r.date.empty() ? no_date : d->days);
        t.minute_of_day.push_back(r.time.empty() ? std::int16_t(-1) : *parse_time(r.time));
        auto it = std::find(t.categories.begin(), t.categories.end(), r.category);
        if (it == t.categories.end()) {
            t.categories.push_back(r.category);
            it = t.categories.end() - 1;
        }
        t.category.push_back(std::uint32_t(it - t.categories.begin()));
        t.source_file.push_back(0);
        t.source_line.push_back(i + 2);
    }
    return t;
}

Profile with_filter(const Filter& f, const std::string& name = "test") {
    Profile p;
    p.name = name;
    p.title = "Test";
    p.filter = f;
    return p;
}

std::vector<std::uint32_t> selected(const IncidentTable& t, const Filter& f) {
    return select(t, with_filter(f)).rows;
}

using Rows = std::vector<std::uint32_t>;

std::string error_of(const std::string& toml) {
    try {
        parse_profile_toml(toml, "my.toml");
    } catch (const InputError& e) {
        return e.what();
    }
    return "(no error)";
}

} // namespace

TEST_CASE("profile: category term ORs its list and ignores case and blanks", "[profile]") {
    const auto t = make_table({{"", "Burglary", "", "", "", ""},
                               {"", "Drugs", "", "", "", ""},
                               {"", " burglary ", "", "", "", ""},
                               {"", "Vehicle crime", "", "", "", ""}});
    Filter f;
    f.categories = {"BURGLARY", "Drugs"};
    CHECK(selected(t, f) == Rows{0, 1, 2});
    f.categories = {"Robbery"};
    CHECK(selected(t, f).empty());
}

TEST_CASE("profile: offence codes match exactly or as a family prefix", "[profile]") {
    const auto t = make_table({{"92A", "", "", "", "", ""},
                               {"92D", "", "", "", "", ""},
                               {"92e", "", "", "", "", ""},
                               {"920", "", "", "", "", ""},
                               {"92", "", "", "", "", ""},
                               {"092D", "", "", "", "", ""},
                               {"92D/01", "", "", "", "", ""},
                               {"92DX", "", "", "", "", ""},
                               {"8N", "", "", "", "", ""},
                               {"58C", "", "", "", "", ""},
                               {"105A", "", "", "", "", ""}});
    Filter f;
    f.offence_codes = {"92D", "92E"};
    CHECK(selected(t, f) == Rows{1, 2, 5, 6}); // not 92A, 920, 92 or 92DX
    f.offence_codes = {"92"};
    CHECK(selected(t, f) == Rows{0, 1, 2, 4, 5, 6, 7}); // the 92 family, not 920
    f.offence_codes = {"8", "5"};
    CHECK(selected(t, f) == Rows{8}); // "5" does not take 58C; "8" does not take 105A
    f.offence_codes = {"1"};
    CHECK(selected(t, f).empty()); // 105A is not in the "1" family
}

TEST_CASE("profile: location types and field in / equals / not_in", "[profile]") {
    const auto t = make_table({{"8N", "Violence", "Street", "", "", ""},
                               {"8N", "Violence", "Dwelling", "", "", ""},
                               {"8N", "Violence", "licensed premises", "", "", ""},
                               {"ASB", "Anti-social behaviour", "Street", "", "", ""}});
    Filter f;
    f.location_types = {"Street", "Licensed Premises"};
    CHECK(selected(t, f) == Rows{0, 2, 3});
    FieldTerm code;
    code.field = "offence_code";
    code.in = {"8n"};
    f.fields = {code};
    CHECK(selected(t, f) == Rows{0, 2});
    FieldTerm not_asb;
    not_asb.field = "Category"; // a role name, in any case
    not_asb.not_in = {"anti-social behaviour"};
    Filter g;
    g.fields = {not_asb};
    CHECK(selected(t, g) == Rows{0, 1, 2});
    FieldTerm by_name;
    by_name.field = "TIME"; // not a role: an original field name, case-insensitively
    by_name.in = {""};
    Filter h;
    h.fields = {by_name};
    CHECK(selected(t, h).size() == 4);
}

TEST_CASE("profile: matching is case-insensitive; exclusions win over matches", "[profile]") {
    const auto t = make_table({
        {"28E", "", "", "Car KEYS taken from hall, vehicle DRIVEN AWAY", "", ""},
        {"28E", "", "", "Vehicle keyed along offside panels", "", ""},
        {"28E", "", "", "Car taken from drive, no keys taken", "", ""},
        {"28E", "", "", "keys taken, vehicle left on the drive", "", ""},
        {"28E", "", "", "Key to Audi taken, car driven off", "", ""},
        {"28E", "", "", "keys were not taken, car driven away by relay", "", ""},
    });
    SECTION("substrings") {
        FieldTerm keys;
        keys.field = "mo_text";
        keys.matches = {"keys"};
        keys.exclude_matches = {"NO KEYS"};
        Filter f;
        f.fields = {keys};
        CHECK(selected(t, f) == Rows{0, 3, 5}); // "keyed" has no "keys"; "no keys" excluded
    }
    SECTION("regular expressions, and two terms on one field AND together") {
        const Profile& ckb = *find_builtin("car-key-burglary");
        CHECK(select(t, ckb).rows == Rows{0, 4});
    }
    SECTION("a bad regular expression is a usage error naming the key") {
        FieldTerm bad;
        bad.field = "mo_text";
        bad.regex = true;
        bad.matches = {"keys("};
        Filter f;
        f.fields = {bad};
        try {
            select(t, with_filter(f, "broken"));
            FAIL("no error");
        } catch (const UsageError& e) {
            const std::string m = e.what();
            CHECK(m.rfind("profile: broken: filter.fields[0].matches", 0) == 0);
            CHECK(m.find("regex = false") != std::string::npos);
        }
    }
}

TEST_CASE("profile: hours window wraps midnight, end exclusive, unknown times counted",
          "[profile]") {
    const auto t = make_table({{"8N", "", "", "", "2025-01-03", "20:59"},
                               {"8N", "", "", "", "2025-01-03", "21:00"},
                               {"8N", "", "", "", "2025-01-03", "23:59"},
                               {"8N", "", "", "", "2025-01-04", "00:00"},
                               {"8N", "", "", "", "2025-01-04", "03:59"},
                               {"8N", "", "", "", "2025-01-04", "04:00"},
                               {"8N", "", "", "", "2025-01-04", "12:00"},
                               {"8N", "", "", "", "2025-01-04", ""},
                               {"8N", "", "", "", "2025-01-04", ""},
                               {"9A", "", "", "", "2025-01-04", ""}});
    Filter f;
    f.offence_codes = {"8N"};
    f.hours = parse_hours_window("21:00-04:00");
    const Selection s = select(t, with_filter(f, "night"));
    CHECK(s.rows == Rows{1, 2, 3, 4});
    // Two 8N rows have no time: counted. The 9A row without a time fails the code term anyway.
    CHECK(s.excluded_unknown_time == 2);
    REQUIRE(s.warnings.size() == 1);
    CHECK(s.warnings[0].find("profile: night: 2 incidents") == 0);
    CHECK(s.warnings[0].find("no time of day") != std::string::npos);

    f.hours = parse_hours_window("09:00-17:00"); // not wrapping
    CHECK(selected(t, f) == Rows{6});

    CHECK(HoursWindow{21 * 60, 4 * 60}.contains(1439));
    CHECK_FALSE(HoursWindow{21 * 60, 4 * 60}.contains(4 * 60));
    CHECK(format_hours_window(parse_hours_window(" 21:00 - 04:00 ")) == "21:00-04:00");
    CHECK_THROWS_AS(parse_hours_window("21:00-21:00"), UsageError);
    CHECK_THROWS_AS(parse_hours_window("21-04"), UsageError);
    CHECK_THROWS_AS(parse_hours_window("24:00-04:00"), UsageError);
    CHECK_THROWS_WITH(parse_hours_window("9pm"), Catch::StartsWith("profile: hours \"9pm\""));
}

TEST_CASE("profile: month and date ranges are inclusive at both ends", "[profile]") {
    const auto t = make_table({{"", "", "", "", "2025-02-28", ""},
                               {"", "", "", "", "2025-03-01", ""},
                               {"", "", "", "", "2025-03-31", ""},
                               {"", "", "", "", "2025-04-30", ""},
                               {"", "", "", "", "2025-05-01", ""},
                               {"", "", "", "", "", ""},
                               {"", "", "", "", "2024-02-29", ""}});
    Filter f;
    f.date_from = "2025-03";
    f.date_to = "2025-04";
    const Selection s = select(t, with_filter(f));
    CHECK(s.rows == Rows{1, 2, 3});
    CHECK(s.excluded_unknown_date == 1);
    f.date_from = "2025-03-31";
    f.date_to = "2025-04-30";
    CHECK(selected(t, f) == Rows{2, 3});
    f.date_from.clear();
    f.date_to = "2024-02"; // leap February ends on the 29th
    CHECK(selected(t, f) == Rows{6});
    f.date_to = "2025-02-30";
    CHECK_THROWS_WITH(select(t, with_filter(f)), Catch::Contains("filter.date_to"));
    f.date_from = "2025-05";
    f.date_to = "2025-04";
    CHECK_THROWS_WITH(select(t, with_filter(f)), Catch::Contains("swap them"));
}

TEST_CASE("profile: weekdays use the calendar day (0 = Monday)", "[profile]") {
    // 2025-01-03 is a Friday (checked independently: 1 January 2025 was a Wednesday).
    const auto t = make_table({{"", "", "", "", "2025-01-01", ""},
                               {"", "", "", "", "2025-01-03", ""},
                               {"", "", "", "", "2025-01-04", ""},
                               {"", "", "", "", "2025-01-05", ""},
                               {"", "", "", "", "", ""}});
    Filter f;
    f.weekdays = {4, 5}; // Fri, Sat
    const Selection s = select(t, with_filter(f));
    CHECK(s.rows == Rows{1, 2});
    CHECK(s.excluded_unknown_date == 1);
    f.weekdays = {2};
    CHECK(selected(t, f) == Rows{0});
}

TEST_CASE("profile: an empty selection warns with each term's counts, not an exception",
          "[profile]") {
    const auto t = make_table({{"92D", "Drugs", "Street", "", "2025-01-03", "12:00"},
                               {"92E", "Drugs", "Dwelling", "", "2025-01-03", "13:00"},
                               {"8N", "Violence", "Street", "", "2025-01-03", "22:00"}});
    Filter f;
    f.offence_codes = {"92D", "92E"};
    f.location_types = {"Street"};
    f.hours = parse_hours_window("21:00-04:00");
    const Selection s = select(t, with_filter(f, "night-drugs"));
    CHECK(s.rows.empty());
    REQUIRE(s.terms.size() == 3);
    CHECK(s.terms[0].term == "offence_code in [92D, 92E]");
    CHECK(s.terms[0].selected == 2);
    CHECK(s.terms[0].remaining == 2);
    CHECK(s.terms[1].selected == 2);
    CHECK(s.terms[1].remaining == 1);
    CHECK(s.terms[2].selected == 1);
    CHECK(s.terms[2].remaining == 0);
    REQUIRE(s.warnings.size() == 1);
    const std::string& w = s.warnings[0];
    CHECK(w.find("profile: night-drugs: no incidents selected out of 3") == 0);
    CHECK(w.find("offence_code in [92D, 92E]: 2 / 2") != std::string::npos);
    CHECK(w.find("location_type in [Street]: 2 / 1") != std::string::npos);
    CHECK(w.find("hours 21:00-04:00 (end exclusive): 1 / 0") != std::string::npos);

    const Selection none = select(make_table({}), with_filter(f, "night-drugs"));
    CHECK(none.rows.empty());
    REQUIRE(none.warnings.size() == 1);
    CHECK(none.warnings[0].find("holds no incidents") != std::string::npos);

    const Selection everything = select(t, with_filter(Filter{}));
    CHECK(everything.rows == Rows{0, 1, 2});
    CHECK(everything.warnings.empty());
}

TEST_CASE("profile: a term on a field the input lacks is a usage error saying what to do",
          "[profile]") {
    auto t = make_table({{"92D", "Drugs", "Street", "", "", ""}});
    t.roles.offence_code = -1;
    Filter f;
    f.offence_codes = {"92D"};
    CHECK_THROWS_WITH(select(t, with_filter(f, "drugs")),
                      Catch::StartsWith("profile: drugs: the filter uses the offence_code") &&
                          Catch::Contains("--offence-code"));
    FieldTerm x;
    x.field = "no_such_field";
    x.in = {"a"};
    Filter g;
    g.fields = {x};
    CHECK_THROWS_WITH(select(t, with_filter(g, "odd")),
                      Catch::Contains("'no_such_field'") && Catch::Contains("mo_text"));
}

TEST_CASE("profile: TOML reads every key and round-trips through to_toml", "[profile]") {
    const std::string text = R"(
name = "night-drugs"
title = "Night drugs"
description = "Say \"hi\"\nsecond line"
denominator = "none"
outputs = ["kde", "gistar"]
proxy_note = "police.uk: no times"

[analysis]
kde_kernel = "quartic"
bandwidth_m = "auto:ppl"
cell_size_m = 20
gistar_band_m = 120.5
fdr_q = 0.01

[filter]
categories = ["Drugs"]
offence_codes = ["92D", "92E"]
location_types = ["Street"]
date_from = "2025-01"
date_to = "2025-06-15"
hours = "21:00-04:00"
weekdays = ["Fri", "saturday"]

[[filter.fields]]
field = "mo_text"
matches = ['\bcannabis\b']
exclude_matches = ["supply"]
regex = true

[[filter.fields]]
field = "outcome"
equals = "Charged"

[police_uk_filter]
categories = "Drugs"
)";
    const Profile p = parse_profile_toml(text, "night.toml");
    CHECK(p.name == "night-drugs");
    CHECK(p.description == "Say \"hi\"\nsecond line");
    CHECK(p.denominator == Denominator::none);
    CHECK(p.outputs == std::vector<std::string>{"kde", "gistar"});
    CHECK(p.analysis.bandwidth_auto == "ppl");
    CHECK(p.analysis.bandwidth_m == 0);
    CHECK(p.analysis.cell_size_m == 20);
    CHECK(p.analysis.gistar_band_m == 120.5);
    CHECK(p.analysis.fdr_q == 0.01);
    CHECK(p.filter.hours == HoursWindow{21 * 60, 4 * 60});
    CHECK(p.filter.weekdays == std::vector<int>{4, 5});
    REQUIRE(p.filter.fields.size() == 2);
    CHECK(p.filter.fields[0].regex);
    CHECK(p.filter.fields[0].matches == std::vector<std::string>{"\\bcannabis\\b"});
    CHECK(p.filter.fields[1].in == std::vector<std::string>{"Charged"});
    REQUIRE(p.police_uk_filter);
    CHECK(p.police_uk_filter->categories == std::vector<std::string>{"Drugs"});

    const std::string written = to_toml(p);
    const Profile again = parse_profile_toml(written, "written.toml");
    CHECK(again == p);
    CHECK(to_toml(again) == written);

    for (const auto& b : builtin_profiles()) {
        INFO(b.name);
        CHECK(parse_profile_toml(to_toml(b), b.name + ".toml") == b);
        for (bool uk : {false, true}) {
            const Profile v = choose_variant(b, uk);
            CHECK(parse_profile_toml(to_toml(v), b.name + ".toml") == v);
        }
    }

    // Defaults: only a name.
    const Profile minimal = parse_profile_toml("name = \"x\"\n", "x.toml");
    CHECK(minimal.title == "x");
    CHECK(minimal.filter.empty());
    CHECK_FALSE(minimal.police_uk_filter);
    CHECK(minimal.analysis == AnalysisParameters{});
}

TEST_CASE("profile: TOML errors name the file, line and key and say what to do", "[profile]") {
    CHECK(error_of("name = \"a\"\ncolour = \"red\"\n") ==
          "profile: my.toml:2: field 'colour': unknown key; the keys here are: name, title, "
          "description, denominator, outputs, proxy_note, analysis, filter, police_uk_filter "
          "(check the spelling)");
    CHECK_THAT(error_of("name = \"a\"\n[filter]\noffence_code = [\"92D\"]\n"),
               Catch::StartsWith("profile: my.toml:3: field 'filter.offence_code': unknown key"));
    CHECK_THAT(error_of("name = \"a\"\n\n[filter]\nhours = \"21:00-21:00\"\n"),
               Catch::StartsWith("profile: my.toml:4: field 'filter.hours': hours") &&
                   Catch::Contains("leave hours out"));
    CHECK_THAT(error_of("name = \"a\"\n[filter]\ndate_from = \"March 2025\"\n"),
               Catch::StartsWith("profile: my.toml:3: field 'filter.date_from'") &&
                   Catch::Contains("YYYY-MM"));
    CHECK_THAT(error_of("name = \"a\"\n[filter]\nweekdays = [\"Fry\"]\n"),
               Catch::StartsWith("profile: my.toml:3: field 'filter.weekdays'") &&
                   Catch::Contains("\"Fry\" is not a weekday"));
    CHECK_THAT(error_of("name = \"a\"\n[analysis]\ncell_size_m = -5\n"),
               Catch::StartsWith("profile: my.toml:3: field 'analysis.cell_size_m'") &&
                   Catch::Contains("> 0"));
    CHECK_THAT(error_of("name = \"a\"\n[analysis]\nbandwidth_m = \"wide\"\n"),
               Catch::StartsWith("profile: my.toml:3: field 'analysis.bandwidth_m'") &&
                   Catch::Contains("auto:<method>"));
    // A run honours `outputs`, so a step whose input is missing is refused.
    CHECK_THAT(error_of("name = \"a\"\noutputs = [\"hotspot_polygons\"]\n"),
               Catch::StartsWith("profile: my.toml") && Catch::Contains("list \"kde\" too"));
    CHECK_THAT(error_of("name = \"a\"\noutputs = [\"kde\", \"lisa\"]\n"),
               Catch::StartsWith("profile: my.toml") && Catch::Contains("list \"rates\" too"));
    // One bandwidth grammar with the engine: a rule the kde step would refuse is refused here.
    CHECK_THAT(error_of("name = \"a\"\n[analysis]\nbandwidth_m = \"auto:likelihood-cv\"\n"),
               Catch::StartsWith("profile: my.toml:3: field 'analysis.bandwidth_m'") &&
                   Catch::Contains("unknown rule") && Catch::Contains("auto:ppl"));
    CHECK_THAT(error_of("name = \"a\"\noutputs = [\"kde\", \"heatmap\"]\n"),
               Catch::StartsWith("profile: my.toml:2: field 'outputs'") &&
                   Catch::Contains("\"heatmap\""));
    CHECK_THAT(error_of("name = \"a\"\n[filter]\ncategories = [1, 2]\n"),
               Catch::StartsWith("profile: my.toml:3: field 'filter.categories'") &&
                   Catch::Contains("got an integer"));
    CHECK_THAT(
        error_of("name = \"a\"\n\n[[filter.fields]]\nfield = \"mo_text\"\nmatch = [\"x\"]\n"),
        Catch::StartsWith("profile: my.toml:5: field 'filter.fields[0].match'"));
    CHECK_THAT(error_of("name = \"a\"\n[[filter.fields]]\nfield = \"mo_text\"\nregex = true\n"
                        "matches = [\"(\"]\n"),
               Catch::StartsWith("profile: my.toml:5: field 'filter.fields[0].matches'") &&
                   Catch::Contains("regex = false"));
    CHECK_THAT(error_of("name = \"My Profile\"\n"),
               Catch::StartsWith("profile: my.toml:1: field 'name'"));
    CHECK_THAT(error_of("title = \"x\"\n"),
               Catch::StartsWith("profile: my.toml: field 'name': missing"));
    CHECK_THAT(error_of("name = \"a\"\n[filter\n"),
               Catch::StartsWith("profile: my.toml:2: not valid TOML"));
    // Cross-key checks are the validator's too, and now name the key's line.
    CHECK_THAT(error_of("name = \"a\"\n[filter]\ndate_from = \"2025-06\"\ndate_to = \"2025-01\"\n"),
               Catch::StartsWith("profile: my.toml:4: field 'filter.date_to'") && Catch::Contains("swap them"));
    CHECK_THAT(error_of("name = \"a\"\n[[filter.fields]]\nfield = \"mo_text\"\n"),
               Catch::StartsWith("profile: my.toml:2: field 'filter.fields[0]'") && Catch::Contains("no condition"));
    // The kernel is checked against the engine's kernel table (kde.hpp), not only for being
    // non-empty: a profile that reads also runs.
    CHECK_THAT(error_of("name = \"a\"\n[analysis]\nkde_kernel = \"biweight\"\n"),
               Catch::StartsWith("profile: my.toml:3: field 'analysis.kde_kernel'") &&
                   Catch::Contains("\"biweight\" is not a kernel; use one of: quartic"));
}

TEST_CASE("profile: validate() and the TOML reader refuse the same values (one check per key)", "[profile]") {
    // Each value refused by the reader is refused by validate() with the same words.
    struct Case {
        const char* toml;
        std::function<void(Profile&)> set;
        const char* words;
    };
    const std::vector<Case> cases = {
        {"[analysis]\nkde_kernel = \"biweight\"\n", [](Profile& p) { p.analysis.kde_kernel = "biweight"; },
         "is not a kernel"},
        {"[analysis]\nbandwidth_m = \"auto:likelihood-cv\"\n", [](Profile& p) { p.analysis.bandwidth_auto = "likelihood-cv"; },
         "unknown rule"},
        {"[analysis]\nfdr_q = 1.5\n", [](Profile& p) { p.analysis.fdr_q = 1.5; }, "(0, 1)"},
        {"[analysis]\ngistar_band_m = 0\n", [](Profile& p) { p.analysis.gistar_band_m = 0; }, "> 0"},
        {"[filter]\ndate_from = \"2025-13\"\n", [](Profile& p) { p.filter.date_from = "2025-13"; }, "not a date"},
        {"outputs = [\"lisa\"]\n", [](Profile& p) { p.outputs = {"lisa"}; }, "list \"rates\" too"},
    };
    for (const auto& c : cases) {
        INFO(c.toml);
        CHECK_THAT(error_of(std::string("name = \"a\"\n") + c.toml), Catch::Contains(c.words));
        Profile p;
        p.name = "a";
        c.set(p);
        CHECK_THROWS_WITH(validate(p), Catch::Contains(c.words));
    }
}

TEST_CASE("profile: the built-ins are the TOML files of engine/profiles/, compiled in", "[profile]") {
    const std::vector<std::string> files = {"car-key-burglary", "drug-possession", "public-place-violence", "all-crime"};
    REQUIRE(builtin_profiles().size() == files.size());
    for (std::size_t i = 0; i < files.size(); ++i) {
        INFO(files[i]);
        const auto path = test::source_dir() / "engine" / "profiles" / (files[i] + ".toml");
        const Profile from_file = parse_profile_toml(test::read_file(path), path.string());
        CHECK(builtin_profiles()[i] == from_file);
        CHECK(from_file.name == files[i]);
    }
}

TEST_CASE("profile: built-ins and their variants", "[profile]") {
    std::vector<std::string> names;
    for (const auto& p : builtin_profiles()) {
        names.push_back(p.name);
        INFO(p.name);
        CHECK_NOTHROW(validate(p));
        CHECK_FALSE(p.title.empty());
        CHECK_FALSE(p.description.empty());
        REQUIRE(p.police_uk_filter);
        CHECK_FALSE(p.filter.empty());
        CHECK(find_builtin(p.name) == &p);
    }
    CHECK(names == std::vector<std::string>{"car-key-burglary", "drug-possession",
                                            "public-place-violence", "all-crime"});
    CHECK(find_builtin("burglary") == nullptr);

    const Profile& ckb = *find_builtin("car-key-burglary");
    const Profile uk = choose_variant(ckb, true);
    CHECK(uk.filter.categories == std::vector<std::string>{"Burglary"});
    CHECK_FALSE(uk.police_uk_filter);
    CHECK(uk.proxy_note.find("Vehicle crime") != std::string::npos);
    const Profile records = choose_variant(ckb, false);
    CHECK(records.filter == ckb.filter);
    CHECK(records.proxy_note.empty());
    // The police.uk variants use only what police.uk files hold: the category.
    for (const auto& p : builtin_profiles()) {
        INFO(p.name);
        const Filter& f = *p.police_uk_filter;
        CHECK(f.offence_codes.empty());
        CHECK(f.location_types.empty());
        CHECK_FALSE(f.hours);
        for (const auto& t : f.fields)
            CHECK(t.field == "category");
        CHECK((p.name == "all-crime") == p.proxy_note.empty());
    }
}

// ---------------------------------------------------------------------------------------------
// The demo town: read the committed records-system export, and check each built-in against
// the planted ground truth and the raw CSV text (parsed here independently of the reader).

namespace {

// A minimal RFC 4180 line splitter (quoted fields, "" escapes; no embedded newlines), written
// here so the checks do not share code with the reader under test.
std::vector<std::string> split_csv_line(const std::string& line) {
    std::vector<std::string> out(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                out.back() += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                out.back() += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            out.emplace_back();
        } else {
            out.back() += c;
        }
    }
    REQUIRE_FALSE(quoted);
    return out;
}

struct DemoRow {
    std::string id, code, category, time, location, mo, hotspot;
};

std::vector<DemoRow> demo_rows() {
    const fs::path dir = hotspot::test::source_dir() / "shapes" / "demo";
    std::map<std::string, std::string> hotspot_of;
    {
        std::istringstream in(hotspot::test::read_file(dir / "ground_truth_incidents.csv"));
        std::string line;
        std::getline(in, line);
        while (std::getline(in, line)) {
            const auto f = split_csv_line(line);
            hotspot_of[f[0]] = f[3];
        }
    }
    std::vector<DemoRow> rows;
    std::istringstream in(hotspot::test::read_file(dir / "incidents.csv"));
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
        const auto f = split_csv_line(line);
        rows.push_back({f[0], f[1], f[2], f[5], f[8], f[9], hotspot_of[f[0]]});
    }
    return rows;
}

std::set<std::string> ids_of(const ReadResult& r, const Selection& s) {
    const auto& col = r.incidents.fields[std::size_t(r.incidents.roles.id)];
    std::set<std::string> ids;
    for (auto i : s.rows)
        ids.insert(std::string(col[i]));
    return ids;
}

ReadResult read_demo() {
    ReadOptions o;
    o.paths = {(hotspot::test::source_dir() / "shapes" / "demo" / "incidents.csv").string()};
    return read_incidents(o);
}

} // namespace

TEST_CASE("profile: the demo town's built-ins select what was planted", "[profile]") {
    const ReadResult r = read_demo();
    REQUIRE_FALSE(r.police_uk);
    const auto rows = demo_rows();
    REQUIRE(rows.size() == 10008);
    std::map<std::string, const DemoRow*> by_id;
    for (const auto& d : rows)
        by_id[d.id] = &d;

    SECTION("car key burglary: keys taken and vehicle driven away, not the decoys") {
        const Selection s = select(r.incidents, *find_builtin("car-key-burglary"));
        CHECK(s.warnings.empty());
        const auto ids = ids_of(r, s);
        std::size_t planted = 0;
        for (const auto& d : rows) {
            if (d.hotspot == "H4" || d.hotspot == "H5") {
                ++planted;
                INFO(d.id << " " << d.mo);
                CHECK(ids.count(d.id));
            }
        }
        CHECK(planted == 110);
        for (const auto& id : ids) {
            const DemoRow& d = *by_id.at(id);
            INFO(id << " " << d.mo);
            CHECK(d.code == "28E");
            CHECK(d.mo.find("driven away") != std::string::npos);
            CHECK(d.mo.find("no keys") == std::string::npos);
            CHECK(d.mo.find("keyed") == std::string::npos);
        }
        // Independently: every 28E row whose MO says keys were taken and driven away.
        std::size_t expected = 0;
        for (const auto& d : rows)
            if (d.code == "28E" && d.mo.find("keys") != std::string::npos &&
                d.mo.find("driven away") != std::string::npos)
                ++expected;
        CHECK(ids.size() == expected);
        CHECK(ids.size() > planted); // background car key burglaries too
        // The decoys exist, so excluding them is tested.
        CHECK(std::count_if(rows.begin(), rows.end(), [](const DemoRow& d) {
                  return d.mo.find("no keys taken") != std::string::npos;
              }) > 50);
    }
    SECTION("drug possession: 92D and 92E only, never 92A supply") {
        const Selection s = select(r.incidents, *find_builtin("drug-possession"));
        const auto ids = ids_of(r, s);
        std::size_t expected = 0, supply = 0;
        for (const auto& d : rows) {
            expected += (d.code == "92D" || d.code == "92E") && !d.time.empty() ? 1 : 0;
            supply += d.code == "92A";
            if (d.hotspot == "H1")
                CHECK(ids.count(d.id));
        }
        CHECK(supply > 0);
        for (const auto& id : ids)
            CHECK((by_id.at(id)->code == "92D" || by_id.at(id)->code == "92E"));
        CHECK(ids.size() == expected);
        CHECK(ids.size() == 447);
    }
    SECTION("public place violence: 21:00-04:00 at public location types") {
        const Selection s = select(r.incidents, *find_builtin("public-place-violence"));
        const auto ids = ids_of(r, s);
        const std::set<std::string> public_places = {"Street", "Licensed premises", "Car park",
                                                     "Public open space"};
        for (const auto& id : ids) {
            const DemoRow& d = *by_id.at(id);
            INFO(id << " " << d.time << " " << d.location);
            CHECK((d.time >= "21:00" || d.time < "04:00"));
            CHECK(public_places.count(d.location));
            CHECK((d.code == "8N" || d.code == "105A"));
        }
        std::size_t planted = 0;
        for (const auto& d : rows)
            if (d.hotspot == "H2" || d.hotspot == "H3") {
                ++planted;
                CHECK(ids.count(d.id));
            }
        CHECK(planted == 360);
        CHECK(ids.size() >= planted);
        CHECK(s.excluded_unknown_time == 0);
    }
    SECTION("all crime: everything but anti-social behaviour") {
        const Selection s = select(r.incidents, *find_builtin("all-crime"));
        std::size_t asb = 0;
        for (std::size_t i = 0; i < r.incidents.size(); ++i)
            asb += r.incidents.categories[r.incidents.category[i]] == "Anti-social behaviour";
        CHECK(asb > 2000);
        CHECK(s.rows.size() == r.incidents.size() - asb);
    }
}

TEST_CASE("profile: police.uk drugs proxy selects exactly the 'Drugs' rows of a month",
          "[profile]") {
    HOTSPOT_REQUIRE_SHARED_DATA();
    const fs::path file = hotspot::test::shared_data() / "police_uk" / "leicestershire" /
                          "2020-06-leicestershire-street.csv";
    if (!fs::exists(file)) {
        WARN("skipped: shared data not found (" << file.string() << ")");
        return;
    }
    // Independent count over the raw text: rows whose Crime type is "Drugs", split by whether
    // they have a location (the reader rejects those without one).
    std::size_t drugs = 0, drugs_located = 0;
    {
        std::istringstream in(hotspot::test::read_file(file));
        std::string line;
        std::getline(in, line);
        while (std::getline(in, line)) {
            if (!line.empty() && line.back() == '\r')
                line.pop_back();
            if (line.empty())
                continue;
            const auto f = split_csv_line(line);
            REQUIRE(f.size() == 12);
            if (f[9] == "Drugs") {
                ++drugs;
                drugs_located += !f[4].empty() && !f[5].empty();
            }
        }
    }
    REQUIRE(drugs > 100);

    ReadOptions o;
    o.paths = {file.string()};
    const ReadResult r = read_incidents(o);
    REQUIRE(r.police_uk);
    const Profile p = choose_variant(*find_builtin("drug-possession"), r.police_uk);
    CHECK_FALSE(p.proxy_note.empty());
    const Selection s = select(r.incidents, p);
    CHECK(s.warnings.empty());
    CHECK(s.rows.size() == drugs_located);
    // Nothing lost: the selected plus the rejected Drugs rows are all the Drugs rows.
    std::size_t rejected_drugs = 0;
    int crime_type = -1;
    for (std::size_t k = 0; k < r.rejects.field_names.size(); ++k)
        if (r.rejects.field_names[k] == "Crime type")
            crime_type = int(k);
    REQUIRE(crime_type >= 0);
    for (std::size_t i = 0; i < r.rejects.size(); ++i)
        rejected_drugs += r.rejects.fields[std::size_t(crime_type)][i] == "Drugs";
    CHECK(s.rows.size() + rejected_drugs == drugs);
    for (auto i : s.rows)
        CHECK(r.incidents.categories[r.incidents.category[i]] == "Drugs");

    // The records variant cannot run on police.uk: it says which field is missing.
    CHECK_THROWS_WITH(select(r.incidents, choose_variant(*find_builtin("drug-possession"), false)),
                      Catch::Contains("offence_code"));
}

TEST_CASE("profile: the example file in examples/profiles.md reads", "[profile]") {
    const std::string doc =
        hotspot::test::read_file(hotspot::test::source_dir() / "examples" / "profiles.md");
    const auto start = doc.find("```toml\n");
    REQUIRE(start != std::string::npos);
    const auto end = doc.find("```\n", start + 8);
    REQUIRE(end != std::string::npos);
    const Profile p = parse_profile_toml(doc.substr(start + 8, end - start - 8), "profiles.md");
    CHECK(p.name == "night-drugs");
    CHECK(p.filter.weekdays == std::vector<int>{4, 5});
    CHECK(p.filter.fields.size() == 1);
    REQUIRE(p.police_uk_filter);
    CHECK(parse_profile_toml(to_toml(p), "again") == p);
}

namespace {
// An incident table of one text field "mo" holding `texts`, every other field empty.
hotspot::IncidentTable mo_table(const std::vector<std::string>& texts) {
    hotspot::IncidentTable t;
    t.field_names = {"mo"};
    t.fields.resize(1);
    for (std::size_t i = 0; i < texts.size(); ++i) {
        t.fields[0].push_back(texts[i]);
        t.x.push_back(0);
        t.y.push_back(0);
        t.date_days.push_back(hotspot::no_date);
        t.minute_of_day.push_back(-1);
        t.category.push_back(0);
        t.source_file.push_back(0);
        t.source_line.push_back(std::uint64_t(i + 2));
    }
    t.categories = {""};
    t.source_files = {"t.csv"};
    return t;
}

// A profile of one regex term on "mo".
hotspot::Profile mo_regex_profile(const std::string& pattern) {
    hotspot::Profile p;
    p.name = "long-text";
    p.title = "Long text";
    hotspot::FieldTerm term;
    term.field = "mo";
    term.matches = {pattern};
    term.regex = true;
    p.filter.fields.push_back(term);
    return p;
}
} // namespace

TEST_CASE("profile: a regex over a very long MO text does not crash", "[profile]") {
    // libstdc++'s backtracking regex recursion overflows the stack on ~15k-character texts
    // (found by fuzzing), and costs O(n^2) on this pattern: the matcher runs such patterns on
    // libstdc++'s Thompson NFA in one pass (select.cpp).
    const hotspot::IncidentTable t = mo_table({
        std::string(200000, 'x') + "z",  // matches at its very end
        "keys taken z",
        std::string(200000, 'x'),        // never matches
    });
    const auto sel = hotspot::select(t, mo_regex_profile("(x|y)*z"));
    CHECK(sel.rows == std::vector<std::uint32_t>{0, 1});
}

TEST_CASE("profile: a regex over long text sees the whole text, anchors and all", "[profile]") {
    // The matcher once searched long text in 2,000-character windows: ^ matched at each
    // window's start and a match longer than the 500-character overlap was missed.
    const hotspot::IncidentTable t = mo_table({
        std::string(1500, 'x') + "keys",     // ^keys: no (it once matched at a window's start)
        "keys " + std::string(5000, 'x'),    // ^keys: yes
        "a" + std::string(3000, 'x') + "b",  // ax+b spans windows: yes
        std::string(20000, 'x') + "zz",      // (z)\1, a back-reference (the windowed matcher)
    });
    auto rows_matching = [&](const std::string& pattern) {
        return hotspot::select(t, mo_regex_profile(pattern)).rows;
    };
    CHECK(rows_matching("^keys") == std::vector<std::uint32_t>{1});
    CHECK(rows_matching("ax+b") == std::vector<std::uint32_t>{2});
    CHECK(rows_matching("(z)\\1") == std::vector<std::uint32_t>{3});
    CHECK(rows_matching("X{100}KEYS$") == std::vector<std::uint32_t>{0});
}

TEST_CASE("profile: regex terms match exactly as std::regex (ECMAScript, icase) does", "[profile]") {
    // The matcher answers libstdc++'s per-character look-ups (case folding, \b's class "w")
    // from tables (select.cpp); std::regex itself is the reference, on random texts of word
    // characters, both cases, underscores, digits, punctuation, line ends and bytes >= 0x80
    // (Windows-1252 and UTF-8 letters), for patterns that use each look-up.
    const std::vector<std::string> patterns = {
        "\\bkeys?\\b", "\\bno (car |vehicle )?keys?\\b", "\\Bey\\B", "\\w+_\\d", "^k", "y$",
        "[[:alpha:]]+ \\W", "[[:upper:]]{2}", "k[^a-z]y", "\\s\\S", "(k|e)\\1", "\xc3\xa9\\b",
        "\\b\xc3\xa9", "KEY", "[d-f]Y", ".\\b.", "\\d+\\b", "(?:ke)+y?\\b", "[\\w]{3}", "_\\b",
    };
    const std::string alphabet = "keyKEYsS _0-9.,\r\n\t\xe9\xc9\xc3\xa9\xff!";
    std::mt19937 rng(20261202);
    std::vector<std::string> texts = {"", "keys", "KEYS taken", "no car key", "key_1", "\xc3\xa9t\xc3\xa9", "caf\xe9 key"};
    for (int i = 0; i < 400; ++i) {
        std::string t;
        const int n = int(rng() % 24);
        for (int k = 0; k < n; ++k) t += alphabet[rng() % alphabet.size()];
        texts.push_back(t);
    }
    const hotspot::IncidentTable table = mo_table(texts);
    for (const auto& pattern : patterns) {
        INFO("pattern " << pattern);
        const std::regex reference(pattern, std::regex::ECMAScript | std::regex::icase);
        std::vector<std::uint32_t> expected;
        for (std::size_t i = 0; i < texts.size(); ++i)
            if (std::regex_search(texts[i], reference)) expected.push_back(std::uint32_t(i));
        CHECK(!expected.empty());  // each pattern matches something, so a miss can fail
        CHECK(expected.size() < texts.size());
        CHECK(hotspot::select(table, mo_regex_profile(pattern)).rows == expected);
    }
}

namespace {
void check_same_selection(const Selection& a, const Selection& b) {
    CHECK(a.rows == b.rows);
    CHECK(a.rows_in == b.rows_in);
    CHECK(a.excluded_unknown_time == b.excluded_unknown_time);
    CHECK(a.excluded_unknown_date == b.excluded_unknown_date);
    REQUIRE(a.terms.size() == b.terms.size());
    for (std::size_t k = 0; k < a.terms.size(); ++k) {
        CHECK(a.terms[k].term == b.terms[k].term);
        CHECK(a.terms[k].selected == b.terms[k].selected);
        CHECK(a.terms[k].remaining == b.terms[k].remaining);
    }
    CHECK(a.warnings == b.warnings);
}
} // namespace

TEST_CASE("profile: a selection split by date equals select() with those dates, counts and warnings too", "[profile]") {
    // Unknown dates and times, an hours window and weekdays around the date range, so the term
    // order (plain, date range, hours, weekdays) and the unknown-date/time counts are exercised.
    const IncidentTable t = make_table({
        {"28E", "Burglary", "Dwelling", "keys taken, car driven away", "2025-01-06", "23:00"},
        {"28E", "Burglary", "Dwelling", "keys taken", "2025-03-10", "01:00"},
        {"28E", "Burglary", "Dwelling", "KEYS TAKEN from hall", "", "02:00"},
        {"28E", "Burglary", "Dwelling", "keys taken", "2025-07-15", ""},
        {"28E", "Burglary", "Shop", "keys taken", "2025-08-04", "22:30"},
        {"58A", "Theft", "Dwelling", "keys taken", "2025-09-01", "23:30"},
        {"28E", "Burglary", "Dwelling", "nothing", "2025-12-29", "00:30"},
        {"28E", "Burglary", "Dwelling", "keys", "2025-12-31", "03:00"},
    });
    Filter f;
    f.offence_codes = {"28"};
    f.location_types = {"dwelling"};
    f.fields.push_back({"mo_text", {}, {}, {"key"}, {}, false});
    f.hours = HoursWindow{22 * 60, 4 * 60};
    f.weekdays = {0, 1, 2};
    const Profile base = with_filter(f);
    const DateSplitSelection split(t, base);
    for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
             {"", ""}, {"2025-01", "2025-06"}, {"2025-07", "2025-12"}, {"", "2025-06"}, {"2025-02-01", ""}, {"2026-01", "2026-12"}}) {
        INFO("dates " << from << " to " << to);
        Profile dated = base;
        dated.filter.date_from = from;
        dated.filter.date_to = to;
        check_same_selection(split.select(from, to), select(t, dated));
    }
    // The profile's own dates do not narrow the split: they are left out until select().
    Profile own = base;
    own.filter.date_from = "2025-12";
    CHECK(DateSplitSelection(t, own).select("", "").rows == select(t, base).rows);
}

TEST_CASE("profile: a split evaluated on 1 to 5 threads gives the same selections", "[profile]") {
    // 1,000 rows (not a multiple of the 64-row runs), a regex term, dates and times.
    std::vector<Row> rows;
    const char* mo[] = {"keys taken, car driven away", "nothing taken", "KEY fob cloned", "window forced"};
    for (int i = 0; i < 1000; ++i) {
        char date[16], time[8];
        std::snprintf(date, sizeof date, "2025-%02d-%02d", 1 + i % 12, 1 + i % 28);
        std::snprintf(time, sizeof time, "%02d:%02d", i % 24, (i * 7) % 60);
        rows.push_back({i % 5 ? "28E" : "58A", "Burglary", i % 3 ? "Dwelling" : "Shop", mo[i % 4],
                        i % 97 ? std::string(date) : std::string(), i % 89 ? std::string(time) : std::string()});
    }
    const IncidentTable t = make_table(rows);
    Filter f;
    f.offence_codes = {"28"};
    f.fields.push_back({"mo_text", {}, {}, {"ke(y|ys) (taken|fob)"}, {}, true});
    f.hours = HoursWindow{20 * 60, 6 * 60};
    const Profile base = with_filter(f);
    const DateSplitSelection one(t, base, 1);
    const Selection all = one.select("", "");
    CHECK(all.rows.size() > 50);
    for (unsigned threads : {2u, 3u, 5u, 0u}) {
        INFO(threads << " threads");
        const DateSplitSelection many(t, base, threads);
        check_same_selection(many.select("", ""), all);
        check_same_selection(many.select("2025-03", "2025-08"), one.select("2025-03", "2025-08"));
    }
    Profile dated = base;
    dated.filter.date_from = "2025-03";
    dated.filter.date_to = "2025-08";
    check_same_selection(DateSplitSelection(t, base, 3).select("2025-03", "2025-08"), select(t, dated));
}

TEST_CASE("profile: the demo built-ins split by date select what select() does", "[profile]") {
    const ReadResult r = read_demo();
    for (const auto& p : builtin_profiles()) {
        INFO(p.name);
        const Profile chosen = choose_variant(p, r.police_uk);
        const DateSplitSelection split(r.incidents, chosen);
        for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{{"2025-07", "2025-12"}, {"2025-01", "2025-06"}, {"", "2025-12"}}) {
            Profile dated = chosen;
            dated.filter.date_from = from;
            dated.filter.date_to = to;
            check_same_selection(split.select(from, to), select(r.incidents, dated));
        }
    }
}
