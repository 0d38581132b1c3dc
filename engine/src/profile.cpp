#include "hotspot/profile.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <functional>
#include <regex>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "hotspot/bandwidth.hpp"
#include "hotspot/dates.hpp"
#include "hotspot/error.hpp"

namespace hotspot {

namespace {

constexpr const char* unit = "profile";

// ---------------------------------------------------------------------------------------------
// Text helpers (ASCII case folding: the values filtered on are English codes and labels).

char lower_char(char c) noexcept {
    return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c;
}

std::string lower(std::string_view s) {
    std::string r(s);
    for (char& c : r)
        c = lower_char(c);
    return r;
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() &&
           (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
        s.remove_prefix(1);
    while (!s.empty() &&
           (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

std::string fold(std::string_view s) {
    return lower(trim(s));
}

std::string join_quoted(const std::vector<std::string>& v) {
    std::string r = "[";
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i)
            r += ", ";
        r += v[i];
    }
    return r + "]";
}

const std::array<const char*, 7> weekday_short = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
const std::array<const char*, 7> weekday_long = {"monday", "tuesday",  "wednesday", "thursday",
                                                 "friday", "saturday", "sunday"};

std::optional<int> parse_weekday(std::string_view s) {
    const std::string f = fold(s);
    for (int i = 0; i < 7; ++i)
        if (f == lower(weekday_short[std::size_t(i)]) || f == weekday_long[std::size_t(i)])
            return i;
    return std::nullopt;
}

// Offence codes: upper case, no surrounding blanks, no leading zeros ("008N" -> "8N").
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

bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}
bool is_alnum(char c) noexcept {
    return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// Both normalised. "92" matches "92D" (a letter cannot continue a number) but not "920";
// "28E" matches "28E/01" but not "28EX".
bool code_matches(const std::string& entry, std::string_view code) noexcept {
    if (entry.empty() || code.size() < entry.size() || code.compare(0, entry.size(), entry) != 0)
        return false;
    if (code.size() == entry.size())
        return true;
    const char next = code[entry.size()];
    return is_digit(entry.back()) ? !is_digit(next) : !is_alnum(next);
}

// "YYYY-MM" or "YYYY-MM-DD" -> day count of its first (or, for `to`, last) day.
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

// ---------------------------------------------------------------------------------------------
// Value checks shared by validate() (UsageError) and the TOML reader (InputError with a line):
// each returns an empty string when fine, else what is wrong and what to do.

std::string check_name(std::string_view name) {
    if (name.empty())
        return "is empty; give the profile a name like \"my-profile\"";
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '-'))
            return "\"" + std::string(name) +
                   "\" may hold only lower-case letters, digits and '-' (e.g. \"my-profile\")";
    return {};
}

std::string check_date(const std::string& s) {
    if (s.empty())
        return {};
    if (!parse_date_bound(s, false))
        return "\"" + s +
               "\" is not a date; write \"YYYY-MM\" or \"YYYY-MM-DD\" (e.g. \"2025-03\")";
    return {};
}

std::string check_regex(const std::string& pattern) {
    // libstdc++ compiles a regex recursively: a few thousand nested groups overflow the stack
    // (found by tests/fuzz/fuzz_profile). No MO pattern needs more than a few levels.
    constexpr int max_depth = 32;
    constexpr std::size_t max_length = 1000;
    if (pattern.size() > max_length)
        return "the regular expression is " + std::to_string(pattern.size()) +
               " characters long (at most " + std::to_string(max_length) +
               "); split it into several patterns in the list";
    // GCC 12's regex compiler also reads a back-reference (\123) or a repeat count ({123})
    // into a long without an overflow check (undefined behaviour, found by fuzz_profile):
    // such numbers are limited to 6 digits.
    auto digits_at = [&](std::size_t i) {
        std::size_t n = 0;
        while (i + n < pattern.size() && std::isdigit(static_cast<unsigned char>(pattern[i + n]))) ++n;
        return n;
    };
    int depth = 0, deepest = 0;
    bool in_class = false, in_braces = false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '{' || c == '}') in_braces = c == '{';
        if ((c == '\\' || c == '{' || (c == ',' && in_braces)) && digits_at(i + 1) > 6)
            return "a number in the regular expression has more than 6 digits; a back-reference "
                   "or a repeat count {n} cannot be that large";
        if (c == '\\') ++i;
        else if (in_class) in_class = c != ']';
        else if (c == '[') in_class = true;
        else if (c == '(') deepest = std::max(deepest, ++depth);
        else if (c == ')') --depth;
    }
    if (deepest > max_depth)
        return "the regular expression nests " + std::to_string(deepest) + " groups deep (at most " +
               std::to_string(max_depth) + "); simplify it";
    try {
        std::regex re(pattern, std::regex::ECMAScript | std::regex::icase);
    } catch (const std::regex_error& e) {
        return "\"" + pattern + "\" is not a valid regular expression (" + e.what() +
               "); fix it, or set regex = false to match plain text";
    }
    return {};
}

