#pragma once
/// @file profile.hpp
/// Offence profiles: a named, declarative filter (which incidents count as, say, car key
/// burglary) together with the analysis parameters and outputs a run of that profile uses.
///
/// A profile carries two variants of its filter: one for a records-system export (offence
/// codes, location types, MO text, times) and, optionally, one for police.uk street-level
/// files, which hold only a crime type and a month. A police.uk variant is usually a *proxy*
/// and its `proxy_note` says exactly what it cannot tell apart; choose_variant() picks one.
///
/// Filter semantics (documented in examples/profiles.md):
///  - Terms AND together; the values inside one term's list OR together. An empty list or an
///    unset range is no term at all (it removes nothing).
///  - Text comparisons (categories, location types, `in`/`not_in`) ignore case and the
///    whitespace around the value.
///  - Offence codes: case and leading zeros are ignored ("008N" is "8N"); an entry matches a
///    code equal to it, or a code that starts with it when the next character of the code
///    cannot continue the entry: "92" matches 92, 92A..92E and "92/1" but not 920; "28E"
///    matches "28E" and "28E/01" but not "28EX".
///  - `matches` / `exclude_matches`: case-insensitive substrings, or, with `regex = true`,
///    ECMAScript regular expressions searched anywhere in the value (std::regex icase).
///    A row passes a field term when its value is in `in` (if given), not in `not_in`, matches
///    at least one of `matches` (if given) and none of `exclude_matches`.
///  - Dates: `date_from`/`date_to` are inclusive, "YYYY-MM" (the whole month) or "YYYY-MM-DD".
///  - Hours: "HH:MM-HH:MM", start inclusive, end exclusive, may wrap midnight
///    ("21:00-04:00" holds 21:00..03:59).
///  - Weekdays: the calendar day of the incident (a 01:30 Saturday incident is Saturday).
///  - A row with no date fails a date or weekday term; a row with no time fails an hours term.
///    Such rows are counted in Selection so the user sees how many were left out for that.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hotspot/incidents.hpp"

namespace hotspot {

/// A condition on one text field.
struct FieldTerm {
    /// A role name ("category", "offence_code", "location_type", "mo_text", "id",
    /// "lsoa_code") or, when no role has that name, an original field name (case-insensitive).
    std::string field;
    std::vector<std::string> in;      ///< the value is one of these (empty list: any; "" = blank)
    std::vector<std::string> not_in;  ///< the value is none of these ("" = blank)
    std::vector<std::string> matches; ///< the value contains one of these (empty: any)
    std::vector<std::string> exclude_matches; ///< the value contains none of these
    bool regex = false; ///< `matches`/`exclude_matches` are regular expressions, not substrings

    bool operator==(const FieldTerm&) const = default;
};

/// An hours-of-day window, start inclusive, end exclusive; start > end wraps midnight.
struct HoursWindow {
    int start_minute = 0; ///< 0..1439
    int end_minute = 0;   ///< 0..1439, != start_minute

    /// True when `minute_of_day` (0..1439) lies in the window.
    bool contains(int minute_of_day) const noexcept;
    bool operator==(const HoursWindow&) const = default;
};

/// Parses "HH:MM-HH:MM" (e.g. "21:00-04:00"). @throws UsageError naming `what` when the text is
/// not a window or start equals end.
HoursWindow parse_hours_window(std::string_view text, std::string_view what = "hours");
/// "21:00-04:00".
std::string format_hours_window(const HoursWindow& w);

/// A filter: every set term must hold (AND); see the file comment for the semantics.
struct Filter {
    std::vector<std::string> categories;     ///< category is one of these
    std::vector<std::string> offence_codes;  ///< offence code matches one of these
    std::vector<std::string> location_types; ///< location type is one of these
    std::vector<FieldTerm> fields;           ///< further conditions, each one a term
    std::string date_from; ///< "YYYY-MM" or "YYYY-MM-DD", inclusive; empty: no lower bound
    std::string date_to;   ///< "YYYY-MM" (to the month's end) or "YYYY-MM-DD"; inclusive
    std::optional<HoursWindow> hours; ///< hours of day
    std::vector<int> weekdays;        ///< 0 = Monday .. 6 = Sunday

    /// True when the filter has no term (it selects every incident).
    bool empty() const noexcept;
    bool operator==(const Filter&) const = default;
};

/// How area counts become rates.
enum class Denominator { none, population };

/// Analysis parameters a run of the profile uses. The profile only carries them: kde, gistar
/// and rates validate them in their own options.
struct AnalysisParameters {
    std::string kde_kernel = "quartic"; ///< kernel name (kde validates it)
    /// Fixed bandwidth in metres; 0 when `bandwidth_auto` is set.
    double bandwidth_m = 250;
    /// Automatic bandwidth method ("ppl", "scott"...; the grammar of steps/kde_step.hpp; TOML "auto:<method>"); empty: fixed.
    std::string bandwidth_auto;
    double cell_size_m = 50;    ///< grid cell size for surfaces and Gi*, metres
    double gistar_band_m = 250; ///< Gi* neighbourhood distance band, metres
    /// FDR level of a run's LISA cluster classes (areas with FDR-corrected p < fdr_q are
    /// classed). Gi* bins keep ArcGIS's three levels (90/95/99% on the corrected p).
    double fdr_q = 0.05;

