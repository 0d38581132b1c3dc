#pragma once
// What the single commands do alike with what they read (not a public header): the counts of
// read_incidents() in the command's result, and its study layer checked against the incidents.

#include <string>
#include <vector>

#include "hotspot/areas_io.hpp"
#include "hotspot/error.hpp"
#include "hotspot/geocode.hpp"
#include "hotspot/incidents_io.hpp"

namespace hotspot::detail {

/// Sets r.rows_in, r.kept and r.rejected from `read` (rows_in = kept + rejected) and appends the
/// reader's warnings to r.warnings, for any command result with those fields.
template <class JobResult>
void tally_read(const ReadResult& read, JobResult& r) {
    r.rows_in = read.rows_in;
    r.kept = read.incidents.size();
    r.rejected = read.rejects.size();
    for (const auto& w : read.warnings) r.warnings.push_back(w);
}

/// Checks a command's study layer against its incidents: appends to `warnings` how many lie
/// outside it (report_outside).
/// @throws InputError when no area of `study` has a polygon, or (report_outside) when there are
///         incidents and none lies inside.
inline void check_study_area(const char* unit, const AreaLayer& study, const IncidentTable& inc, unsigned threads,
                             std::vector<std::string>& warnings) {
    if (study.bounds.empty())
        throw InputError(unit, study.path, "no area of the study layer has a polygon; give --areas a layer with at "
                                           "least one non-empty polygon");
    if (auto line = report_outside(unit, "the study area", study.name, study.path, inc.size(),
                                   geocode(AreaIndex(study.polygons), inc.x, inc.y, 0, threads).outside);
        !line.empty())
        warnings.push_back(line);
}

} // namespace hotspot::detail
