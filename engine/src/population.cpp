#include "hotspot/population.hpp"

#include <cctype>
#include <cmath>
#include <gdal.h>
#include <limits>
#include <ogr_api.h>
#include <unordered_map>

#include "gdal_env.hpp"
#include "hotspot/csv.hpp"
#include "hotspot/error.hpp"
#include "util/text.hpp"

namespace hotspot {

namespace {

constexpr const char* unit = "population";
using util::nan;

using util::lower;
std::string trim(std::string_view s) {
    return std::string(util::trim(s));
}

bool ends_with_ci(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && lower(s.substr(s.size() - suffix.size())) == lower(suffix);
}

/// Parses a population value: blank, NA, NaN, "-", ".." are missing (NaN); thousands
/// separators are dropped. Returns false when the text is not a number.
bool parse_population(const std::string& text, double& v) {
    const std::string t = lower(text);
    if (t.empty() || t == "na" || t == "nan" || t == "-" || t == ".." || t == "null") {
        v = nan;
        return true;
    }
    std::string s;
    for (char c : text)
        if (c != ',' && c != '_') s += c;
    try {
        std::size_t used = 0;
        v = std::stod(s, &used);
        return used == s.size() && std::isfinite(v);
    } catch (const std::logic_error&) {
        return false;
    }
}

const auto num_text = [](double v) { return util::num(v); };

std::string list_some(const std::vector<std::string>& items, std::size_t max = 10) {
    std::string s;
    for (std::size_t i = 0; i < items.size() && i < max; ++i) s += (i ? ", " : "") + items[i];
    if (items.size() > max) s += " and " + std::to_string(items.size() - max) + " more";
    return s;
}

/// A population field of the area layer itself, joined by its code field.
} // namespace

PopulationTable read_population_field(const AreaLayer& layer, const std::string& field) {
    detail::ensure_gdal();
    PopulationTable t;
    t.path = layer.path;
    t.code_col = layer.code_field;
    t.pop_col = field;
    GDALDatasetH ds = GDALOpenEx(layer.path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr);
    if (!ds) throw InputError(unit, layer.path, "cannot be opened to read --population-field");
    struct Closer {
        GDALDatasetH h;
        ~Closer() { GDALClose(h); }
    } closer{ds};
    OGRLayerH l = GDALDatasetGetLayer(ds, 0);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(l);
    const int ci = OGR_FD_GetFieldIndex(defn, layer.code_field.c_str());
    const int pi = OGR_FD_GetFieldIndex(defn, field.c_str());
    if (pi < 0) {
        std::vector<std::string> names;
        for (int i = 0; i < OGR_FD_GetFieldCount(defn); ++i) names.push_back(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
        throw InputError(unit, layer.path, 0, field,
                         "no such field; the layer has " + list_some(names, 30) + "; check --population-field");
    }
    OGR_L_ResetReading(l);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(l)) != nullptr) {
        t.codes.push_back(trim(OGR_F_GetFieldAsString(f, ci)));
        double v = nan;
        if (OGR_F_IsFieldSetAndNotNull(f, pi) && !parse_population(trim(OGR_F_GetFieldAsString(f, pi)), v)) {
            const std::string bad = OGR_F_GetFieldAsString(f, pi);
            const auto fid = OGR_F_GetFID(f);
            OGR_F_Destroy(f);
            throw InputError(unit, layer.path, std::uint64_t(fid), field,
                             "'" + bad + "' is not a number; population must be a count of residents");
        }
        t.population.push_back(v);
        OGR_F_Destroy(f);
    }
    return t;
}

PopulationSpec PopulationSpec::parse(const std::string& text) {
    PopulationSpec s;
    std::string rest = text;
    const auto eq = rest.find('=');
    if (eq != std::string::npos && rest.find_first_of("/\\:") > eq) {
        s.area = rest.substr(0, eq);
        rest = rest.substr(eq + 1);
    }
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t at; (at = rest.find(':', start)) != std::string::npos; start = at + 1)
        parts.push_back(rest.substr(start, at - start));
    parts.push_back(rest.substr(start));
    if (parts[0].empty() || parts.size() > 3)
        throw UsageError(unit, "--population '" + text + "' is not [AREA=]PATH[:CODE_COLUMN[:POPULATION_COLUMN]]");
    s.path = parts[0];
    if (parts.size() >= 2) s.code_col = parts[1];
    if (parts.size() >= 3) s.pop_col = parts[2];
    return s;
}

