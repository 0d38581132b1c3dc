#pragma once
/// @file demo_town.hpp
/// The deterministic synthetic demo town shared by `make demo`, the tests and the benchmarks:
/// ten wards split into nested LSOAs (EPSG:27700 metres, centred near 421000, 304000, about
/// 10 x 8 km), a population per LSOA, and a year of incidents (2025) as a records-system export
/// with planted hot spots of the three priority profiles and a ground truth for every row.
///
/// Pure: no I/O and no GDAL. The same options give the same town, byte for byte, on every
/// platform: the only randomness is std::mt19937_64, whose raw outputs are mapped to numbers by
/// this module's own code (the standard distributions differ between standard libraries), and
/// no transcendental function is used on random values.
///
/// Layout (lattice of 8 columns x 6 rows of LSOAs, row 0 in the north; see shapes/README.md):
/// Castle (DEMO-W01) is the dense town-centre ward of four small LSOAs; Oakhurst (DEMO-W04,
/// north-east) and Kingsmead (DEMO-W10, south-east) are the affluent low-density suburbs.

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "hotspot/geometry.hpp"

namespace hotspot {

/// Options of the demo town generator.
struct DemoTownOptions {
    /// Seed of the std::mt19937_64 that drives everything (boundaries, population, incidents).
    std::uint64_t seed = 20250101;
    /// Number of good incidents (inside the town, valid coordinates). The export holds
    /// demo_extra_rows more rows: the deliberately bad or outside rows (see DemoRowStatus).
    std::size_t incidents = 10000;

