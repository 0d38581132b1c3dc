// Offence profiles: every check of a profile's values, in one place (profile/detail.hpp's
// validate_with). validate() reports through it as UsageError; the TOML reader as InputError at
// the line of the failing key, so a profile that reads also validates, and one that validates
// also runs (the bandwidth rule and the kernel are checked with the engine's own parsers).

#include <algorithm>
#include <cctype>
#include <cmath>
#include <regex>
#include <sstream>

#include "hotspot/bandwidth.hpp"
#include "hotspot/error.hpp"
#include "hotspot/kde.hpp"
#include "profile/detail.hpp"

namespace hotspot {

namespace profile_detail {

namespace {

// ---------------------------------------------------------------------------------------------
// Value checks: each returns an empty string when fine, else what is wrong and what to do.

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

// The kernel by the engine's own parser (kde.hpp), so a profile that validates also runs.
std::string check_kernel(const std::string& name) {
    if (name.empty())
        return "is empty; use e.g. \"quartic\"";
    for (auto k : kernel_choices())
        if (name == k)
            return {};
    std::string names;
    for (auto k : kernel_choices())
        names += (names.empty() ? "" : ", ") + std::string(k);
    return "\"" + name + "\" is not a kernel; use one of: " + names;
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

void validate_filter(const Filter& f, const std::string& where, const Fail& fail) {
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

} // namespace

void validate_with(const Profile& p, const Fail& fail) {
    if (auto e = check_name(p.name); !e.empty())
        fail("name", e);
    validate_filter(p.filter, "filter", fail);
    if (p.police_uk_filter)
        validate_filter(*p.police_uk_filter, "police_uk_filter", fail);
    const auto& a = p.analysis;
    if (auto e = check_kernel(a.kde_kernel); !e.empty())
        fail("analysis.kde_kernel", e);
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

} // namespace profile_detail

void validate(const Profile& p) {
    profile_detail::validate_with(p, [&](const std::string& key, const std::string& what) {
        throw UsageError(profile_detail::unit, (p.name.empty() ? std::string("(unnamed)") : p.name) + ": " + key +
                                   " " + what);
    });
}

} // namespace hotspot
