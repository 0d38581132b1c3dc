#pragma once
// The incident-reading flags every command that reads incidents shares (geocode, kde, gistar,
// rates), declared once so their names, help and defaults cannot drift apart.

#include <CLI/CLI.hpp>

#include "hotspot/incidents_io.hpp"

namespace hotspot::cli {

/// Adds --incidents (required), --x, --y, --crs, --working-crs, --id, --category, --date,
/// --time and --keep-outliers to `sub`, filling `read`. `read` must outlive the parse.
/// --postcode, --postcodes, --postcodes-previous (part of add_read_options; `run` adds them alone).
void add_postcode_options(CLI::App& sub, ReadOptions& r);

void add_read_options(CLI::App& sub, ReadOptions& read);

} // namespace hotspot::cli
