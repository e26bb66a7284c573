//! Maps: typed lookup, update, delete and iteration.
//!
//! The kernel reads and writes whole keys and values, so each typed call
//! checks that the Rust types have the map's key and value sizes (known from
//! the object's BTF) before the host is called: a wrong type is an error,
//! never a write past a Rust value.

use std::ops::BitOr;

use crate::binding::raw;
use crate::elf::MapInfo;
use crate::error::{errno, Error, Result};
use crate::object::Object;
use crate::poll::Poller;
use crate::Plain;

fn addr<T>(v: &T) -> *const u8 {
    v as *const T as *const u8
}

/// Room for a key or value the kernel writes.  Its bytes become a `T` only
/// once `T::valid` has accepted them, so that a `bool` the kernel wrote as 2
/// never exists as a Rust `bool`.
struct Slot<T: Plain>(std::mem::MaybeUninit<T>);

impl<T: Plain> Slot<T> {
    fn new() -> Self {
        Slot(std::mem::MaybeUninit::zeroed())
    }

    fn ptr(&mut self) -> *mut u8 {
        self.0.as_mut_ptr() as *mut u8
    }

    fn bytes(&self) -> &[u8] {
        // Safety: zeroed at creation, so every byte is initialised.
        unsafe { std::slice::from_raw_parts(self.0.as_ptr() as *const u8, std::mem::size_of::<T>()) }
    }

    /// The value, or the error of a map whose bytes are not a valid `T`.
    fn value(self, map: &str, what: &str) -> Result<T> {
        if !T::valid(self.bytes()) {
            return Err(Error::new(
                errno::EINVAL,
                format!(
                    "map '{}': the {} read is not a valid {} (bytes {:02x?})",
                    map,
                    what,
                    std::any::type_name::<T>(),
                    self.bytes()
                ),
            ));
        }
        // Safety: every byte initialised, and `valid` accepted them.
        Ok(unsafe { self.0.assume_init() })
    }
}

const BPF_MAP_LOOKUP_ELEM: i32 = 1;
const BPF_MAP_UPDATE_ELEM: i32 = 2;
const BPF_MAP_DELETE_ELEM: i32 = 3;
const BPF_MAP_GET_NEXT_KEY: i32 = 4;
const BPF_MAP_LOOKUP_AND_DELETE_ELEM: i32 = 21;

/// BPF_MAP_TYPE_* values this crate treats specially.
pub(crate) const MAP_TYPE_PERF_EVENT_ARRAY: u32 = 4;
pub(crate) const MAP_TYPE_RINGBUF: u32 = 27;
const PERCPU_MAP_TYPES: [u32; 4] = [5, 6, 10, 21]; // percpu hash, array, lru hash, cgroup storage

/// Flags of [`Map::update`] (the kernel's BPF_ANY, BPF_NOEXIST, ...).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MapFlags(pub u64);

impl MapFlags {
    /// Create the element or replace it.
    pub const ANY: MapFlags = MapFlags(0);
    /// Create the element only if it does not exist (else EEXIST).
    pub const NOEXIST: MapFlags = MapFlags(1);
    /// Replace the element only if it exists (else ENOENT).
    pub const EXIST: MapFlags = MapFlags(2);
    /// Take the value's spin lock.
    pub const LOCK: MapFlags = MapFlags(4);
}

impl BitOr for MapFlags {
    type Output = MapFlags;
    fn bitor(self, other: MapFlags) -> MapFlags {
        MapFlags(self.0 | other.0)
    }
}

/// A map of a loaded object.
#[derive(Debug)]
pub struct Map<'obj> {
    obj: &'obj Object,
    name: String,
    fd: i32,
    info: Option<MapInfo>,
}

