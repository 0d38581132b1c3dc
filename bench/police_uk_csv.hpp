#pragma once
// A synthetic police.uk street-level CSV in the file's exact format (CRLF, 12 columns, blank
// Crime IDs for anti-social behaviour, one row in 40 without a location), for the reading
// benchmarks (bench_geocode, bench_read).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

inline void write_police_uk_csv(const std::filesystem::path& csv, std::size_t n, std::mt19937_64& rng) {
    std::ofstream f(csv, std::ios::binary);
    f << "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
         "Last outcome category,Context\r\n";
    std::uniform_real_distribution<double> lon(-1.6, -0.7), lat(52.4, 52.9);
    const char* types[] = {"Burglary", "Drugs", "Violence and sexual offences", "Vehicle crime", "Anti-social behaviour"};
    char buf[512];
    for (std::size_t i = 0; i < n; ++i) {
        const bool asb = i % 5 == 4;
        const bool none = i % 40 == 0;
        if (none)
            std::snprintf(buf, sizeof buf,
                          "%016zx,2021-%02zu,Leicestershire Police,Leicestershire Police,,,No location,,,%s,"
                          "Investigation complete; no suspect identified,\r\n",
                          i * 2654435761u, i % 12 + 1, types[i % 4]);
        else
            std::snprintf(buf, sizeof buf,
                          "%s,2021-%02zu,Leicestershire Police,Leicestershire Police,%.6f,%.6f,On or near "
                          "Some Street,E01013630,Leicester 030A,%s,%s,\r\n",
                          asb ? "" : std::to_string(i * 2654435761u).c_str(), i % 12 + 1, lon(rng), lat(rng),
                          types[i % 5], asb ? "" : "Under investigation");
        f << buf;
    }
}
