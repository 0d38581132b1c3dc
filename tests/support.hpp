#pragma once
// Shared test helpers: paths, running the CLI, the shared data folder.

#include <filesystem>
#include <functional>
#include <map>
#include <ogr_api.h>
#include <string>
#include <vector>

namespace hotspot::test {

/// The repository root.
std::filesystem::path source_dir();
/// The path of file `name` of the committed demo town (shapes/demo/NAME).
std::string demo_file(const std::string& name);
/// `text` in single quotes, for a command line run_cli hands to the shell (paths have no quote).
std::string quoted(const std::filesystem::path& text);
/// ../shared/data beside the checkout, or an empty path when it is absent.
std::filesystem::path shared_data();
/// A fresh empty directory under the build tree for one test.
std::filesystem::path fresh_dir(const std::string& name);
/// Writes `text` to `path` (creating parents).
void write_file(const std::filesystem::path& path, const std::string& text);
std::string read_file(const std::filesystem::path& path);

struct CliResult {
    int exit_code;
    std::string out;
    std::string err;
};
/// Runs the hotspot binary with `args` (a shell-quoted string), capturing stdout and stderr.
CliResult run_cli(const std::string& args);

/// A vector layer read back with OGR: a header row of field names, then per feature its FID,
/// every field as text ("<null>" when unset) and its geometry as ISO WKT (full precision).
using Layer = std::vector<std::vector<std::string>>;
/// Every layer of a vector dataset (GeoPackage), by name. REQUIREs that it opens.
std::map<std::string, Layer> read_all_layers(const std::filesystem::path& path);

/// The index of a field of the layer being read by name (-1 when it has none).
using FieldIndex = std::function<int(const char*)>;
/// Calls `row` for every feature of layer `layer` of the vector dataset at `path`, read with OGR
/// (independent of the engine's writers). REQUIREs that the dataset opens and has the layer.
void for_each_feature(const std::filesystem::path& path, const std::string& layer,
                      const std::function<void(OGRFeatureH, const FieldIndex&)>& row);

/// Band 1 of a raster read with GDAL as float, row by row from the top; gt = its geotransform.
struct Band1 {
    std::vector<float> v;
    int cols = 0, rows = 0;
    double gt[6] = {};
};
/// REQUIREs that the raster opens and reads.
Band1 read_band1(const std::filesystem::path& path);

} // namespace hotspot::test

/// Skips the rest of a test (reported as a warning) when ../shared/data is absent.
#define HOTSPOT_REQUIRE_SHARED_DATA()                                                         \
    do {                                                                                       \
        if (hotspot::test::shared_data().empty()) {                                            \
            WARN("skipped: shared data not found (../shared/data)");                           \
            return;                                                                            \
        }                                                                                      \
    } while (0)
