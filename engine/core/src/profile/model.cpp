// Offence profiles: the model's small pieces (hours windows, term descriptions, variants) and
// the text helpers of profile/detail.hpp. Validation, selection, TOML and the built-ins are
// their own files beside this one.

#include <array>
#include <cstdio>

#include "hotspot/error.hpp"
#include "profile/detail.hpp"

namespace hotspot {

namespace profile_detail {

namespace {
bool is_alnum(char c) noexcept {
    return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
const std::array<const char*, 7> weekday_long = {"monday", "tuesday",  "wednesday", "thursday",
                                                 "friday", "saturday", "sunday"};
} // namespace

std::optional<int> parse_weekday(std::string_view s) {
    const std::string f = fold(s);
    for (int i = 0; i < 7; ++i)
        if (f == lower(weekday_short[std::size_t(i)]) || f == weekday_long[std::size_t(i)])
            return i;
    return std::nullopt;
}

std::string normalise_code(std::string_view s) {
    s = trim(s);
    while (s.size() > 1 && s.front() == '0')
        s.remove_prefix(1);
    std::string r(s);
    for (char& c : r)
        if (c >= 'a' && c <= 'z')
            c = char(c - 'a' + 'A');
    return r;
}

bool code_matches(const std::string& entry, std::string_view code) noexcept {
    if (entry.empty() || code.size() < entry.size() || code.compare(0, entry.size(), entry) != 0)
        return false;
    if (code.size() == entry.size())
        return true;
    const char next = code[entry.size()];
    return is_digit(entry.back()) ? !is_digit(next) : !is_alnum(next);
}

std::optional<std::int32_t> parse_date_bound(std::string_view s, bool upper) {
    const bool month = s.size() == 7, day = s.size() == 10;
    if (!month && !day)
        return std::nullopt;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 4 || i == 7;
        if (dash ? s[i] != '-' : !is_digit(s[i]))
            return std::nullopt;
    }
    const auto dt = parse_date(s);
    if (!dt)
        return std::nullopt;
    if (day || !upper)
        return dt->days;
    const int y = std::stoi(std::string(s.substr(0, 4)));
    const unsigned m = unsigned(std::stoi(std::string(s.substr(5, 2))));
    return m == 12 ? days_from_civil(y + 1, 1, 1) - 1 : days_from_civil(y, m + 1, 1) - 1;
}

} // namespace profile_detail

using namespace profile_detail;

namespace {


std::string describe_field_term(const FieldTerm& t) {
    std::vector<std::string> parts;
    if (!t.in.empty())
        parts.push_back("in " + join_quoted(t.in));
    if (!t.not_in.empty())
        parts.push_back("not in " + join_quoted(t.not_in));
    const char* how = t.regex ? "matches regex " : "contains ";
    const char* not_how = t.regex ? "does not match regex " : "does not contain ";
    if (!t.matches.empty())
        parts.push_back(how + join_quoted(t.matches));
    if (!t.exclude_matches.empty())
        parts.push_back(not_how + join_quoted(t.exclude_matches));
    std::string r = t.field;
    for (std::size_t i = 0; i < parts.size(); ++i)
        r += (i ? " and " : " ") + parts[i];
    if (parts.empty())
        r += " (any value)";
    return r;
}

std::string describe_dates(const Filter& f) {
    if (!f.date_from.empty() && !f.date_to.empty())
        return "date from " + f.date_from + " to " + f.date_to + " (inclusive)";
    if (!f.date_from.empty())
        return "date from " + f.date_from;
    return "date to " + f.date_to + " (inclusive)";
}

std::string describe_weekdays(const std::vector<int>& days) {
    std::vector<std::string> names;
    for (int d : days)
        names.push_back(weekday_short[std::size_t(d)]);
    return "weekday in " + join_quoted(names);
}

} // namespace

bool HoursWindow::contains(int minute) const noexcept {
    if (start_minute < end_minute)
        return minute >= start_minute && minute < end_minute;
    return minute >= start_minute || minute < end_minute;
}

HoursWindow parse_hours_window(std::string_view text, std::string_view what) {
    const std::string t(trim(text));
    const auto dash = t.find('-');
    auto fail = [&](const std::string& why) -> HoursWindow {
        throw UsageError(unit, std::string(what) + " \"" + t + "\" " + why);
    };
    if (dash == std::string::npos)
        return fail("is not a window; write \"HH:MM-HH:MM\" (e.g. \"21:00-04:00\")");
    auto minute = [&](std::string_view s) -> std::optional<int> {
        s = trim(s);
        if (s.size() != 5 || s[2] != ':' || !is_digit(s[0]) || !is_digit(s[1]) || !is_digit(s[3]) ||
            !is_digit(s[4]))
            return std::nullopt;
        const int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
        if (h > 23 || m > 59)
            return std::nullopt;
        return h * 60 + m;
    };
    const auto a = minute(std::string_view(t).substr(0, dash));
    const auto b = minute(std::string_view(t).substr(dash + 1));
    if (!a || !b)
        return fail("is not a window; write \"HH:MM-HH:MM\" with 24-hour times (e.g. "
                    "\"21:00-04:00\")");
    if (*a == *b)
        return fail("is empty (start equals end); leave hours out to keep every hour");
    return HoursWindow{*a, *b};
}

std::string format_hours_window(const HoursWindow& w) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%02d:%02d-%02d:%02d", w.start_minute / 60, w.start_minute % 60,
                  w.end_minute / 60, w.end_minute % 60);
    return buf;
}

bool Filter::empty() const noexcept {
    return categories.empty() && offence_codes.empty() && location_types.empty() &&
           fields.empty() && date_from.empty() && date_to.empty() && !hours && weekdays.empty();
}

std::string_view denominator_name(Denominator d) noexcept {
    return d == Denominator::population ? "population" : "none";
}

const std::vector<std::string>& profile_output_names() {
    static const std::vector<std::string> names = {"kde", "gistar", "rates", "hotspot_polygons",
                                                   "lisa", "near_repeat", "emerging"};
    return names;
}

std::vector<std::string> describe_terms(const Filter& f) {
    std::vector<std::string> r;
    if (!f.categories.empty())
        r.push_back("category in " + join_quoted(f.categories));
    if (!f.offence_codes.empty())
        r.push_back("offence_code in " + join_quoted(f.offence_codes));
    if (!f.location_types.empty())
        r.push_back("location_type in " + join_quoted(f.location_types));
    for (const auto& t : f.fields)
        r.push_back(describe_field_term(t));
    if (!f.date_from.empty() || !f.date_to.empty())
        r.push_back(describe_dates(f));
    if (f.hours)
        r.push_back("hours " + format_hours_window(*f.hours) + " (end exclusive)");
    if (!f.weekdays.empty())
        r.push_back(describe_weekdays(f.weekdays));
    return r;
}

// ---------------------------------------------------------------------------------------------
// Variants and selection

Profile choose_variant(const Profile& profile, bool police_uk) {
    Profile r = profile;
    const bool proxy = police_uk && profile.police_uk_filter.has_value();
    if (proxy)
        r.filter = *profile.police_uk_filter;
    else
        r.proxy_note.clear();
    r.police_uk_filter.reset();
    return r;
}

} // namespace hotspot
