#pragma once
/// @file manifest.hpp
/// manifest.json: what a run did, so that it can be checked and repeated: tool version,
/// command line, options, inputs with SHA-256, the CRS operation used and its accuracy,
/// row counts and timings.

#include <nlohmann/json.hpp>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace hotspot {

class Manifest {
public:
    /// @param command the CLI command ("geocode", "run"), @param command_line as typed.
    Manifest(const std::string& command, const std::string& command_line);

    /// The document, for adding sections ("counts", "options", "crs"...).
    nlohmann::ordered_json& json() noexcept { return m_json; }
    /// Records an input file with its size and SHA-256 (PG: connections without checksum).
    void add_input(const std::string& role, const std::string& path);
    /// Records an output file path.
    void add_output(const std::string& role, const std::string& path);
    /// Records a stage's wall time in seconds.
    void add_timing(const std::string& stage, double seconds);
    /// Writes the document atomically. @throws OutputError.
    void write(const std::string& path, bool overwrite) const;

private:
    nlohmann::ordered_json m_json;
};

/// Where a single command writes its manifest: `override_path` when given (--manifest), else
/// beside `out` as "<out stem>.manifest.json" ("hot/kde.tif" -> "hot/kde.manifest.json"), so two
/// commands writing into one folder keep one manifest each. `hotspot run` (its folder's
/// manifest.json) and `hotspot evaluate` (its --out folder) name theirs themselves.
std::string command_manifest_path(const std::string& out, const std::string& override_path = {});

/// `j[key]` as T; `fallback` when `j` is not an object, lacks the key or holds null (a number
/// that was not finite is written as null). For the steps' typed manifest readers.
/// @throws nlohmann::json::exception: the key holds a value of another type.
template <class T>
T json_value_or(const nlohmann::ordered_json& j, const char* key, T fallback) {
    if (!j.is_object())
        return fallback;
    const auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return fallback;
    return it->template get<T>();
}

/// The version of a run's manifest.json schema ("schema_version"). 2: the typed RunManifest
/// below (profiles list what they wrote under "written"); documents without the key are 1.
inline constexpr int run_manifest_schema_version = 2;

/// One output a run wrote for a profile: a layer of hotspot_run.gpkg or a file of the run
/// folder, named by run_output_name() (run_names.hpp).
struct RunOutputRecord {
    std::string kind;    ///< run_output_key(): "kde", "kde_change", "gistar_z", "hotspots", ...
    std::string name;    ///< the layer or file name
    bool layer = false;  ///< a GeoPackage layer (else a file)
    std::string level;   ///< the area level of a rates layer, else empty
};

/// A profile's entry of the run manifest.
struct RunProfileRecord {
    std::string name, title, proxy_note;
    std::string description;               ///< the profile's plain-English definition
    std::string denominator;               ///< "population" or "none" (denominator_name())
    std::vector<std::string> filter;       ///< the filter's terms in words
    std::uint64_t selected = 0;
    std::int64_t selected_comparison = -1; ///< -1: no comparison period
    nlohmann::ordered_json selection;      ///< terms and exclusions of the selection
    std::vector<std::string> outputs;      ///< the profile's `outputs` list
    /// The steps' manifest nodes by step key ("kde", "hotspots", "gistar", "rates"), in step
    /// order (the order `hotspot run` lists its steps in; emerging hot spots last, though they
    /// may run beside the others); each holds the step's options and parameters.
    nlohmann::ordered_json steps = nlohmann::ordered_json::object();
    std::vector<RunOutputRecord> written;
    std::vector<std::string> warnings;

    nlohmann::ordered_json to_json() const;
    /// @throws nlohmann::json::exception on a document of another shape.
    static RunProfileRecord from_json(const nlohmann::ordered_json& j);
};

/// One area level of a run (`run.area_levels[]`).
struct RunAreaLevelRecord {
    std::string name;                ///< the level's name (`--areas NAME=...`)
    std::uint64_t areas = 0;         ///< polygons read (after any areas_where filter)
    std::string boundaries_layer;    ///< its boundaries layer in the GeoPackage
    std::string code_field;          ///< the layer's code field
    std::string areas_where;         ///< the OGR SQL filter given; empty: none
    nlohmann::ordered_json vintage;  ///< vintage_note_json() when the level has a population; else null
};

/// The `run` section of a run manifest: what was run, where and when, for the report's cover.
struct RunSection {
    std::string title, area_name;
    std::string period_from, period_to, period_text;
    bool comparing = false;
    std::string comparison_from, comparison_to, comparison_text;
    bool police_uk = false;
    bool publish = false;
    int publish_min_count = 0;  ///< 0 unless publish
    std::string working_crs, study_area_layer;
    double study_area_km2 = 0;
    std::vector<RunAreaLevelRecord> area_levels;
    std::vector<std::string> attribution;  ///< licence lines for the report cover
    std::string marking;  ///< protective marking of every report page ("" none)
    std::string author;   ///< on the report's cover and footers ("" none)

    nlohmann::ordered_json to_json() const;
    /// Missing keys keep their defaults (older manifests).
    /// @throws nlohmann::json::exception on a key of another type.
    static RunSection from_json(const nlohmann::ordered_json& j);
};

/// The run's own part of manifest.json (the generic Manifest holds inputs and timings).
struct RunManifest {
    int schema_version = run_manifest_schema_version;
    RunSection run;                 ///< title, area, period, comparison, levels, attribution
    nlohmann::ordered_json crs;     ///< source CRS, operation, accuracy
    nlohmann::ordered_json counts;  ///< rows_in = assigned + outside + rejected, by reason
    std::vector<RunProfileRecord> profiles;
    std::string outputs_folder;     ///< the folder as the config names it
    std::string gpkg, project;      ///< file names in the run folder
    std::vector<std::string> warnings;

    /// Writes every section into `m`'s document.
    void write_into(Manifest& m) const;
    /// Reads the run sections of a manifest.json document (schema 1 documents give
    /// schema_version 1 and empty `written` lists).
    static RunManifest from_json(const nlohmann::ordered_json& j);
};

} // namespace hotspot
