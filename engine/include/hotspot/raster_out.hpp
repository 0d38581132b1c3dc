#pragma once
/// @file raster_out.hpp
/// Writing surfaces as GeoTIFF: Float32, tiled 256 × 256, DEFLATE with the floating-point
/// predictor (3), internal overviews, Cloud Optimized (GDAL's COG driver when present), the
/// CRS and the Grid's geotransform, and every analysis parameter as a metadata tag. The file
/// is written under a temporary name in the same folder and renamed, so a failed run never
/// leaves a half file. Identical inputs give identical bytes (no timestamps are written).
/// Beside it: a QGIS style `<name>.qml` (heat ramp, classes by share of the study area,
/// heat_classes.hpp; the unshaded class transparent; bilinear resampling) and optionally an
/// RGBA quick-look `<name>.png` in the same classes.

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "hotspot/grid.hpp"
#include "hotspot/heat_classes.hpp"

namespace hotspot {

struct GeoTiffOptions {
    std::string crs = "EPSG:27700";  ///< any CRS PROJ understands ("EPSG:27700", WKT, PROJ string)
    bool overwrite = false;          ///< replace existing outputs; else OutputError
    float nodata = -9999.0f;         ///< written for NaN cells
    /// Metadata tags (name, value), e.g. {"kernel", "quartic"}; written in this order.
    std::vector<std::pair<std::string, std::string>> metadata;
    std::string band_description = "density";
    std::string legend_label;        ///< units text for the QGIS legend ("incidents per km²")
    bool write_qml = true;           ///< write `<name>.qml` beside the GeoTIFF
    bool write_png = false;          ///< write an RGBA quick-look `<name>.png`
    /// The classes of the style and PNG; nullptr: heat_classes() of the values alone (area
    /// shares, no incident floor).
    const HeatClasses* heat = nullptr;
    /// Threads compressing the tiles (GDAL's NUM_THREADS; 0: all cores). The file is the same
    /// bytes whatever the count (GDAL writes the compressed tiles in order).
    unsigned threads = 0;
};

struct RasterWriteResult {
    std::string path;
    std::string qml_path;  ///< empty when not written
    std::string png_path;  ///< empty when not written
    std::string driver;    ///< "COG" or "GTiff"
    std::vector<double> class_breaks;  ///< upper bounds of the style classes
    std::vector<std::string> warnings;
};

/// Writes `values` (row-major, grid.size() cells, NaN = nodata) to `path`.
/// @throws OutputError ("raster: PATH: exists; use --overwrite to replace it", unwritable
///         folder, GDAL failure) and UsageError (size mismatch, unknown CRS).
RasterWriteResult write_geotiff(const std::string& path, const Grid& grid,
                                std::span<const double> values, const GeoTiffOptions& options);

/// A surface written in tiles: a VRT mosaic at `path` (.vrt) over the whole of `grid` (its
/// extent and cell size, whichever tiles are missing: they read as nodata) of the GeoTIFFs
/// `tiles` (disjoint pieces of `grid`, each written by write_geotiff; given as paths under the VRT's folder,
/// which the VRT names relative to itself, so the folder can be moved whole), with `options`'
/// metadata tags and band description, and `<name>.qml` in `*options.heat`'s classes (required).
/// The VRT is written under a temporary name and renamed. GDAL's GDALBuildVRT does the mosaic.
/// @throws OutputError (exists without overwrite, GDAL failure), UsageError (no tiles, no heat).
RasterWriteResult write_vrt_mosaic(const std::string& path, const Grid& grid, const std::vector<std::string>& tiles,
                                   const GeoTiffOptions& options);

/// The QGIS style (QML) of a heat map in `classes`: discrete classes, the unshaded one
/// transparent, labels with units and shares, bilinear resampling. `band_title` is the legend
/// text (the custom property hotspot/legend).
std::string heat_qml(const HeatClasses& classes);

} // namespace hotspot
