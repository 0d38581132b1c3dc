#pragma once
/// @file postcode.hpp
/// Postcode centroids: placing partner rows (council anti-social behaviour logs, fire and
/// hospital data) that carry a UK postcode and no coordinates.
///
/// Lookups, recognised by their published column names (case-insensitive):
/// - ONS Postcode Directory (ONSPD) / National Statistics Postcode Lookup (NSPL) CSV, with a
///   header: the postcode from `pcds` (preferred), `pcd`, `pcd7`, `pcd8` or `pcd2`; the
///   centroid from `oseast1m` / `osnrth1m` (British National Grid, EPSG:27700, metres; blank
///   where the directory has no grid reference); `doterm` (a date of termination, YYYYMM, blank
///   for a live postcode) marks terminated postcodes.
/// - OS Code-Point Open CSV, as published without a header (10 columns: postcode, positional
///   quality, eastings, northings, ...; recognised when the first field is a postcode and the
///   third and fourth are numbers), or with the header of Code-Point_Open_Column_Headers.csv
///   (`Postcode`/`PC`, `Eastings`/`EA`, `Northings`/`NO`). Positional quality 90 means no
///   coordinates. Code-Point lists only live postcodes: give an older release as a *previous*
///   lookup, and a postcode found only there is placed as terminated.
///
/// Normalisation (normalise_postcode): upper case; every space removed; the last three
/// characters are the inward code (a digit and two letters), the rest the outward code
/// (A9, A99, AA9, AA99, A9A or AA9A). The typing errors O for 0 and I for 1 are corrected in the
/// inward code's digit only: that position is always a digit, so the correction is unambiguous
/// (the inward letters never include C I K M O V, so a 0 or 1 there has no single reading, and an
/// outward code such as LE1O could be LE10 or LE1 0..; neither is corrected).
///
/// Outcome of each row (PostcodeLookup::find): placed at the centroid (live), placed with a
/// warning (terminated), or rejected as `unknown_postcode` with the value and why: blank, not a
/// postcode, not in the lookup (saying when its postcode area is not covered at all, e.g. a
/// Welsh or Scottish postcode given an English lookup), or in the lookup without coordinates.

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "hotspot/incidents.hpp"

namespace hotspot {

/// The precision value written in the `location_precision` field of rows placed by postcode.
inline constexpr std::string_view postcode_centroid = "postcode_centroid";

/// Share of an analysis's incidents placed at postcode centroids above which density and hot
/// spot results are warned about: a unit postcode covers about 15 addresses (up to 100), so its
/// centroid can lie 100 m or more from the incident, and every row of a postcode stacks on one
/// point. Above a fifth of the incidents, the heat map and hot spots show postcode centroids as
/// much as places.
inline constexpr double postcode_share_warn = 0.2;

/// The share (0..1) of `rows` of `incidents` (nullptr: every row) placed at a postcode centroid
/// (roles.precision); NaN when the incidents carry no precision field (not placed by postcode).
double postcode_centroid_share(const IncidentTable& incidents, const std::vector<std::uint32_t>* rows);

/// The warning for `rows` of `incidents` (nullptr: every row) when more than
/// postcode_share_warn of them sit on postcode centroids (roles.precision); empty otherwise.
std::string postcode_share_warning(const IncidentTable& incidents, const std::vector<std::uint32_t>* rows,
                                   std::string_view analysis);

/// A postcode in its compact form ("LE15WW") and whether a typing error was corrected.
struct NormalisedPostcode {
    std::string key;         ///< upper case, no spaces; empty when the text is not a postcode
    bool corrected = false;  ///< an O or I in the inward digit was read as 0 or 1
};

/// Normalises a postcode as typed (see the file comment). `key` is empty when it is not one.
NormalisedPostcode normalise_postcode(std::string_view text);

/// "LE15WW" -> "LE1 5WW" (outward, one space, inward).
std::string format_postcode(std::string_view key);

/// Counts of one read placed by postcode (ReadResult::postcodes).
struct PostcodeCounts {
    bool used = false;
    std::string field;                    ///< the incident field holding the postcode
    std::vector<std::string> files;       ///< current lookup files, then previous ones
    std::vector<std::string> formats;     ///< per file: "ONSPD/NSPL" or "Code-Point Open"
    std::uint64_t lookup_postcodes = 0;   ///< distinct postcodes in the lookup
    std::uint64_t placed = 0;             ///< rows placed at a centroid (terminated included)
    std::uint64_t terminated = 0;         ///< of which at a terminated postcode
    std::uint64_t corrected = 0;          ///< of which after an O/I correction
    std::uint64_t unknown = 0;            ///< rows rejected as unknown_postcode
    nlohmann::ordered_json to_json() const;
};

class PostcodeLookup {
public:
    enum class Outcome { live, terminated, blank, not_a_postcode, not_in_lookup, no_coordinates };
    struct Match {
        Outcome outcome = Outcome::blank;
        std::string postcode;  ///< formatted ("LE1 5WW") when the text is a postcode
        bool corrected = false;
        double x = 0, y = 0;   ///< EPSG:27700 metres (live and terminated only)
        bool placed() const noexcept { return outcome == Outcome::live || outcome == Outcome::terminated; }
    };

    /// Reads `current` (live postcodes; ONSPD/NSPL `doterm` may mark some terminated) and
    /// `previous` releases (a postcode found only there is terminated).
    /// @throws InputError naming the file and line for an unreadable lookup or missing columns.
    static PostcodeLookup read(const std::vector<std::string>& current, const std::vector<std::string>& previous = {});

    Match find(std::string_view text) const;
    /// Why a rejected match was rejected, with the value, for the rejects' detail.
    std::string reject_detail(std::string_view text, const Match& m) const;

    std::size_t size() const noexcept { return m_places.size(); }
    const std::vector<std::string>& files() const noexcept { return m_files; }
    const std::vector<std::string>& formats() const noexcept { return m_formats; }

private:
    struct Place {
        double x = 0, y = 0;
        bool has_xy = true;
        bool terminated = false;
    };
    void read_file(const std::string& path, bool previous);
    std::unordered_map<std::string, Place> m_places;
    std::set<std::string, std::less<>> m_areas;  ///< postcode areas covered ("LE", "B")
    std::vector<std::string> m_files, m_formats;
};

} // namespace hotspot
