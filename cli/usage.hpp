#pragma once
// `--json-usage`: each command's options as JSON, for the QGIS plugin (and any other front end),
// read from the same CLI11 option table that parses the command line and prints --help, so the
// description cannot drift from either. Model: GDAL's `gdal <algorithm> --json-usage`.
//
// What CLI11 does not hold (the run-config TOML key, the choices of a named value, the units)
// is attached to the option with note(); the choices come from the engine's own name tables
// (kde.hpp's kernel_choices() ...), the ones its parsers accept.

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace hotspot::cli {

/// What --json-usage says about an option beyond CLI11's own table.
struct OptionNotes {
    std::string toml_key;             ///< the run config's key for the same setting ("incidents.crs")
    std::vector<std::string> choices; ///< the accepted values, when it takes a name from a list
    std::string units;                ///< "m", "days", "count" ...
};

/// Attaches `notes` to `opt` (kept for the process's lifetime); returns `opt` for chaining.
CLI::Option* note(CLI::Option* opt, OptionNotes notes);

/// The names of a choice table as strings (kernel_choices() -> {"quartic", ...}).
std::vector<std::string> choice_list(const std::vector<std::string_view>& names);

/// "a, b or c": the same choices in help text.
std::string choice_text(const std::vector<std::string>& choices);

/// The options of `app` (a command, or the root with its commands) as a JSON document:
/// {"command", "description", "options": [{"flag", "names", "toml_key", "type", "default",
/// "choices", "units", "help", "required", "repeatable"}], "commands": [...] (root only)}.
/// "default" is the text --help shows in brackets, or null when it shows none; "type" is one of
/// bool, string, number, integer.
std::string json_usage(const CLI::App& app);

/// Adds --json-usage to `app`: prints json_usage(app) on stdout and exits 0 as soon as it is
/// parsed (before required options are checked). A default is the one the command declares
/// (capture_default_str(), shown by --help too); an option whose unset value means "chosen
/// from the data" declares none and its "default" is null.
void add_json_usage(CLI::App& app);

} // namespace hotspot::cli