PopulationTable read_population_csv(const PopulationSpec& spec, const std::string& default_code_col) {
    CsvFile csv(spec.path, unit, "check the --population path");
    CsvReader& reader = csv.reader();
    std::vector<std::string_view> fields;
    if (!reader.next(fields)) throw InputError(unit, spec.path, "is empty; it needs a header and one row per area");
    std::vector<std::string> header;
    for (auto h : fields) header.push_back(trim(h));
    auto find = [&](const std::string& name) -> int {
        for (std::size_t i = 0; i < header.size(); ++i)
            if (lower(header[i]) == lower(name)) return int(i);
        return -1;
    };
    int ci = -1, pi = -1;
    if (!spec.code_col.empty()) {
        ci = find(spec.code_col);
        if (ci < 0)
            throw InputError(unit, spec.path, 1, spec.code_col,
                             "no such column; the header has " + list_some(header, 30) + "; check PATH:CODE_COLUMN");
    } else {
        if (!default_code_col.empty()) ci = find(default_code_col);
        for (std::size_t i = 0; ci < 0 && i < header.size(); ++i)
            if (ends_with_ci(header[i], "cd") || ends_with_ci(header[i], "code")) ci = int(i);
        if (ci < 0) ci = 0;
    }
    if (!spec.pop_col.empty()) {
        pi = find(spec.pop_col);
        if (pi < 0)
            throw InputError(unit, spec.path, 1, spec.pop_col,
                             "no such column; the header has " + list_some(header, 30) + "; check PATH:CODE:POPULATION");
    } else {
        pi = find("population");
        if (pi < 0) {
            std::vector<int> cands;
            for (std::size_t i = 0; i < header.size(); ++i)
                if (lower(header[i]).find("pop") != std::string::npos) cands.push_back(int(i));
            if (cands.size() == 1) pi = cands[0];
        }
        if (pi < 0)
            throw InputError(unit, spec.path, 1, "",
                             "no 'population' column (the header has " + list_some(header, 30) +
                                 "); name it with --population PATH:CODE_COLUMN:POPULATION_COLUMN");
    }
    if (ci == pi) throw InputError(unit, spec.path, 1, header[std::size_t(ci)], "is both the code and the population column");
    PopulationTable t;
    t.path = spec.path;
    t.code_col = header[std::size_t(ci)];
    t.pop_col = header[std::size_t(pi)];
    std::unordered_map<std::string, std::uint64_t> seen;
    while (reader.next(fields)) {
        const std::uint64_t line = reader.record_line();
        if (fields.size() <= std::size_t(std::max(ci, pi)))
            throw InputError(unit, spec.path, line, "", "has " + std::to_string(fields.size()) + " fields; the header has " +
                                                            std::to_string(header.size()));
        std::string code = trim(fields[std::size_t(ci)]);
        if (code.empty()) continue;
        double v = 0;
        const std::string text = trim(fields[std::size_t(pi)]);
        if (!parse_population(text, v))
            throw InputError(unit, spec.path, line, t.pop_col,
                             "'" + text + "' is not a number; population must be a count of residents (blank or NA for unknown)");
        auto [it, fresh] = seen.emplace(code, line);
        if (!fresh)
            throw InputError(unit, spec.path, line, t.code_col,
                             "code '" + code + "' was already given on line " + std::to_string(it->second) + "; give each area once");
        t.codes.push_back(std::move(code));
        t.population.push_back(v);
    }
    return t;
}

namespace {
// A code as people mistype it: case and spaces do not matter ("e01 090002" is E01090002).
std::string code_key(std::string_view code) {
    std::string k;
    for (char c : code)
        if (!std::isspace(static_cast<unsigned char>(c))) k.push_back(char(std::toupper(static_cast<unsigned char>(c))));
    return k;
}
} // namespace

