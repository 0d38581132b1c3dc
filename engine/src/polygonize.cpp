#include "hotspot/polygonize.hpp"

#include <gdal.h>
#include <gdal_alg.h>
#include <ogr_api.h>

#include "gdal_env.hpp"
#include "hotspot/error.hpp"

namespace hotspot {


std::vector<MultiPolygon> polygonize_labels(const Grid& grid, std::span<const std::int32_t> labels,
                                            std::int32_t max_label) {
    if (labels.size() != std::size_t(grid.size())) throw UsageError("polygonize", "labels and grid differ in size");
    std::vector<MultiPolygon> out(std::size_t(std::max(0, max_label)));
    if (max_label <= 0) return out;
    detail::ensure_gdal();
    detail::GdalErrorScope errors;
    // The MEM raster is a view of the labels (the MEM driver's DATAPOINTER; GDALPolygonize only
    // reads it), not a grid-sized copy GDAL allocates, zeroes and fills.
    GDALDatasetH ds = detail::mem_view(int(grid.cols), int(grid.rows), GDT_Int32, labels.data());
    if (!ds) throw Error("polygonize", "cannot create an in-memory raster: " + errors.last_error());
    auto gt = grid.geotransform();
    GDALSetGeoTransform(ds, gt.data());
    GDALRasterBandH band = GDALGetRasterBand(ds, 1);
    GDALDriverH vmem = GDALGetDriverByName("Memory");
    GDALDatasetH vds = GDALCreate(vmem, "", 0, 0, 0, GDT_Unknown, nullptr);
    OGRLayerH layer = GDALDatasetCreateLayer(vds, "regions", nullptr, wkbPolygon, nullptr);
    OGRFieldDefnH fd = OGR_Fld_Create("label", OFTInteger);
    OGR_L_CreateField(layer, fd, TRUE);
    OGR_Fld_Destroy(fd);
    const char* opts[] = {"8CONNECTED=8", nullptr};
    // The band is its own mask: cells labelled 0 produce no polygon.
    const CPLErr e = GDALPolygonize(band, band, layer, 0, const_cast<char**>(opts), nullptr, nullptr);
    if (e != CE_None) {
        GDALClose(vds);
        GDALClose(ds);
        throw Error("polygonize", "GDAL polygonize failed: " + errors.last_error());
    }
    OGR_L_ResetReading(layer);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(layer)) != nullptr) {
        const int label = OGR_F_GetFieldAsInteger(f, 0);
        if (label >= 1 && label <= max_label)
            if (OGRGeometryH g = OGR_F_GetGeometryRef(f)) detail::collect_polygons(g, out[std::size_t(label - 1)]);
        OGR_F_Destroy(f);
    }
    GDALClose(vds);
    GDALClose(ds);
    return out;
}

} // namespace hotspot
