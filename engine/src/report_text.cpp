#include "report_text.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "hotspot/svg_style.hpp"

namespace hotspot::report {

namespace {
const char* const months[] = {"January", "February", "March",     "April",   "May",      "June",
                              "July",    "August",   "September", "October", "November", "December"};
}

std::string esc(const std::string& s) {
    return svg::xml_escape(s);
}

std::string thousands(double v) {
    if (!std::isfinite(v))
        return "\u2013";
    const long long n = std::llround(v);
    std::string digits = std::to_string(n < 0 ? -n : n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0)
            out += ',';
        out += digits[i];
    }
    return (n < 0 ? "\u2212" : "") + out;
}

std::string signed_thousands(double v) {
    if (!std::isfinite(v))
        return "\u2013";
    const long long n = std::llround(v);
    return n > 0 ? "+" + thousands(double(n)) : thousands(double(n));
}

std::string fixed(double v, int d) {
    if (!std::isfinite(v))
        return "\u2013";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", d, v);
    std::string s = buf;
    // Thousands separators on the integer part, as on counts.
    const std::size_t dot = s.find('.');
    const std::size_t int_end = dot == std::string::npos ? s.size() : dot;
    const std::size_t start = s[0] == '-' ? 1 : 0;
    for (long i = long(int_end) - 3; i > long(start); i -= 3)
        s.insert(std::size_t(i), ",");
    if (s[0] == '-')
        s = "\u2212" + s.substr(1);
    return s;
}

std::string percent(double share, int decimals) {
    return std::isfinite(share) ? fixed(share * 100, decimals) + "%" : "\u2013";
}

std::string ordinal(long long n) {
    const long long t = n % 100;
    const char* suffix = (t >= 11 && t <= 13) ? "th"
                         : n % 10 == 1        ? "st"
                         : n % 10 == 2        ? "nd"
                         : n % 10 == 3        ? "rd"
                                              : "th";
    return std::to_string(n) + suffix;
}

std::string month_text(const std::string& d) {
    if (d.size() < 7 || d[4] != '-')
        return d;
    const int mo = std::atoi(d.substr(5, 2).c_str());
    if (mo < 1 || mo > 12)
        return d;
    std::string s = std::string(months[mo - 1]) + " " + d.substr(0, 4);
    if (d.size() >= 10)
        s = std::to_string(std::atoi(d.substr(8, 2).c_str())) + " " + s;
    return s;
}

std::string period_text(const std::string& from, const std::string& to) {
    if (from.empty() && to.empty())
        return "all dates";
    if (from.empty())
        return "up to " + month_text(to);
    if (to.empty())
        return "from " + month_text(from);
    return month_text(from) + " to " + month_text(to);
}

std::string level_label(const std::string& name, bool plural) {
    std::string s = name;
    static const char* acronyms[] = {"lsoa", "msoa", "oa", "lad", "csp", "pfa", "npt", "snt"};
    if (std::any_of(std::begin(acronyms), std::end(acronyms), [&](const char* a) { return s == a; })) {
        for (auto& c : s)
            c = char(std::toupper(static_cast<unsigned char>(c)));
    } else if (!s.empty()) {
        s[0] = char(std::toupper(static_cast<unsigned char>(s[0])));
    }
    return plural ? s + "s" : s;
}

std::string short_wards(const std::string& wards) {
    // "A (50%), B (30%), ..." splits after each ")", a plain "A, B, ..." at each comma.
    const bool shares = wards.find("), ") != std::string::npos;
    const std::string sep = shares ? "), " : ", ";
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= wards.size()) {
        const auto end = wards.find(sep, start);
        if (end == std::string::npos) {
            parts.push_back(wards.substr(start));
            break;
        }
        parts.push_back(wards.substr(start, end + (shares ? 1 : 0) - start));
        start = end + sep.size();
    }
    if (parts.size() <= 3)
        return wards;
    return parts[0] + ", " + parts[1] + ", " + parts[2] + " and " + std::to_string(parts.size() - 3) +
           " more";
}

std::string today() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    return std::to_string(tm.tm_mday) + " " + months[tm.tm_mon] + " " + std::to_string(tm.tm_year + 1900);
}

std::string lower_first(const std::string& s) {
    if (s.empty())
        return s;
    // Keep acronyms ("ASB", "LSOA") as they are.
    if (s.size() > 1 && std::isupper(static_cast<unsigned char>(s[1])))
        return s;
    std::string r = s;
    r[0] = char(std::tolower(static_cast<unsigned char>(r[0])));
    return r;
}

std::string join_words(const std::vector<std::string>& parts) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i)
        out += (i == 0 ? "" : i + 1 == parts.size() ? " and " : ", ") + parts[i];
    return out;
}

std::string profile_heading(const ProfileInput& p) {
    if (!p.proxy)
        return p.title;
    const std::string what = p.proxy_categories.empty() ? "Selection" : join_words(p.proxy_categories);
    return what + " \u2014 police.uk proxy for " + lower_first(p.title);
}

std::string profile_subject(const ProfileInput& p) {
    if (!p.proxy || p.proxy_categories.empty())
        return lower_first(p.title);
    std::vector<std::string> lower;
    for (const auto& c : p.proxy_categories)
        lower.push_back(lower_first(c));
    return join_words(lower) + " (proxy for " + lower_first(p.title) + ")";
}

std::string class_css(const std::string& c) {
    if (c == "significantly above")
        return "c-sig-above";
    if (c == "above")
        return "c-above";
    if (c == "similar")
        return "c-similar";
    if (c == "below")
        return "c-below";
    if (c == "significantly below")
        return "c-sig-below";
    return "c-none";
}

int class_order(const std::string& c) {
    if (c == "significantly above")
        return 0;
    if (c == "above")
        return 1;
    if (c == "similar")
        return 2;
    if (c == "below")
        return 3;
    if (c == "significantly below")
        return 4;
    return 5;
}

} // namespace hotspot::report
