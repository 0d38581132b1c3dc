// The demo town written as files: GeoJSON boundaries, population and incident CSVs, ground
// truth. std::to_chars is locale-independent and exact, so the files are byte-stable.

#include <charconv>
#include <string_view>

#include "demo_town/parts.hpp"

namespace hotspot {

using namespace demo_detail;

namespace {

// ---------------------------------------------------------------------------------------------
// Text helpers. std::to_chars is locale-independent and exact, so files are byte-stable.
void append_fixed(std::string& s, double v, int decimals) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
    s.append(buf, r.ptr);
}


void append_csv_field(std::string& s, std::string_view field) {
    if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
        s += field;
        return;
    }
    s += '"';
    for (char ch : field) {
        if (ch == '"')
            s += '"';
        s += ch;
    }
    s += '"';
}

void append_ring_json(std::string& s, const Ring& ring) {
    s += '[';
    for (std::size_t i = 0; i <= ring.size(); ++i) {
        const Point& p = ring[i % ring.size()]; // GeoJSON rings repeat the first point
        if (i)
            s += ',';
        s += '[';
        append_fixed(s, p.x, 2);
        s += ',';
        append_fixed(s, p.y, 2);
        s += ']';
    }
    s += ']';
}

void append_json_string(std::string& s, std::string_view v) {
    // Codes and names are plain ASCII letters, digits, spaces and '-'.
    s += '"';
    s += v;
    s += '"';
}

std::string geojson(
    const char* layer,
    const std::vector<std::pair<std::vector<std::pair<const char*, std::string>>, const Polygon*>>&
        features) {
    std::string s = "{\n\"type\": \"FeatureCollection\",\n\"name\": \"";
    s += layer;
    s += "\",\n\"crs\": {\"type\": \"name\", \"properties\": {\"name\": "
         "\"urn:ogc:def:crs:EPSG::27700\"}},\n\"features\": [\n";
    for (std::size_t i = 0; i < features.size(); ++i) {
        s += "{\"type\": \"Feature\", \"properties\": {";
        const auto& props = features[i].first;
        for (std::size_t k = 0; k < props.size(); ++k) {
            if (k)
                s += ", ";
            append_json_string(s, props[k].first);
            s += ": ";
            append_json_string(s, props[k].second);
        }
        s += "}, \"geometry\": {\"type\": \"Polygon\", \"coordinates\": [";
        const auto& rings = features[i].second->rings;
        for (std::size_t r = 0; r < rings.size(); ++r) {
            if (r)
                s += ',';
            append_ring_json(s, rings[r]);
        }
        s += "]}}";
        s += i + 1 < features.size() ? ",\n" : "\n";
    }
    s += "]\n}\n";
    return s;
}

} // namespace

std::string demo_wards_geojson(const DemoTown& town) {
    std::vector<std::pair<std::vector<std::pair<const char*, std::string>>, const Polygon*>> f;
    for (const auto& w : town.wards)
        f.push_back({{{"ward_code", w.code}, {"ward_name", w.name}}, &w.polygon});
    return geojson("wards", f);
}

std::string demo_lsoas_geojson(const DemoTown& town) {
    std::vector<std::pair<std::vector<std::pair<const char*, std::string>>, const Polygon*>> f;
    for (const auto& l : town.lsoas)
        f.push_back(
            {{{"lsoa_code", l.code}, {"lsoa_name", l.name}, {"ward_code", town.wards[l.ward].code}},
             &l.polygon});
    return geojson("lsoas", f);
}

std::string demo_lsoa_population_csv(const DemoTown& town) {
    std::string s = "lsoa_code,population\n";
    for (const auto& l : town.lsoas)
        s += l.code + "," + std::to_string(l.population) + "\n";
    return s;
}

std::string demo_ward_population_csv(const DemoTown& town) {
    std::string s = "ward_code,population\n";
    for (const auto& w : town.wards)
        s += w.code + "," + std::to_string(w.population) + "\n";
    return s;
}

std::string demo_incidents_csv(const DemoTown& town) {
    std::string s = "incident_id,offence_code,category,offence_description,date,time,easting,"
                    "northing,location_type,mo_text\n";
    s.reserve(town.incidents.size() * 160);
    for (const auto& inc : town.incidents) {
        s += demo_incident_id(inc.number);
        s += ',';
        append_csv_field(s, inc.offence->code);
        s += ',';
        append_csv_field(s, inc.offence->category);
        s += ',';
        append_csv_field(s, inc.offence->description);
        s += ',';
        s += demo_date(inc.day_of_year);
        s += ',';
        s += two_digits(inc.minute_of_day / 60) + ":" + two_digits(inc.minute_of_day % 60);
        s += ',';
        if (inc.has_coordinates) {
            append_fixed(s, inc.location.x, 0);
            s += ',';
            append_fixed(s, inc.location.y, 0);
        } else {
            s += ',';
        }
        s += ',';
        append_csv_field(s, inc.location_type);
        s += ',';
        append_csv_field(s, inc.mo_text);
        s += '\n';
    }
    return s;
}

std::string demo_ground_truth_incidents_csv(const DemoTown& town) {
    std::string s = "incident_id,ward_code,lsoa_code,hotspot_id,status\n";
    for (const auto& inc : town.incidents) {
        s += demo_incident_id(inc.number);
        s += ',';
        if (inc.ward >= 0)
            s += town.wards[std::size_t(inc.ward)].code;
        s += ',';
        if (inc.lsoa >= 0)
            s += town.lsoas[std::size_t(inc.lsoa)].code;
        s += ',';
        if (inc.hotspot >= 0)
            s += town.hotspots[std::size_t(inc.hotspot)].id;
        s += ',';
        s += to_string(inc.status);
        s += '\n';
    }
    return s;
}

std::string demo_ground_truth_hotspots_csv(const DemoTown& town) {
    std::string s = "hotspot_id,profile,centre_x,centre_y,sigma_m,n,ward_code\n";
    for (const auto& h : town.hotspots) {
        s += h.id + "," + to_string(h.profile) + ",";
        append_fixed(s, h.centre.x, 0);
        s += ',';
        append_fixed(s, h.centre.y, 0);
        s += ',';
        append_fixed(s, h.sigma_m, 0);
        s += "," + std::to_string(h.n) + "," + town.wards[h.ward].code + "\n";
    }
    return s;
}

std::vector<std::pair<std::string, std::string>> demo_town_files(const DemoTown& town) {
    return {
        {"wards.geojson", demo_wards_geojson(town)},
        {"lsoas.geojson", demo_lsoas_geojson(town)},
        {"lsoa_population.csv", demo_lsoa_population_csv(town)},
        {"ward_population.csv", demo_ward_population_csv(town)},
        {"incidents.csv", demo_incidents_csv(town)},
        {"ground_truth_incidents.csv", demo_ground_truth_incidents_csv(town)},
        {"ground_truth_hotspots.csv", demo_ground_truth_hotspots_csv(town)},
    };
}

} // namespace hotspot
