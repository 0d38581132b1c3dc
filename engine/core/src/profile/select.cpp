// Offence profiles: selection. A profile's filter compiled into one predicate per term, run
// over an incident table, with each term's count kept so an empty selection can say why.

#include <algorithm>
#include <array>
#include <cstdint>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <regex>
#include <unordered_map>
#include <set>
#include <stdexcept>
#include <thread>

#include "hotspot/error.hpp"
#include "hotspot/geocode.hpp"  // resolve_threads
#include "hotspot/profile_split.hpp"
#include "profile/detail.hpp"

namespace hotspot {

using namespace profile_detail;

namespace {

enum class TermKind { plain, date, time };

// One compiled term: a predicate on a row, and whether a missing date/time decides it.
struct CompiledTerm {
    std::string description;
    TermKind kind = TermKind::plain;
    std::function<bool(std::size_t)> pass;
    /// Set when pass(i) depends only on this text of row i (a field's value): the evaluation
    /// then answers a value seen before from memory (ValueMemo) instead of matching it again.
    const StringColumn* value = nullptr;
};

// The answers of one value-only term for the values met so far, on one thread. A column of a
// few categories (offence descriptions, location types, MO text picked from a list) is matched
// once per category; a column of mostly distinct text (free MO text) stops being remembered
// after a first sample shows that, so it costs only that sample's look-ups. Either way every
// row gets the answer pass(i) gives it.
class ValueMemo {
public:
    bool pass(const CompiledTerm& t, std::size_t i) {
        if (!m_on) return t.pass(i);
        const std::string_view v = (*t.value)[i];
        ++m_lookups;
        if (const auto it = m_seen.find(v); it != m_seen.end()) return it->second;
        const bool r = t.pass(i);
        m_seen.emplace(v, r);
        // Mostly new values in the first sample, or too many to keep: match every row.
        if ((m_lookups == sample && m_seen.size() > sample / 2) || m_seen.size() > most) m_on = false, m_seen = {};
        return r;
    }

private:
    static constexpr std::size_t sample = 4096, most = 65536;
    bool m_on = true;
    std::size_t m_lookups = 0;
    std::unordered_map<std::string_view, bool> m_seen;  // views into the table's column
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

// True when an ECMAScript pattern may hold a back-reference (\1..\9): read conservatively, so
// an escaped digit inside a class also counts.
bool may_have_backref(const std::string& pattern) {
    for (std::size_t i = 0; i + 1 < pattern.size(); ++i)
        if (pattern[i] == '\\') {
            if (pattern[i + 1] >= '1' && pattern[i + 1] <= '9')
                return true;
            ++i;
        }
    return false;
}

// std::regex_traits<char> with its per-character look-ups answered from tables. libstdc++'s
// matcher asks the traits, for every character it reads, for the case-folded character
// (translate_nocase: a std::use_facet, i.e. a dynamic_cast, each time) and, at each \b, for
// the mask of class "w" by name and whether the character is in it (lookup_classname and
// isctype: a name search and two more use_facets). On the car key burglary profile's MO-text
// terms that was most of the regex time, itself the largest part of a force-sized run's CPU.
// The tables are the base traits' own answers for all 256 characters, taken once per locale,
// so every match is the same (tests/unit/test_profile.cpp compares them with std::regex).
// Only for patterns without back-references (see m_windowed).
class TabledRegexTraits : public std::regex_traits<char> {
    using base = std::regex_traits<char>;

  public:
    TabledRegexTraits() { tabulate(); }
    locale_type imbue(locale_type l) {
        locale_type old = base::imbue(l);
        tabulate();
        return old;
    }
    char translate_nocase(char c) const { return m_lower[static_cast<unsigned char>(c)]; }
    template <class It>
    char_class_type lookup_classname(It first, It last, bool icase = false) const {
        if (!icase && last - first == 1 && *first == 'w') return m_word;
        return base::lookup_classname(first, last, icase);
    }
    bool isctype(char c, char_class_type f) const {
        if (f == m_word) return m_is_word[static_cast<unsigned char>(c)];
        return base::isctype(c, f);
    }