std::string check_positive(double v, const char* what) {
    if (!(v > 0) || !std::isfinite(v)) {
        std::ostringstream s;
        s << what << " must be a number > 0 (got " << v << ")";
        return s.str();
    }
    return {};
}

std::string check_output(const std::string& o) {
    const auto& names = profile_output_names();
    if (std::find(names.begin(), names.end(), o) == names.end())
        return "unknown output \"" + o + "\"; use any of " + join_quoted(names);
    return {};
}

// The rule of "auto:<rule>": the one grammar of the engine (bandwidth.hpp's
// parse_bandwidth_method; steps/kde_step.hpp), so a profile that validates also runs.
std::string check_bandwidth_auto(const std::string& method) {
    if (method.empty())
        return {};
    try {
        (void)parse_bandwidth_method(method);
    } catch (const UsageError&) {
        return "\"auto:" + method + "\": unknown rule; use auto:scott, auto:silverman, auto:arcgis or auto:ppl";
    }
    return {};
}

// ---------------------------------------------------------------------------------------------
// Describing terms.

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

// =============================================================================================

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
                                                   "lisa"};
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
// Validation

namespace {

void validate_filter(const Filter& f, const std::string& where,
                     const std::function<void(const std::string&, const std::string&)>& fail) {
    auto nonblank = [&](const std::vector<std::string>& v, const std::string& key) {
        for (const auto& s : v)
            if (trim(s).empty())
                fail(where + "." + key, "holds an empty value; remove it");
    };
    nonblank(f.categories, "categories");
    nonblank(f.offence_codes, "offence_codes");
    nonblank(f.location_types, "location_types");
    for (std::size_t i = 0; i < f.fields.size(); ++i) {
        const auto& t = f.fields[i];
        const std::string k = where + ".fields[" + std::to_string(i) + "]";
        if (trim(t.field).empty())
            fail(k + ".field", "is empty; name a field such as \"mo_text\"");
        if (t.in.empty() && t.not_in.empty() && t.matches.empty() && t.exclude_matches.empty())
            fail(k, "has no condition; give it in, not_in, matches or exclude_matches");
        // A blank in `in`/`not_in` is allowed: it means "the field is blank".
        nonblank(t.matches, "fields[" + std::to_string(i) + "].matches");
        nonblank(t.exclude_matches, "fields[" + std::to_string(i) + "].exclude_matches");
        if (t.regex) {
            for (const auto& p : t.matches)
                if (auto e = check_regex(p); !e.empty())
                    fail(k + ".matches", e);
            for (const auto& p : t.exclude_matches)
                if (auto e = check_regex(p); !e.empty())
                    fail(k + ".exclude_matches", e);
        }
    }
    if (auto e = check_date(f.date_from); !e.empty())
        fail(where + ".date_from", e);
    if (auto e = check_date(f.date_to); !e.empty())
        fail(where + ".date_to", e);
    if (!f.date_from.empty() && !f.date_to.empty() &&
        *parse_date_bound(f.date_from, false) > *parse_date_bound(f.date_to, true))
        fail(where + ".date_to",
             "\"" + f.date_to + "\" is before date_from \"" + f.date_from + "\"; swap them");
    if (f.hours &&
        (f.hours->start_minute < 0 || f.hours->start_minute > 1439 || f.hours->end_minute < 0 ||
         f.hours->end_minute > 1439 || f.hours->start_minute == f.hours->end_minute))
        fail(where + ".hours", "must be a non-empty window of minutes 0..1439");
    for (int d : f.weekdays)
        if (d < 0 || d > 6)
            fail(where + ".weekdays", "days are 0 (Monday) .. 6 (Sunday)");
}

void validate_with(const Profile& p,
                   const std::function<void(const std::string&, const std::string&)>& fail) {
    if (auto e = check_name(p.name); !e.empty())
        fail("name", e);
    validate_filter(p.filter, "filter", fail);
    if (p.police_uk_filter)
        validate_filter(*p.police_uk_filter, "police_uk_filter", fail);
    const auto& a = p.analysis;
    if (a.kde_kernel.empty())
        fail("analysis.kde_kernel", "is empty; use e.g. \"quartic\"");
    if (a.bandwidth_auto.empty()) {
        if (auto e = check_positive(a.bandwidth_m, "bandwidth_m"); !e.empty())
            fail("analysis.bandwidth_m", e + "; or write \"auto:<method>\"");
    } else if (auto e = check_bandwidth_auto(a.bandwidth_auto); !e.empty()) {
        fail("analysis.bandwidth_m", e);
    }
    if (auto e = check_positive(a.cell_size_m, "cell_size_m"); !e.empty())
        fail("analysis.cell_size_m", e);
    if (auto e = check_positive(a.gistar_band_m, "gistar_band_m"); !e.empty())
        fail("analysis.gistar_band_m", e);
    if (!(a.fdr_q > 0 && a.fdr_q < 1))
        fail("analysis.fdr_q", "must lie in (0, 1), e.g. 0.05");
    for (const auto& o : p.outputs)
        if (auto e = check_output(o); !e.empty())
            fail("outputs", e);
    // A run honours `outputs`: a step that needs another's result needs it listed.
    const auto has = [&p](const char* o) { return std::find(p.outputs.begin(), p.outputs.end(), o) != p.outputs.end(); };
    if (has("hotspot_polygons") && !has("kde"))
        fail("outputs", "\"hotspot_polygons\" are cut from the density surface; list \"kde\" too");
    if (has("lisa") && !has("rates"))
        fail("outputs", "\"lisa\" is computed on the area rates layers; list \"rates\" too");
}

} // namespace

