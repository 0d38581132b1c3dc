#pragma once
/// @file steps/hours_step.hpp
/// The hours step: the hours of the week (week_hours.hpp) of a selection of incidents, as a
/// 7 × 24 table by weekday (Monday first) and hour, with the incidents whose time is unknown
/// counted apart (never as midnight) and 00:00 taken as unknown under week_hours.hpp's rule.
/// With no times at all (police.uk publishes the month only) the result says so
/// (`table.no_times`) and callers draw no clock. Both frames call it: `hotspot hours`
/// (hours_job.cpp, CSV + manifest) and `hotspot run` (run/profile_change.cpp, manifest node
/// read by the report's heat-clock).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hotspot/incidents.hpp"
#include "hotspot/week_hours.hpp"

namespace hotspot {

/// Options of the hours step (the analysis, not the I/O).
struct HoursOptions {
    std::string profile;     ///< a built-in profile selecting the incidents; empty: all
    WeekHourOptions table;
    /// @throws UsageError for an unknown profile or midnight_ratio/midnight_min out of range.
    void validate() const;
    /// The manifest node of these options.
    nlohmann::ordered_json to_json() const;
};

struct HoursResult {
    std::string label;                  ///< "All incidents" or the profile's title
    WeekHourTable table;
    std::vector<std::string> warnings;
};

/// The step on the incidents `options.profile` selects (all when empty).
/// @throws UsageError (bad options, a profile term needing a field the table lacks).
HoursResult week_hours_of(const IncidentTable& incidents, const HoursOptions& options, bool police_uk = false);

/// The step on given rows (a run profile's selection); `label` names them. No rows: no times.
/// @throws UsageError (bad options).
HoursResult week_hours_of_rows(const IncidentTable& incidents, const std::vector<std::uint32_t>& rows,
                               const std::string& label, const HoursOptions& options);

/// The method in words (the rule for 00:00 with its numbers), for manifests.
std::string hours_method(const HoursOptions& options);

/// The hours step's manifest node ("hours" of a run profile, the body of `hotspot hours`'s
/// manifest): options, method, and "hours" (counts, note, 7 × 24 table). Written through
/// to_json(), read (the report's heat clock) through from_json(), so its keys are listed once,
/// here and in hours_step.cpp. Missing keys keep the defaults.
struct HoursManifestNode {
    nlohmann::ordered_json options;   ///< HoursOptions::to_json()
    std::string method;               ///< hours_method()
    // "hours":
    std::string label;
    std::uint64_t incidents = 0, in_table = 0, no_date = 0, unknown_time = 0, at_midnight = 0;
    double round_hour_baseline = 0;
    bool midnight_unknown = false;
    bool no_times = true;             ///< no incident had a time of day (read: true when absent)
    std::string note;
    /// incidents by weekday (Monday first) and hour; absent: no times, or left out (publish mode)
    std::optional<std::vector<std::vector<std::uint64_t>>> table;

    static HoursManifestNode of(const HoursResult& r, const HoursOptions& options);
    nlohmann::ordered_json to_json() const;
    /// @throws nlohmann::json::exception: a key holds a value of another type.
    static HoursManifestNode from_json(const nlohmann::ordered_json& node);
};

/// HoursManifestNode::of(r, options).to_json().
nlohmann::ordered_json hours_manifest_node(const HoursResult& r, const HoursOptions& options);

} // namespace hotspot
