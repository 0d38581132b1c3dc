#include "hotspot/output_safety.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <set>
#include <vector>
#include <signal.h>
#include <unistd.h>
#include <cctype>

#include "hotspot/error.hpp"
#include "hotspot/incidents_io.hpp"
#include "hotspot/vector_out.hpp"

namespace fs = std::filesystem;

namespace hotspot {

std::string lower_extension(const std::string& path) {
    std::string ext = fs::path(path).extension().string();
    for (auto& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
    return ext;
}

namespace {

std::mutex& registry_mutex() {
    static std::mutex m;
    return m;
}
std::set<std::string>& registry() {
    static std::set<std::string> s;
    return s;
}

// The PID in `name` right after `marker` ("partial-" in ".x.partial-123.gpkg"); -1 if none.
long pid_after(const std::string& name, const std::string& marker) {
    const auto at = name.find(marker);
    if (at == std::string::npos) return -1;
    std::size_t i = at + marker.size();
    long pid = 0;
    std::size_t digits = 0;
    while (i < name.size() && std::isdigit(static_cast<unsigned char>(name[i])) && digits < 10) {
        pid = pid * 10 + (name[i] - '0');
        ++i;
        ++digits;
    }
    return digits ? pid : -1;
}

} // namespace

std::string source_file(const std::string& source) {
    if (source.rfind("PG:", 0) == 0) return "";
    const auto bar = source.find('|');
    return bar == std::string::npos ? source : source.substr(0, bar);
}

void check_not_input(const std::string& output, const std::vector<std::string>& inputs, const char* unit) {
    std::error_code ec;
    if (output.empty() || !fs::exists(output, ec)) return;  // a new file cannot be an input
    for (const auto& in : inputs) {
        const std::string file = source_file(in);
        if (file.empty() || !fs::is_regular_file(file, ec)) continue;
        if (fs::equivalent(output, file, ec) && !ec)
            throw UsageError(unit, "the output " + output + " is the input " + in +
                                       " (the same file); writing it would destroy the input: choose another "
                                       "output name");
    }
}

void check_outputs(const std::vector<std::string>& outputs, const std::vector<std::string>& inputs, bool overwrite,
                   const char* unit) {
    for (const auto& o : outputs) {
        if (o.empty()) continue;
        for (const auto& f : vector_output_files(o)) {
            check_not_input(f, inputs, unit);
            check_can_write(f, overwrite);  // "write: PATH: already exists; ..." as before
        }
    }
}

std::vector<std::string> incident_files(const std::vector<std::string>& paths) {
    try {
        return expand_input_paths(paths);
    } catch (const Error&) {
        return paths;
    }
}

void check_vector_output(const std::string& path, std::size_t layers, const char* unit, const char* option) {
    const std::string ext = lower_extension(path);
    const bool multi = ext == ".gpkg" || ext == ".sqlite";
    const bool single = ext == ".geojson" || ext == ".json" || ext == ".fgb" || ext == ".shp" || ext == ".csv";
    if (!multi && !single)
        throw UsageError(unit, std::string(option) + " " + path +
                                   ": cannot tell the format from its extension; use .gpkg (recommended), "
                                   ".geojson, .fgb or .shp");
    if (single && layers > 1)
        throw UsageError(unit, std::string(option) + " " + path + ": " + ext.substr(1) +
                                   " holds one layer per file and this command writes " + std::to_string(layers) +
                                   " layers; use .gpkg (GeoPackage), which holds them all in one file");
}

void check_output_extension(const std::string& path, const std::vector<std::string>& extensions,
                            const std::string& what, const char* unit, const char* option) {
    const std::string ext = lower_extension(path);
    for (const auto& e : extensions)
        if (ext == e) return;
    std::string list;
    for (const auto& e : extensions) list += (list.empty() ? "" : " or ") + e;
    throw UsageError(unit, std::string(option) + " " + path + ": the output is " + what +
                               "; give a name ending in " + list);
}

void check_raster_output(const std::string& path, const char* unit, const char* option) {
    check_output_extension(path, {".tif", ".tiff"}, "a GeoTIFF", unit, option);
}

std::vector<std::string> vector_output_files(const std::string& path) {
    if (lower_extension(path) != ".shp") return {path};
    std::vector<std::string> out{path};
    for (const char* e : {".shx", ".dbf", ".prj", ".cpg", ".qix"})
        out.push_back(fs::path(path).replace_extension(e).string());
    return out;
}

bool process_alive(long pid) {
    if (pid <= 0) return false;
    return ::kill(pid_t(pid), 0) == 0 || errno == EPERM;
}

std::size_t sweep_dead_temporaries(const std::string& final_path) {
    const fs::path p(final_path);
    const fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
    // The writers' temporary prefixes: vector_out/write_text_atomic and raster_out.
    const std::string partial = "." + p.stem().string() + ".partial-";
    const std::string raster = "." + p.filename().string() + ".tmp";
    std::error_code ec;
    std::size_t removed = 0;
    std::vector<fs::path> dead;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        long pid = -1;
        if (name.rfind(partial, 0) == 0) pid = pid_after(name, partial);
        else if (name.rfind(raster, 0) == 0) pid = pid_after(name, raster);
        if (pid > 0 && pid != long(getpid()) && !process_alive(pid)) dead.push_back(it->path());
    }
    for (const auto& d : dead) removed += fs::remove(d, ec) ? 1 : 0;
    return removed;
}

void register_temporary(const std::string& path) {
    std::lock_guard<std::mutex> lock(registry_mutex());
    registry().insert(path);
}

void release_temporary(const std::string& path) {
    std::lock_guard<std::mutex> lock(registry_mutex());
    registry().erase(path);
}

void remove_registered_temporaries() noexcept {
    try {
        std::lock_guard<std::mutex> lock(registry_mutex());
        const std::string pid = std::to_string(getpid());
        for (const auto& p : registry()) {
            std::error_code ec;
            const bool file = !fs::is_directory(p, ec);
            if (!file) {
                // A folder (a run's staging folder) may still be written to by the engine's
                // threads: take it away from under them first, under a name the next run's
                // sweep also knows, then empty it (retrying while a late file appears).
                const std::string away = p + ".cancelled";
                if (::rename(p.c_str(), away.c_str()) == 0) {
                    for (int i = 0; i < 5 && fs::exists(away, ec); ++i) {
                        fs::remove_all(away, ec);
                        if (fs::exists(away, ec)) ::usleep(50000);
                    }
                    continue;
                }
            }
            fs::remove_all(p, ec);
            // A file's companions under the same PID-stamped name: SQLite's -journal/-wal/-shm,
            // a Shapefile's .shx/.dbf/.prj.
            const std::string prefix = fs::path(p).stem().string() + ".";
            if (!file || prefix.find(pid) == std::string::npos) continue;
            const fs::path dir = fs::path(p).parent_path().empty() ? fs::path(".") : fs::path(p).parent_path();
            std::vector<fs::path> companions;
            for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
                if (it->path().filename().string().rfind(prefix, 0) == 0) companions.push_back(it->path());
            for (const auto& c : companions) fs::remove(c, ec);
        }
        registry().clear();
    } catch (...) {
    }
}

} // namespace hotspot