void validate(const Profile& p) {
    validate_with(p, [&](const std::string& key, const std::string& what) {
        throw UsageError(unit, (p.name.empty() ? std::string("(unnamed)") : p.name) + ": " + key +
                                   " " + what);
    });
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

namespace {

enum class TermKind { plain, date, time };

// One compiled term: a predicate on a row, and whether a missing date/time decides it.
struct CompiledTerm {
    std::string description;
    TermKind kind = TermKind::plain;
    std::function<bool(std::size_t)> pass;
};

int resolve_field(const IncidentTable& t, const std::string& field, const std::string& pname) {
    const std::string f = fold(field);
    struct RoleField {
        const char* name;
        int index;
        const char* option; // the reader option that maps it (ReadOptions)
    };
    const RoleField roles[] = {
        {"category", t.roles.category, "--category"},
        {"offence_code", t.roles.offence_code, "--offence-code"},
        {"location_type", t.roles.location_type, "--location-type"},
        {"mo_text", t.roles.mo_text, "--mo"},
        {"id", t.roles.id, "--id"},
        {"lsoa_code", t.roles.lsoa_code, nullptr},
    };
    for (const auto& r : roles) {
        if (f != r.name)
            continue;
        if (r.index >= 0)
            return r.index;
        std::string how =
            r.option ? std::string("name it with ") + r.option + " FIELD, or " : std::string();
        throw UsageError(unit, pname + ": the filter uses the " + r.name +
                                   " field, but the input has none; " + how +
                                   "use a profile variant without it (police.uk files hold "
                                   "only the category)");
    }
    for (std::size_t i = 0; i < t.field_names.size(); ++i)
        if (fold(t.field_names[i]) == f)
            return int(i);
    std::string names;
    for (const auto& n : t.field_names)
        names += (names.empty() ? "" : ", ") + n;
    throw UsageError(unit, pname + ": the filter uses field '" + field +
                               "', which the input does not have; its fields are: " + names);
}

// Case-insensitive text condition on one value.
class TextMatcher {
  public:
    TextMatcher(const std::vector<std::string>& patterns, bool regex) {
        for (const auto& p : patterns) {
            if (regex)
                m_regexes.emplace_back(p, std::regex::ECMAScript | std::regex::icase);
            else
                m_substrings.push_back(lower(p));
        }
    }
    bool any(std::string_view value, const std::string& lowered) const {
        for (const auto& s : m_substrings)
            if (lowered.find(s) != std::string::npos)
                return true;
        // libstdc++'s regex matcher recurses per character and overflows the stack on texts of
        // ~15,000 characters (less under sanitizers): long free text is searched in overlapping
        // windows, so only a match spanning more than the overlap could be missed.
        for (const auto& re : m_regexes)
            for (std::size_t at = 0;; at += regex_window - regex_overlap) {
                const std::string_view part = value.substr(at, regex_window);
                if (std::regex_search(part.begin(), part.end(), re))
                    return true;
                if (at + regex_window >= value.size())
                    break;
            }
        return false;
    }
    bool empty() const noexcept { return m_substrings.empty() && m_regexes.empty(); }
    static constexpr std::size_t regex_window = 2000, regex_overlap = 500;

  private:
    std::vector<std::string> m_substrings;
    std::vector<std::regex> m_regexes;
};

std::set<std::string> folded_set(const std::vector<std::string>& v) {
    std::set<std::string> s;
    for (const auto& x : v)
        s.insert(fold(x));
    return s;
}

std::vector<CompiledTerm> compile(const IncidentTable& t, const Filter& f,
                                  const std::string& pname) {
    std::vector<CompiledTerm> terms;
    const auto described = describe_terms(f);
    std::size_t k = 0;
    auto add = [&](TermKind kind, std::function<bool(std::size_t)> pass) {
        terms.push_back({described[k++], kind, std::move(pass)});
    };

    if (!f.categories.empty()) {
        if (t.roles.category < 0)
            resolve_field(t, "category", pname); // throws
        const auto wanted = folded_set(f.categories);
        auto keep = std::make_shared<std::vector<char>>(t.categories.size());
        for (std::size_t c = 0; c < t.categories.size(); ++c)
            (*keep)[c] = wanted.count(fold(t.categories[c])) ? 1 : 0;
        add(TermKind::plain, [&t, keep](std::size_t i) { return (*keep)[t.category[i]] != 0; });
    }
    if (!f.offence_codes.empty()) {
        const auto& col = t.fields[std::size_t(resolve_field(t, "offence_code", pname))];
        std::vector<std::string> entries;
        for (const auto& c : f.offence_codes)
            entries.push_back(normalise_code(c));
        add(TermKind::plain, [&col, entries](std::size_t i) {
            const std::string code = normalise_code(col[i]);
            for (const auto& e : entries)
                if (code_matches(e, code))
                    return true;
            return false;
        });
    }
    if (!f.location_types.empty()) {
        const auto& col = t.fields[std::size_t(resolve_field(t, "location_type", pname))];
        auto wanted = folded_set(f.location_types);
        add(TermKind::plain,
            [&col, wanted](std::size_t i) { return wanted.count(fold(col[i])) != 0; });
    }
    for (const auto& ft : f.fields) {
        const auto& col = t.fields[std::size_t(resolve_field(t, ft.field, pname))];
        auto in = folded_set(ft.in), not_in = folded_set(ft.not_in);
        auto match = std::make_shared<TextMatcher>(ft.matches, ft.regex);
        auto exclude = std::make_shared<TextMatcher>(ft.exclude_matches, ft.regex);
        add(TermKind::plain, [&col, in, not_in, match, exclude](std::size_t i) {
            const std::string_view v = col[i];
            const std::string folded = fold(v);
            if (!in.empty() && !in.count(folded))
                return false;
            if (not_in.count(folded))
                return false;
            const std::string lowered = lower(v);
            if (!match->empty() && !match->any(v, lowered))
                return false;
            return !exclude->any(v, lowered);
        });
    }
    if (!f.date_from.empty() || !f.date_to.empty()) {
        const std::int32_t lo = f.date_from.empty() ? std::numeric_limits<std::int32_t>::min() + 1
                                                    : *parse_date_bound(f.date_from, false);
        const std::int32_t hi = f.date_to.empty() ? std::numeric_limits<std::int32_t>::max()
                                                  : *parse_date_bound(f.date_to, true);
        add(TermKind::date, [&t, lo, hi](std::size_t i) {
            const auto d = t.date_days[i];
            return d != no_date && d >= lo && d <= hi;
        });
    }
    if (f.hours) {
        const HoursWindow w = *f.hours;
        add(TermKind::time, [&t, w](std::size_t i) {
            const int m = t.minute_of_day[i];
            return m >= 0 && w.contains(m);
        });
    }
    if (!f.weekdays.empty()) {
        std::array<bool, 7> days{};
        for (int d : f.weekdays)
            days[std::size_t(d)] = true;
        add(TermKind::date, [&t, days](std::size_t i) {
            const auto d = t.date_days[i];
            return d != no_date && days[std::size_t(weekday_of(d))];
        });
    }
    return terms;
}

} // namespace

Selection select(const IncidentTable& table, const Profile& profile) {
    validate(profile);
    const auto terms = compile(table, profile.filter, profile.name);
    Selection s;
    s.rows_in = table.size();
    for (const auto& t : terms)
        s.terms.push_back({t.description, 0, 0});

    std::vector<char> pass(terms.size());
    for (std::size_t i = 0; i < table.size(); ++i) {
        bool all = true;
        for (std::size_t k = 0; k < terms.size(); ++k) {
            pass[k] = terms[k].pass(i) ? 1 : 0;
            if (pass[k])
                ++s.terms[k].selected;
            if (all && pass[k])
                ++s.terms[k].remaining;
            all = all && pass[k];
        }
        if (all) {
            s.rows.push_back(std::uint32_t(i));
            continue;
        }
        // Left out only because the date or time is unknown? Count it, so the user knows.
        bool others = true, time_failed = false, date_failed = false;
        for (std::size_t k = 0; k < terms.size() && others; ++k) {
            if (pass[k])
                continue;
            if (terms[k].kind == TermKind::time && table.minute_of_day[i] < 0)
                time_failed = true;
            else if (terms[k].kind == TermKind::date && table.date_days[i] == no_date)
                date_failed = true;
            else
                others = false;
        }
        if (others && date_failed)
            ++s.excluded_unknown_date;
        else if (others && time_failed)
            ++s.excluded_unknown_time;
    }

    const std::string who = "profile: " + profile.name + ": ";
    if (s.rows.empty()) {
        std::string w = who + "no incidents selected out of " + std::to_string(s.rows_in);
        if (s.rows_in == 0)
            w += " (the input holds no incidents)";
        else {
            w += "; by term (alone / left after it and the terms before):";
            for (const auto& t : s.terms)
                w += "\n  " + t.term + ": " + std::to_string(t.selected) + " / " +
                     std::to_string(t.remaining);
            w += "\ncheck the values against the input's (hotspot profiles --show " + profile.name +
                 ") or use the police.uk variant for police.uk files";
        }
        s.warnings.push_back(w);
    }
    if (s.excluded_unknown_time)
        s.warnings.push_back(who + std::to_string(s.excluded_unknown_time) +
                             " incidents matched every other term but have no time of day, so "
                             "the hours window left them out");
    if (s.excluded_unknown_date)
        s.warnings.push_back(who + std::to_string(s.excluded_unknown_date) +
                             " incidents matched every other term but have no date, so the "
                             "date or weekday term left them out");
    return s;
}

// ---------------------------------------------------------------------------------------------
// TOML

namespace {

class TomlReader {
  public:
    explicit TomlReader(std::string source) : m_source(std::move(source)) {}

    [[noreturn]] void fail(const toml::node* node, const std::string& key,
                           const std::string& what) const {
        const std::uint64_t line = node ? node->source().begin.line : 0;
        throw InputError(unit, m_source, line, key, what);
    }

    void allow_only(const toml::table& t, const std::string& prefix,
                    std::initializer_list<std::string_view> keys) const {
        for (const auto& [k, v] : t) {
            if (std::find(keys.begin(), keys.end(), k.str()) != keys.end())
                continue;
            std::string list;
            for (auto x : keys)
                list += (list.empty() ? "" : ", ") + std::string(x);
            fail(&v, prefix + std::string(k.str()),
                 "unknown key; the keys here are: " + list + " (check the spelling)");
        }
    }

    std::string string(const toml::table& t, const std::string& prefix, std::string_view key,
                       const std::string& fallback = {}) const {
        const toml::node* n = t.get(key);
        if (!n)
            return fallback;
        if (!n->is_string())
            fail(n, prefix + std::string(key), "expected a string in quotes, got " + type(*n));
        return std::string(*n->value<std::string>());
    }

    std::vector<std::string> strings(const toml::table& t, const std::string& prefix,
                                     std::string_view key) const {
        std::vector<std::string> r;
        const toml::node* n = t.get(key);
        if (!n)
            return r;
        const std::string k = prefix + std::string(key);
        if (n->is_string())
            return {std::string(*n->value<std::string>())};
        if (!n->is_array())
            fail(n, k, "expected a list of strings like [\"a\", \"b\"], got " + type(*n));
        for (const auto& e : *n->as_array()) {
            if (!e.is_string())
                fail(&e, k, "expected strings in the list, got " + type(e));
            r.emplace_back(*e.value<std::string>());
        }
        return r;
    }

    double number(const toml::table& t, const std::string& prefix, std::string_view key,
                  double fallback) const {
        const toml::node* n = t.get(key);
        if (!n)
            return fallback;
        if (!n->is_number())
            fail(n, prefix + std::string(key), "expected a number, got " + type(*n));
        return *n->value<double>();
    }

    const toml::table* table(const toml::table& t, const std::string& prefix,
                             std::string_view key) const {
        const toml::node* n = t.get(key);
        if (!n)
            return nullptr;
        if (!n->is_table())
            fail(n, prefix + std::string(key),
                 "expected a table ([" + prefix + std::string(key) + "]), got " + type(*n));
        return n->as_table();
    }

    static std::string type(const toml::node& n) {
        switch (n.type()) {
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a number";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::array:
            return "a list";
        case toml::node_type::table:
            return "a table";
        default:
            return "a date/time";
        }
    }

    // Checks a value with one of the shared checks, failing at the key's line.
    void check(const toml::table& t, const std::string& prefix, std::string_view key,
               const std::string& error) const {
        if (!error.empty())
            fail(t.get(key) ? t.get(key) : &t, prefix + std::string(key), error);
    }

    Filter filter(const toml::table& t, const std::string& prefix) const {
        allow_only(t, prefix,
                   {"categories", "offence_codes", "location_types", "fields", "date_from",
                    "date_to", "hours", "weekdays"});
        Filter f;
        f.categories = strings(t, prefix, "categories");
        f.offence_codes = strings(t, prefix, "offence_codes");
        f.location_types = strings(t, prefix, "location_types");
        f.date_from = string(t, prefix, "date_from");
        check(t, prefix, "date_from", check_date(f.date_from));
        f.date_to = string(t, prefix, "date_to");
        check(t, prefix, "date_to", check_date(f.date_to));
        if (const toml::node* h = t.get("hours")) {
            const std::string text = string(t, prefix, "hours");
            try {
                f.hours = parse_hours_window(text, "hours");
            } catch (const UsageError& e) {
                fail(h, prefix + "hours",
                     std::string(e.what()).substr(std::string(unit).size() + 2));
            }
        }
        for (const auto& d : strings(t, prefix, "weekdays")) {
            const auto day = parse_weekday(d);
            if (!day)
                fail(t.get("weekdays"), prefix + "weekdays",
                     "\"" + d + "\" is not a weekday; write Mon, Tue, Wed, Thu, Fri, Sat, Sun");
            f.weekdays.push_back(*day);
        }
        if (const toml::node* n = t.get("fields")) {
            const std::string k = prefix + "fields";
            if (!n->is_array_of_tables())
                fail(n, k,
                     "expected [[" + k +
                         "]] tables, each with field = \"...\" and "
                         "in / not_in / matches / exclude_matches");
            std::size_t i = 0;
            for (const auto& e : *n->as_array()) {
                const auto& ft = *e.as_table();
                const std::string p = k + "[" + std::to_string(i++) + "].";
                allow_only(
                    ft, p,
                    {"field", "in", "not_in", "equals", "matches", "exclude_matches", "regex"});
                FieldTerm term;
                term.field = string(ft, p, "field");
                if (term.field.empty())
                    fail(&ft, p + "field", "missing; name the field, e.g. field = \"mo_text\"");
                term.in = strings(ft, p, "in");
                if (ft.get("equals")) {
                    if (ft.get("in"))
                        fail(ft.get("equals"), p + "equals", "give equals or in, not both");
                    term.in = {string(ft, p, "equals")};
                }
                term.not_in = strings(ft, p, "not_in");
                term.matches = strings(ft, p, "matches");
                term.exclude_matches = strings(ft, p, "exclude_matches");
                if (const toml::node* r = ft.get("regex")) {
                    if (!r->is_boolean())
                        fail(r, p + "regex", "expected true or false, got " + type(*r));
                    term.regex = *r->value<bool>();
                }
                if (term.regex) {
                    for (const auto& x : term.matches)
                        check(ft, p, "matches", check_regex(x));
                    for (const auto& x : term.exclude_matches)
                        check(ft, p, "exclude_matches", check_regex(x));
                }
                f.fields.push_back(std::move(term));
            }
        }
        return f;
    }

    Profile profile(const toml::table& root) const {
        allow_only(root, "",
                   {"name", "title", "description", "denominator", "outputs", "proxy_note",
                    "analysis", "filter", "police_uk_filter"});
        Profile p;
        if (!root.get("name"))
            fail(nullptr, "name",
                 "missing; every profile needs name = \"...\" (e.g. \"my-profile\")");
        p.name = string(root, "", "name");
        check(root, "", "name", check_name(p.name));
        p.title = string(root, "", "title", p.name);
        p.description = string(root, "", "description");
        p.proxy_note = string(root, "", "proxy_note");
        if (root.get("denominator")) {
            const std::string d = string(root, "", "denominator");
            if (d == "population")
                p.denominator = Denominator::population;
            else if (d == "none")
                p.denominator = Denominator::none;
            else
                fail(root.get("denominator"), "denominator",
                     "\"" + d + "\" is not a denominator; use \"population\" or \"none\"");
        }
        if (root.get("outputs")) {
            p.outputs = strings(root, "", "outputs");
            for (const auto& o : p.outputs)
                check(root, "", "outputs", check_output(o));
        }
        if (const toml::table* a = table(root, "", "analysis")) {
            const std::string k = "analysis.";
            allow_only(*a, k,
                       {"kde_kernel", "bandwidth_m", "cell_size_m", "gistar_band_m", "fdr_q"});
            auto& an = p.analysis;
            an.kde_kernel = string(*a, k, "kde_kernel", an.kde_kernel);
            if (const toml::node* b = a->get("bandwidth_m")) {
                if (b->is_string()) {
                    const std::string s = *b->value<std::string>();
                    if (s != "auto" && (s.rfind("auto:", 0) != 0 || s.size() == 5))
                        fail(b, k + "bandwidth_m",
                             "\"" + s + "\": give metres (e.g. 250) or \"auto:<method>\"");
                    an.bandwidth_auto = s == "auto" ? "ppl" : s.substr(5);  // "auto" = auto:ppl
                    an.bandwidth_m = 0;
                    check(*a, k, "bandwidth_m", check_bandwidth_auto(an.bandwidth_auto));
                } else {
                    an.bandwidth_m = number(*a, k, "bandwidth_m", an.bandwidth_m);
                    check(*a, k, "bandwidth_m", check_positive(an.bandwidth_m, "bandwidth_m"));
                }
            }
            an.cell_size_m = number(*a, k, "cell_size_m", an.cell_size_m);
            check(*a, k, "cell_size_m", check_positive(an.cell_size_m, "cell_size_m"));
            an.gistar_band_m = number(*a, k, "gistar_band_m", an.gistar_band_m);
            check(*a, k, "gistar_band_m", check_positive(an.gistar_band_m, "gistar_band_m"));
            an.fdr_q = number(*a, k, "fdr_q", an.fdr_q);
            if (!(an.fdr_q > 0 && an.fdr_q < 1))
                fail(a->get("fdr_q"), k + "fdr_q", "must lie in (0, 1), e.g. 0.05");
        }
        if (const toml::table* f = table(root, "", "filter"))
            p.filter = filter(*f, "filter.");
        if (const toml::table* f = table(root, "", "police_uk_filter"))
            p.police_uk_filter = filter(*f, "police_uk_filter.");
        // Cross-key checks (a date range the wrong way round) with the profile's own wording.
        try {
            validate(p);
        } catch (const UsageError& e) {
            throw InputError(unit, m_source, 0, "",
                             std::string(e.what()).substr(std::string(unit).size() + 2));
        }
        return p;
    }

  private:
    std::string m_source;
};

// TOML basic string with escapes.
std::string quote(std::string_view s) {
    std::string r = "\"";
    for (char c : s) {
        switch (c) {
        case '"':
            r += "\\\"";
            break;
        case '\\':
            r += "\\\\";
            break;
        case '\n':
            r += "\\n";
            break;
        case '\t':
            r += "\\t";
            break;
        case '\r':
            r += "\\r";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", unsigned(static_cast<unsigned char>(c)));
                r += buf;
            } else {
                r += c;
            }
        }
    }
    return r + "\"";
}

std::string list(const std::vector<std::string>& v) {
    std::string r = "[";
    for (std::size_t i = 0; i < v.size(); ++i)
        r += (i ? ", " : "") + quote(v[i]);
    return r + "]";
}

// Shortest text that reads back to the same double, always with a '.' or exponent so TOML
// reads a float.
std::string number_text(double v) {
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, v);
    std::string s(buf, res.ptr);
    if (s.find_first_of(".eEn") == std::string::npos)
        s += ".0";
    return s;
}

