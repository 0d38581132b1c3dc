// hotspot profiles: lists the built-in offence profiles, prints one as TOML, writes one to a
// file to edit, or prints them all as JSON (for the QGIS plugin).

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "command.hpp"
#include "hotspot/error.hpp"
#include "hotspot/profile.hpp"
#include "terminal.hpp"

namespace hotspot::cli {

namespace {

namespace fs = std::filesystem;

struct ProfilesArgs {
    std::string show;
    std::string write;
    std::string out;
    bool police_uk = false;
    bool overwrite = false;
    bool json = false;
};

const Profile& builtin_or_throw(const std::string& name) {
    if (const Profile* p = find_builtin(name))
        return *p;
    std::string names;
    for (const auto& p : builtin_profiles())
        names += (names.empty() ? "" : ", ") + p.name;
    throw UsageError("profiles", "no built-in profile '" + name + "'; the built-ins are: " + names);
}

// Without --police-uk the whole profile (both variants); with it, the police.uk variant alone.
Profile chosen(const std::string& name, bool police_uk) {
    const Profile& p = builtin_or_throw(name);
    return police_uk ? choose_variant(p, true) : p;
}

std::string listing() {
    std::string s;
    for (const auto& p : builtin_profiles()) {
        s += p.name + "  " + p.title + "\n";
        s += "  " + p.description + "\n";
        s += "  records-system export:\n";
        for (const auto& t : describe_terms(p.filter))
            s += "    " + t + "\n";
        if (p.police_uk_filter) {
            s += std::string("  police.uk") + (p.proxy_note.empty() ? "" : " (proxy)") + ":\n";
            for (const auto& t : describe_terms(*p.police_uk_filter))
                s += "    " + t + "\n";
            if (!p.proxy_note.empty())
                s += "    note: " + p.proxy_note + "\n";
        }
        s += "\n";
    }
    s += "Show one as TOML with `hotspot profiles --show NAME [--police-uk]`; write one to edit "
         "with `hotspot profiles --write NAME --out FILE.toml`.\n";
    return s;
}

nlohmann::json filter_json(const Filter& f) {
    nlohmann::json j;
    j["terms"] = describe_terms(f);
    j["categories"] = f.categories;
    j["offence_codes"] = f.offence_codes;
    j["location_types"] = f.location_types;
    j["fields"] = nlohmann::json::array();
    for (const auto& t : f.fields)
        j["fields"].push_back({{"field", t.field},
                               {"in", t.in},
                               {"not_in", t.not_in},
                               {"matches", t.matches},
                               {"exclude_matches", t.exclude_matches},
                               {"regex", t.regex}});
    j["date_from"] = f.date_from;
    j["date_to"] = f.date_to;
    j["hours"] = f.hours ? nlohmann::json(format_hours_window(*f.hours)) : nlohmann::json();
    j["weekdays"] = f.weekdays;
    return j;
}

std::string profiles_json() {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& p : builtin_profiles()) {
        const auto& a = p.analysis;
        all.push_back({
            {"name", p.name},
            {"title", p.title},
            {"description", p.description},
            {"denominator", std::string(denominator_name(p.denominator))},
            {"outputs", p.outputs},
            {"proxy_note", p.proxy_note},
            {"analysis",
             {{"kde_kernel", a.kde_kernel},
              {"bandwidth_m", a.bandwidth_auto.empty()
                                  ? nlohmann::json(a.bandwidth_m)
                                  : nlohmann::json("auto:" + a.bandwidth_auto)},
              {"cell_size_m", a.cell_size_m},
              {"gistar_band_m", a.gistar_band_m},
              {"fdr_q", a.fdr_q}}},
            {"filter", filter_json(p.filter)},
            {"police_uk_filter",
             p.police_uk_filter ? filter_json(*p.police_uk_filter) : nlohmann::json()},
            {"toml", to_toml(p)},
        });
    }
    return all.dump(2) + "\n";
}

// Written under a temporary name and renamed, so a failed run never leaves a half file.
void write_new_file(const fs::path& path, const std::string& text, bool overwrite) {
    if (!overwrite && fs::exists(path))
        throw OutputError("profiles", path.string(), "exists; use --overwrite to replace it");
    const fs::path tmp = path.string() + ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (!f)
            throw OutputError("profiles", path.string(), "cannot create file");
        f.write(text.data(), std::streamsize(text.size()));
        f.close();
        if (!f) {
            std::error_code ec;
            fs::remove(tmp, ec);
            throw OutputError("profiles", path.string(), "write failed (disk full?)");
        }
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) {
        fs::remove(tmp, ec);
        throw OutputError("profiles", path.string(), "cannot rename into place: " + ec.message());
    }
}

int run_profiles(const ProfilesArgs& args, const GlobalOptions& global) {
    Terminal term(global.verbose, global.quiet, global.progress_json);
    if (!args.out.empty() && args.write.empty())
        throw UsageError("profiles", "--out needs --write NAME (the profile to write)");
    if (!args.write.empty() && args.out.empty())
        throw UsageError("profiles", "--write needs --out FILE.toml (where to write it)");
    if (args.police_uk && args.show.empty() && args.write.empty())
        throw UsageError("profiles", "--police-uk applies to --show or --write");
    if (args.json) {
        term.print(profiles_json());
    } else if (!args.show.empty()) {
        term.print(to_toml(chosen(args.show, args.police_uk)));
    } else if (!args.write.empty()) {
        const Profile p = chosen(args.write, args.police_uk);
        write_new_file(args.out, to_toml(p), args.overwrite);
        term.print("profiles: wrote '" + p.name + "'" +
                   (args.police_uk ? " (police.uk variant)" : "") + " to " + args.out +
                   "; edit it to change what a run selects\n");
    } else {
        term.print(listing());
    }
    return 0;
}

} // namespace

Command profiles_command() {
    return {"profiles",
            "List the offence profiles; show one as TOML, or write one to a file to edit",
            [](CLI::App& sub, const GlobalOptions& global) -> RunFn {
                auto args = std::make_shared<ProfilesArgs>();
                auto* show = sub.add_option("--show", args->show, "Print the profile NAME as TOML");
                auto* write = sub.add_option("--write", args->write,
                                             "Write the profile NAME as TOML to --out");
                sub.add_option("--out", args->out, "File to write (with --write)");
                sub.add_flag("--police-uk", args->police_uk,
                             "With --show/--write: only the police.uk (proxy) variant");
                sub.add_flag("--overwrite", args->overwrite, "Replace an existing --out file");
                auto* json = sub.add_flag("--json", args->json,
                                          "Print every profile as JSON (for the QGIS plugin)");
                show->excludes(write)->excludes(json);
                write->excludes(json);
                return [args, &global] { return run_profiles(*args, global); };
            }};
}

} // namespace hotspot::cli
