// Hot spots a sergeant can patrol, on a whole force (issue 15): `hotspot run
// examples/leicestershire.toml` on the 29 police.uk months; for every profile each hot spot is
// within the maximum area (checked on its geometry, by OGR), holds at least the minimum
// incidents, has a grid reference and a street name, and no more than the configured number
// are numbered. Prints the numbers bench/RESULTS.md quotes.

#include <catch2/catch.hpp>
#include <gdal.h>
#include <nlohmann/json.hpp>
#include <ogr_api.h>
#include <regex>

#include "support.hpp"

namespace fs = std::filesystem;
using namespace hotspot;

TEST_CASE("leicestershire: every profile's hot spots are patrol-sized, counted, located and named",
          "[data-leics-hotspots]") {
    const fs::path data = test::source_dir().parent_path() / "shared" / "data";
    if (test::shared_data().empty() || !fs::exists(data / "police_uk" / "leicestershire")) {
        WARN("skipped: shared data not found (../shared/data beside the checkout)");
        return;
    }
    const auto dir = test::fresh_dir("data-leics-hotspots");
    const auto r = test::run_cli("run '" + (test::source_dir() / "examples" / "leicestershire.toml").string() +
                                 "' --out '" + dir.string() + "'");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto m = nlohmann::json::parse(test::read_file(dir / "manifest.json"));
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx((dir / "hotspot_run.gpkg").c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
    REQUIRE(ds);
    const std::regex grid_ref("^(SK|SP|TF|TL) [0-9]{4} [0-9]{4}$");  // the force lies in these squares
    int profiles = 0;
    for (const auto& p : m["profiles"]) {
        if (!p.contains("hotspots")) continue;
        ++profiles;
        const auto& h = p["hotspots"];
        const double max_area = h["options"]["max_area_m2"].get<double>();
        const auto min_incidents = h["min_incidents_applied"].get<std::uint64_t>();
        const int max_numbered = h["options"]["numbered"].get<int>();
        OGRLayerH layer = GDALDatasetGetLayerByName(ds, h["layer"].get<std::string>().c_str());
        REQUIRE(layer);
        int count = 0, numbered = 0;
        double largest = 0;
        OGR_L_ResetReading(layer);
        OGRFeatureH f;
        while ((f = OGR_L_GetNextFeature(layer)) != nullptr) {
            ++count;
            const auto field = [&](const char* n) { return std::string(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, n))); };
            INFO(p["name"] << " hot spot " << field("rank") << " at " << field("grid_ref"));
            const double area = OGR_G_Area(OGR_F_GetGeometryRef(f));
            largest = std::max(largest, area);
            CHECK(area <= max_area + 1e-6);
            CHECK(area == Approx(OGR_F_GetFieldAsDouble(f, OGR_F_GetFieldIndex(f, "area_m2"))));
            CHECK(std::uint64_t(OGR_F_GetFieldAsInteger64(f, OGR_F_GetFieldIndex(f, "incidents"))) >= min_incidents);
            CHECK(std::regex_match(field("grid_ref"), grid_ref));
            CHECK(!field("streets").empty());
            CHECK(field("streets").find("On or near") == std::string::npos);
            CHECK(!field("wards").empty());
            CHECK(!field("lsoas").empty());
            if (!field("label").empty()) ++numbered;
            OGR_F_Destroy(f);
        }
        CHECK(count == h["count"].get<int>());
        CHECK(count > 0);
        CHECK(numbered <= max_numbered);
        CHECK(numbered == std::min(count, max_numbered));
        // the numbers for bench/RESULTS.md
        WARN(p["name"].get<std::string>() << ": " << count << " hot spots (" << h["peaks_above_threshold"]
             << " peaks above the threshold, " << h["dropped_under_min_incidents"] << " under " << min_incidents
             << " incidents), " << 100 * h["share_of_area"].get<double>() << "% of the area, "
             << 100 * h["share_of_incidents"].get<double>() << "% of " << p["selected"] << " incidents, largest "
             << largest << " m2");
    }
    GDALClose(ds);
    CHECK(profiles == 4);
}