void write_filter(std::ostringstream& o, const Filter& f, const std::string& name) {
    o << "\n[" << name << "]\n";
    if (!f.categories.empty())
        o << "categories = " << list(f.categories) << "\n";
    if (!f.offence_codes.empty())
        o << "offence_codes = " << list(f.offence_codes) << "\n";
    if (!f.location_types.empty())
        o << "location_types = " << list(f.location_types) << "\n";
    if (!f.date_from.empty())
        o << "date_from = " << quote(f.date_from) << "\n";
    if (!f.date_to.empty())
        o << "date_to = " << quote(f.date_to) << "\n";
    if (f.hours)
        o << "hours = " << quote(format_hours_window(*f.hours)) << "\n";
    if (!f.weekdays.empty()) {
        std::vector<std::string> d;
        for (int w : f.weekdays)
            d.push_back(weekday_short[std::size_t(w)]);
        o << "weekdays = " << list(d) << "\n";
    }
    for (const auto& t : f.fields) {
        o << "\n[[" << name << ".fields]]\n";
        o << "field = " << quote(t.field) << "\n";
        if (!t.in.empty())
            o << "in = " << list(t.in) << "\n";
        if (!t.not_in.empty())
            o << "not_in = " << list(t.not_in) << "\n";
        if (!t.matches.empty())
            o << "matches = " << list(t.matches) << "\n";
        if (!t.exclude_matches.empty())
            o << "exclude_matches = " << list(t.exclude_matches) << "\n";
        if (t.regex)
            o << "regex = true\n";
    }
}

} // namespace

