#include "gpkg_rtree.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <sqlite3.h>
#include <stdexcept>

namespace hotspot::detail {

namespace {

// SQLite's R-tree of 4 coordinates stores 32-bit floats in nodes of 4 + 24 * 51 bytes (its
// RTREE_MAXCELLS): 2 bytes depth (root only), 2 bytes cell count, then 51 cells of an 8-byte
// rowid and 4 floats (minx, maxx, miny, maxy), all big-endian.
constexpr int max_cells = 51;
constexpr int cell_bytes = 8 + 4 * 4;
constexpr int node_bytes = 4 + cell_bytes * max_cells;

// rtreeValueDown / rtreeValueUp of rtree.c: the float box always contains the double one.
float down(double d) {
    float f = float(d);
    if (double(f) > d) f = float(d * (d < 0 ? 1.0 + 1.0 / 8388608.0 : 1.0 - 1.0 / 8388608.0));
    return f;
}
float up(double d) {
    float f = float(d);
    if (double(f) < d) f = float(d * (d < 0 ? 1.0 - 1.0 / 8388608.0 : 1.0 + 1.0 / 8388608.0));
    return f;
}

using Entry = RtreeEntry;  // fid: the rowid (leaf) or node number (internal)
double cx(const Entry& e) { return (double(e.box[0]) + e.box[1]) / 2; }
double cy(const Entry& e) { return (double(e.box[2]) + e.box[3]) / 2; }

void put_u16(unsigned char* p, unsigned v) {
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}
void put_u32(unsigned char* p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = (unsigned char)(v >> (24 - 8 * i));
}
void put_i64(unsigned char* p, std::int64_t v) {
    const auto u = std::uint64_t(v);
    for (int i = 0; i < 8; ++i) p[i] = (unsigned char)(u >> (56 - 8 * i));
}

// STR: sort by x centre, cut into ceil(sqrt(nodes)) vertical slices, sort each by y centre,
// cut into nodes of max_cells. Ties break on the id, so the tree is the same on every run.
std::vector<std::vector<Entry>> pack(std::vector<Entry> e) {
    const std::size_t nodes = (e.size() + max_cells - 1) / max_cells;
    const auto slices = std::size_t(std::ceil(std::sqrt(double(nodes))));
    const std::size_t per_slice = slices * max_cells;
    std::sort(e.begin(), e.end(), [](const Entry& a, const Entry& b) {
        return cx(a) != cx(b) ? cx(a) < cx(b) : a.fid < b.fid;
    });
    std::vector<std::vector<Entry>> out;
    for (std::size_t s = 0; s < e.size(); s += per_slice) {
        const auto end = e.begin() + std::ptrdiff_t(std::min(e.size(), s + per_slice));
        std::sort(e.begin() + std::ptrdiff_t(s), end, [](const Entry& a, const Entry& b) {
            return cy(a) != cy(b) ? cy(a) < cy(b) : a.fid < b.fid;
        });
        for (auto it = e.begin() + std::ptrdiff_t(s); it < end; it += std::min<std::ptrdiff_t>(max_cells, end - it))
            out.emplace_back(it, it + std::min<std::ptrdiff_t>(max_cells, end - it));
    }
    return out;
}

struct Db {
    sqlite3* db = nullptr;
    std::string path;
    ~Db() {
        if (db) sqlite3_close(db);
    }
    [[noreturn]] void fail(const std::string& what) const {
        throw std::runtime_error(what + ": " + (db ? sqlite3_errmsg(db) : "cannot open"));
    }
    void exec(const std::string& sql) const {
        if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) fail("spatial index");
    }
};

struct Stmt {
    sqlite3_stmt* s = nullptr;
    const Db& db;
    Stmt(const Db& d, const std::string& sql) : db(d) {
        if (sqlite3_prepare_v2(d.db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) d.fail("spatial index");
    }
    ~Stmt() { sqlite3_finalize(s); }
    void run() {
        if (sqlite3_step(s) != SQLITE_DONE) db.fail("spatial index");
        sqlite3_reset(s);
    }
};

std::string ident(const std::string& s) {  // "name" with embedded quotes doubled
    std::string r = "\"";
    for (char c : s) r += c == '"' ? std::string("\"\"") : std::string(1, c);
    return r + "\"";
}
std::string literal(const std::string& s) {
    std::string r = "'";
    for (char c : s) r += c == '\'' ? std::string("''") : std::string(1, c);
    return r + "'";
}

} // namespace

RtreeEntry rtree_entry(std::int64_t fid, double minx, double maxx, double miny, double maxy) noexcept {
    return {fid, {down(minx), up(maxx), down(miny), up(maxy)}};
}

namespace {

void write_one(const Db& d, const std::string& table, const std::string& geom_column, std::vector<RtreeEntry> entries) {
    const std::string rt = "rtree_" + table + "_" + geom_column, t = ident(table), g = ident(geom_column);
    d.exec("CREATE VIRTUAL TABLE " + ident(rt) + " USING rtree(id, minx, maxx, miny, maxy)");
    if (!entries.empty()) {
        // Levels from the leaves up; each level's nodes become the next level's entries.
        std::vector<Entry> level = std::move(entries);
        std::vector<std::vector<std::vector<Entry>>> levels;
        for (;;) {
            levels.push_back(level.size() <= max_cells ? std::vector<std::vector<Entry>>{level} : pack(std::move(level)));
            if (levels.back().size() == 1) break;
            level.clear();
            for (std::size_t n = 0; n < levels.back().size(); ++n) {
                const auto& node = levels.back()[n];
                Entry e{std::int64_t(n), {node[0].box}};  // its index in the level below
                for (const auto& c : node) {
                    e.box[0] = std::min(e.box[0], c.box[0]);
                    e.box[1] = std::max(e.box[1], c.box[1]);
                    e.box[2] = std::min(e.box[2], c.box[2]);
                    e.box[3] = std::max(e.box[3], c.box[3]);
                }
                level.push_back(e);
            }
        }
        // Node numbers: the root is 1; the others from 2, top level first.
        std::vector<std::vector<std::int64_t>> numbers(levels.size());
        std::int64_t next = 1;
        for (std::size_t l = levels.size(); l-- > 0;)
            for (std::size_t i = 0; i < levels[l].size(); ++i) numbers[l].push_back(next++);
        d.exec("DELETE FROM " + ident(rt + "_node"));
        Stmt node(d, "INSERT INTO " + ident(rt + "_node") + "(nodeno, data) VALUES (?, ?)");
        Stmt rowid(d, "INSERT INTO " + ident(rt + "_rowid") + "(rowid, nodeno) VALUES (?, ?)");
        Stmt parent(d, "INSERT INTO " + ident(rt + "_parent") + "(nodeno, parentnode) VALUES (?, ?)");
        std::vector<unsigned char> blob(node_bytes);
        for (std::size_t l = 0; l < levels.size(); ++l) {
            for (std::size_t i = 0; i < levels[l].size(); ++i) {
                const auto& cells = levels[l][i];
                std::fill(blob.begin(), blob.end(), 0);
                if (l + 1 == levels.size()) put_u16(blob.data(), unsigned(levels.size() - 1));  // depth
                put_u16(blob.data() + 2, unsigned(cells.size()));
                for (std::size_t c = 0; c < cells.size(); ++c) {
                    unsigned char* p = blob.data() + 4 + c * cell_bytes;
                    // internal cells point at the node numbers of the level below, in order
                    const std::int64_t id = l == 0 ? cells[c].fid : numbers[l - 1][std::size_t(cells[c].fid)];
                    put_i64(p, id);
                    for (int k = 0; k < 4; ++k) {
                        std::uint32_t bits;
                        std::memcpy(&bits, &cells[c].box[std::size_t(k)], 4);
                        put_u32(p + 8 + 4 * k, bits);
                    }
                    Stmt& s = l == 0 ? rowid : parent;
                    sqlite3_bind_int64(s.s, 1, id);
                    sqlite3_bind_int64(s.s, 2, numbers[l][i]);
                    s.run();
                }
                sqlite3_bind_int64(node.s, 1, numbers[l][i]);
                sqlite3_bind_blob(node.s, 2, blob.data(), node_bytes, SQLITE_STATIC);
                node.run();
            }
        }
    }
    // The triggers and extension row GDAL 3.6 writes, so edits in QGIS keep the index right.
    const std::string ins = "INSERT OR REPLACE INTO " + ident(rt) + " VALUES (NEW.\"fid\",ST_MinX(NEW." + g +
                            "), ST_MaxX(NEW." + g + "),ST_MinY(NEW." + g + "), ST_MaxY(NEW." + g + "))";
    const std::string on = " ON " + t + " ";
    d.exec("CREATE TRIGGER " + ident(rt + "_insert") + " AFTER INSERT" + on + "WHEN (new." + g +
           " NOT NULL AND NOT ST_IsEmpty(NEW." + g + ")) BEGIN " + ins + "; END");
    d.exec("CREATE TRIGGER " + ident(rt + "_update1") + " AFTER UPDATE OF " + g + on + "WHEN OLD.\"fid\" = NEW.\"fid\" AND (NEW." +
           g + " NOTNULL AND NOT ST_IsEmpty(NEW." + g + ")) BEGIN " + ins + "; END");
    d.exec("CREATE TRIGGER " + ident(rt + "_update2") + " AFTER UPDATE OF " + g + on + "WHEN OLD.\"fid\" = NEW.\"fid\" AND (NEW." +
           g + " ISNULL OR ST_IsEmpty(NEW." + g + ")) BEGIN DELETE FROM " + ident(rt) + " WHERE id = OLD.\"fid\"; END");
    d.exec("CREATE TRIGGER " + ident(rt + "_update3") + " AFTER UPDATE" + on + "WHEN OLD.\"fid\" != NEW.\"fid\" AND (NEW." + g +
           " NOTNULL AND NOT ST_IsEmpty(NEW." + g + ")) BEGIN DELETE FROM " + ident(rt) + " WHERE id = OLD.\"fid\"; " + ins + "; END");
    d.exec("CREATE TRIGGER " + ident(rt + "_update4") + " AFTER UPDATE" + on + "WHEN OLD.\"fid\" != NEW.\"fid\" AND (NEW." + g +
           " ISNULL OR ST_IsEmpty(NEW." + g + ")) BEGIN DELETE FROM " + ident(rt) + " WHERE id IN (OLD.\"fid\", NEW.\"fid\"); END");
    d.exec("CREATE TRIGGER " + ident(rt + "_delete") + " AFTER DELETE" + on + "WHEN old." + g + " NOT NULL BEGIN DELETE FROM " +
           ident(rt) + " WHERE id = OLD.\"fid\"; END");
    d.exec("CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, "
           "definition TEXT NOT NULL, scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))");
    d.exec("INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) VALUES (" + literal(table) +
           ", " + literal(geom_column) + ", 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')");
}

} // namespace

void write_gpkg_rtrees(const std::string& path, std::vector<LayerRtree> layers) {
    if (layers.empty()) return;
    Db d;
    d.path = path;
    const auto in_layer = [&](const std::string& table, auto&& f) {
        try {
            f();
        } catch (const std::runtime_error& e) {
            throw RtreeWriteError(table, e.what());
        }
    };
    in_layer(layers.front().table, [&] {
        if (sqlite3_open_v2(path.c_str(), &d.db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) d.fail("spatial index");
        d.exec("PRAGMA synchronous=OFF; PRAGMA cache_size=-65536; BEGIN");
    });
    for (auto& l : layers) {
        in_layer(l.table, [&] { write_one(d, l.table, l.geom_column, std::move(l.entries)); });
        l.entries = {};  // its memory back as soon as it is written
    }
    in_layer("", [&] { d.exec("COMMIT"); });  // no one layer's: every index of the call
}

} // namespace hotspot::detail
