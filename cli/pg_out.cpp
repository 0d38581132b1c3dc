#include "pg_out.hpp"

#include <algorithm>
#include <iostream>
#include <stdlib.h>

#include "command.hpp"
#include "signals.hpp"
#include "terminal.hpp"
#include "hotspot/error.hpp"

namespace fs = std::filesystem;

namespace hotspot::cli {

PgOut::PgOut(std::vector<std::string>& args) {
    std::string command;
    for (const auto& a : args)
        for (const auto& c : commands())
            if (command.empty() && a == c.name) command = a;
    m_overwrite = std::find(args.begin(), args.end(), "--overwrite") != args.end();
    for (std::size_t i = 1; i < args.size(); ++i) {
        std::string* value = nullptr;
        std::string prefix;
        if (args[i] == "--out" && i + 1 < args.size()) {
            value = &args[i + 1];
        } else if (args[i].rfind("--out=", 0) == 0) {
            value = &args[i];
            prefix = "--out=";
        }
        if (!value || !is_pg_target(value->substr(prefix.size()))) continue;
        m_target = parse_pg_target(value->substr(prefix.size()));
        std::string tmpl = (fs::temp_directory_path() / "hotspot-pg-out.XXXXXX").string();
        if (!mkdtemp(tmpl.data()))
            throw OutputError("postgis", tmpl, "cannot create the temporary folder the layers are written to first");
        m_tmp = tmpl;
        // run and evaluate write a folder; the other commands one GeoPackage.
        const bool folder = command == "run" || command == "evaluate";
        *value = prefix + (m_tmp / (folder ? std::string("out") : (command.empty() ? "out" : command) + ".gpkg")).string();
        return;
    }
}

PgOut::~PgOut() {
    std::error_code ec;
    if (!m_tmp.empty()) fs::remove_all(m_tmp, ec);
}

int PgOut::publish(const GlobalOptions& global) const {
    if (!m_target) return 0;
    std::vector<std::string> files;
    std::vector<std::string> left_out;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(m_tmp, ec); it != fs::recursive_directory_iterator(); ++it) {
        if (!it->is_regular_file()) continue;
        const auto& p = it->path();
        if (p.extension() == ".gpkg")
            files.push_back(p.string());
        else
            left_out.push_back(fs::relative(p, m_tmp).string());
    }
    std::sort(files.begin(), files.end());
    std::sort(left_out.begin(), left_out.end());
    if (cancel_requested()) throw Cancelled("postgis");
    Terminal term(global.verbose, global.quiet, global.progress_json);
    const auto tables = copy_layers_to_postgis(files, *m_target, m_overwrite, term.progress());
    if (!global.quiet) {
        std::cerr << "postgis: " << tables.size() << " tables written to schema "
                  << pg_quote_identifier(m_target->schema) << " in one transaction\n";
        if (!left_out.empty()) {
            std::cerr << "postgis: not stored in the database (write to a folder to keep them):";
            for (const auto& f : left_out) std::cerr << " " << f;
            std::cerr << "\n";
        }
    }
    return 0;
}

} // namespace hotspot::cli
