#include "hotspot/staged_folder.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <set>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>
#include <vector>

#include "hotspot/error.hpp"
#include "hotspot/output_safety.hpp"

namespace fs = std::filesystem;

namespace hotspot {

namespace {

// renameat2(2) with a flag; errno EINVAL/ENOSYS where the file system cannot do it.
int rename_with(const fs::path& from, const fs::path& to, unsigned flags) {
    return ::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), flags);
}

std::string pid_in(const std::string& lock_path) {
    std::FILE* f = std::fopen(lock_path.c_str(), "rb");
    if (!f) return "?";
    char buf[32] = {};
    const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    std::string s(buf, n);
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s.empty() ? "?" : s;
}

} // namespace

StagedFolder::StagedFolder(const std::string& final_dir, bool overwrite, const char* unit)
    : m_final(final_dir), m_unit(unit), m_overwrite(overwrite) {
    fs::path fin = fs::path(final_dir).lexically_normal();
    if (fin.filename().empty()) fin = fin.parent_path();  // "out/" -> "out"
    std::error_code link_ec;
    if (fs::is_symlink(fin, link_ec)) fin = fs::canonical(fin, link_ec);  // replace the folder, not the link
    const std::string name = fin.filename().string();
    if (name.empty() || name == "." || name == ".." || fin == fin.root_path())
        throw UsageError(unit, "the output folder '" + final_dir +
                                   "' cannot be replaced as a whole; give a named folder, e.g. --out out/run");
    const fs::path parent = fin.parent_path().empty() ? fs::path(".") : fin.parent_path();
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (!fs::is_directory(parent))
        throw OutputError(unit, final_dir, "cannot create its parent folder " + parent.string() +
                                               (ec ? ": " + ec.message() : std::string()));
    if (fs::exists(fin, ec) && !fs::is_directory(fin, ec))
        throw OutputError(unit, final_dir, "exists and is not a folder; choose another output folder");

    // ---- the lock: one run per output folder
    m_lock_path = (parent / ("." + name + ".hotspot-lock")).string();
    for (int attempt = 0;; ++attempt) {
        const int fd = ::open(m_lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            throw OutputError(unit, final_dir, "cannot create the lock file " + m_lock_path + ": " +
                                                   std::strerror(errno) + "; check the folder is writable");
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            ::close(fd);
            throw OutputError(unit, final_dir, "another hotspot run (PID " + pid_in(m_lock_path) +
                                                   ") is writing this folder now; wait for it to finish, or "
                                                   "choose another output folder");
        }
        // A run that finished removes its lock file while holding it; ours must be the file
        // still under the name, or the lock protects nothing.
        struct stat held {}, named {};
        if (::fstat(fd, &held) == 0 && ::stat(m_lock_path.c_str(), &named) == 0 && held.st_ino == named.st_ino &&
            held.st_dev == named.st_dev) {
            m_lock_fd = fd;
            break;
        }
        ::close(fd);
        if (attempt > 100) throw OutputError(unit, final_dir, "cannot take the lock " + m_lock_path);
    }
    register_temporary(m_lock_path);  // a cancel that cannot unwind removes it too
    const std::string pid = std::to_string(getpid()) + "\n";
    if (::ftruncate(m_lock_fd, 0) != 0 || ::pwrite(m_lock_fd, pid.data(), pid.size(), 0) != ssize_t(pid.size())) {
        // the PID is only for the message of a second run; the lock itself holds
    }

    // ---- under the lock, every staging folder of this output is a dead run's: sweep them
    const std::string tmp_prefix = "." + name + ".hotspot-tmp-", old_prefix = "." + name + ".hotspot-old-";
    std::vector<fs::path> stale;
    for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string n = it->path().filename().string();
        if (n.rfind(tmp_prefix, 0) == 0 || n.rfind(old_prefix, 0) == 0) stale.push_back(it->path());
    }
    for (const auto& s : stale) fs::remove_all(s, ec);

    // ---- refuse an existing pack before any work
    if (!overwrite && fs::is_directory(fin, ec))
        for (const char* f : {"manifest.json", "hotspot_run.gpkg"})
            if (fs::exists(fin / f, ec)) {
                release_temporary(m_lock_path);
                ::unlink(m_lock_path.c_str());
                ::close(m_lock_fd);
                m_lock_fd = -1;
                throw OutputError(unit, final_dir, "already holds a run pack (" + std::string(f) +
                                                       "); use --overwrite to replace it, or choose another folder");
            }

    m_final = fin.string();
    m_staging = (parent / (tmp_prefix + std::to_string(getpid()))).string();
    fs::create_directory(m_staging, ec);
    if (ec) {
        const std::string why = ec.message();
        release_temporary(m_lock_path);
        ::unlink(m_lock_path.c_str());
        ::close(m_lock_fd);
        m_lock_fd = -1;
        throw OutputError(unit, final_dir, "cannot create the staging folder " + m_staging + ": " + why);
    }
    register_temporary(m_staging);
}

