//! Errors: the errno the host returned and its message.

use std::fmt;

/// Error numbers in WASI's numbering: what the imports return (negated),
/// and what `std::io::Error::raw_os_error()` holds in a wasm32-wasi guest.
pub mod errno {
    pub const E2BIG: i32 = 1;
    pub const EACCES: i32 = 2;
    pub const EAGAIN: i32 = 6;
    pub const EBADF: i32 = 8;
    pub const EBUSY: i32 = 10;
    pub const EEXIST: i32 = 20;
    pub const EFAULT: i32 = 21;
    pub const EINTR: i32 = 27;
    pub const EINVAL: i32 = 28;
    pub const EIO: i32 = 29;
    pub const ENAMETOOLONG: i32 = 37;
    pub const ENODEV: i32 = 43;
    pub const ENOENT: i32 = 44;
    pub const ENOEXEC: i32 = 45;
    pub const ENOMEM: i32 = 48;
    pub const ENOSPC: i32 = 51;
    pub const ENOSYS: i32 = 52;
    pub const ENOTSUP: i32 = 58;
    pub const EPERM: i32 = 63;
    pub const ERANGE: i32 = 68;
    pub const ESRCH: i32 = 71;

    /// A short description of `errno`, like strerror().
    pub fn describe(errno: i32) -> &'static str {
        match errno {
            E2BIG => "argument list too long",
            EACCES => "permission denied",
            EAGAIN => "resource temporarily unavailable",
            EBADF => "bad file descriptor",
            EBUSY => "device or resource busy",
            EEXIST => "file exists",
            EFAULT => "bad address",
            EINTR => "interrupted",
            EINVAL => "invalid argument",
            EIO => "I/O error",
            ENAMETOOLONG => "name too long",
            ENODEV => "no such device",
            ENOENT => "no such file or directory",
            ENOEXEC => "exec format error",
            ENOMEM => "out of memory",
            ENOSPC => "no space left on device",
            ENOSYS => "function not implemented",
            ENOTSUP => "not supported",
            EPERM => "operation not permitted",
            ERANGE => "result out of range",
            ESRCH => "no such process",
            _ => "error",
        }
    }
}

/// What went wrong: an errno (positive, WASI numbering) and a message.
///
/// The message is the host's own (through the `wasm_bpf_last_error` import,
/// e.g. "attach: object 'bootstrap_bpf' has no program 'nope'") when it has
/// one, or says which call failed and why.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    errno: i32,
    message: String,
}

/// `std::result::Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An error with this errno (positive) and message.
    pub fn new(errno: i32, message: impl Into<String>) -> Error {
        Error { errno, message: message.into() }
    }

    /// The error of a failed import that returned `ret` (a negative errno):
    /// the host's message if it has one for this failure, else `context`
    /// followed by the errno's description.
    pub(crate) fn from_host(ret: i32, context: impl FnOnce() -> String) -> Error {
        let errno = if ret < 0 { ret.wrapping_neg() } else { errno::EIO };
        match last_error() {
            Some((last, message)) if last == errno => Error { errno, message },
            _ => Error { errno, message: format!("{}: {}", context(), errno::describe(errno)) },
        }
    }

    /// The error of a failed load (which returns 0, not an errno): the
    /// host's last error, if it can tell it.
    pub(crate) fn from_load_failure() -> Error {
        match last_error() {
            Some((errno, message)) => Error { errno, message },
            None => Error::new(errno::EINVAL, "load: the runtime could not load the BPF object (see its messages)"),
        }
    }

    /// The errno, positive, in WASI's numbering (`errno::ENOENT` ...).
    pub fn errno(&self) -> i32 {
        self.errno
    }

    /// The message, without the errno.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// A blocking call ended because the runtime was interrupted (Ctrl-C):
    /// the guest should clean up and return.
    pub fn is_interrupted(&self) -> bool {
        self.errno == errno::EINTR
    }

    /// Something named (a program, map, key) does not exist.
    pub fn is_not_found(&self) -> bool {
        self.errno == errno::ENOENT
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (errno {})", self.message, self.errno)
    }
}

impl std::error::Error for Error {}

impl From<Error> for std::io::Error {
    fn from(e: Error) -> std::io::Error {
        let kind = if cfg!(target_os = "wasi") {
            std::io::Error::from_raw_os_error(e.errno).kind()
        } else {
            std::io::ErrorKind::Other
        };
        std::io::Error::new(kind, e)
    }
}

/// The host's last failure: its errno (positive) and message.
#[cfg(feature = "last-error")]
pub(crate) fn last_error() -> Option<(i32, String)> {
    let mut buf = [0u8; 512];
    let ret = crate::binding::wasm_bpf_last_error(buf.as_mut_ptr() as usize as u32, buf.len() as i32);
    let len = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    if ret >= 0 || len == 0 {
        return None;
    }
    Some((ret.wrapping_neg(), String::from_utf8_lossy(&buf[..len]).into_owned()))
}

#[cfg(not(feature = "last-error"))]
pub(crate) fn last_error() -> Option<(i32, String)> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_host_without_a_host() {
        let e = Error::from_host(-errno::ENOENT, || "map_fd 'rb'".to_string());
        assert_eq!(e.errno(), errno::ENOENT);
        assert!(e.is_not_found());
        assert_eq!(e.to_string(), "map_fd 'rb': no such file or directory");
        assert_eq!(format!("{:?}", e), "map_fd 'rb': no such file or directory (errno 44)");
        let e = Error::from_host(3, || "x".to_string());
        assert_eq!(e.errno(), errno::EIO);
    }
}