    bool operator==(const AnalysisParameters&) const = default;
};

/// An offence profile.
struct Profile {
    std::string name;        ///< identifier: lower case, digits and '-' ("car-key-burglary")
    std::string title;       ///< human title ("Car key burglary")
    std::string description; ///< a paragraph: what it is and why it matters
    Filter filter;           ///< the records-system export variant
    /// The police.uk variant (usually a proxy); nullopt: `filter` is used for police.uk too.
    std::optional<Filter> police_uk_filter;
    /// Shown when a run uses the police.uk variant: why it is only a proxy. Empty: not a proxy.
    std::string proxy_note;
    AnalysisParameters analysis;
    Denominator denominator = Denominator::population;
    /// The steps a run writes for this profile, from profile_output_names() (default: all):
    /// kde (density + change), hotspot_polygons (needs kde), gistar, rates, lisa (needs rates).
    std::vector<std::string> outputs{"kde", "hotspot_polygons", "gistar", "rates", "lisa"};

    bool operator==(const Profile&) const = default;
};

/// The output names a profile may list ("kde", "gistar", "rates", "hotspot_polygons", "lisa").
const std::vector<std::string>& profile_output_names();

/// Checks a profile's values (name, lists, dates, weekdays, numbers, outputs).
/// @throws UsageError "profile: NAME: ..." naming the key and saying what to do.
void validate(const Profile& profile);

/// The built-in profiles: car-key-burglary, drug-possession, public-place-violence, all-crime.
const std::vector<Profile>& builtin_profiles();

/// The built-in profile of that name, or nullptr.
const Profile* find_builtin(std::string_view name) noexcept;

/// The profile as it runs on this kind of input: `filter` is the police.uk variant when
/// `police_uk` is true and the profile has one, else the records variant; the result has no
/// `police_uk_filter`, and its `proxy_note` is kept only when the police.uk variant was chosen.
Profile choose_variant(const Profile& profile, bool police_uk);

/// One filter term's effect on a selection.
struct TermCount {
    std::string term;            ///< "offence_code in [92D, 92E]"
    std::uint64_t selected = 0;  ///< rows this term alone lets through
    std::uint64_t remaining = 0; ///< rows left after this term and all terms before it
};

/// The incidents a profile selects.
struct Selection {
    std::vector<std::uint32_t> rows; ///< selected row indices into the table, ascending
    std::uint64_t rows_in = 0;       ///< rows in the table
    /// Rows that passed every other term but had no time, so an hours term excluded them.
    std::uint64_t excluded_unknown_time = 0;
    /// Rows that passed every other term but had no date, so a date/weekday term excluded them.
    std::uint64_t excluded_unknown_date = 0;
    std::vector<TermCount> terms;      ///< one per filter term, in evaluation order
    std::vector<std::string> warnings; ///< e.g. nothing selected, rows left out for no time
};

/// Applies `profile.filter` (call choose_variant() first for police.uk input).
/// @throws UsageError when a term needs a field the table does not have (naming the field and
/// saying how to map it), or the filter is invalid.
Selection select(const IncidentTable& table, const Profile& profile);

/// The rows a command's `--profile NAME` keeps: those the built-in profile selects (its
/// police.uk variant for police.uk input), or, when `builtin_name` is empty, every row.
struct ProfileRows {
    std::vector<std::uint32_t> rows;   ///< ascending row indices
    std::vector<std::string> warnings; ///< select()'s (nothing selected, no time...)
    std::string label;                 ///< the profile's title, or "All incidents"
};
/// @throws UsageError when no built-in profile has that name.
ProfileRows select_profile_rows(const IncidentTable& table, const std::string& builtin_name, bool police_uk);

/// Reads a profile from TOML text. Unknown keys are errors.
/// @throws InputError "profile: SOURCE:LINE: field 'KEY': ..." saying what to do.
Profile parse_profile_toml(std::string_view text, const std::string& source_name);

/// Writes a profile as TOML that parse_profile_toml() reads back equal.
std::string to_toml(const Profile& profile);

/// One line per filter term ("offence_code in [92D, 92E]"), for listings and reports.
std::vector<std::string> describe_terms(const Filter& filter);

/// "none" / "population".
std::string_view denominator_name(Denominator d) noexcept;

} // namespace hotspot
