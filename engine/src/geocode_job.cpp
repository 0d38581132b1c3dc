#include "hotspot/geocode_job.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>

#include "hotspot/error.hpp"
#include "hotspot/styles.hpp"
#include "hotspot/output_safety.hpp"
#include "hotspot/vector_out.hpp"
#include "util/text.hpp"

namespace fs = std::filesystem;

namespace hotspot {

namespace {

using util::lower;

using util::thousands;

using util::seconds_since;

// Assigns each incident the area whose code is in `field` (no geometry involved).
GeocodeResult assign_by_code(const AreaLayer& layer, const IncidentTable& inc, const std::string& field) {
    const auto f = std::find_if(inc.field_names.begin(), inc.field_names.end(),
                                [&](const std::string& n) { return lower(n) == lower(field); });
    if (f == inc.field_names.end())
        throw UsageError("geocode", "--by-code " + layer.name + "=" + field +
                                        ": the incidents have no such field");
    const StringColumn& col = inc.fields[std::size_t(f - inc.field_names.begin())];
    std::map<std::string, std::int32_t, std::less<>> index;
    for (std::size_t a = 0; a < layer.size(); ++a) index.emplace(layer.codes[a], std::int32_t(a));
    GeocodeResult r;
    r.area.assign(inc.size(), -1);
    r.status.assign(inc.size(), AreaStatus::outside);
    r.counts.assign(layer.size(), 0);
    for (std::size_t i = 0; i < inc.size(); ++i) {
        const auto it = index.find(col[i]);
        if (it == index.end()) {
            ++r.outside;
            continue;
        }
        r.area[i] = it->second;
        r.status[i] = AreaStatus::assigned;
        ++r.counts[std::size_t(it->second)];
        ++r.assigned;
    }
    return r;
}

} // namespace

void GeocodeJobOptions::validate() const {
    if (read.paths.empty()) throw UsageError("geocode", "no incidents given; use --incidents FILE");
    if (areas.empty())
        throw UsageError("geocode", "no area layer given; use --areas NAME=PATH[:CODE_FIELD[:NAME_FIELD]]");
    if (!(snap_m >= 0) || !std::isfinite(snap_m) || snap_m > 10000)
        throw UsageError("geocode", "--snap must be between 0 and 10000 metres (got " + std::to_string(snap_m) + ")");
    if (out.empty()) throw UsageError("geocode", "no output given; use --out FILE.gpkg");
    for (std::size_t i = 0; i < areas.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (lower(areas[i].name) == lower(areas[j].name))
                throw UsageError("geocode", "two area layers are named '" + areas[i].name + "'; give each a different NAME");
}

std::string unique_field_name(const std::string& wanted, const std::vector<std::string>& taken) {
    std::string name = wanted;
    auto clash = [&](const std::string& n) {
        return std::any_of(taken.begin(), taken.end(), [&](const std::string& t) { return lower(t) == lower(n); });
    };
    while (clash(name)) name = "hs_" + name;
    return name;
}

GeocodeJobResult run_geocode_job(const GeocodeJobOptions& o, const Progress& progress) {
    o.validate();
    const auto t0 = std::chrono::steady_clock::now();
    const std::string manifest_path =
        !o.manifest_path.empty() ? o.manifest_path
                                 : (fs::path(o.out).parent_path() / "manifest.json").string();
    // Refuse existing outputs, outputs that are inputs and unknown formats before any work:
    // incidents, rejects and one counts layer per area layer.
    check_vector_output(o.out, 2 + o.areas.size(), "geocode");
    std::vector<std::string> inputs = incident_files(o.read.paths);
    for (const auto& a : o.areas) inputs.push_back(source_file(a.path));
    check_outputs({o.out, manifest_path}, inputs, o.overwrite, "geocode");

    Manifest manifest("geocode", o.command_line);
    GeocodeJobResult r;

    auto t = std::chrono::steady_clock::now();
    ReadOptions ro = o.read;
    ReadResult read = read_incidents(ro, progress);
    manifest.add_timing("read", seconds_since(t));
    const IncidentTable& inc = read.incidents;
    r.rows_in = read.rows_in;
    r.kept = inc.size();
    r.rejected = read.rejects.size();
    r.exact_duplicates = read.exact_duplicates;
    r.police_uk = read.police_uk;
    r.crs_operation = read.crs_operation;
    r.crs_accuracy_m = read.crs_accuracy_m;
    r.warnings = read.warnings;
    {
        std::map<std::string, std::uint64_t> by;
        for (auto why : read.rejects.reason) ++by[std::string(reason_name(why))];
        r.rejects_by_reason.assign(by.begin(), by.end());
    }

    t = std::chrono::steady_clock::now();
    std::vector<AreaLayer> layers;
    for (const auto& spec : o.areas) {
        layers.push_back(read_area_layer(spec, o.read.working_crs));
        for (auto& w : layers.back().warnings) r.warnings.push_back(w);
    }
    manifest.add_timing("read_areas", seconds_since(t));

    t = std::chrono::steady_clock::now();
    std::vector<GeocodeResult> placed;
    std::vector<std::uint8_t> anywhere(inc.size(), 0);
    for (const auto& layer : layers) {
        const auto by = std::find_if(o.by_code.begin(), o.by_code.end(),
                                     [&](const auto& p) { return lower(p.first) == lower(layer.name); });
        if (by != o.by_code.end())
            placed.push_back(assign_by_code(layer, inc, by->second));
        else
            placed.push_back(geocode(AreaIndex(layer.polygons), inc.x, inc.y, o.snap_m, o.threads, progress));
        const auto& g = placed.back();
        r.layers.push_back({layer.name, layer.size(), g.assigned, g.snapped, g.outside, g.in_several});
        for (std::size_t i = 0; i < inc.size(); ++i)
            if (g.area[i] >= 0) anywhere[i] = 1;
        if (g.in_several > 0)
            r.warnings.push_back("geocode: " + thousands(g.in_several) + " incidents lie where areas of '" +
                                 layer.name + "' overlap; each went to the first area in layer order");
    }
    for (auto a : anywhere) (a ? r.assigned : r.outside) += 1;
    {
        std::vector<const AreaLayer*> ls;
        std::vector<std::uint64_t> outside;
        for (std::size_t l = 0; l < layers.size(); ++l) {
            ls.push_back(&layers[l]);
            outside.push_back(placed[l].outside);
        }
        for (auto& line : report_outside_layers("geocode", ls, outside, inc.size(), r.outside)) r.warnings.push_back(line);
    }
    manifest.add_timing("geocode", seconds_since(t));

    // ---- write
    t = std::chrono::steady_clock::now();
    VectorWriter w(o.out, o.read.working_crs, o.overwrite);
    {
        std::vector<FieldDef> defs;
        std::vector<std::string> taken = inc.field_names;
        for (const auto& n : inc.field_names) defs.push_back({n, FieldType::string});
        std::vector<int> code_f, name_f, status_f;
        for (const auto& layer : layers) {
            for (auto* vec : {&code_f, &name_f, &status_f}) {
                const char* suffix = vec == &code_f ? "_code" : vec == &name_f ? "_name" : "_status";
                if (vec == &status_f && layers.size() == 1) continue;
                const std::string n = unique_field_name(layer.name + suffix, taken);
                taken.push_back(n);
                vec->push_back(int(defs.size()));
                defs.push_back({n, FieldType::string});
            }
        }
        const std::string status_name = unique_field_name("status", taken);
        taken.push_back(status_name);
        const int status_all = int(defs.size());
        defs.push_back({status_name, FieldType::string});
        const int file_f = int(defs.size());
        defs.push_back({unique_field_name("source_file", taken), FieldType::string});
        const int line_f = int(defs.size());
        defs.push_back({unique_field_name("source_line", taken), FieldType::integer});
        w.begin_layer("incidents", GeomType::point, defs);
        static const char* status_text[] = {"assigned", "snapped", "outside"};
        for (std::size_t i = 0; i < inc.size(); ++i) {
            for (std::size_t c = 0; c < inc.fields.size(); ++c) w.set_string(int(c), inc.fields[c][i]);
            AreaStatus overall = AreaStatus::outside;
            for (std::size_t l = 0; l < layers.size(); ++l) {
                const std::int32_t a = placed[l].area[i];
                if (a >= 0) {
                    w.set_string(code_f[l], layers[l].codes[std::size_t(a)]);
                    w.set_string(name_f[l], layers[l].names[std::size_t(a)]);
                }
                const AreaStatus s = placed[l].status[i];
                if (!status_f.empty()) w.set_string(status_f[l], status_text[int(s)]);
                if (s < overall) overall = s;
            }
            w.set_string(status_all, status_text[int(overall)]);
            w.set_string(file_f, fs::path(inc.source_files[inc.source_file[i]]).filename().string());
            w.set_integer(line_f, std::int64_t(inc.source_line[i]));
            w.set_point(inc.x[i], inc.y[i]);
            w.write_feature();
        }
    }
    {
        const RejectTable& rej = read.rejects;
        std::vector<FieldDef> defs;
        std::vector<std::string> taken = rej.field_names;
        for (const auto& n : rej.field_names) defs.push_back({n, FieldType::string});
        const int reason_f = int(defs.size());
        defs.push_back({unique_field_name("reject_reason", taken), FieldType::string});
        const int text_f = int(defs.size());
        defs.push_back({unique_field_name("reject_detail", taken), FieldType::string});
        const int file_f = int(defs.size());
        defs.push_back({unique_field_name("source_file", taken), FieldType::string});
        const int line_f = int(defs.size());
        defs.push_back({unique_field_name("source_line", taken), FieldType::integer});
        w.begin_layer("rejects", GeomType::none, defs);
        for (std::size_t i = 0; i < rej.size(); ++i) {
            for (std::size_t c = 0; c < rej.fields.size(); ++c) w.set_string(int(c), rej.fields[c][i]);
            w.set_string(reason_f, reason_name(rej.reason[i]));
            w.set_string(text_f, std::string(reason_text(rej.reason[i])) +
                                     (rej.detail[i].empty() ? "" : " [" + std::string(rej.detail[i]) + "]"));
            w.set_string(file_f, fs::path(rej.source_files[rej.source_file[i]]).filename().string());
            w.set_integer(line_f, std::int64_t(rej.source_line[i]));
            w.write_feature();
        }
    }
    for (std::size_t l = 0; l < layers.size(); ++l) {
        const auto& layer = layers[l];
        const auto& g = placed[l];
        // counts by category, one column per category in first-seen order
        const std::size_t ncat = inc.categories.size();
        std::vector<std::uint64_t> by(layer.size() * ncat, 0);
        for (std::size_t i = 0; i < inc.size(); ++i)
            if (g.area[i] >= 0) ++by[std::size_t(g.area[i]) * ncat + inc.category[i]];
        std::vector<FieldDef> defs = {{"code", FieldType::string}, {"name", FieldType::string},
                                      {"incidents", FieldType::integer}};
        std::vector<std::string> taken = {"code", "name", "incidents"};
        for (const auto& c : inc.categories) {
            std::string n = "n_";
            for (char ch : (c.empty() ? std::string("uncategorised") : c))
                n += std::isalnum(static_cast<unsigned char>(ch)) ? char(std::tolower(static_cast<unsigned char>(ch))) : '_';
            n = unique_field_name(n, taken);
            taken.push_back(n);
            defs.push_back({n, FieldType::integer});
        }
        w.begin_layer(layer.name + "_counts", GeomType::multipolygon, defs);
        for (std::size_t a = 0; a < layer.size(); ++a) {
            w.set_string(0, layer.codes[a]);
            w.set_string(1, layer.names[a]);
            w.set_integer(2, std::int64_t(g.counts[a]));
            for (std::size_t c = 0; c < ncat; ++c) w.set_integer(int(3 + c), std::int64_t(by[a * ncat + c]));
            w.set_multipolygon(layer.polygons[a]);
            w.write_feature();
        }
    }
    // Styles QGIS applies on load (GeoPackage only).
    w.add_style("incidents", std::string(style_qml("incidents")), "Incidents placed in their areas");
    for (const auto& layer : layers)
        w.add_style(layer.name + "_counts", std::string(style_qml("boundaries")), "Incidents per " + layer.name);
    w.commit();
    r.outputs.push_back(o.out);
    manifest.add_timing("write", seconds_since(t));
    manifest.add_timing("total", seconds_since(t0));

    // ---- manifest
    for (const auto& f : inc.source_files) manifest.add_input("incidents", f);
    for (const auto& s : o.areas) manifest.add_input("areas:" + s.name, s.path);
    auto& j = manifest.json();
    j["options"] = {{"working_crs", o.read.working_crs}, {"snap_m", o.snap_m}, {"threads", o.threads}};
    for (const auto& [area, field] : o.by_code) j["options"]["by_code"][area] = field;
    j["crs"] = {{"source_crs", read.source_crs}, {"working_crs", o.read.working_crs},
                {"operation", read.crs_operation}, {"accuracy_m", read.crs_accuracy_m},
                {"note", read.crs_operation.find("OSTN") == std::string::npos && !read.source_crs.empty() &&
                                 read.source_crs != o.read.working_crs
                             ? "no OSTN15 grid installed (Debian's proj-data lacks it): a Helmert transformation was used"
                             : ""}};
    j["police_uk"] = read.police_uk;
    nlohmann::ordered_json counts;
    counts["rows_in"] = r.rows_in;
    counts["kept"] = r.kept;
    counts["rejected"] = r.rejected;
    counts["assigned"] = r.assigned;
    counts["outside"] = r.outside;
    counts["exact_duplicates"] = r.exact_duplicates;
    for (auto& [why, n] : r.rejects_by_reason) counts["rejected_by_reason"][why] = n;
    for (auto& l : r.layers)
        counts["areas"][l.name] = {{"areas", l.areas}, {"assigned", l.assigned}, {"snapped", l.snapped},
                                   {"outside", l.outside}, {"in_several", l.in_several}};
    j["counts"] = counts;
    j["warnings"] = r.warnings;
    manifest.add_output("layers", o.out);
    manifest.write(manifest_path, o.overwrite);
    r.outputs.push_back(manifest_path);
    return r;
}

std::string GeocodeJobResult::summary() const {
    std::ostringstream s;
    s << "hotspot geocode: " << thousands(rows_in) << " rows read"
      << (police_uk ? " (police.uk street-level CSV)" : "") << "\n";
    s << "  kept      " << thousands(kept) << "\n";
    s << "  rejected  " << thousands(rejected);
    if (!rejects_by_reason.empty()) {
        s << " (";
        for (std::size_t i = 0; i < rejects_by_reason.size(); ++i)
            s << (i ? ", " : "") << rejects_by_reason[i].first << " " << thousands(rejects_by_reason[i].second);
        s << ")";
    }
    s << "\n";
    if (exact_duplicates) s << "  exact duplicate rows kept: " << thousands(exact_duplicates) << "\n";
    for (const auto& l : layers) {
        s << "  " << l.name << " (" << l.areas << " areas): " << thousands(l.assigned) << " inside, "
          << thousands(l.snapped) << " snapped, " << thousands(l.outside) << " outside\n";
    }
    if (!crs_operation.empty())
        s << "  CRS operation: " << crs_operation
          << (crs_accuracy_m >= 0 ? " (accuracy " + std::to_string(int(std::lround(crs_accuracy_m))) + " m)" : "") << "\n";
    s << "  rows_in = assigned + outside + rejected: " << thousands(rows_in) << " = " << thousands(assigned)
      << " + " << thousands(outside) << " + " << thousands(rejected) << "\n";
    for (const auto& o : outputs) s << "  wrote " << o << "\n";
    return s.str();
}

} // namespace hotspot
