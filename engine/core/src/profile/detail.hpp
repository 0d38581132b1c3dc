#pragma once
// Internal to the profile sources (engine/src/profile/): the text helpers they share and the
// one validator that both validate() and the TOML reader call, so each key is checked in one
// place (the reader only adds the line number of the key that failed).

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hotspot/dates.hpp"
#include "hotspot/profile.hpp"
#include "util/text.hpp"

namespace hotspot::profile_detail {

inline constexpr const char* unit = "profile";

// ASCII case folding: the values filtered on are English codes and labels.
using util::lower;
using util::trim;

inline std::string fold(std::string_view s) {
    return lower(trim(s));
}

/// "[a, b]".
inline std::string join_quoted(const std::vector<std::string>& v) {
    std::string r = "[";
    for (std::size_t i = 0; i < v.size(); ++i)
        r += (i ? ", " : "") + v[i];
    return r + "]";
}

inline constexpr std::array<const char*, 7> weekday_short = {"Mon", "Tue", "Wed", "Thu",
                                                             "Fri", "Sat", "Sun"};

/// 0 = Monday .. 6 = Sunday, from "Mon" or "monday" (any case); nullopt otherwise.
std::optional<int> parse_weekday(std::string_view s);

inline bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

/// "YYYY-MM" or "YYYY-MM-DD" -> day count of its first (or, with `upper`, last) day.
std::optional<std::int32_t> parse_date_bound(std::string_view s, bool upper);

/// Offence codes: upper case, no surrounding blanks, no leading zeros ("008N" -> "8N").
std::string normalise_code(std::string_view s);

/// Both normalised. "92" matches "92D" (a letter cannot continue a number) but not "920";
/// "28E" matches "28E/01" but not "28EX".
bool code_matches(const std::string& entry, std::string_view code) noexcept;

/// Called with a key path ("analysis.bandwidth_m", "filter.fields[0].matches") and what is
/// wrong with it and what to do; it must throw.
using Fail = std::function<void(const std::string& key, const std::string& what)>;

/// Every check of a profile's values, in one place: validate() throws UsageError through it,
/// the TOML reader InputError at the failing key's line.
void validate_with(const Profile& p, const Fail& fail);

} // namespace hotspot::profile_detail
