#include "gdal_env.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <mutex>
#include <ogr_api.h>

namespace hotspot::detail {

void ensure_gdal() {
    static std::once_flag once;
    std::call_once(once, [] {
        GDALAllRegister();
        // Never reach for the network (PROJ grids, remote files): the engine works offline.
        CPLSetConfigOption("PROJ_NETWORK", "OFF");
        CPLSetConfigOption("GDAL_HTTP_TIMEOUT", "1");
        // A GeoPackage written twice from the same data should be the same bytes.
        CPLSetConfigOption("OGR_CURRENT_DATE", "2000-01-01T00:00:00.000Z");
    });
}

static void CPL_STDCALL collect(CPLErr cls, CPLErrorNum, const char* msg) {
    auto* scope = static_cast<GdalErrorScope*>(CPLGetErrorHandlerUserData());
    if (!scope) return;
    if (cls >= CE_Failure)
        scope->m_errors.emplace_back(msg ? msg : "");
    else if (cls == CE_Warning)
        scope->m_warnings.emplace_back(msg ? msg : "");
}

GdalErrorScope::GdalErrorScope() { CPLPushErrorHandlerEx(collect, this); }
GdalErrorScope::~GdalErrorScope() { CPLPopErrorHandler(); }

std::string GdalErrorScope::last_error() const {
    return m_errors.empty() ? std::string() : m_errors.back();
}

} // namespace hotspot::detail
