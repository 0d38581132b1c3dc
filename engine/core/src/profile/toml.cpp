// Offence profiles as TOML: the reader (types and syntax only; every value check is
// profile/detail.hpp's validate_with, reported at the failing key's line) and the writer.

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>
#include <sstream>

#include <toml++/toml.h>

#include "hotspot/error.hpp"
#include "profile/detail.hpp"

namespace hotspot {

using namespace profile_detail;

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
        const toml::node* n = seen(t, prefix, key);
        if (!n)
            return fallback;
        if (!n->is_string())
            fail(n, prefix + std::string(key), "expected a string in quotes, got " + type(*n));
        return std::string(*n->value<std::string>());
    }

    std::vector<std::string> strings(const toml::table& t, const std::string& prefix,
                                     std::string_view key) const {
        std::vector<std::string> r;
        const toml::node* n = seen(t, prefix, key);
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
        const toml::node* n = seen(t, prefix, key);
        if (!n)
            return fallback;
        if (!n->is_number())
            fail(n, prefix + std::string(key), "expected a number, got " + type(*n));
        return *n->value<double>();
    }

    const toml::table* table(const toml::table& t, const std::string& prefix,
                             std::string_view key) const {
        const toml::node* n = seen(t, prefix, key);
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

    // The node of `key`, remembered under its full path so that a check failing on it later
    // (validate_with) can name its line.
    const toml::node* seen(const toml::table& t, const std::string& prefix, std::string_view key) const {
        const toml::node* n = t.get(key);
        if (n)
            m_nodes[prefix + std::string(key)] = n;
        return n;
    }

    // The node of a key path, or of the nearest enclosing one ("filter.fields[0].matches" ->
    // "filter.fields[0]" -> "filter"); nullptr when none was read.
    const toml::node* node_of(std::string key) const {
        while (!key.empty()) {
            if (auto it = m_nodes.find(key); it != m_nodes.end())
                return it->second;
            const auto cut = key.find_last_of(".[");
            key = cut == std::string::npos ? std::string() : key.substr(0, cut);
        }
        return nullptr;
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
        f.date_to = string(t, prefix, "date_to");
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
                m_nodes[k + "[" + std::to_string(i) + "]"] = &e;
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
                if (const toml::node* r = seen(ft, p, "regex")) {
                    if (!r->is_boolean())
                        fail(r, p + "regex", "expected true or false, got " + type(*r));
                    term.regex = *r->value<bool>();
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
        if (root.get("outputs"))
            p.outputs = strings(root, "", "outputs");
        if (const toml::table* a = table(root, "", "analysis")) {
            const std::string k = "analysis.";
            allow_only(*a, k,
                       {"kde_kernel", "bandwidth_m", "cell_size_m", "gistar_band_m", "fdr_q"});
            auto& an = p.analysis;
            an.kde_kernel = string(*a, k, "kde_kernel", an.kde_kernel);
            if (const toml::node* b = seen(*a, k, "bandwidth_m")) {
                if (b->is_string()) {
                    const std::string s = *b->value<std::string>();
                    if (s != "auto" && (s.rfind("auto:", 0) != 0 || s.size() == 5))
                        fail(b, k + "bandwidth_m",
                             "\"" + s + "\": give metres (e.g. 250) or \"auto:<method>\"");
                    an.bandwidth_auto = s == "auto" ? "ppl" : s.substr(5);  // "auto" = auto:ppl
                    an.bandwidth_m = 0;
                } else {
                    an.bandwidth_m = number(*a, k, "bandwidth_m", an.bandwidth_m);
                }
            }
            an.cell_size_m = number(*a, k, "cell_size_m", an.cell_size_m);
            an.gistar_band_m = number(*a, k, "gistar_band_m", an.gistar_band_m);
            an.fdr_q = number(*a, k, "fdr_q", an.fdr_q);
        }
        if (const toml::table* f = table(root, "", "filter"))
            p.filter = filter(*f, "filter.");
        if (const toml::table* f = table(root, "", "police_uk_filter"))
            p.police_uk_filter = filter(*f, "police_uk_filter.");
        // Every value check, in the one place validate() also uses, at the failing key's line.
        validate_with(p, [this](const std::string& key, const std::string& what) {
            fail(node_of(key), key, what);
        });
        return p;
    }

  private:
    std::string m_source;
    mutable std::map<std::string, const toml::node*> m_nodes;
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

} // namespace hotspot
