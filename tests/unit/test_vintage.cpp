// Boundary vintages (vintage.hpp): what field names, code ranges and the ONS lookup say, and
// values carried between 2011 and 2021 LSOAs keeping their total, against sums worked by hand.

#include <map>

#include <catch2/catch.hpp>

#include "hotspot/error.hpp"
#include "hotspot/vintage.hpp"
#include "support.hpp"

using namespace hotspot;

namespace {
VintageLookup lookup() {
    return read_vintage_lookup((test::source_dir() / "tests/cases/19-vintages/lookup_lsoa11_lsoa21.csv").string());
}
} // namespace

TEST_CASE("vintage evidence: field names, ward generations, code ranges", "[vintage]") {
    CHECK(vintage_of_field("LSOA11CD") == LsoaVintage::y2011);
    CHECK(vintage_of_field("lsoa21cd") == LsoaVintage::y2021);
    CHECK(vintage_of_field("code") == LsoaVintage::unknown);
    CHECK(ward_generation("WD22CD") == 2022);
    CHECK(ward_generation("wd13cd") == 2013);
    CHECK(ward_generation("WD22NM") == -1);

    const std::vector<std::string> old_only{"E01000001", "E01033768"}, with_new{"E01000001", "E01033769"};
    CHECK(classify_vintage("t", "f", "code", old_only, nullptr).vintage == LsoaVintage::unknown);  // valid in both
    CHECK(classify_vintage("t", "f", "code", with_new, nullptr).vintage == LsoaVintage::y2021);
    CHECK(classify_vintage("t", "f", "LSOA21CD", with_new, nullptr).vintage == LsoaVintage::y2021);
    CHECK_THROWS_AS(classify_vintage("t", "f", "LSOA11CD", with_new, nullptr), InputError);
    // Made-up codes beyond the published ranges are no evidence either way.
    const std::vector<std::string> madeup{"E01090001", "E01095001"};
    CHECK_NOTHROW(classify_vintage("t", "f", "LSOA11CD", madeup, nullptr));
}

TEST_CASE("vintage evidence from the lookup: a 2011-only beside a 2021-only code is a mix", "[vintage]") {
    const VintageLookup l = lookup();
    CHECK(l.size() == 7);
    CHECK(l.only_2011("E01090004"));
    CHECK(l.only_2021("E01095001"));
    CHECK_FALSE(l.only_2011("E01090001"));
    const std::vector<std::string> mixed{"E01090001", "E01090004", "E01095001"};
    try {
        classify_vintage("rates", "layer.gpkg", "code", mixed, &l);
        FAIL("a mix was accepted");
    } catch (const InputError& e) {
        const std::string m = e.what();
        CHECK(m.find("layer.gpkg") != std::string::npos);
        CHECK(m.find("E01095001") != std::string::npos);
        CHECK(m.find("E01090004") != std::string::npos);
    }
    const std::vector<std::string> old{"E01090001", "E01090004"};
    CHECK(classify_vintage("t", "f", "code", old, &l).vintage == LsoaVintage::y2011);
    CHECK_THROWS_AS(classify_vintage("t", "f", "LSOA21CD", old, &l), InputError);
}

TEST_CASE("values carried between vintages keep their total", "[vintage]") {
    const VintageLookup l = lookup();
    // 2011 -> 2021: unchanged keeps, a split shares equally, a merge sums; a code the lookup
    // lacks passes through.
    const std::vector<std::string> c11{"E01090001", "E01090004", "E01090005", "E01090006", "E01099999"};
    const std::vector<double> v11{10, 7, 3, 4, 2};
    const CarriedValues f = carry_vintage(l, LsoaVintage::y2011, c11, v11);
    std::map<std::string, double> got;
    double total = 0;
    for (std::size_t i = 0; i < f.codes.size(); ++i) got[f.codes[i]] += f.values[i], total += f.values[i];
    CHECK(total == 26);
    CHECK(got == std::map<std::string, double>{{"E01090001", 10}, {"E01095001", 3.5}, {"E01095002", 3.5},
                                               {"E01095003", 7}, {"E01099999", 2}});
    CHECK(f.shared == 1);
    CHECK(f.passed == 1);
    // 2021 -> 2011: the merged 2021 LSOA shares among its two 2011 parts, the split parts sum.
    const std::vector<std::string> c21{"E01095001", "E01095002", "E01095003"};
    const std::vector<double> v21{900, 950, 2000};
    const CarriedValues b = carry_vintage(l, LsoaVintage::y2021, c21, v21);
    got.clear();
    for (std::size_t i = 0; i < b.codes.size(); ++i) got[b.codes[i]] += b.values[i];
    CHECK(got == std::map<std::string, double>{{"E01090004", 1850}, {"E01090005", 1000}, {"E01090006", 1000}});
}

TEST_CASE("ward code generations: a table of another generation is refused when the review redrew wards",
          "[vintage]") {
    AreaLayer layer;
    layer.name = "ward";
    layer.path = "wards_2023.gpkg";
    layer.code_field = "WD23CD";
    layer.codes = {"E05010001", "E05010002", "E05013901"};  // the last: a ward the 2023 review drew
    PopulationTable table;
    table.path = "ward_population_2022.csv";
    table.code_col = "WD22CD";
    table.codes = {"E05010001", "E05010002", "E05010003"};
    table.population = {5000, 6000, 7000};
    try {
        align_population_vintage("rates", layer, table, nullptr);
        FAIL("a 2022 ward table beside 2023 wards with a redrawn ward was accepted");
    } catch (const InputError& e) {
        const std::string m = e.what();
        CHECK(e.exit_code() == ExitCode::input);
        CHECK(m.find("ward_population_2022.csv") != std::string::npos);
        CHECK(m.find("WD22CD") != std::string::npos);
        CHECK(m.find("WD23CD") != std::string::npos);
        CHECK(m.find("E05013901") != std::string::npos);   // the ward the table lacks, named
        CHECK(m.find("1 of the layer's 3 wards") != std::string::npos);
    }
    // Every ward of the layer in the table (the review left them alone): joined, with a note.
    layer.codes = {"E05010001", "E05010002"};
    VintageNote note;
    const PopulationTable same = align_population_vintage("rates", layer, table, nullptr, &note);
    CHECK(same.codes == table.codes);
    CHECK(note.text.find("so they join") != std::string::npos);
    // The same generation, or fields that name none: nothing to say.
    table.code_col = "WD23CD";
    VintageNote quiet;
    align_population_vintage("rates", layer, table, nullptr, &quiet);
    CHECK(quiet.text.empty());
    const auto j = vintage_note_json(note, nullptr);
    CHECK(j.at("population_carried") == false);
    CHECK(j.at("note") == note.text);
    CHECK_FALSE(j.contains("lookup"));
}