  private:
    void tabulate() {
        const char w = 'w';
        m_word = base::lookup_classname(&w, &w + 1, false);
        for (int i = 0; i < 256; ++i) {
            const char c = static_cast<char>(i);
            m_lower[std::size_t(i)] = base::translate_nocase(c);
            m_is_word[std::size_t(i)] = base::isctype(c, m_word);
        }
    }
    char_class_type m_word{};
    std::array<char, 256> m_lower{};
    std::array<bool, 256> m_is_word{};
};
using TabledRegex = std::basic_regex<char, TabledRegexTraits>;

// Case-insensitive text condition on one value.
class TextMatcher {
  public:
    TextMatcher(const std::vector<std::string>& patterns, bool regex) {
        for (const auto& p : patterns) {
            if (!regex) {
                m_substrings.push_back(lower(p));
                continue;
            }
            constexpr auto syntax = std::regex::ECMAScript | std::regex::icase;
            std::regex plain(p, syntax);  // an invalid pattern throws here, as written
            // libstdc++'s default (backtracking) matcher recurses per character, overflowing the
            // stack on texts of ~15,000 characters, and tries every start position, so a pattern
            // like (x|y)*z costs O(n^2) on text that does not match. Its Thompson NFA matcher
            // (the __polynomial flag) keeps a set of states per character instead: one pass
            // from the first character over "[\s\S]*(?:pattern)" finds a match anywhere in
            // O(n x pattern) time and bounded stack. It cannot run back-references; those
            // patterns (and other standard libraries) keep the backtracking matcher over
            // overlapping windows.
#if defined(__GLIBCXX__)
            if (!may_have_backref(p)) {
                m_linear.emplace_back("[\\s\\S]*(?:" + p + ")",
                                      syntax | std::regex_constants::__polynomial);
                continue;
            }
#endif
            m_windowed.push_back(std::move(plain));
        }
    }
    bool any(std::string_view value, const std::string& lowered) const {
        for (const auto& s : m_substrings)
            if (lowered.find(s) != std::string::npos)
                return true;
        for (const auto& re : m_linear)
            if (std::regex_search(value.begin(), value.end(), re,
                                  std::regex_constants::match_continuous))
                return true;
        // Windows: only a match spanning more than the overlap could be missed.
        for (const auto& re : m_windowed)
            for (std::size_t at = 0;; at += regex_window - regex_overlap) {
                const std::string_view part = value.substr(at, regex_window);
                if (std::regex_search(part.begin(), part.end(), re))
                    return true;
                if (at + regex_window >= value.size())
                    break;
            }
        return false;
    }
    bool empty() const noexcept {
        return m_substrings.empty() && m_linear.empty() && m_windowed.empty();
    }
    static constexpr std::size_t regex_window = 2000, regex_overlap = 500;