Profile parse_profile_toml(std::string_view text, const std::string& source_name) {
    TomlReader reader(source_name);
    toml::table root;
    try {
        root = toml::parse(text, source_name);
    } catch (const toml::parse_error& e) {
        throw InputError(unit, source_name, e.source().begin.line, "",
                         "not valid TOML: " + std::string(e.description()) +
                             "; fix the syntax at that line (strings need double quotes, lists "
                             "square brackets)");
    }
    return reader.profile(root);
}

std::string to_toml(const Profile& p) {
    std::ostringstream o;
    o << "# hotspot offence profile '" << p.name << "'. Edit it to change what a run selects.\n"
      << "# Filter terms AND together; the values in one list OR together. Text comparisons\n"
      << "# ignore case; see examples/profiles.md for every key.\n";
    o << "name = " << quote(p.name) << "\n";
    o << "title = " << quote(p.title) << "\n";
    o << "description = " << quote(p.description) << "\n";
    o << "denominator = " << quote(denominator_name(p.denominator)) << "\n";
    o << "outputs = " << list(p.outputs) << "\n";
    if (!p.proxy_note.empty())
        o << "proxy_note = " << quote(p.proxy_note) << "\n";
    o << "\n[analysis]\n";
    o << "kde_kernel = " << quote(p.analysis.kde_kernel) << "\n";
    if (p.analysis.bandwidth_auto.empty())
        o << "bandwidth_m = " << number_text(p.analysis.bandwidth_m) << "\n";
    else
        o << "bandwidth_m = " << quote("auto:" + p.analysis.bandwidth_auto) << "\n";
    o << "cell_size_m = " << number_text(p.analysis.cell_size_m) << "\n";
    o << "gistar_band_m = " << number_text(p.analysis.gistar_band_m) << "\n";
    o << "fdr_q = " << number_text(p.analysis.fdr_q) << "\n";
    write_filter(o, p.filter, "filter");
    if (p.police_uk_filter)
        write_filter(o, *p.police_uk_filter, "police_uk_filter");
    return o.str();
}

