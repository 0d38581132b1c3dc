#include "hotspot/manifest.hpp"
#include "hotspot/postgis_out.hpp"

#include <filesystem>

#include "hotspot/sha256.hpp"
#include "hotspot/output_safety.hpp"
#include "hotspot/version.hpp"

namespace hotspot {

std::string command_manifest_path(const std::string& out, const std::string& override_path) {
    if (!override_path.empty()) return override_path;
    return std::filesystem::path(out).replace_extension(".manifest.json").string();
}

Manifest::Manifest(const std::string& command, const std::string& command_line) {
    m_json["tool"] = "hotspot";
    m_json["version"] = version;
    m_json["command"] = command;
    m_json["command_line"] = command_line;
    m_json["inputs"] = nlohmann::ordered_json::array();
    m_json["outputs"] = nlohmann::ordered_json::array();
    m_json["timings_s"] = nlohmann::ordered_json::object();
}

void Manifest::add_input(const std::string& role, const std::string& path) {
    nlohmann::ordered_json e;
    e["role"] = role;
    e["path"] = pg_redacted(path);  // no password in the manifest
    const std::string plain = path.substr(0, path.find("|layername="));
    std::error_code ec;
    if (std::filesystem::is_regular_file(plain, ec)) {
        e["bytes"] = std::filesystem::file_size(plain, ec);
        e["sha256"] = sha256_file(plain);
    }
    m_json["inputs"].push_back(e);
}

void Manifest::add_output(const std::string& role, const std::string& path) {
    m_json["outputs"].push_back({{"role", role}, {"path", path}});
}

void Manifest::add_timing(const std::string& stage, double seconds) {
    m_json["timings_s"][stage] = std::round(seconds * 1000.0) / 1000.0;
}

void Manifest::write(const std::string& path, bool overwrite) const {
    write_text_atomic(path, m_json.dump(2) + "\n", overwrite);
}

} // namespace hotspot
