#pragma once
/// @file manifest.hpp
/// manifest.json: what a run did, so that it can be checked and repeated: tool version,
/// command line, options, inputs with SHA-256, the CRS operation used and its accuracy,
/// row counts and timings.

#include <nlohmann/json.hpp>
#include <string>

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

} // namespace hotspot