// ---------------------------------------------------------------------------------------------
// Built-in profiles (what each selects and why is in examples/profiles.md).

namespace {

std::vector<Profile> make_builtins() {
    std::vector<Profile> all;

    {
        Profile p;
        p.name = "car-key-burglary";
        p.title = "Car key burglary";
        p.description =
            "Dwelling burglary in which vehicle keys were taken and the vehicle driven away. "
            "Concentrates in affluent, low-density suburbs rather than the high-crime centre.";
        p.filter.offence_codes = {"28", "29"};
        FieldTerm keys;
        keys.field = "mo_text";
        keys.regex = true;
        keys.matches = {"\\bkeys?\\b"};
        keys.exclude_matches = {"\\bno (car |vehicle )?keys?\\b",
                                "\\bkeys? (were |was )?(not|never) (taken|stolen|found)\\b"};
        FieldTerm driven;
        driven.field = "mo_text";
        driven.matches = {"driven away",   "driven off", "drove away",     "drove off",
                          "vehicle taken", "car taken",  "vehicle stolen", "car stolen"};
        p.filter.fields = {keys, driven};
        Filter uk;
        uk.categories = {"Burglary"};
        p.police_uk_filter = uk;
        p.proxy_note =
            "police.uk proxy: every burglary, not car key burglary. police.uk files have no MO "
            "text or offence code, so burglaries where keys were taken cannot be told apart; "
            "'Burglary' also includes business and community burglary, and the car taken is "
            "recorded under 'Vehicle crime' at its own snapped location with nothing linking "
            "the two.";
        p.analysis.bandwidth_m = 400;
        p.analysis.cell_size_m = 50;
        p.analysis.gistar_band_m = 500;
        all.push_back(p);
    }
    {
        Profile p;
        p.name = "drug-possession";
        p.title = "Drug possession";
        p.description =
            "Possession of controlled drugs (cannabis and other drugs), mostly found by stop and "
            "search; concentrated in the town centre.";
        p.filter.offence_codes = {"92D", "92E"};
        Filter uk;
        uk.categories = {"Drugs"};
        p.police_uk_filter = uk;
        p.proxy_note =
            "police.uk proxy: the 'Drugs' category mixes possession with supply, production and "
            "trafficking (e.g. warrants at addresses), which cluster differently; police.uk has "
            "no offence code to separate them.";
        p.analysis.bandwidth_m = 200;
        p.analysis.cell_size_m = 25;
        p.analysis.gistar_band_m = 200;
        all.push_back(p);
    }
    {
        Profile p;
        p.name = "public-place-violence";
        p.title = "Public place violence";
        p.description =
            "Violence against the person in public places during the night-time economy "
            "(21:00-04:00): street, licensed premises, car parks, open space, transport.";
        p.filter.offence_codes = {"1", "2", "4", "5", "8N", "8P", "105A", "105B"};
        p.filter.location_types = {
            "Street",      "Licensed premises", "Car park",    "Public open space",
            "Town centre", "Public transport",  "Bus station", "Railway station",
            "Taxi rank",   "Footpath",          "Park"};
        p.filter.hours = HoursWindow{21 * 60, 4 * 60};
        Filter uk;
        uk.categories = {"Violence and sexual offences"};
        p.police_uk_filter = uk;
        p.proxy_note =
            "police.uk proxy: all 'Violence and sexual offences' at any hour and any place. "
            "police.uk has no location type and no time of day, so neither the public-place "
            "condition nor the 21:00-04:00 window can be applied, and the category also holds "
            "domestic violence in homes, sexual offences, harassment and stalking.";
        // Residents are the wrong denominator for the night-time economy (the centre has few
        // residents and many visitors), so counts and densities, not rates.
        p.denominator = Denominator::none;
        p.analysis.bandwidth_m = 150;
        p.analysis.cell_size_m = 25;
        p.analysis.gistar_band_m = 150;
        all.push_back(p);
    }
    {
        Profile p;
        p.name = "all-crime";
        p.title = "All crime";
        p.description =
            "Every recorded crime (anti-social behaviour incidents are not crimes and are left "
            "out), for the strategic assessment's ward and LSOA rates.";
        FieldTerm no_asb;
        no_asb.field = "category";
        no_asb.not_in = {"Anti-social behaviour"};
        p.filter.fields = {no_asb};
        p.police_uk_filter = p.filter; // the same condition holds in police.uk's "Crime type"
        p.analysis.bandwidth_m = 250;
        p.analysis.cell_size_m = 50;
        p.analysis.gistar_band_m = 250;
        all.push_back(p);
    }
    for (const auto& p : all)
        validate(p);
    return all;
}

} // namespace

const std::vector<Profile>& builtin_profiles() {
    static const std::vector<Profile> all = make_builtins();
    return all;
}

const Profile* find_builtin(std::string_view name) noexcept {
    for (const auto& p : builtin_profiles())
        if (p.name == name)
            return &p;
    return nullptr;
}

} // namespace hotspot
