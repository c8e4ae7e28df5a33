//! The one place where native errors become JavaScript errors, with the same `code` strings the
//! TypeScript path uses.

/// Errors of the native hot loops.
#[derive(Debug, PartialEq, Eq)]
pub enum NativeError {
    /// A length, size or option argument is not what the routine needs (`invalid_option`).
    InvalidOption(String),
    /// A sample rate or layout the format does not support (`unsupported_format`).
    UnsupportedFormat(String),
}

impl NativeError {
    /// The stable error code shared with the TypeScript implementation.
    pub fn code(&self) -> &'static str {
        match self {
            NativeError::InvalidOption(_) => "invalid_option",
            NativeError::UnsupportedFormat(_) => "unsupported_format",
        }
    }

    fn message(&self) -> &str {
        match self {
            NativeError::InvalidOption(message) | NativeError::UnsupportedFormat(message) => {
                message
            }
        }
    }
}

/// Maps a native error to a JavaScript error whose message starts with `code: `; the loader
/// turns that prefix into the error's `code` property.
pub fn to_napi(error: NativeError) -> napi::Error {
    napi::Error::new(
        napi::Status::InvalidArg,
        format!("{}: {}", error.code(), error.message()),
    )
}

/// Returns `InvalidOption` unless `actual == expected`.
pub fn check_len(what: &str, actual: usize, expected: usize) -> Result<(), NativeError> {
    if actual == expected {
        Ok(())
    } else {
        Err(NativeError::InvalidOption(format!(
            "{what} must have length {expected}, got {actual}"
        )))
    }
}
