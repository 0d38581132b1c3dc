// Queen contiguity on real ONS boundaries (tamworth_lsoa.geojson, 51 LSOAs, generalised, with
// slivers between neighbours) against R: spdep poly2nb(queen = TRUE, snap = 1) and GEOS
// st_intersects of 0.5 m buffers, which agree; fixture made by make_tamworth_queen.R.

#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <sstream>

#include "hotspot/areas_io.hpp"
#include "hotspot/contiguity.hpp"
#include "hotspot/csv.hpp"
#include "support.hpp"

using namespace hotspot;

TEST_CASE("contiguity: Tamworth LSOAs match spdep poly2nb(queen, snap = 1) and GEOS", "[contiguity-data]") {
    HOTSPOT_REQUIRE_SHARED_DATA();
    const auto layer = read_area_layer(
        AreaSpec::parse("lsoa=" + (test::shared_data() / "boundaries/tamworth_lsoa.geojson").string() + ":LSOA11CD:LSOA11NM"));
    REQUIRE(layer.size() == 51);
    const auto fixture = test::source_dir() / "tests/fixtures/stats/tamworth_lsoa_queen.csv";
    const std::string text = test::read_file(fixture);
    CsvReader r(text, fixture.string());
    std::vector<std::string_view> f;
    REQUIRE(r.next(f));
    std::map<std::string, std::set<std::string>> spdep, geos;
    auto split = [](std::string_view s) {
        std::set<std::string> out;
        std::istringstream in{std::string(s)};
        for (std::string w; in >> w;) out.insert(w);
        return out;
    };
    while (r.next(f)) spdep[std::string(f[0])] = split(f[1]), geos[std::string(f[0])] = split(f[2]);
    REQUIRE(spdep.size() == 51);

    for (double snap : {1.0, 0.01}) {
        INFO("snap " << snap << " m");
        const auto nb = queen_neighbours(layer.polygons, ContiguityOptions{snap});
        std::size_t links = 0;
        for (std::size_t i = 0; i < layer.size(); ++i) {
            INFO(layer.codes[i]);
            std::set<std::string> mine;
            for (auto j : nb[i]) mine.insert(layer.codes[std::size_t(j)]);
            CHECK(!mine.empty());  // every LSOA has a neighbour
            CHECK(mine == spdep.at(layer.codes[i]));
            CHECK(mine == geos.at(layer.codes[i]));
            links += mine.size();
        }
        CHECK(links == 266);
    }
}
