//! Polling ring buffers and perf event arrays with a closure.
//!
//! The host copies each record into the poller's buffer and calls a
//! function of the guest's table with a context pointer; here that function
//! is a small `extern "C"` trampoline, one per closure type, and the context
//! points to the closure.  (This is why guests export their function table:
//! `-C link-arg=--export-table`.)

use std::ffi::c_void;
use std::ops::ControlFlow;
use std::time::Duration;

use crate::binding::raw;
use crate::error::{Error, Result};
use crate::map::Map;

/// The largest record delivered whole by default; longer ones are cut.
pub const DEFAULT_MAX_RECORD_SIZE: usize = 64 * 1024;

/// What a poll callback returns.
///
/// - `()`: go on with the next record;
/// - `ControlFlow::Break(())`: stop this poll, which returns `Ok`;
/// - `Result<(), Error>`: `Err(e)` stops the poll, which returns `Err(e)`
///   (so the callback can use `?`);
/// - `i32`: the C convention: negative stops the poll, which returns an
///   error with that errno.
pub trait CallbackResult {
    #[doc(hidden)]
    fn into_stop(self) -> Option<Stop>;
}

#[doc(hidden)]
pub enum Stop {
    Break,
    Failed(Error),
    Code(i32),
}

impl CallbackResult for () {
    fn into_stop(self) -> Option<Stop> {
        None
    }
}

impl CallbackResult for ControlFlow<()> {
    fn into_stop(self) -> Option<Stop> {
        match self {
            ControlFlow::Continue(()) => None,
            ControlFlow::Break(()) => Some(Stop::Break),
        }
    }
}

impl CallbackResult for Result<()> {
    fn into_stop(self) -> Option<Stop> {
        self.err().map(Stop::Failed)
    }
}

impl CallbackResult for i32 {
    fn into_stop(self) -> Option<Stop> {
        if self < 0 {
            Some(Stop::Code(self))
        } else {
            None
        }
    }
}

/// Polls one ring buffer or perf event array map of an object (made by
/// [`crate::Object::poller`]).
#[derive(Debug)]
pub struct Poller<'obj> {
    map: Map<'obj>,
    buf: Vec<u8>,
}

/// What the trampoline needs: the closure, the buffer, what happened.
struct Context<'f, F> {
    callback: &'f mut F,
    buf: *const u8,
    buf_len: usize,
    delivered: usize,
    stop: Option<Stop>,
}

