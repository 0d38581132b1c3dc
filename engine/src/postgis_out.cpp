// Copying GeoPackage layers into a PostGIS schema in one transaction (postgis_out.hpp).
// GDAL's PostgreSQL driver does the type mapping and the COPY; the transaction is ours.

#include "hotspot/postgis_out.hpp"

#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <set>

#include "gdal_env.hpp"
#include "hotspot/error.hpp"

namespace hotspot {
namespace {

constexpr const char* unit = "postgis";

struct DatasetCloser {
    GDALDatasetH ds = nullptr;
    ~DatasetCloser() {
        if (ds) GDALClose(ds);
    }
};

// A string literal (standard_conforming_strings, on since PostgreSQL 9.1: only ' doubles).
std::string pg_literal(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("''") : std::string(1, c);
    return q + "'";
}

} // namespace

bool is_pg_target(const std::string& out) noexcept { return out.rfind("PG:", 0) == 0; }

std::string pg_quote_identifier(const std::string& name) {
    std::string q = "\"";
    for (char c : name) {
        if (c == '"') q += '"';
        q += c;
    }
    return q + "\"";
}

std::string pg_redacted(const std::string& source) {
    if (!is_pg_target(source)) return source;
    std::string out = source;
    for (std::size_t at = out.find("password="); at != std::string::npos; at = out.find("password=", at + 1)) {
        const std::size_t v = at + 9;
        std::size_t end = v;
        if (end < out.size() && out[end] == '\'') {
            for (++end; end < out.size() && out[end] != '\''; ++end)
                if (out[end] == '\\') ++end;
            if (end < out.size()) ++end;
        } else {
            while (end < out.size() && out[end] != ' ' && out[end] != '|') ++end;
        }
        out.replace(v, end - v, "***");
    }
    return out;
}

std::string source_label(const std::string& source) {
    if (is_pg_target(source)) return pg_redacted(source);
    return std::filesystem::path(source).filename().string();
}

PgTarget parse_pg_target(const std::string& out) {
    if (!is_pg_target(out))
        throw UsageError(unit, "'" + out + "' is not a PostGIS target; write PG:\"dbname=... schema=...\"");
    PgTarget t;
    std::string rest;
    std::size_t i = 3;
    while (i < out.size()) {
        // One key=value token; values may be single-quoted with \' and \\ escapes (libpq).
        std::size_t start = i;
        while (i < out.size() && out[i] == ' ') ++i;
        start = i;
        std::string key;
        while (i < out.size() && out[i] != '=' && out[i] != ' ') key += out[i++];
        std::string value;
        bool has_value = i < out.size() && out[i] == '=';
        if (has_value) {
            ++i;
            if (i < out.size() && out[i] == '\'') {
                ++i;
                bool closed = false;
                while (i < out.size()) {
                    if (out[i] == '\\' && i + 1 < out.size()) {
                        value += out[i + 1];
                        i += 2;
                    } else if (out[i] == '\'') {
                        ++i;
                        closed = true;
                        break;
                    } else {
                        value += out[i++];
                    }
                }
                if (!closed) throw UsageError(unit, "unterminated quote in '" + out + "'");
            } else {
                while (i < out.size() && out[i] != ' ') value += out[i++];
            }
        }
        if (key == "schema") {
            t.schema = value;
        } else if (!key.empty()) {
            if (!rest.empty()) rest += ' ';
            rest += out.substr(start, i - start);
        }
    }
    if (t.schema.empty()) t.schema = "public";
    t.connection = "PG:" + rest;
    return t;
}

std::vector<std::string> copy_layers_to_postgis(const std::vector<std::string>& gpkg_files,
                                                const PgTarget& target, bool overwrite, const Progress& progress) {
    detail::ensure_gdal();
    detail::GdalErrorScope errors;
    const std::string where = "schema " + pg_quote_identifier(target.schema);

    // Open every source first and refuse two layers of one name before touching the server.
    std::vector<DatasetCloser> sources(gpkg_files.size());
    std::set<std::string> names;
    for (std::size_t f = 0; f < gpkg_files.size(); ++f) {
        const char* drivers[] = {"GPKG", nullptr};
        sources[f].ds = GDALOpenEx(gpkg_files[f].c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers,
                                   nullptr, nullptr);
        if (!sources[f].ds)
            throw OutputError(unit, gpkg_files[f], "cannot reopen the written layers: " + errors.last_error());
        for (int l = 0; l < GDALDatasetGetLayerCount(sources[f].ds); ++l) {
            const std::string name = OGR_L_GetName(GDALDatasetGetLayer(sources[f].ds, l));
            if (!names.insert(name).second)
                throw OutputError(unit, where, "two outputs hold a layer named '" + name +
                                                   "'; give them distinct names");
        }
    }

    DatasetCloser pg;
    const char* pg_driver[] = {"PostgreSQL", nullptr};
    pg.ds = GDALOpenEx(target.connection.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE, pg_driver, nullptr, nullptr);
    if (!pg.ds)
        throw OutputError(unit, pg_redacted(target.connection),
                          "cannot connect: " + errors.last_error() +
                              "; check host, port, dbname and user (README: PostGIS)");
    if (GDALDatasetStartTransaction(pg.ds, FALSE) != OGRERR_NONE)
        throw OutputError(unit, pg_redacted(target.connection), "cannot start a transaction: " + errors.last_error());

    if (!overwrite) {
        for (const auto& name : names) {
            const std::string exists = "SELECT 1 FROM pg_tables WHERE schemaname = " + pg_literal(target.schema) +
                                       " AND tablename = " + pg_literal(name);
            OGRLayerH r = GDALDatasetExecuteSQL(pg.ds, exists.c_str(), nullptr, nullptr);
            const bool found = r && OGR_L_GetFeatureCount(r, TRUE) > 0;
            if (r) GDALDatasetReleaseResultSet(pg.ds, r);
            if (found) {
                GDALDatasetRollbackTransaction(pg.ds);
                throw OutputError(unit, where + " table " + pg_quote_identifier(name),
                                  "already exists; use --overwrite to replace the schema's tables");
            }
        }
    }
    std::size_t tables_total = 0, tables_done = 0;
    for (const auto& s : sources) tables_total += std::size_t(GDALDatasetGetLayerCount(s.ds));
    bool cancelled = false;
    // Before each table and every 10,000 rows: false (SIGINT/SIGTERM) rolls everything back.
    auto go_on = [&](double within) {
        if (cancelled) return false;
        const double f = tables_total ? (double(tables_done) + within) / double(tables_total) : 1.0;
        cancelled = !progress(f, "postgis");
        return !cancelled;
    };
    std::vector<std::string> written;
    std::string failure;
    std::string failed_table;
    auto failed = [&](const std::string& table, const std::string& what) {
        failed_table = table;
        failure = what + (errors.last_error().empty() ? "" : ": " + errors.last_error());
    };
    const std::string schema_opt = "SCHEMA=" + target.schema;
    CPLErrorReset();
    OGRLayerH sql = GDALDatasetExecuteSQL(
        pg.ds, ("CREATE SCHEMA IF NOT EXISTS " + pg_quote_identifier(target.schema)).c_str(), nullptr, nullptr);
    if (sql) GDALDatasetReleaseResultSet(pg.ds, sql);
    if (CPLGetLastErrorType() >= CE_Failure) failed("", "cannot create the schema");

    for (std::size_t f = 0; f < sources.size() && failure.empty(); ++f) {
        for (int l = 0; l < GDALDatasetGetLayerCount(sources[f].ds) && failure.empty(); ++l) {
            OGRLayerH src = GDALDatasetGetLayer(sources[f].ds, l);
            const std::string name = OGR_L_GetName(src);
            if (!go_on(0)) break;
            OGRFeatureDefnH defn = OGR_L_GetLayerDefn(src);
            const char* options[] = {schema_opt.c_str(), "OVERWRITE=YES", "LAUNDER=NO", "PRECISION=NO",
                                     "GEOMETRY_NAME=geom", "FID=fid", nullptr};
            CPLErrorReset();
            OGRLayerH dst = GDALDatasetCreateLayer(pg.ds, name.c_str(), OGR_L_GetSpatialRef(src),
                                                   OGR_FD_GetGeomType(defn), const_cast<char**>(options));
            if (!dst) {
                failed(name, "cannot create the table");
                break;
            }
            // The layer's abstract: GeoPackage description -> PostgreSQL COMMENT ON TABLE.
            if (const char* d = GDALGetMetadataItem(src, "DESCRIPTION", ""); d && *d)
                GDALSetMetadataItem(dst, "DESCRIPTION", d, "");
            for (int k = 0; k < OGR_FD_GetFieldCount(defn) && failure.empty(); ++k)
                if (OGR_L_CreateField(dst, OGR_FD_GetFieldDefn(defn, k), TRUE) != OGRERR_NONE)
                    failed(name, std::string("cannot create column '") +
                                     OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, k)) + "'");
            OGR_L_ResetReading(src);
            OGRFeatureDefnH dst_defn = OGR_L_GetLayerDefn(dst);
            const double rows = double(std::max<GIntBig>(OGR_L_GetFeatureCount(src, TRUE), 1));
            std::uint64_t row = 0;
            while (failure.empty()) {
                if (++row % 10000 == 0 && !go_on(std::min(double(row) / rows, 1.0))) break;
                OGRFeatureH in = OGR_L_GetNextFeature(src);
                if (!in) break;
                OGRFeatureH outf = OGR_F_Create(dst_defn);
                OGR_F_SetFrom(outf, in, TRUE);
                OGR_F_SetFID(outf, OGR_F_GetFID(in));
                if (OGR_L_CreateFeature(dst, outf) != OGRERR_NONE)
                    failed(name, "cannot write feature " + std::to_string(OGR_F_GetFID(in)));
                OGR_F_Destroy(outf);
                OGR_F_Destroy(in);
            }
            if (failure.empty() && !cancelled && OGR_L_SyncToDisk(dst) != OGRERR_NONE) failed(name, "cannot write the rows");
            if (cancelled) break;
            if (failure.empty()) written.push_back(name);
            ++tables_done;
        }
        if (cancelled) break;
    }
    if (failure.empty() && !cancelled) go_on(0);  // a stop that came during the last table
    if (cancelled) {
        GDALDatasetRollbackTransaction(pg.ds);
        throw Cancelled(unit);
    }
    if (failure.empty() && GDALDatasetCommitTransaction(pg.ds) != OGRERR_NONE)
        failed(written.empty() ? "" : written.back(), "the commit failed");
    if (!failure.empty()) {
        GDALDatasetRollbackTransaction(pg.ds);
        throw OutputError(unit, where + (failed_table.empty() ? "" : " table " + pg_quote_identifier(failed_table)),
                          failure + "; rolled back: every previous table of the schema is unchanged");
    }
    return written;
}

} // namespace hotspot
