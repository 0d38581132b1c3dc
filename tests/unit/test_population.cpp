// Population notes (population.hpp check_population): a busy centre is not a data error.

#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "hotspot/population.hpp"

using namespace hotspot;

namespace {

AreaLayer layer_of(std::vector<std::string> codes) {
    AreaLayer l;
    l.name = "lsoa";
    l.codes = std::move(codes);
    l.names = l.codes;
    l.polygons.resize(l.codes.size());
    return l;
}

bool any_contains(const std::vector<std::string>& lines, const std::string& text) {
    for (const auto& l : lines)
        if (l.find(text) != std::string::npos) return true;
    return false;
}

} // namespace

TEST_CASE("check_population: a city centre with more incidents than residents is a note, not a data error",
          "[population]") {
    // Leicester LSOA 041A (E01013649 in the 2011 codes): 9,048 incidents, 4,291 residents.
    const AreaLayer l = layer_of({"E01013649", "E01013650"});
    const std::vector<double> pop{4291, 1600};
    const std::vector<std::uint64_t> counts{9048, 40};
    const auto lines = check_population(l, pop, counts);
    REQUIRE(lines.size() == 1);
    CHECK(any_contains(lines, "1 areas of 'lsoa' have more incidents than residents (first: E01013649: 9,048 incidents, "
                              "4291 residents)"));
    CHECK(any_contains(lines, "town or city centre"));
    CHECK_FALSE(any_contains(lines, "check the population column"));
}

TEST_CASE("check_population: a population too small for any census area points at the column", "[population]") {
    // "1.6" for 1,600 (a thousands dot), and 11.621 for 11,621.
    const AreaLayer l = layer_of({"A", "B", "C"});
    const std::vector<double> pop{1.6, 11.621, 1500};
    const std::vector<std::uint64_t> counts{20, 30, 10};
    const auto lines = check_population(l, pop, counts);
    CHECK(any_contains(lines, "2 areas of 'lsoa' have fewer residents than incidents and under 100 residents (first: "
                              "A: 20 incidents, 1.6 residents); check the population column"));
    CHECK(any_contains(lines, "2 populations of 'lsoa' are not whole numbers (first: A: 1.6)"));
    CHECK_FALSE(any_contains(lines, "city centre"));
}

TEST_CASE("check_population: plausible populations give no line", "[population]") {
    const AreaLayer l = layer_of({"A", "B"});
    const std::vector<double> pop{1500, 1800};
    const std::vector<std::uint64_t> counts{100, 1800};  // equal is not more
    CHECK(check_population(l, pop, counts).empty());
}
