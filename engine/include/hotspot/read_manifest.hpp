#pragma once
/// @file read_manifest.hpp
/// What read_incidents() read, recorded the same way in every command's manifest.json.

#include <string>

#include "hotspot/incidents_io.hpp"
#include "hotspot/manifest.hpp"

namespace hotspot {

/// Adds to `manifest`: each source file of `read` as an input of `role` (with its SHA-256);
/// "counts" rows_in, kept and rejected (rows_in = kept + rejected; keys already in "counts"
/// are kept, these are set); and "crs": source_crs, working_crs, the PROJ operation and its
/// accuracy in metres (-1: unknown). `working_crs` is the CRS the incidents were read into.
void add_read(Manifest& manifest, const ReadResult& read, const std::string& working_crs,
              const std::string& role = "incidents");

} // namespace hotspot
