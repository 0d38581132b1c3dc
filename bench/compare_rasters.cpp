// compare_rasters: agreement of two single-band rasters on the same grid (bench/run).
//   compare_rasters A.tif B.tif
// Prints "cells=N peak=P max_abs_diff=D rel_to_peak=D/P"; exits 3 when the grids differ
// (size, or origin/cell by more than 1e-6 m). Cells that are nodata in either are skipped.
#include <gdal.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace {
bool read(const char* path, std::vector<double>& v, int& w, int& h, double gt[6], double& nodata,
          int& has_nodata) {
    GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
    if (!ds) return false;
    w = GDALGetRasterXSize(ds);
    h = GDALGetRasterYSize(ds);
    GDALGetGeoTransform(ds, gt);
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    nodata = GDALGetRasterNoDataValue(b, &has_nodata);
    v.resize(std::size_t(w) * std::size_t(h));
    const CPLErr e = GDALRasterIO(b, GF_Read, 0, 0, w, h, v.data(), w, h, GDT_Float64, 0, 0);
    GDALClose(ds);
    return e == CE_None;
}
} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: compare_rasters A B\n");
        return 2;
    }
    GDALAllRegister();
    std::vector<double> a, b;
    int wa, ha, wb, hb, na, nb;
    double ga[6], gb[6], nda, ndb;
    if (!read(argv[1], a, wa, ha, ga, nda, na) || !read(argv[2], b, wb, hb, gb, ndb, nb)) {
        std::fprintf(stderr, "compare_rasters: cannot read %s or %s\n", argv[1], argv[2]);
        return 1;
    }
    if (wa != wb || ha != hb || std::abs(ga[0] - gb[0]) > 1e-6 || std::abs(ga[3] - gb[3]) > 1e-6 ||
        std::abs(ga[1] - gb[1]) > 1e-9) {
        std::printf("grids differ: %dx%d origin (%.3f, %.3f) cell %g vs %dx%d origin (%.3f, %.3f) "
                    "cell %g\n", wa, ha, ga[0], ga[3], ga[1], wb, hb, gb[0], gb[3], gb[1]);
        return 3;
    }
    double peak = 0, diff = 0;
    std::size_t cells = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if ((na && a[i] == nda) || (nb && b[i] == ndb) || std::isnan(a[i]) || std::isnan(b[i]))
            continue;
        ++cells;
        peak = std::max(peak, std::abs(a[i]));
        diff = std::max(diff, std::abs(a[i] - b[i]));
    }
    std::printf("cells=%zu peak=%.6g max_abs_diff=%.6g rel_to_peak=%.3g\n", cells, peak, diff,
                peak > 0 ? diff / peak : 0.0);
    return 0;
}
