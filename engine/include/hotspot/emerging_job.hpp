#pragma once
/// @file emerging_job.hpp
/// `hotspot emerging`: the frame around the emerging hot spots step (steps/emerging_step.hpp):
/// read incidents (and optionally a study area), select a built-in profile's rows (all dates),
/// run the step, write the styled cells layer to a GeoPackage and <out stem>.manifest.json.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hotspot/areas_io.hpp"
#include "hotspot/incidents_io.hpp"
#include "hotspot/progress.hpp"
#include "hotspot/steps/emerging_step.hpp"

namespace hotspot {

struct EmergingJobOptions {
    ReadOptions read;
    std::optional<AreaSpec> study;  ///< study area polygons; none: the incidents' extent
    std::string profile;            ///< a built-in profile selecting the incidents; empty: all
    EmergingStepOptions step;
    std::string out;                ///< the cells GeoPackage (.gpkg)
    std::string manifest_path;      ///< empty: <out stem>.manifest.json
    bool overwrite = false;
    std::string command_line;
    /// @throws UsageError (no incidents, no output, bad options, unknown profile).
    void validate() const;
};

struct EmergingJobResult {
    std::uint64_t rows_in = 0, kept = 0, rejected = 0, selected = 0;
    EmergingStepResult step;
    std::vector<std::string> warnings;
    std::vector<std::string> outputs;
    std::string summary() const;
};

/// @throws UsageError, InputError, OutputError, Cancelled.
EmergingJobResult run_emerging_job(const EmergingJobOptions& options, const Progress& progress = no_progress());

} // namespace hotspot
