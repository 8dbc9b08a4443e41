//! Small helpers for files the tool writes.

use std::path::Path;

/// Gives a file or directory made by `tempfile` (owner-only, 0600 or 0700) the permissions a
/// newly created one would have: readable by all, 0644 or 0755.
pub fn make_readable(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if path.is_dir() { 0o755 } else { 0o644 };
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
