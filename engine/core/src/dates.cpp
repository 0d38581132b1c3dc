#include "hotspot/dates.hpp"

#include <cctype>

namespace hotspot {

// Howard Hinnant's days_from_civil / civil_from_days.
std::int32_t days_from_civil(int y, unsigned m, unsigned d) noexcept {
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = unsigned(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return std::int32_t(era * 146097 + int(doe) - 719468);
}

std::int32_t civil_from_days(std::int32_t z) noexcept {
    z += 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = unsigned(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int y = int(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return std::int32_t((y + (m <= 2)) * 10000 + int(m) * 100 + int(d));
}

int weekday_of(std::int32_t days) noexcept {
    // 1970-01-01 was a Thursday (3 when Monday = 0).
    return int(((days % 7) + 7 + 3) % 7);
}

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t count, int& out) noexcept {
    if (pos + count > s.size()) return false;
    int v = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const char c = s[pos + i];
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    out = v;
    return true;
}

bool valid_ymd(int y, int m, int d) noexcept {
    // Any four-digit year: an old date is a typo or a historic record, not a format error
    // (the reader warns about dates before 1900 and after today).
    if (y < 1 || m < 1 || m > 12 || d < 1) return false;
    static const int len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= len[m - 1] + (m == 2 && leap ? 1 : 0);
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

} // namespace

std::optional<std::int16_t> parse_time(std::string_view t) noexcept {
    t = trim(t);
    int h = 0, m = 0, sec = 0;
    if (t.size() == 4 && digits(t, 0, 2, h) && digits(t, 2, 2, m)) {
    } else if (t.size() >= 4 && t.size() <= 8) {
        const std::size_t colon = t.find(':');
        if (colon == std::string_view::npos || colon == 0 || colon > 2) return std::nullopt;
        if (!digits(t, 0, colon, h) || !digits(t, colon + 1, 2, m)) return std::nullopt;
        const std::size_t rest = colon + 3;
        if (rest != t.size()) {
            if (t[rest] != ':' || !digits(t, rest + 1, 2, sec) || rest + 3 != t.size())
                return std::nullopt;
        }
    } else {
        return std::nullopt;
    }
    // "24:00" is the end of the day (ISO 8601, and how some records systems write midnight):
    // returned as 1440 for the caller to roll to 00:00 of the next day.
    if (h == 24 && m == 0 && sec == 0) return std::int16_t(minutes_per_day);
    if (h > 23 || m > 59 || sec > 59) return std::nullopt;
    return std::int16_t(h * 60 + m);
}

std::optional<DateTime> parse_date(std::string_view text) noexcept {
    const std::string_view s = trim(text);
    int y = 0, m = 0, d = 0;
    std::size_t rest = 0;
    DateTime out;
    if (s.size() >= 7 && s[4] == '-' && digits(s, 0, 4, y) && digits(s, 5, 2, m)) {
        if (s.size() == 7) {
            if (!valid_ymd(y, m, 1)) return std::nullopt;
            out.days = days_from_civil(y, unsigned(m), 1);
            out.month_only = true;
            return out;
        }
        if (s.size() < 10 || s[7] != '-' || !digits(s, 8, 2, d)) return std::nullopt;
        rest = 10;
    } else if (s.size() >= 10 && s[2] == '/' && s[5] == '/' && digits(s, 0, 2, d) &&
               digits(s, 3, 2, m) && digits(s, 6, 4, y)) {
        rest = 10;
    } else {
        return std::nullopt;
    }
    if (!valid_ymd(y, m, d)) return std::nullopt;
    out.days = days_from_civil(y, unsigned(m), unsigned(d));
    if (rest < s.size()) {
        if (s[rest] != ' ' && s[rest] != 'T') return std::nullopt;
        std::string_view t = s.substr(rest + 1);
        if (!t.empty() && t.back() == 'Z') t.remove_suffix(1);
        // Fractional seconds ("21:30:00.000") are allowed and ignored.
        if (const auto dot = t.find('.'); dot != std::string_view::npos) t = t.substr(0, dot);
        const auto minute = parse_time(t);
        if (!minute) return std::nullopt;
        out.minute_of_day = *minute;
        if (out.minute_of_day == minutes_per_day) {  // "24:00": midnight of the next day
            out.minute_of_day = 0;
            ++out.days;
        }
    }
    return out;
}

} // namespace hotspot
