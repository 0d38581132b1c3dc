// hotspot demo-data: writes the deterministic synthetic demo town (wards, LSOAs, populations,
// a year of incidents with planted hot spots, and its ground truth) into a folder.

#include <filesystem>
#include <memory>
#include <string>

#include "command.hpp"
#include "hotspot/demo_town.hpp"
#include "hotspot/error.hpp"
#include "hotspot/output_safety.hpp"
#include "terminal.hpp"

namespace hotspot::cli {

namespace {

namespace fs = std::filesystem;

struct DemoDataArgs {
    std::string out_dir;
    DemoTownOptions town;
    bool overwrite = false;
};

int run_demo_data(const DemoDataArgs& args, const GlobalOptions& global) {
    Terminal term(global.verbose, global.quiet, global.progress_json);
    args.town.validate();
    const fs::path dir(args.out_dir);

    term.verbose("demo-data", "generating the town (seed " + std::to_string(args.town.seed) + ")");
    const DemoTown town = make_demo_town(args.town);
    const auto files = demo_town_files(town);

    // Check every target before writing any, so a refusal leaves the folder as it was.
    if (!args.overwrite)
        for (const auto& [name, text] : files)
            if (fs::exists(dir / name))
                throw OutputError("demo-data", (dir / name).string(),
                                  "exists; use --overwrite to replace it");
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw OutputError("demo-data", dir.string(), "cannot create folder: " + ec.message());

    for (const auto& [name, text] : files) {
        write_text_atomic((dir / name).string(), text, args.overwrite);
        term.verbose("demo-data", "wrote " + (dir / name).string());
    }
    term.print("demo-data: wrote " + std::to_string(files.size()) + " files to " + dir.string() +
               ": " + std::to_string(town.wards.size()) + " wards, " +
               std::to_string(town.lsoas.size()) + " LSOAs, " +
               std::to_string(town.incidents.size()) + " incident rows (" +
               std::to_string(demo_expected_rejects) + " to reject), " +
               std::to_string(town.hotspots.size()) + " planted hot spots\n");
    return 0;
}

} // namespace

Command demo_data_command() {
    return {
        "demo-data",
        "Write the synthetic demo town: wards, LSOAs, population, incidents, ground truth",
        [](CLI::App& sub, const GlobalOptions& global) -> RunFn {
            auto args = std::make_shared<DemoDataArgs>();
            sub.add_option("--out", args->out_dir, "Folder to write the files into")->required();
            sub.add_option("--seed", args->town.seed, "Random seed")->capture_default_str();
            sub.add_option("--incidents", args->town.incidents,
                           "Good incidents to generate (8 bad or outside rows are added)")
                ->capture_default_str();
            sub.add_flag("--overwrite", args->overwrite, "Replace existing files");
            return [args, &global] { return run_demo_data(*args, global); };
        }};
}

} // namespace hotspot::cli
