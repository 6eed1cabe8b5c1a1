//! A cache of encoded images shared by the documents of one run.
//!
//! An image referenced from many documents is read and encoded once: entries are keyed by the
//! file's canonical path, size and modification time, and a thread that asks for an image another
//! thread is loading waits for that load instead of repeating it. The cache keeps at most a byte
//! budget of images that no document is using; the least recently used go first. Images that
//! documents in flight hold stay alive through their `Arc`s whatever the budget.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

/// Identifies one version of a file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileKey {
    path: PathBuf,
    len: u64,
    modified: Option<SystemTime>,
}

impl FileKey {
    /// Returns the file's size in bytes.
    pub fn size(&self) -> u64 {
        self.len
    }

    /// Returns the key of the file at the canonical `path` as it is now, or `None` when its
    /// metadata cannot be read.
    pub fn of(path: &Path) -> Option<FileKey> {
        let metadata = std::fs::metadata(path).ok()?;
        Some(FileKey {
            path: path.to_path_buf(),
            len: metadata.len(),
            modified: metadata.modified().ok(),
        })
    }
}

struct Entry<V> {
    cell: Arc<OnceLock<V>>,
    /// Bytes counted against the budget once loaded.
    bytes: usize,
    last_used: u64,
}

struct Inner<V> {
    entries: HashMap<FileKey, Entry<V>>,
    bytes: usize,
    clock: u64,
}

/// A byte-bounded, single-flight cache of loaded images.
pub struct ImageCache<V> {
    inner: Mutex<Inner<V>>,
    budget: usize,
}

impl<V: Clone> ImageCache<V> {
    /// Creates a cache that keeps at most `budget` bytes of values (as `size` measures them).
    pub fn new(budget: usize) -> ImageCache<V> {
        ImageCache {
            inner: Mutex::new(Inner {
                entries: HashMap::new(),
                bytes: 0,
                clock: 0,
            }),
            budget,
        }
    }

    /// Returns the value for `key`, calling `load` only if no other call has loaded it or is
    /// loading it; `size` measures a value for the budget.
    pub fn get_or_load(
        &self,
        key: FileKey,
        size: impl Fn(&V) -> usize,
        load: impl FnOnce() -> V,
    ) -> V {
        let cell = {
            let mut inner = self.inner.lock().expect("image cache lock");
            inner.clock += 1;
            let clock = inner.clock;
            let entry = inner.entries.entry(key.clone()).or_insert_with(|| Entry {
                cell: Arc::new(OnceLock::new()),
                bytes: 0,
                last_used: clock,
            });
            entry.last_used = clock;
            entry.cell.clone()
        };

        let mut loaded_here = false;
        let value = cell
            .get_or_init(|| {
                loaded_here = true;
                load()
            })
            .clone();

        if loaded_here {
            let bytes = size(&value);
            let mut inner = self.inner.lock().expect("image cache lock");
            if let Some(entry) = inner.entries.get_mut(&key) {
                entry.bytes = bytes;
                inner.bytes += bytes;
            }
            self.evict(&mut inner, &key);
        }
        value
    }

    /// Drops least recently used entries, never `keep`, until the cache fits its budget.
    fn evict(&self, inner: &mut Inner<V>, keep: &FileKey) {
        while inner.bytes > self.budget {
            let oldest = inner
                .entries
                .iter()
                .filter(|(key, entry)| *key != keep && entry.cell.get().is_some())
                .min_by_key(|(_, entry)| entry.last_used)
                .map(|(key, _)| key.clone());
            let Some(oldest) = oldest else { break };
            if let Some(entry) = inner.entries.remove(&oldest) {
                inner.bytes -= entry.bytes;
            }
        }
    }

    /// Returns the bytes of values the cache holds now.
    pub fn held_bytes(&self) -> usize {
        self.inner.lock().expect("image cache lock").bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn key(dir: &Path, name: &str, content: &[u8]) -> FileKey {
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        FileKey::of(&path).unwrap()
    }

    #[test]
    fn loads_once_per_key() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ImageCache::new(1 << 20);
        let loads = AtomicUsize::new(0);
        let a = key(dir.path(), "a", b"aaaa");
        for _ in 0..3 {
            let value = cache.get_or_load(
                a.clone(),
                |v: &String| v.len(),
                || {
                    loads.fetch_add(1, Ordering::SeqCst);
                    "A".to_string()
                },
            );
            assert_eq!(value, "A");
        }
        assert_eq!(loads.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn changed_file_loads_again() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ImageCache::new(1 << 20);
        let before = key(dir.path(), "a", b"aaaa");
        let after = key(dir.path(), "a", b"aaaaaaaa");
        assert_ne!(before, after);
        let first = cache.get_or_load(before, |v: &String| v.len(), || "old".to_string());
        let second = cache.get_or_load(after, |v: &String| v.len(), || "new".to_string());
        assert_eq!((first.as_str(), second.as_str()), ("old", "new"));
    }

    #[test]
    fn budget_evicts_least_recently_used() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ImageCache::new(10);
        let a = key(dir.path(), "a", b"a");
        let b = key(dir.path(), "b", b"b");
        let c = key(dir.path(), "c", b"c");
        cache.get_or_load(a.clone(), |v: &String| v.len(), || "x".repeat(6));
        cache.get_or_load(b, |v: &String| v.len(), || "y".repeat(6));
        assert_eq!(cache.held_bytes(), 6);
        // `a` was evicted, so it loads again; `c` then evicts `b`.
        let loads = AtomicUsize::new(0);
        cache.get_or_load(
            a,
            |v: &String| v.len(),
            || {
                loads.fetch_add(1, Ordering::SeqCst);
                "x".repeat(6)
            },
        );
        cache.get_or_load(c, |v: &String| v.len(), || "z".repeat(2));
        assert_eq!(loads.load(Ordering::SeqCst), 1);
        assert_eq!(cache.held_bytes(), 8);
    }

    #[test]
    fn concurrent_requests_share_one_load() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Arc::new(ImageCache::new(1 << 20));
        let loads = Arc::new(AtomicUsize::new(0));
        let a = key(dir.path(), "a", b"aaaa");
        std::thread::scope(|scope| {
            for _ in 0..8 {
                let (cache, loads, a) = (cache.clone(), loads.clone(), a.clone());
                scope.spawn(move || {
                    cache.get_or_load(
                        a,
                        |v: &String| v.len(),
                        || {
                            loads.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(std::time::Duration::from_millis(20));
                            "A".to_string()
                        },
                    )
                });
            }
        });
        assert_eq!(loads.load(Ordering::SeqCst), 1);
    }
}
