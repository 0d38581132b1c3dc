#pragma once
/// @file output_safety.hpp
/// Checks made on every output before any work, so that nothing is lost whatever happens:
/// an output is never one of the inputs, its format can hold what the command writes, and the
/// temporaries of the running process are known so that a cancel (SIGINT/SIGTERM) can remove
/// them, and those of dead processes are swept by the next run.
///
/// Temporary names (all hidden, beside the final name, carrying the writer's PID):
///   `.NAME.partial-PID.EXT` (vector layers, text files), `.NAME.tmpPID.EXT` (rasters),
///   `.FOLDER.hotspot-tmp-PID` (a run pack being written), `.FOLDER.hotspot-lock` (its lock).

#include <cstddef>
#include <string>
#include <vector>

namespace hotspot {

/// Writes `text` to `path` atomically (temporary name in the same folder, then rename).
/// @throws OutputError when it exists and !overwrite, or cannot be written.
/// `unit` starts the error message ("raster: PATH: already exists; use --overwrite ...").
void write_text_atomic(const std::string& path, const std::string& text, bool overwrite,
                       const char* unit = "write");

/// @throws OutputError when `path` exists and !overwrite, naming the --overwrite remedy.
void check_can_write(const std::string& path, bool overwrite, const char* unit = "write");

/// @throws UsageError (exit 2) when `output` is the same file as one of `inputs` (symbolic and
///         hard links resolved: std::filesystem::equivalent), naming both paths. Inputs that do
///         not exist or are not plain paths (globs, `PG:`, `path|layername=x`) are skipped.
void check_not_input(const std::string& output, const std::vector<std::string>& inputs, const char* unit);

/// Before any work, each of `outputs` (empty entries skipped; a Shapefile with its sidecars):
/// check_not_input() against `inputs` (errors start with `unit`), then check_can_write()
/// (exists without `overwrite`, folder missing or read-only; errors start with "write").
/// @throws UsageError (an output is an input) or OutputError.
void check_outputs(const std::vector<std::string>& outputs, const std::vector<std::string>& inputs, bool overwrite,
                   const char* unit);

/// The incident files `paths` name (folders and globs expanded; left as given when they match
/// nothing, which the reader reports later).
std::vector<std::string> incident_files(const std::vector<std::string>& paths);

/// The file part of an OGR source ("x.gpkg|layername=a" -> "x.gpkg"; "" for `PG:...`).
std::string source_file(const std::string& source);

/// @throws UsageError (exit 2) when `path`'s extension is not a vector format hotspot writes,
///         or names a format that holds one layer per file (.geojson, .fgb, .shp, .csv) while the
///         command writes `layers` > 1 layers ("use .gpkg").
/// Formats: .gpkg (recommended) and .sqlite hold any number of layers; .geojson, .json, .fgb,
/// .shp (with its .shx, .dbf, .prj, .cpg written under temporary names and renamed together)
/// and .csv hold one.
void check_vector_output(const std::string& path, std::size_t layers, const char* unit,
                         const char* option = "--out");

/// @throws UsageError (exit 2) unless `path` ends in one of `extensions` (lower case, with the
///         dot; compared case-blind); `what` names the format ("a GeoTIFF").
void check_output_extension(const std::string& path, const std::vector<std::string>& extensions,
                            const std::string& what, const char* unit, const char* option = "--out");

/// The extension of `path` in lower case, with its dot (".tif"; "" when none).
std::string lower_extension(const std::string& path);

/// @throws UsageError (exit 2) unless `path` ends in .tif or .tiff (any case).
void check_raster_output(const std::string& path, const char* unit, const char* option = "--out");

/// The files a one-layer vector output consists of: for `x.shp` its sidecars `x.shx`, `x.dbf`,
/// `x.prj`, `x.cpg`, `x.qix`; for other formats `path` alone.
std::vector<std::string> vector_output_files(const std::string& path);

/// Whether process `pid` is alive (kill(pid, 0) succeeds or fails with EPERM).
bool process_alive(long pid);

/// Removes the temporaries that writers of `final_path` left when they were killed (their PID
/// is no longer alive): `.STEM.partial-PID.*`, `.NAME.tmpPID.*`. Never removes anything else.
/// @returns how many files were removed.
std::size_t sweep_dead_temporaries(const std::string& final_path);

/// The temporaries of this process, so a cancel can remove them when unwinding cannot.
/// Writers register a temporary when they create it and release it when it is renamed or
/// removed. Thread-safe.
void register_temporary(const std::string& path);
void release_temporary(const std::string& path);
/// Removes every registered temporary (files and folders). For the CLI's signal watchdog,
/// when the engine does not reach a cancel point in time.
void remove_registered_temporaries() noexcept;

} // namespace hotspot