    /// @throws UsageError("demo-data", ...) when incidents is outside [100, 10,000,000].
    void validate() const;
};

/// Rows added to the export beyond DemoTownOptions::incidents: 3 missing_coordinates,
/// 2 zero_coordinates, 1 duplicate_id and 2 outside_areas.
inline constexpr std::size_t demo_extra_rows = 8;
/// Of those, the rows a reader must reject (missing, zero, duplicate).
inline constexpr std::size_t demo_expected_rejects = 6;
/// Of those, the rows a reader keeps but no area holds.
inline constexpr std::size_t demo_expected_outside = 2;

/// How a row of the export is expected to fare in the reader and geocoder.
enum class DemoRowStatus {
    ok,                  ///< kept, and inside its ground-truth LSOA
    outside_areas,       ///< kept (valid coordinates) but outside every ward and LSOA
    missing_coordinates, ///< blank easting and northing: rejected
    zero_coordinates,    ///< easting = northing = 0: rejected
    duplicate_id,        ///< repeats the incident_id of the row before it: rejected
};

/// The ground-truth text of a status ("ok", "outside_areas", "missing_coordinates",
/// "zero_coordinates", "duplicate_id").
const char* to_string(DemoRowStatus status) noexcept;

/// An offence of the records system (Home Office style code, police.uk-like category).
struct DemoOffence {
    const char* code;        ///< e.g. "28E"
    const char* category;    ///< e.g. "Burglary"
    const char* description; ///< e.g. "Burglary - residential (dwelling)"
};

/// A ward of the demo town.
struct DemoWard {
    std::string code;            ///< "DEMO-W01".."DEMO-W10"
    std::string name;            ///< fictional, e.g. "Castle"
    bool town_centre = false;    ///< the dense centre ward (Castle)
    bool affluent = false;       ///< an affluent low-density suburb (car key burglary target)
    Polygon polygon;             ///< exactly the union of its LSOAs (shared vertices identical)
    std::int64_t population = 0; ///< sum of its LSOAs' populations
};

/// An LSOA of the demo town; it lies in exactly one ward.
struct DemoLsoa {
    std::string code;     ///< "DEMO-L001".."DEMO-L048"
    std::string name;     ///< e.g. "Ashbridge 001A"
    std::size_t ward = 0; ///< index into DemoTown::wards
    Polygon polygon;      ///< one counter-clockwise outer ring, vertices on a 0.01 m grid
    std::int64_t population = 0;
};

/// The planted hot spot profiles.
enum class DemoProfile { car_key_burglary, drug_possession, public_place_violence };

/// "car_key_burglary", "drug_possession" or "public_place_violence".
const char* to_string(DemoProfile profile) noexcept;

/// A planted hot spot: incidents drawn from a circular normal distribution around `centre`.
struct DemoHotspot {
    std::string id; ///< "H1".."H5"
    DemoProfile profile;
    Point centre;         ///< metres, EPSG:27700
    double sigma_m;       ///< per-axis standard deviation, metres
    std::size_t n = 0;    ///< incidents planted
    std::size_t ward = 0; ///< index into DemoTown::wards of the ward holding the centre
};

/// One row of the incidents export, with its ground truth.
struct DemoIncident {
    std::uint32_t number = 0;             ///< incident_id is demo_incident_id(number)
    const DemoOffence* offence = nullptr; ///< static storage
    int day_of_year = 0;                  ///< 0 = 2025-01-01 .. 364 = 2025-12-31
    int minute_of_day = 0;                ///< 0..1439
    bool has_coordinates = true;          ///< false: easting and northing are blank
    Point location;                       ///< whole metres, EPSG:27700
    const char* location_type = "";       ///< static storage, e.g. "Dwelling"
    const char* mo_text = "";             ///< static storage; may contain commas and quotes
    DemoRowStatus status = DemoRowStatus::ok;
    int ward = -1;    ///< ground truth: index into DemoTown::wards, -1 when none
    int lsoa = -1;    ///< ground truth: index into DemoTown::lsoas, -1 when none
    int hotspot = -1; ///< index into DemoTown::hotspots, -1 for background incidents
};

/// The whole demo town.
struct DemoTown {
    DemoTownOptions options;
    std::string name; ///< the fictional town, "Ashbridge"
    std::vector<DemoWard> wards;
    std::vector<DemoLsoa> lsoas; ///< ordered by ward, then position
    Polygon outline;             ///< the union of all LSOAs
    std::vector<DemoHotspot> hotspots;
    std::vector<DemoIncident> incidents; ///< in export order (date, time), bad rows included
};

/// Builds the demo town. Deterministic in `options`.
/// Every ok incident lies at least 1 m inside its ground-truth LSOA, so any boundary rule of a
/// geocoder agrees with the ground truth.
/// @throws UsageError("demo-data", ...) for invalid options.
DemoTown make_demo_town(const DemoTownOptions& options = {});

/// "DEMO25-000123" for number 123 (at least six digits).
std::string demo_incident_id(std::uint32_t number);
/// "2025-03-07" for day_of_year 65.
std::string demo_date(int day_of_year);

/// Ward boundaries as GeoJSON (crs member naming EPSG:27700; properties ward_code, ward_name;
/// coordinates with 2 decimals).
std::string demo_wards_geojson(const DemoTown& town);
/// LSOA boundaries as GeoJSON (properties lsoa_code, lsoa_name, ward_code).
std::string demo_lsoas_geojson(const DemoTown& town);
/// CSV: lsoa_code,population
std::string demo_lsoa_population_csv(const DemoTown& town);
/// CSV: ward_code,population
std::string demo_ward_population_csv(const DemoTown& town);
/// CSV (RFC 4180 quoting, LF line ends): incident_id,offence_code,category,
/// offence_description,date,time,easting,northing,location_type,mo_text
std::string demo_incidents_csv(const DemoTown& town);
/// CSV, one line per incidents.csv data row in the same order:
/// incident_id,ward_code,lsoa_code,hotspot_id,status
std::string demo_ground_truth_incidents_csv(const DemoTown& town);
/// CSV: hotspot_id,profile,centre_x,centre_y,sigma_m,n,ward_code
std::string demo_ground_truth_hotspots_csv(const DemoTown& town);

/// Every file of the demo data set as (file name, contents), in a fixed order: wards.geojson,
/// lsoas.geojson, lsoa_population.csv, ward_population.csv, incidents.csv,
/// ground_truth_incidents.csv, ground_truth_hotspots.csv.
std::vector<std::pair<std::string, std::string>> demo_town_files(const DemoTown& town);

} // namespace hotspot
