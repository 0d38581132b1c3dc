#pragma once
/// @file crs.hpp
/// Coordinate transformation through PROJ, behind an interface with no PROJ types.
/// One operation is chosen for the whole transformation (the first instantiable one PROJ
/// proposes for the two CRSs' area of use, so a grid-based one such as OSTN15 is used when
/// its grid is installed, and a Helmert otherwise) and recorded with its stated accuracy.

#include <memory>
#include <span>
#include <string>

#include "hotspot/geometry.hpp"

namespace hotspot {

class CrsTransform {
public:
    /// @param source_crs, target_crs any PROJ/GDAL CRS string ("EPSG:27700", "EPSG:4326"...)
    ///        with x = longitude/easting, y = latitude/northing whatever the CRS's axis order.
    /// @throws UsageError for an unknown CRS.
    CrsTransform(const std::string& source_crs, const std::string& target_crs);
    ~CrsTransform();
    CrsTransform(const CrsTransform&) = delete;
    CrsTransform& operator=(const CrsTransform&) = delete;

    /// Transforms in place; points that fail become NaN. Uses up to `threads` threads.
    void transform(std::span<double> x, std::span<double> y, unsigned threads = 0) const;

    bool identity() const noexcept;
    /// Name of the operation used ("Inverse of OSGB36 to WGS 84 (6) + British National Grid").
    const std::string& operation_name() const noexcept;
    /// Its stated accuracy in metres (-1 when PROJ states none).
    double accuracy_m() const noexcept;
    /// Whether the source CRS is geographic (degrees).
    bool source_geographic() const noexcept;
    /// The source CRS's area of use in the source CRS's own x/y units (lon/lat for a
    /// geographic CRS). Empty when PROJ knows none.
    const Bounds& source_area_of_use() const noexcept;
    /// A short name of the source CRS ("OSGB36 / British National Grid").
    const std::string& source_name() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// Whether PROJ knows `crs`.
bool crs_is_valid(const std::string& crs);

/// The WKT (WKT2:2019) of a CRS, for writers. @throws UsageError for an unknown CRS.
std::string crs_wkt(const std::string& crs);

} // namespace hotspot
