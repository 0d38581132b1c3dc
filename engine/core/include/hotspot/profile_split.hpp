#pragma once
/// @file profile_split.hpp
/// A profile's selection split by date: the filter runs once over a table with its dates left
/// out, then each date window is cut from that one evaluation. `hotspot run` selects a profile's
/// period, its comparison, the backtest's history up to the period's end and the trend's every
/// date this way, so the filter's terms (the MO regexes above all) run once, not four times.

#include <memory>
#include <string>

#include "hotspot/incidents.hpp"
#include "hotspot/profile.hpp"

namespace hotspot {

/// select(from, to) equals hotspot::select() of the profile with filter.date_from/date_to set to
/// from/to (empty: open): the rows, every term's counts, the rows left out for an unknown date or
/// time and the warnings. hotspot::select() is this class on one thread, so the single commands
/// and `hotspot run` share one evaluation; tests/unit/test_profile.cpp checks one evaluation
/// reused over many ranges against a fresh one per range. The profile's own dates are left out
/// until select(). Memory: one bit per row per term.
class DateSplitSelection {
public:
    /// Evaluates every term but the date range on every row, on `threads` threads (0: all
    /// cores; runs of 64 rows each, the same bits whatever the count); the table must outlive
    /// this. @throws UsageError as select() does (a term on a field the table lacks, an invalid
    /// filter).
    DateSplitSelection(const IncidentTable& table, const Profile& profile, unsigned threads = 0);
    /// The selection of the dates [date_from, date_to] ("YYYY-MM" or "YYYY-MM-DD"; empty: open).
    /// @throws UsageError for a date validate() refuses.
    Selection select(const std::string& date_from, const std::string& date_to) const;

private:
    struct Evaluated;
    const IncidentTable* table_;
    Profile profile_;  ///< without dates
    std::shared_ptr<const Evaluated> evaluated_;
};

} // namespace hotspot
