// hotspot run cancelled while its profiles are analysed: each profile is two tasks on the
// workers (its steps, and its emerging hot spots beside them); a cancel seen by the main thread
// must stop and join them, throw Cancelled, and leave no pack behind.

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "hotspot/config.hpp"
#include "hotspot/error.hpp"
#include "hotspot/pipeline.hpp"
#include "hotspot/run_names.hpp"
#include "support.hpp"

namespace fs = std::filesystem;
using namespace hotspot;

TEST_CASE("run: a cancel while profiles and their emerging tasks run stops them and writes no pack", "[run-cancel]") {
    const auto demo = test::source_dir() / "examples" / "demo.toml";
    // The demo's four profiles give eight "profile ..." progress lines: four while this thread
    // writes the incidents layers (the workers already analysing), then one as each profile is
    // waited for and written. Cancel at the 1st (nothing finished), the 5th (the first profile
    // waited for), the 6th (it written, later profiles and emerging tasks in flight or queued)
    // and the 8th (the last profile).
    for (const int cancel_at : {1, 5, 6, 8}) {
        for (const unsigned threads : {1u, 2u}) {
            INFO("cancel at profile line " << cancel_at << ", threads " << threads);
            const auto out = test::fresh_dir("run-cancel");
            RunConfig cfg = read_run_config(demo.string());
            cfg.output_dir = out.string();
            cfg.overwrite = true;
            int lines = 0;
            const Progress progress = [&](double, std::string_view stage) {
                return !(stage.rfind("profile ", 0) == 0 && ++lines == cancel_at);
            };
            CHECK_THROWS_AS(run_pipeline(cfg, "hotspot run demo.toml", threads, progress), Cancelled);
            CHECK(lines == cancel_at);
            // no pack that looks whole: no GeoPackage, project or manifest
            CHECK_FALSE(fs::exists(out / run_gpkg_name));
            CHECK_FALSE(fs::exists(out / run_project_name));
            CHECK_FALSE(fs::exists(out / run_manifest_name));
        }
    }
}