/// Called by the host for each record, through the guest's table.
extern "C" fn trampoline<F, R>(ctx: *mut c_void, _data: *const u8, len: usize) -> i32
where
    F: FnMut(&[u8]) -> R,
    R: CallbackResult,
{
    // Safety: ctx is the Context that Poller::poll passed to the host for
    // this very call, alive and not otherwise borrowed during the import.
    let ctx = unsafe { &mut *(ctx as *mut Context<'_, F>) };
    if ctx.stop.is_some() {
        return -1;
    }
    // the record is in our buffer; never trust a length beyond it
    let record = unsafe { std::slice::from_raw_parts(ctx.buf, len.min(ctx.buf_len)) };
    ctx.delivered += 1;
    match (ctx.callback)(record).into_stop() {
        None => 0,
        Some(stop) => {
            let code = match stop {
                Stop::Code(c) => c,
                _ => -1,
            };
            ctx.stop = Some(stop);
            code
        }
    }
}

/// A timeout for the host: milliseconds, rounded up; `Duration::MAX`
/// blocks (-1).
fn timeout_ms(timeout: Duration) -> i32 {
    if timeout == Duration::MAX {
        return -1;
    }
    let ms = (timeout.as_micros() + 999) / 1000;
    i32::try_from(ms).unwrap_or(i32::MAX)
}

impl<'obj> Poller<'obj> {
    pub(crate) fn new(map: Map<'obj>) -> Poller<'obj> {
        Poller { map, buf: vec![0; DEFAULT_MAX_RECORD_SIZE] }
    }

    /// Records longer than `size` bytes are cut to `size` (default
    /// [`DEFAULT_MAX_RECORD_SIZE`]).
    pub fn set_max_record_size(&mut self, size: usize) {
        self.buf = vec![0; size.clamp(1, i32::MAX as usize)];
    }

    /// The map polled.
    pub fn map(&self) -> &Map<'obj> {
        &self.map
    }

    /// Wait up to `timeout` for records (`Duration::ZERO`: do not wait;
    /// `Duration::MAX`: until one arrives or the runtime is interrupted),
    /// then call `callback` with each one, in order.  Returns how many were
    /// delivered.  An interrupt (Ctrl-C) gives an error whose
    /// [`Error::is_interrupted`] is true.
    pub fn poll<F, R>(&mut self, timeout: Duration, mut callback: F) -> Result<usize>
    where
        F: FnMut(&[u8]) -> R,
        R: CallbackResult,
    {
        let mut ctx = Context {
            callback: &mut callback,
            buf: self.buf.as_ptr(),
            buf_len: self.buf.len(),
            delivered: 0,
            stop: None,
        };
        // a function's address in wasm32 is its index in the table
        let callback: extern "C" fn(*mut c_void, *const u8, usize) -> i32 = trampoline::<F, R>;
        let sample_func = callback as usize as i32;
        let ret = unsafe {
            raw::wasm_bpf_buffer_poll(
                self.map.object().handle() as i64,
                self.map.fd(),
                sample_func,
                &mut ctx as *mut Context<'_, F> as usize as i32,
                self.buf.as_mut_ptr() as usize as i32,
                self.buf.len() as i32,
                timeout_ms(timeout),
            )
        };
        match ctx.stop {
            Some(Stop::Break) => Ok(ctx.delivered),
            Some(Stop::Failed(e)) => Err(e),
            Some(Stop::Code(c)) => Err(Error::new(
                c.wrapping_neg(),
                format!("poll '{}': the callback returned {}", self.map.name(), c),
            )),
            None if ret < 0 => Err(Error::from_host(ret, || format!("poll '{}'", self.map.name()))),
            None => Ok(ret as usize),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts() {
        assert_eq!(timeout_ms(Duration::ZERO), 0);
        assert_eq!(timeout_ms(Duration::from_micros(1)), 1);
        assert_eq!(timeout_ms(Duration::from_millis(100)), 100);
        assert_eq!(timeout_ms(Duration::from_secs(1 << 40)), i32::MAX);
        assert_eq!(timeout_ms(Duration::MAX), -1);
    }

    /// Calls the trampoline as the host would, with records of `lens` bytes.
    fn deliver<F: FnMut(&[u8]) -> R, R: CallbackResult>(mut f: F, buf: &[u8], lens: &[usize]) -> (Vec<i32>, usize) {
        let mut ctx = Context { callback: &mut f, buf: buf.as_ptr(), buf_len: buf.len(), delivered: 0, stop: None };
        let p = &mut ctx as *mut Context<'_, F> as *mut c_void;
        let codes = lens.iter().map(|&len| trampoline::<F, R>(p, std::ptr::null(), len)).collect();
        (codes, ctx.delivered)
    }

    #[test]
    fn trampoline_calls_the_closure_and_stops() {
        let buf = [1u8, 2, 3, 4];
        let mut seen = Vec::new();
        let (codes, delivered) = deliver(
            |r: &[u8]| {
                seen.push(r.to_vec());
                if r.len() == 1 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
            &buf,
            &[99, 1, 2],
        );
        // cut to the buffer; stopped after the second: no more calls
        assert_eq!(codes, [0, -1, -1]);
        assert_eq!(delivered, 2);
        assert_eq!(seen, vec![vec![1, 2, 3, 4], vec![1]]);

        let (codes, _) = deliver(|r: &[u8]| if r.len() == 2 { -28 } else { 0 }, &buf, &[3, 2]);
        assert_eq!(codes, [0, -28]);
        let (codes, _) = deliver(|_: &[u8]| -> Result<()> { Err(Error::new(5, "x")) }, &buf, &[3]);
        assert_eq!(codes, [-1]);
    }
}
