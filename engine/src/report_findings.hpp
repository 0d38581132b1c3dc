#pragma once
// The cover's key findings: per profile, the sentences a strategic assessment leads with
// (volume and direction, the area furthest above the force rate with its rank, the top hot
// spot's share), written from the run's numbers alone. Pure: no files, no HTML.

#include <string>
#include <vector>

#include "report_input.hpp"

namespace hotspot::report {

/// An area of a level with its rank among all areas of that level: by rate per 1,000 when the
/// profile has rates, else by count (standard competition ranking: ties share a rank, "1, 2, 2,
/// 4"). rank is 0 when the area has no value to rank.
struct RankedArea {
    const Feature* area = nullptr;
    int rank = 0;
};

/// Every area of the level, highest first (unranked ones last, in layer order).
std::vector<RankedArea> rank_areas(const LevelRates& level, bool by_rate);

/// "force" when the area's name says it is a police force area, else "study area".
std::string area_word(const ReportInput& in);

/// "Castle (35%), Westcotes (12%)" -> "Castle, Westcotes" (the hot spot layer's wards field).
std::string ward_names(const std::string& wards);

/// Plain-text sentences (not escaped) for one profile.
std::vector<std::string> key_findings(const ReportInput& in, const ProfileInput& p);

} // namespace hotspot::report
