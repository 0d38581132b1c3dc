// Sensitive data and safety (issue 9): publish mode, no network, inputs untouched, nothing
// written outside the output folder.

#include <catch2/catch.hpp>
#include <gdal.h>
#include <nlohmann/json.hpp>
#include <ogr_api.h>

#include "hotspot/sha256.hpp"
#include "support.hpp"

using namespace hotspot;
namespace fs = std::filesystem;

namespace {
std::string demo_toml() { return (test::source_dir() / "examples" / "demo.toml").string(); }
} // namespace

TEST_CASE("publish mode: no points, no rejects, small counts suppressed everywhere", "[cli-safety]") {
    const auto dir = test::fresh_dir("safety-publish");
    const auto r = test::run_cli("run '" + demo_toml() + "' --out '" + dir.string() + "' --publish --publish-min-count 5");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("PUBLISH MODE") != std::string::npos);
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx((dir / "hotspot_run.gpkg").c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
    REQUIRE(ds);
    std::size_t checked = 0;
    for (int i = 0; i < GDALDatasetGetLayerCount(ds); ++i) {
        OGRLayerH l = GDALDatasetGetLayer(ds, i);
        const std::string name = OGR_L_GetName(l);
        INFO(name);
        CHECK(wkbFlatten(OGR_L_GetGeomType(l)) != wkbPoint);  // no incident-level points
        CHECK(name != "rejects");
        OGRFeatureDefnH d = OGR_L_GetLayerDefn(l);
        for (const char* field : {"count", "incidents", "comparison_incidents"}) {
            const int fi = OGR_FD_GetFieldIndex(d, field);
            if (fi < 0) continue;
            OGR_L_ResetReading(l);
            OGRFeatureH f;
            while ((f = OGR_L_GetNextFeature(l)) != nullptr) {
                if (OGR_F_IsFieldSetAndNotNull(f, fi)) {
                    CHECK(OGR_F_GetFieldAsInteger64(f, fi) >= 5);
                    ++checked;
                }
                OGR_F_Destroy(f);
            }
        }
    }
    GDALClose(ds);
    CHECK(checked > 10);
    const auto m = nlohmann::json::parse(test::read_file(dir / "manifest.json"));
    CHECK(m["run"]["publish"] == true);
    CHECK(m["run"]["publish_min_count"] == 5);
}

TEST_CASE("a run needs no network and leaves its inputs and working folder untouched", "[cli-safety]") {
    const auto work = test::fresh_dir("safety-cwd");
    const auto out = test::fresh_dir("safety-out");
    const fs::path incidents = test::source_dir() / "shapes" / "demo" / "incidents.csv";
    const fs::path wards = test::source_dir() / "shapes" / "demo" / "wards.geojson";
    const auto before_inc = sha256_file(incidents.string()), before_wards = sha256_file(wards.string());
    std::size_t demo_files = 0;
    for (const auto& e : fs::directory_iterator(incidents.parent_path())) demo_files += e.is_regular_file();

    // In a fresh network namespace (no interfaces but a down loopback) when the system allows it.
    const bool netns = std::system("unshare -n true >/dev/null 2>&1") == 0;
    const std::string cmd = std::string("cd '") + work.string() + "' && " + (netns ? "unshare -n " : "") + "'" +
                            HOTSPOT_CLI + "' run '" + demo_toml() + "' --out '" + out.string() + "' --overwrite >/dev/null 2>&1";
    if (!netns) WARN("skipped the network-namespace part: unshare -n is not permitted here");
    CHECK(std::system(cmd.c_str()) == 0);
    CHECK(fs::exists(out / "hotspot_run.gpkg"));
    CHECK(fs::is_empty(work));  // nothing written in the working folder
    CHECK(sha256_file(incidents.string()) == before_inc);
    CHECK(sha256_file(wards.string()) == before_wards);
    std::size_t after = 0;
    for (const auto& e : fs::directory_iterator(incidents.parent_path())) after += e.is_regular_file();
    CHECK(after == demo_files);
    // every file the run wrote is inside the output folder (and no temporaries remain)
    for (const auto& e : fs::recursive_directory_iterator(out))
        CHECK(e.path().filename().string().find(".partial") == std::string::npos);
}
