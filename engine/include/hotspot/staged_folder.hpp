#pragma once
/// @file staged_folder.hpp
/// A folder of outputs (the `hotspot run` pack) written whole or not at all, by one run at a
/// time. Everything is written into a hidden staging folder beside the final one,
/// `.NAME.hotspot-tmp-PID`, which is renamed into place once, at the end (commit). A run that
/// fails, is cancelled or is killed leaves nothing under the final name; a run killed with
/// SIGKILL leaves its staging folder, which the next run into the same folder removes.
///
/// One run at a time: the folder's lock, `.NAME.hotspot-lock` beside it (flock(2), so a killed
/// run's lock is released by the kernel), is held from the constructor to the destructor; a
/// second run into the same folder is refused at once (OutputError, exit 4).

#include <string>

namespace hotspot {

class StagedFolder {
public:
    /// Takes the lock, removes the staging folders of earlier runs that died (under the lock
    /// no live run can own one), refuses a folder that already holds a pack (manifest.json or
    /// hotspot_run.gpkg) unless `overwrite`, and creates the staging folder.
    /// @throws UsageError for a folder name that cannot be replaced (".", "/");
    ///         OutputError when another run holds the lock, the pack exists and !overwrite, or
    ///         the staging folder cannot be created.
    StagedFolder(const std::string& final_dir, bool overwrite, const char* unit = "run");
    /// Removes the staging folder unless committed, then releases and removes the lock file.
    ~StagedFolder();
    StagedFolder(const StagedFolder&) = delete;
    StagedFolder& operator=(const StagedFolder&) = delete;

    /// Where to write (the staging folder).
    const std::string& path() const noexcept { return m_staging; }
    /// The final folder, as given.
    const std::string& final_path() const noexcept { return m_final; }

    /// Moves the staging folder into place with one rename. When the final folder exists, the
    /// files in it that the new pack does not contain are moved into the new folder first (they
    /// are the user's; nothing is lost), the two folders are exchanged atomically
    /// (renameat2 RENAME_EXCHANGE) and the old one is removed. Without `overwrite`, a file of the
    /// new pack that exists in the final folder is an OutputError and nothing is moved.
    /// @throws OutputError when a rename fails (the final folder is then as it was).
    void commit();

private:
    std::string m_final, m_staging, m_lock_path;
    const char* m_unit;
    int m_lock_fd = -1;
    bool m_overwrite = false, m_committed = false;
};

} // namespace hotspot
