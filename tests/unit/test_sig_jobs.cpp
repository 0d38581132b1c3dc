// Unit tests of the pieces of the gistar and rates jobs that are not end-to-end: the default
// Gi* band rule and the population file parsing.

#include <catch2/catch.hpp>
#include <cmath>

#include "hotspot/error.hpp"
#include "hotspot/gistar.hpp"
#include "hotspot/gistar_job.hpp"
#include "hotspot/rates_job.hpp"
#include "support.hpp"

using namespace hotspot;

TEST_CASE("default_grid_band: mean distance to the k-th nearest non-empty cell", "[gistar]") {
    // 10 x 10 cells of 50 m; incidents on every 4th column of every row: 3 columns x 10 rows
    // = 30 non-empty cells, k = clamp(round(1.5), 3, 30) = 3.
    Grid g{0, 500, 50, 10, 10};
    std::vector<double> counts(100, 0);
    for (int r = 0; r < 10; ++r)
        for (int c : {0, 4, 8}) counts[std::size_t(r * 10 + c)] = 1;
    const DefaultBand d = default_grid_band(g, counts);
    CHECK(d.points == 30);
    CHECK(d.k == 3);
    // Brute force here: the 3rd smallest distance to another non-empty cell, averaged.
    double sum = 0;
    for (int i = 0; i < 100; ++i) {
        if (counts[std::size_t(i)] == 0) continue;
        std::vector<double> dist;
        for (int j = 0; j < 100; ++j)
            if (j != i && counts[std::size_t(j)] > 0)
                dist.push_back(50.0 * std::hypot(double(i % 10 - j % 10), double(i / 10 - j / 10)));
        std::sort(dist.begin(), dist.end());
        sum += dist[2];
    }
    CHECK(d.knn_distance_m == Approx(sum / 30).epsilon(1e-12));
    CHECK(d.band_m == std::ceil(sum / 30 - 1e-9));
    CHECK_FALSE(d.floored);

    // Dense incidents: the floor cell * sqrt(2) applies (every cell has its 8 touching cells).
    // (6 x 6 all non-empty: k = 3, the 3rd nearest is 50 m inside, 70.7 m at corners.)
    const Grid small{0, 300, 50, 6, 6};
    std::vector<double> full(36, 1);
    const DefaultBand f = default_grid_band(small, full);
    CHECK(f.k == 3);
    CHECK(f.knn_distance_m < 50 * std::sqrt(2.0));
    CHECK(f.floored);
    CHECK(f.band_m == 71);  // ceil(50 * 1.41421)

    std::vector<double> one(100, 0);
    one[5] = 3;
    CHECK_THROWS_AS(default_grid_band(g, one), UsageError);
}

TEST_CASE("gistar job options: validation messages", "[gistar]") {
    GiStarJobOptions o;
    o.read.paths = {"x.csv"};
    o.out = "x.gpkg";
    o.step.cell_size_m = 100;
    CHECK_NOTHROW(o.validate());
    o.step.band_m = 0.0;
    CHECK_THROWS_WITH(o.validate(), Catch::Contains("gistar: --band must be > 0 m (got 0)"));
    o.step.band_m = 100 * 201.0;
    CHECK_THROWS_WITH(o.validate(), Catch::Contains("cells wide"));
    o.step.band_m.reset();
    o.step.cell_size_m = std::nan("");
    CHECK_THROWS_AS(o.validate(), UsageError);
    CHECK_THROWS_WITH(parse_weight_scheme("idw"), Catch::Contains("binary or inverse-distance"));
}

TEST_CASE("population files: spec parsing, column detection, values", "[rates]") {
    auto s = PopulationSpec::parse("lsoa=pop.csv:LSOA11CD:population");
    CHECK(s.area == "lsoa");
    CHECK(s.path == "pop.csv");
    CHECK(s.code_col == "LSOA11CD");
    CHECK(s.pop_col == "population");
    s = PopulationSpec::parse("dir/pop.csv");
    CHECK(s.area.empty());
    CHECK(s.path == "dir/pop.csv");
    CHECK_THROWS_AS(PopulationSpec::parse("a:b:c:d"), UsageError);

    const auto dir = test::fresh_dir("population-csv");
    test::write_file(dir / "p.csv", "\xEF\xBB\xBFLSOA11CD;pop_2019;year\r\nE1;1,234;2019\r\nE2;;2019\r\nE3;NA;2019\r\n");
    const auto t = read_population_csv(PopulationSpec::parse((dir / "p.csv").string()));
    CHECK(t.code_col == "LSOA11CD");
    CHECK(t.pop_col == "pop_2019");  // no "population" column: the single one containing "pop"
    REQUIRE(t.codes == std::vector<std::string>{"E1", "E2", "E3"});
    CHECK(t.population[0] == 1234);
    CHECK(std::isnan(t.population[1]));
    CHECK(std::isnan(t.population[2]));

    test::write_file(dir / "dup.csv", "code,population\nE1,10\nE1,11\n");
    CHECK_THROWS_WITH(read_population_csv(PopulationSpec::parse((dir / "dup.csv").string())),
                      Catch::Contains("dup.csv:3: field 'code': code 'E1' was already given on line 2"));
}