impl<'obj> Map<'obj> {
    pub(crate) fn new(obj: &'obj Object, name: &str, fd: i32, info: Option<MapInfo>) -> Map<'obj> {
        Map { obj, name: name.to_string(), fd, info }
    }

    /// The map's name, as given to [`Object::map`].
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The map's fd (for the raw [`crate::binding`] calls).
    pub fn fd(&self) -> i32 {
        self.fd
    }

    /// The kernel's map type (BPF_MAP_TYPE_*), when the object's BTF says.
    pub fn map_type(&self) -> Option<u32> {
        self.info.as_ref().map(|i| i.map_type).filter(|&t| t != 0)
    }

    /// The key size in bytes, when the object's BTF says.
    pub fn key_size(&self) -> Option<u32> {
        self.info.as_ref().map(|i| i.key_size)
    }

    /// The value size in bytes, when the object's BTF says.
    pub fn value_size(&self) -> Option<u32> {
        self.info.as_ref().map(|i| i.value_size)
    }

    pub(crate) fn object(&self) -> &'obj Object {
        self.obj
    }

    /// A poller for this map, a ring buffer or perf event array.
    pub fn into_poller(self) -> Result<Poller<'obj>> {
        match self.map_type() {
            None | Some(MAP_TYPE_RINGBUF) | Some(MAP_TYPE_PERF_EVENT_ARRAY) => Ok(Poller::new(self)),
            Some(t) => Err(Error::new(
                errno::EINVAL,
                format!("poll: map '{}' (type {}) is not a ring buffer or a perf event array", self.name, t),
            )),
        }
    }

    /// Check that K (and V) have the map's key (and value) size.
    fn check_types<K, V>(&self, with_value: bool) -> Result<()> {
        let info = self.info.as_ref().ok_or_else(|| {
            Error::new(
                errno::EINVAL,
                format!(
                    "map '{}': its key and value sizes are unknown (the object has no BTF \
                     definition for it: build it with clang -g)",
                    self.name
                ),
            )
        })?;
        let wrong = |what: &str, size: u32, ty: &str, ty_size: usize| {
            Error::new(
                errno::EINVAL,
                format!("map '{}': the {} is {} bytes, a {} is {}", self.name, what, size, ty, ty_size),
            )
        };
        if info.key_size as usize != std::mem::size_of::<K>() {
            return Err(wrong("key", info.key_size, std::any::type_name::<K>(), std::mem::size_of::<K>()));
        }
        if with_value {
            if PERCPU_MAP_TYPES.contains(&info.map_type) {
                return Err(Error::new(
                    errno::ENOTSUP,
                    format!(
                        "map '{}' is a per-CPU map: its values (one per CPU) cannot be read \
                         or written through the typed API",
                        self.name
                    ),
                ));
            }
            if info.value_size as usize != std::mem::size_of::<V>() {
                return Err(wrong(
                    "value",
                    info.value_size,
                    std::any::type_name::<V>(),
                    std::mem::size_of::<V>(),
                ));
            }
        }
        Ok(())
    }

    fn operate(&self, cmd: i32, key: *const u8, value: *mut u8, next_key: *mut u8, flags: u64) -> i32 {
        unsafe {
            raw::wasm_bpf_map_operate(
                self.fd,
                cmd,
                key as usize as i32,
                value as usize as i32,
                next_key as usize as i32,
                flags as i64,
            )
        }
    }

    fn error(&self, ret: i32, what: &str) -> Error {
        Error::from_host(ret, || format!("map '{}': {}", self.name, what))
    }

    /// The value at `key`, or None if there is none.
    pub fn lookup<K: Plain, V: Plain>(&self, key: &K) -> Result<Option<V>> {
        self.check_types::<K, V>(true)?;
        let mut value = Slot::<V>::new();
        let ret = self.operate(BPF_MAP_LOOKUP_ELEM, addr(key), value.ptr(), std::ptr::null_mut(), 0);
        match ret {
            0 => value.value(&self.name, "value").map(Some),
            r if r == -errno::ENOENT => Ok(None),
            r => Err(self.error(r, "lookup")),
        }
    }

    /// Store `value` at `key` (flags: [`MapFlags::ANY`], `NOEXIST`, `EXIST`).
    pub fn update<K: Plain, V: Plain>(&self, key: &K, value: &V, flags: MapFlags) -> Result<()> {
        self.check_types::<K, V>(true)?;
        let ret = self.operate(
            BPF_MAP_UPDATE_ELEM,
            addr(key),
            addr(value) as *mut u8,
            std::ptr::null_mut(),
            flags.0,
        );
        if ret < 0 {
            return Err(self.error(ret, "update"));
        }
        Ok(())
    }

    /// Delete the element at `key`; false if there was none.
    pub fn delete<K: Plain>(&self, key: &K) -> Result<bool> {
        self.check_types::<K, ()>(false)?;
        let ret = self.operate(BPF_MAP_DELETE_ELEM, addr(key), std::ptr::null_mut(), std::ptr::null_mut(), 0);
        match ret {
            0 => Ok(true),
            r if r == -errno::ENOENT => Ok(false),
            r => Err(self.error(r, "delete")),
        }
    }

    /// Take the value at `key` out of the map (hash maps, queues, stacks).
    pub fn lookup_and_delete<K: Plain, V: Plain>(&self, key: &K) -> Result<Option<V>> {
        self.check_types::<K, V>(true)?;
        let mut value = Slot::<V>::new();
        let ret = self.operate(BPF_MAP_LOOKUP_AND_DELETE_ELEM, addr(key), value.ptr(), std::ptr::null_mut(), 0);
        match ret {
            0 => value.value(&self.name, "value").map(Some),
            r if r == -errno::ENOENT => Ok(None),
            r => Err(self.error(r, "lookup_and_delete")),
        }
    }

    /// The map's keys, in the kernel's order.  A key deleted while the
    /// iteration stands on it makes a hash map's iteration start again.
    pub fn keys<K: Plain>(&self) -> Keys<'_, K> {
        let pending_error = self.check_types::<K, ()>(false).err();
        Keys { map: self, prev: None, done: false, pending_error }
    }

    /// The map's (key, value) pairs; keys deleted meanwhile are skipped.
    pub fn entries<K: Plain, V: Plain>(&self) -> impl Iterator<Item = Result<(K, V)>> + '_ {
        let keys = self.keys::<K>();
        keys.filter_map(move |k| match k {
            Err(e) => Some(Err(e)),
            Ok(k) => match self.lookup::<K, V>(&k) {
                Ok(Some(v)) => Some(Ok((k, v))),
                Ok(None) => None,
                Err(e) => Some(Err(e)),
            },
        })
    }
}

