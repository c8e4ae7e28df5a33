//! The one place where native errors become JavaScript errors, with the same `code` strings the
//! TypeScript path uses.

/// Errors of the native hot loops.
#[derive(Debug, PartialEq, Eq)]
pub enum NativeError {
    /// A length or size argument is not what the routine needs.
    InvalidArgument(String),
}

impl NativeError {
    /// The stable error code shared with the TypeScript implementation.
    pub fn code(&self) -> &'static str {
        match self {
            NativeError::InvalidArgument(_) => "invalid_argument",
        }
    }

    fn message(&self) -> &str {
        match self {
            NativeError::InvalidArgument(message) => message,
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
