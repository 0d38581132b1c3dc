#pragma once
// Words and numbers of the tasking report, one way everywhere: thousands separators on every
// count and change, fixed decimals on rates, months spelled out, ordinals ("4th"), proxy titles.

#include <string>
#include <vector>

#include "report_input.hpp"

namespace hotspot::report {

std::string esc(const std::string& s);               ///< HTML escaping
std::string thousands(double v);                     ///< "13,656", "−5"; "–" when not finite
std::string signed_thousands(double v);              ///< "+5,332", "−42", "0"
std::string fixed(double v, int decimals);           ///< "8.0"; "–" when not finite
std::string percent(double share, int decimals = 1); ///< 0.314 -> "31.4%"
std::string ordinal(long long n);                    ///< 1 -> "1st", 12 -> "12th", 23 -> "23rd"
std::string month_text(const std::string& date);     ///< "2025-01" -> "January 2025"
std::string period_text(const std::string& from, const std::string& to);
std::string level_label(const std::string& level, bool plural = false); ///< "lsoa" -> "LSOA"
std::string short_wards(const std::string& wards); ///< the first three and "and N more"
std::string today();                               ///< "25 November 2025" (local time)
std::string lower_first(const std::string& s);     ///< "Drug possession" -> "drug possession"
std::string join_words(const std::vector<std::string>& parts); ///< "a, b and c"

/// The profile's page title: what was selected. A police.uk proxy is named after its
/// categories: "Burglary — police.uk proxy for car key burglary".
std::string profile_heading(const ProfileInput& p);
/// The subject in a sentence: "drug possession", "burglary (proxy for car key burglary)".
std::string profile_subject(const ProfileInput& p);

/// CSS class and sort order of a rate class ("significantly above" ... "significantly below").
std::string class_css(const std::string& rate_class);
int class_order(const std::string& rate_class);

} // namespace hotspot::report