/// The iterator of [`Map::keys`]: yields `Ok(key)`s, or one `Err` and ends.
pub struct Keys<'a, K: Plain> {
    map: &'a Map<'a>,
    prev: Option<K>,
    done: bool,
    pending_error: Option<Error>,
}

impl<'a, K: Plain> Iterator for Keys<'a, K> {
    type Item = Result<K>;

    fn next(&mut self) -> Option<Result<K>> {
        if self.done {
            return None;
        }
        if let Some(e) = self.pending_error.take() {
            self.done = true;
            return Some(Err(e));
        }
        let mut next = Slot::<K>::new();
        // key 0 (NULL) asks for the first key
        let prev = self.prev.as_ref().map_or(std::ptr::null(), |k| addr(k));
        let ret = self.map.operate(BPF_MAP_GET_NEXT_KEY, prev, std::ptr::null_mut(), next.ptr(), 0);
        match ret {
            0 => match next.value(&self.map.name, "key") {
                Ok(next) => {
                    self.prev = Some(next);
                    Some(Ok(next))
                }
                Err(e) => {
                    self.done = true;
                    Some(Err(e))
                }
            },
            r => {
                self.done = true;
                if r == -errno::ENOENT {
                    None
                } else {
                    Some(Err(self.map.error(r, "get next key")))
                }
            }
        }
    }
}
