//! Small in-process caches of data that is read on every request and written rarely (the org
//! tree, accounts and their sessions).
//!
//! A cache is only ever a copy: the database is the truth. Two rules keep the copy honest:
//! - **Generations.** A writer in this process calls [`Cache::invalidate`], which bumps the
//!   generation and drops every entry. A reader takes a [`Ticket`] *before* it reads the
//!   database and stores what it read under that ticket; a value read before an invalidation
//!   carries the old generation and is never served, so a request racing a logout cannot put
//!   the logged-out session back.
//! - **The directory's epoch.** The caches of the org tree, departments, accounts and the
//!   callers resolved from them follow one epoch besides their own generation: every service
//!   that changes the tree, a department, an account or a credential calls
//!   [`directory_changed`] after its commit, and every such cache drops what it held. (The epoch
//!   is the process's: with several servers in one process, as in the tests, one's change
//!   drops the others' copies too, which costs a read and nothing else.)
//! - **A time to live.** Writes from another process (the command line while a server runs,
//!   a second server on the same PostgreSQL) are not seen here; entries expire after the TTL,
//!   so such a change reaches a running server within that time.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The directory's epoch (see the module's notes).
static DIRECTORY: AtomicU64 = AtomicU64::new(0);

/// Drops every copy of the org tree, departments, accounts and resolved callers in this
/// process: call it after committing a change to any of them.
pub fn directory_changed() {
    DIRECTORY.fetch_add(1, Ordering::AcqRel);
}

/// The generation a reader saw before it went to the database.
#[derive(Clone, Copy, Debug)]
pub struct Ticket(u64);

/// A keyed cache with a generation and a time to live.
pub struct Cache<K, V> {
    ttl: Duration,
    cap: usize,
    generation: AtomicU64,
    /// Whether the directory's epoch counts in the generation.
    follows_directory: bool,
    map: RwLock<HashMap<K, (u64, Instant, V)>>,
}

impl<K: Eq + Hash, V: Clone> Cache<K, V> {
    /// A cache whose entries live `ttl` and which holds at most `cap` of them (it starts over
    /// when full; every entry can be read again).
    pub fn new(ttl: Duration, cap: usize) -> Cache<K, V> {
        Cache {
            ttl,
            cap,
            generation: AtomicU64::new(0),
            follows_directory: false,
            map: RwLock::new(HashMap::new()),
        }
    }

    /// A cache of the directory (the tree, departments, accounts, callers): like [`Cache::new`],
    /// and also dropped by [`directory_changed`].
    pub fn of_directory(ttl: Duration, cap: usize) -> Cache<K, V> {
        Cache {
            follows_directory: true,
            ..Cache::new(ttl, cap)
        }
    }

    /// The generation now: this cache's own, plus the directory's epoch if it follows it (both
    /// only grow, so any bump of either changes the sum).
    fn current(&self) -> u64 {
        let own = self.generation.load(Ordering::Acquire);
        if self.follows_directory {
            own.wrapping_add(DIRECTORY.load(Ordering::Acquire))
        } else {
            own
        }
    }

    /// The value under `key`, if it is fresh and of the current generation.
    pub fn get(&self, key: &K) -> Option<V> {
        let g = self.map.read().ok()?;
        let (generation, at, v) = g.get(key)?;
        (*generation == self.current() && at.elapsed() < self.ttl).then(|| v.clone())
    }

    /// Take before reading the database; hand to [`Cache::put`] with what was read.
    pub fn ticket(&self) -> Ticket {
        Ticket(self.current())
    }

    /// Stores what was read under `ticket`; nothing is stored if the cache was invalidated
    /// since the ticket was taken.
    pub fn put(&self, ticket: Ticket, key: K, value: V) {
        let Ok(mut g) = self.map.write() else {
            return;
        };
        if ticket.0 != self.current() {
            return;
        }
        if g.len() >= self.cap {
            g.clear();
        }
        g.insert(key, (ticket.0, Instant::now(), value));
    }

    /// Forgets one entry (a session that ended).
    pub fn remove(&self, key: &K) {
        if let Ok(mut g) = self.map.write() {
            g.remove(key);
        }
    }

    /// Forgets everything; values read before this call are never stored or served.
    pub fn invalidate(&self) {
        // Bump under the write lock, so no `put` holding an old ticket can slip in between.
        let mut g = self.map.write().ok();
        self.generation.fetch_add(1, Ordering::AcqRel);
        if let Some(g) = g.as_mut() {
            g.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serves_what_was_put() {
        let c: Cache<&str, i32> = Cache::new(Duration::from_secs(60), 10);
        assert_eq!(c.get(&"a"), None);
        let t = c.ticket();
        c.put(t, "a", 1);
        assert_eq!(c.get(&"a"), Some(1));
        c.remove(&"a");
        assert_eq!(c.get(&"a"), None);
    }

    #[test]
    fn a_read_from_before_an_invalidation_is_dropped() {
        let c: Cache<&str, i32> = Cache::new(Duration::from_secs(60), 10);
        let old = c.ticket();
        c.put(old, "a", 1);
        c.invalidate();
        assert_eq!(c.get(&"a"), None, "invalidate drops entries");
        c.put(old, "a", 1);
        assert_eq!(c.get(&"a"), None, "a stale ticket stores nothing");
        c.put(c.ticket(), "a", 2);
        assert_eq!(c.get(&"a"), Some(2));
    }

    #[test]
    fn a_change_of_the_directory_drops_its_caches_only() {
        let dir: Cache<&str, i32> = Cache::of_directory(Duration::from_secs(60), 10);
        let other: Cache<&str, i32> = Cache::new(Duration::from_secs(60), 10);
        let (t1, t2) = (dir.ticket(), other.ticket());
        dir.put(t1, "a", 1);
        other.put(t2, "a", 1);
        directory_changed();
        assert_eq!(dir.get(&"a"), None, "the directory's copy is dropped");
        assert_eq!(other.get(&"a"), Some(1), "other caches keep theirs");
        dir.put(t1, "a", 1);
        assert_eq!(
            dir.get(&"a"),
            None,
            "a read from before the change is not stored"
        );
        dir.put(dir.ticket(), "a", 2);
        assert_eq!(dir.get(&"a"), Some(2));
    }

    #[test]
    fn entries_expire_and_the_size_is_bounded() {
        let c: Cache<i32, i32> = Cache::new(Duration::from_millis(0), 10);
        c.put(c.ticket(), 1, 1);
        assert_eq!(c.get(&1), None, "expired at once");
        let c: Cache<i32, i32> = Cache::new(Duration::from_secs(60), 3);
        for i in 0..7 {
            c.put(c.ticket(), i, i);
        }
        let held = (0..7).filter(|i| c.get(i).is_some()).count();
        assert!(held <= 3, "{held} entries held");
        assert_eq!(c.get(&6), Some(6));
    }
}