  private:
    std::vector<std::string> m_substrings;
    std::vector<TabledRegex> m_linear;    ///< "[\s\S]*(?:p)", Thompson NFA, one pass
    // std::regex_traits: libstdc++ compares a back-reference case-blind only under those
    // (_Backref_matcher); under any other traits it compares collation keys, ignoring icase
    std::vector<std::regex> m_windowed;  ///< patterns with back-references, backtracking
};

std::set<std::string> folded_set(const std::vector<std::string>& v) {
    std::set<std::string> s;
    for (const auto& x : v)
        s.insert(fold(x));
    return s;
}

bool has_date_range(const Filter& f) { return !f.date_from.empty() || !f.date_to.empty(); }

// The date range term: the row has a date within [date_from, date_to] (either end open when empty).
std::function<bool(std::size_t)> date_range_term(const IncidentTable& t, const Filter& f) {
    const std::int32_t lo = f.date_from.empty() ? std::numeric_limits<std::int32_t>::min() + 1
                                                : *parse_date_bound(f.date_from, false);
    const std::int32_t hi = f.date_to.empty() ? std::numeric_limits<std::int32_t>::max()
                                              : *parse_date_bound(f.date_to, true);
    return [&t, lo, hi](std::size_t i) {
        const auto d = t.date_days[i];
        return d != no_date && d >= lo && d <= hi;
    };
}

// Every term but the date range, which DateSplitSelection::select() applies per range (`f` comes
// without one).
std::vector<CompiledTerm> compile(const IncidentTable& t, const Filter& f,
                                  const std::string& pname) {
    if (has_date_range(f)) throw std::logic_error("select: compile() takes a filter without its date range");
    std::vector<CompiledTerm> terms;
    const auto described = describe_terms(f);
    std::size_t k = 0;
    auto add = [&](TermKind kind, std::function<bool(std::size_t)> pass, const StringColumn* value = nullptr) {
        terms.push_back({described[k++], kind, std::move(pass), value});
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
        }, &col);
    }
    if (!f.location_types.empty()) {
        const auto& col = t.fields[std::size_t(resolve_field(t, "location_type", pname))];
        auto wanted = folded_set(f.location_types);
        add(TermKind::plain,
            [&col, wanted](std::size_t i) { return wanted.count(fold(col[i])) != 0; }, &col);
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
        }, &col);
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

// Runs the terms over every row: the rows that pass all, each term's counts, the rows left out
// only for an unknown date or time, and the warnings. passes(k, i): term k passes row i.
template <class Passes>
Selection tally(const IncidentTable& table, const std::string& profile_name, const std::vector<std::string>& descriptions,
                const std::vector<TermKind>& kinds, Passes&& passes) {
    Selection s;
    s.rows_in = table.size();
    for (const auto& d : descriptions)
        s.terms.push_back({d, 0, 0});

    const std::size_t n_terms = kinds.size();
    std::vector<char> pass(n_terms);
    for (std::size_t i = 0; i < table.size(); ++i) {
        bool all = true;
        for (std::size_t k = 0; k < n_terms; ++k) {
            pass[k] = passes(k, i) ? 1 : 0;
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
        for (std::size_t k = 0; k < n_terms && others; ++k) {
            if (pass[k])
                continue;
            if (kinds[k] == TermKind::time && table.minute_of_day[i] < 0)
                time_failed = true;
            else if (kinds[k] == TermKind::date && table.date_days[i] == no_date)
                date_failed = true;
            else
                others = false;
        }
        if (others && date_failed)
            ++s.excluded_unknown_date;
        else if (others && time_failed)
            ++s.excluded_unknown_time;
    }

    const std::string who = "profile: " + profile_name + ": ";
    if (s.rows.empty()) {
        std::string w = who + "no incidents selected out of " + std::to_string(s.rows_in);
        if (s.rows_in == 0)
            w += " (the input holds no incidents)";
        else {
            w += "; by term (alone / left after it and the terms before):";
            for (const auto& t : s.terms)
                w += "\n  " + t.term + ": " + std::to_string(t.selected) + " / " +
                     std::to_string(t.remaining);
            w += "\ncheck the values against the input's (hotspot profiles --show " + profile_name +
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

} // namespace

Selection select(const IncidentTable& table, const Profile& profile) {
    // One evaluation for both paths (the single commands here, `hotspot run` through
    // DateSplitSelection directly): the terms without the date range are evaluated once into
    // bits, with the value memo, and the range is applied in the tally.
    validate(profile);
    return DateSplitSelection(table, profile, 1).select(profile.filter.date_from, profile.filter.date_to);
}

struct DateSplitSelection::Evaluated {
    std::vector<TermKind> kinds;               ///< of the terms without the date range, in order
    std::vector<std::vector<std::uint64_t>> passes;  ///< per term, one bit per row (row i: word i / 64)
    std::size_t range_at = 0;                  ///< where the date range term goes (after the plain terms)
    bool pass(std::size_t term, std::size_t row) const { return (passes[term][row >> 6] >> (row & 63)) & 1u; }
};

DateSplitSelection::DateSplitSelection(const IncidentTable& table, const Profile& profile, unsigned threads)
    : table_(&table), profile_(profile) {
    profile_.filter.date_from.clear();
    profile_.filter.date_to.clear();
    validate(profile_);
    const auto terms = compile(table, profile_.filter, profile_.name);
    auto e = std::make_shared<Evaluated>();
    const std::size_t words = (table.size() + 63) / 64;
    for (const auto& t : terms) {
        e->kinds.push_back(t.kind);
        if (t.kind == TermKind::plain) ++e->range_at;
        e->passes.emplace_back(words, 0);
    }
    // Rows in runs of whole 64-row words, one run per thread, so no two threads write a word;
    // the terms only read the table and their own compiled state (regexes are const).
    const unsigned n_threads = unsigned(std::min<std::size_t>(
        resolve_threads(threads), std::max<std::size_t>(1, words / 4)));
    const auto evaluate = [&](std::size_t w0, std::size_t w1) {
        const std::size_t end = std::min(table.size(), w1 * 64);
        for (std::size_t k = 0; k < terms.size(); ++k) {
            std::uint64_t* bits = e->passes[k].data();
            const CompiledTerm& term = terms[k];
            if (term.value) {
                ValueMemo memo;  // this thread's, this term's
                for (std::size_t i = w0 * 64; i < end; ++i)
                    if (memo.pass(term, i)) bits[i >> 6] |= std::uint64_t(1) << (i & 63);
            } else {
                for (std::size_t i = w0 * 64; i < end; ++i)
                    if (term.pass(i)) bits[i >> 6] |= std::uint64_t(1) << (i & 63);
            }
        }
    };
    std::vector<std::thread> pool;
    std::vector<std::exception_ptr> failure(n_threads);
    for (unsigned th = 0; th < n_threads; ++th) {
        const std::size_t w0 = words * th / n_threads, w1 = words * (th + 1) / n_threads;
        const auto run = [&, th, w0, w1] {
            try {
                evaluate(w0, w1);
            } catch (...) {
                failure[th] = std::current_exception();
            }
        };
        if (th + 1 < n_threads) pool.emplace_back(run);
        else run();
    }
    for (auto& t : pool) t.join();
    for (const auto& f : failure)
        if (f) std::rethrow_exception(f);
    evaluated_ = std::move(e);
}

Selection DateSplitSelection::select(const std::string& date_from, const std::string& date_to) const {
    Profile dated = profile_;
    dated.filter.date_from = date_from;
    dated.filter.date_to = date_to;
    validate(dated);
    const Evaluated& e = *evaluated_;
    const std::vector<std::string> descriptions = describe_terms(dated.filter);
    std::vector<TermKind> kinds = e.kinds;
    if (!has_date_range(dated.filter))
        return tally(*table_, dated.name, descriptions, kinds,
                     [&](std::size_t k, std::size_t i) { return e.pass(k, i); });
    // The compiled order (compile()): plain terms, the date range, the hours, the weekdays.
    kinds.insert(kinds.begin() + std::ptrdiff_t(e.range_at), TermKind::date);
    const auto in_range = date_range_term(*table_, dated.filter);
    return tally(*table_, dated.name, descriptions, kinds, [&](std::size_t k, std::size_t i) {
        if (k == e.range_at) return in_range(i);
        return e.pass(k < e.range_at ? k : k - 1, i);
    });
}

ProfileRows select_profile_rows(const IncidentTable& table, const std::string& builtin_name, bool police_uk) {
    ProfileRows r;
    if (builtin_name.empty()) {
        r.rows.resize(table.size());
        for (std::size_t i = 0; i < r.rows.size(); ++i)
            r.rows[i] = std::uint32_t(i);
        r.label = "All incidents";
        return r;
    }
    const Profile* p = find_builtin(builtin_name);
    if (!p)
        throw UsageError(unit, "unknown --profile '" + builtin_name + "'; `hotspot profiles` lists the built-in ones");
    const Profile chosen = choose_variant(*p, police_uk);
    Selection s = select(table, chosen);
    r.rows = std::move(s.rows);
    r.warnings = std::move(s.warnings);
    r.label = chosen.title;
    return r;
}

} // namespace hotspot
