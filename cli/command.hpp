#pragma once
// A CLI command: a name, a one-line description and its options, declared once.
// `setup` adds the command's options to its CLI11 subcommand and returns the function that
// runs it once the command line has been parsed. The function returns the exit code.

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace hotspot::cli {

/// Options every command shares (set on the root app).
struct GlobalOptions {
    bool verbose = false;
    bool quiet = false;
    bool progress_json = false;  ///< progress as JSON lines on stderr (for the QGIS plugin)
    unsigned threads = 0;  ///< 0: all cores
    std::string command_line;
};

using RunFn = std::function<int()>;

struct Command {
    const char* name;
    const char* description;
    std::function<RunFn(CLI::App& sub, const GlobalOptions& global)> setup;
};

/// Every registered command, in the order `hotspot --help` lists them.
const std::vector<Command>& commands();

// One per cmd_<name>.cpp.
Command geocode_command();
Command run_command();
Command demo_data_command();
Command kde_command();
Command gistar_command();
Command rates_command();
Command profiles_command();
Command report_command();
Command near_repeat_command();
Command evaluate_command();
Command change_command();
Command hours_command();
Command hotspots_command();
Command emerging_command();

} // namespace hotspot::cli