std::vector<double> join_population(const AreaLayer& layer, const PopulationTable& table,
                                    std::vector<std::string>* notes) {
    std::unordered_map<std::string, double> by_code;
    std::unordered_map<std::string, std::size_t> by_key;  // index into table, or npos when ambiguous
    for (std::size_t k = 0; k < table.codes.size(); ++k) {
        by_code.emplace(table.codes[k], table.population[k]);
        const auto [it, fresh] = by_key.emplace(code_key(table.codes[k]), k);
        if (!fresh) it->second = std::string::npos;
    }
    std::vector<double> pop(layer.size(), nan);
    std::vector<std::string> unmatched;
    std::uint64_t loose = 0;
    std::string first_loose;
    for (std::size_t a = 0; a < layer.size(); ++a) {
        const auto it = by_code.find(trim(layer.codes[a]));
        if (it != by_code.end()) {
            pop[a] = it->second;
            continue;
        }
        const auto kt = by_key.find(code_key(layer.codes[a]));
        if (kt != by_key.end() && kt->second != std::string::npos) {
            pop[a] = table.population[kt->second];
            if (loose++ == 0) first_loose = "'" + table.codes[kt->second] + "' for " + layer.codes[a];
            continue;
        }
        unmatched.push_back(layer.codes[a]);
    }
    if (loose > 0 && notes)
        notes->push_back("population: " + std::to_string(loose) + " codes of " + table.path +
                         " match the codes of area layer '" + layer.name +
                         "' only when case and spaces are ignored (first: " + first_loose +
                         "); they were matched. Correct the file to silence this note");
    if (!unmatched.empty())
        throw InputError(unit, table.path, 0, table.code_col,
                         std::to_string(unmatched.size()) + " of the " + std::to_string(layer.size()) + " codes of area layer '" +
                             layer.name + "' (" + layer.code_field + ") are not in the population file: " +
                             list_some(unmatched) +
                             "; check the code column (PATH:CODE_COLUMN:POPULATION_COLUMN) and that both use the same "
                             "vintage of codes (e.g. 2011 vs 2021 LSOAs); give a blank population for areas you know "
                             "have none");
    return pop;
}

std::vector<std::string> check_population(const AreaLayer& layer, std::span<const double> population,
                                          std::span<const std::uint64_t> counts) {
    std::vector<std::string> lines;
    // More incidents than residents is real in a busy centre (Leicester's LSOA 041A: 9,048
    // incidents, 4,291 residents): visitors bring the incidents. Under 100 residents it is the
    // column (no census area is that small; a population in thousands or "1.6" for 1,600).
    constexpr double implausible_population = 100;
    std::size_t suspect = 0, centre = 0, fractional = 0;
    std::string first_suspect, first_centre, first_fractional;
    for (std::size_t a = 0; a < layer.size() && a < population.size(); ++a) {
        const double p = population[a];
        if (!(p > 0)) continue;
        if (a < counts.size() && double(counts[a]) > p) {
            const std::string what = layer.codes[a] + ": " + util::thousands(std::int64_t(counts[a])) +
                                     " incidents, " + num_text(p) + " residents";
            if (p < implausible_population ? suspect++ == 0 : centre++ == 0)
                (p < implausible_population ? first_suspect : first_centre) = what;
        }
        if (p != std::floor(p) && fractional++ == 0) first_fractional = layer.codes[a] + ": " + num_text(p);
    }
    if (suspect > 0)
        lines.push_back("population: " + std::to_string(suspect) + " areas of '" + layer.name +
                        "' have fewer residents than incidents and under 100 residents (first: " +
                        first_suspect + "); check the population column (thousands written with a dot, "
                        "\"11.621\" for 11,621, or populations in thousands)");
    if (centre > 0)
        lines.push_back("population: " + std::to_string(centre) + " areas of '" + layer.name +
                        "' have more incidents than residents (first: " + first_centre +
                        "), usual in a town or city centre, where shoppers, workers and the night-time "
                        "economy bring incidents and few people live: a rate per resident overstates "
                        "the risk to residents there, so read those areas by their counts");
    if (fractional > 0)
        lines.push_back("population: " + std::to_string(fractional) + " populations of '" + layer.name +
                        "' are not whole numbers (first: " + first_fractional +
                        "); a thousands separator written as a dot reads as a decimal point");
    return lines;
}

std::vector<const PopulationSpec*> match_populations(const std::vector<AreaSpec>& areas,
                                                     const std::vector<PopulationSpec>& populations,
                                                     const std::string& unit) {
    if (populations.size() > areas.size())
        throw UsageError(unit, std::to_string(populations.size()) + " --population files for " +
                                   std::to_string(areas.size()) + " --areas layers; give one per layer");
    for (std::size_t i = 0; i < areas.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (lower(areas[i].name) == lower(areas[j].name))
                throw UsageError(unit, "two area layers are named '" + areas[i].name + "'; give each a different NAME");
    std::vector<const PopulationSpec*> spec_of(areas.size(), nullptr);
    for (const auto& p : populations) {
        if (p.area.empty()) continue;
        bool found = false;
        for (std::size_t i = 0; i < areas.size(); ++i)
            if (lower(areas[i].name) == lower(p.area)) spec_of[i] = &p, found = true;
        if (!found) throw UsageError(unit, "--population " + p.area + "=... names no --areas layer");
    }
    std::size_t next = 0;
    for (const auto& p : populations) {
        if (!p.area.empty()) continue;
        while (next < areas.size() && spec_of[next]) ++next;
        if (next < areas.size()) spec_of[next++] = &p;
    }
    return spec_of;
}

} // namespace hotspot