StagedFolder::~StagedFolder() {
    std::error_code ec;
    if (!m_committed && !m_staging.empty()) fs::remove_all(m_staging, ec);
    if (!m_staging.empty()) release_temporary(m_staging);
    if (m_lock_fd >= 0) {
        release_temporary(m_lock_path);
        ::unlink(m_lock_path.c_str());  // while still holding it: see the inode check above
        ::close(m_lock_fd);
    }
}

void StagedFolder::commit() {
    const fs::path fin(m_final), stage(m_staging);
    std::error_code ec;
    if (!fs::exists(fin, ec)) {
        if (rename_with(stage, fin, RENAME_NOREPLACE) != 0) {
            const int e = errno;
            if ((e != EINVAL && e != ENOSYS) || ::rename(stage.c_str(), fin.c_str()) != 0)
                throw OutputError(m_unit, m_final, std::string("cannot move the finished pack into place: ") +
                                                       std::strerror(e));
        }
        m_committed = true;
        return;
    }
    // The folder exists: keep what is not ours, replace what is (with overwrite only).
    std::set<std::string> ours;
    for (fs::directory_iterator it(stage, ec), end; !ec && it != end; it.increment(ec))
        ours.insert(it->path().filename().string());
    if (ec) throw OutputError(m_unit, m_final, "cannot list the staging folder: " + ec.message());
    std::vector<std::string> theirs;
    for (fs::directory_iterator it(fin, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string n = it->path().filename().string();
        if (!ours.count(n)) theirs.push_back(n);
        else if (!m_overwrite)
            throw OutputError(m_unit, (fin / n).string(), "already exists; use --overwrite to replace it, or choose "
                                                          "another folder");
    }
    if (ec) throw OutputError(m_unit, m_final, "cannot list the folder: " + ec.message());
    std::vector<std::string> moved;
    auto move_back = [&] {
        for (const auto& n : moved) fs::rename(stage / n, fin / n, ec);
    };
    for (const auto& n : theirs) {
        if (rename_with(fin / n, stage / n, RENAME_NOREPLACE) != 0 && ::rename((fin / n).c_str(), (stage / n).c_str()) != 0) {
            const std::string why = std::strerror(errno);
            move_back();
            throw OutputError(m_unit, (fin / n).string(), "cannot keep this file in the new pack: " + why);
        }
        moved.push_back(n);
    }
    if (rename_with(stage, fin, RENAME_EXCHANGE) == 0) {
        // `stage` now holds the old pack
        fs::remove_all(stage, ec);
        m_committed = true;
        return;
    }
    // No atomic exchange on this file system: the old folder goes aside for a moment.
    const fs::path old = fin.parent_path() / ("." + fin.filename().string() + ".hotspot-old-" + std::to_string(getpid()));
    if (::rename(fin.c_str(), old.c_str()) != 0) {
        const std::string why = std::strerror(errno);
        move_back();
        throw OutputError(m_unit, m_final, "cannot move the old pack aside: " + why);
    }
    if (::rename(stage.c_str(), fin.c_str()) != 0) {
        const std::string why = std::strerror(errno);
        fs::rename(old, fin, ec);
        move_back();
        throw OutputError(m_unit, m_final, "cannot move the finished pack into place: " + why);
    }
    fs::remove_all(old, ec);
    m_committed = true;
}

} // namespace hotspot
