//! Encoding and decoding of `data:` URIs.
//!
//! `embed` writes `data:<mime>;base64,<payload>` with [`encode`] or [`encode_into`]. `extract`
//! reads URIs that real files contain with [`decode`], which follows the "data: URL processor"
//! of the WHATWG Fetch standard (<https://fetch.spec.whatwg.org/#data-urls>) and its
//! "forgiving-base64 decode" (<https://infra.spec.whatwg.org/#forgiving-base64-decode>). Where
//! real tools write URIs that the standard rejects or reads differently, [`decode`] accepts them
//! and records a [`DecodeNote`] so the caller can report it.

use std::borrow::Cow;
use std::collections::HashSet;

use base64::DecodeError;
use base64::Engine as _;
use base64::alphabet;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};

/// Decoder configuration for forgiving-base64: padding is optional, and the unused low bits of
/// the last symbol are discarded instead of rejected, as the standard does.
const FORGIVING: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);

/// Forgiving decoder for the standard alphabet (`+`, `/`).
const STANDARD_FORGIVING: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, FORGIVING);

/// Forgiving decoder for the URL-safe alphabet (`-`, `_`).
const URL_SAFE_FORGIVING: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, FORGIVING);

/// The scheme that starts every data URI, matched ASCII case-insensitively when decoding.
const SCHEME: &str = "data:";

/// The text between the MIME type and the payload in every URI that [`encode`] writes.
const BASE64_MARKER: &str = ";base64,";

/// Encodes `bytes` as `data:<mime>;base64,<payload>`.
///
/// `mime` is written as given, so pass the lowercase essence such as `image/png`. It must not
/// contain `,`, because a decoder ends the MIME type at the first comma. The payload uses the
/// standard alphabet with `=` padding and contains no whitespace.
pub fn encode(mime: &str, bytes: &[u8]) -> String {
    let mut out = String::new();
    encode_into(mime, bytes, &mut out);
    out
}

/// Appends the URI that [`encode`] returns to `out`, reserving its exact length first.
pub fn encode_into(mime: &str, bytes: &[u8], out: &mut String) {
    out.reserve_exact(encoded_len(mime, bytes.len()));
    out.push_str(SCHEME);
    out.push_str(mime);
    out.push_str(BASE64_MARKER);
    STANDARD.encode_string(bytes, out);
}

/// Returns the length in bytes of the URI that [`encode`] returns for `byte_len` payload bytes.
///
/// Saturates at `usize::MAX` for lengths no real payload reaches.
pub fn encoded_len(mime: &str, byte_len: usize) -> usize {
    let payload_len = base64::encoded_len(byte_len, true).unwrap_or(usize::MAX);
    (SCHEME.len() + BASE64_MARKER.len())
        .saturating_add(mime.len())
        .saturating_add(payload_len)
}

/// Returns true when `text` starts with `data:` (ASCII case-insensitive) after leading ASCII
/// whitespace.
pub fn is_data_uri(text: &str) -> bool {
    text.trim_ascii_start()
        .as_bytes()
        .get(..SCHEME.len())
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case(SCHEME.as_bytes()))
}

/// A decoded data URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataUri {
    /// The MIME type essence `type/subtype` in ASCII lowercase, such as `image/png` or `image/*`.
    ///
    /// It is `text/plain` when the URI gives no MIME type or one that does not parse, as the
    /// Fetch standard specifies.
    pub mime: String,
    /// The MIME type parameters in the order written: names in ASCII lowercase, values as
    /// written with quotes removed and percent-escapes decoded.
    ///
    /// A name appears at most once, with its first value. Following the standard, a URI whose
    /// MIME type does not parse gets `charset=US-ASCII`.
    pub params: Vec<(String, String)>,
    /// True when the URI has the `;base64` flag, so the payload was base64-decoded.
    pub base64: bool,
    /// The decoded payload, never empty.
    pub data: Vec<u8>,
    /// The deviations from a canonical URI that the decoder accepted, each at most once.
    pub notes: Vec<DecodeNote>,
}

impl DataUri {
    /// Returns the value of the parameter `name` (ASCII case-insensitive).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// Returns the non-empty `name` parameter, or else the non-empty `filename` parameter.
    ///
    /// The value is as written and may contain path separators or `..`, so sanitize it before
    /// using it as a path.
    pub fn file_name(&self) -> Option<&str> {
        ["name", "filename"]
            .into_iter()
            .filter_map(|key| self.param(key))
            .find(|value| !value.is_empty())
    }
}

/// A deviation from a canonical URI that [`decode`] accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeNote {
    /// ASCII whitespace (such as line breaks) was removed from a base64 payload.
    Whitespace,
    /// The base64 payload lacks its trailing `=` padding.
    MissingPadding,
    /// The base64 payload uses the URL-safe alphabet (`-`, `_`), which browsers reject.
    UrlSafeAlphabet,
    /// The payload contained percent-escapes such as `%2F`, which were decoded.
    PercentEncoded,
}

/// The reason a base64 payload is invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base64ErrorKind {
    /// A byte outside the base64 alphabet.
    InvalidByte(u8),
    /// A `=` before the end of the payload, or more `=` than a final group of four allows.
    MisplacedPadding,
    /// A URL-safe symbol (`-`, `_`) in a payload that also uses `+` or `/`.
    MixedAlphabets,
    /// One symbol left after the last group of four, which cannot encode a whole byte.
    DanglingSymbol,
}

impl std::fmt::Display for Base64ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Self::InvalidByte(byte) if byte.is_ascii_graphic() => {
                write!(f, "'{}' is not in the base64 alphabet", char::from(byte))
            }
            Self::InvalidByte(byte) => write!(f, "byte 0x{byte:02X} is not in the base64 alphabet"),
            Self::MisplacedPadding => f.write_str("'=' padding is allowed only at the end"),
            Self::MixedAlphabets => f.write_str(
                "the URL-safe symbols '-' and '_' are mixed with the standard symbols '+' and '/'",
            ),
            Self::DanglingSymbol => {
                f.write_str("the payload length leaves one symbol that encodes no whole byte")
            }
        }
    }
}

/// An error from [`decode`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DataUriError {
    /// The text does not start with `data:`.
    #[error("text does not start with `data:`")]
    NotDataUri,
    /// No comma separates the MIME type from the payload, as in the placeholder
    /// `data:image/jpeg;base64...` that some converters write.
    #[error("data URI has no ',' between the MIME type and the payload")]
    MissingComma,
    /// The payload is empty, or only whitespace in a base64 payload.
    #[error("data URI has an empty payload")]
    EmptyPayload,
    /// The base64 payload is invalid.
    #[error("invalid base64 payload in data URI at byte {position}: {reason}")]
    InvalidBase64 {
        /// Byte offset in the text passed to [`decode`]. For a byte that came from a
        /// percent-escape, the offset of its `%`.
        position: usize,
        /// The problem at that position.
        reason: Base64ErrorKind,
    },
}

/// Decodes a `data:` URI.
///
/// Follows the WHATWG "data: URL processor": surrounding ASCII whitespace is ignored, the MIME
/// type is the text up to the first `,`, a trailing `;base64` (ASCII case-insensitive, spaces
/// allowed after the `;`) selects base64, and the payload is percent-decoded. A base64 payload
/// then gets forgiving-base64 decoding: ASCII whitespace is removed, `=` padding is optional,
/// and the unused low bits of the last symbol are discarded.
///
/// Beyond the standard, a payload in the URL-safe alphabet with no `+` or `/` is decoded with
/// that alphabet, and MIME parameter values are percent-decoded. Without the `;base64` flag the
/// payload is returned as percent-decoded text, even when it looks like base64.
///
/// NOTE: a `#` in the payload is kept, although a browser would end the payload there and
/// treat the rest as the URL fragment. Authors write unescaped `#` in SVG colors, and keeping it
/// recovers the SVG they meant.
pub fn decode(uri: &str) -> Result<DataUri, DataUriError> {
    let leading_whitespace = uri.len() - uri.trim_ascii_start().len();
    let trimmed = uri.trim_ascii();
    if !is_data_uri(trimmed) {
        return Err(DataUriError::NotDataUri);
    }

    let after_scheme = &trimmed[SCHEME.len()..];
    let comma = after_scheme.find(',').ok_or(DataUriError::MissingComma)?;
    let (mime_part, base64) = strip_base64_flag(after_scheme[..comma].trim_ascii());
    let raw_body = &after_scheme[comma + 1..];
    if raw_body.is_empty() {
        return Err(DataUriError::EmptyPayload);
    }
    let body_offset = leading_whitespace + SCHEME.len() + comma + 1;

    let (mime, params) = parse_mime(mime_part);
    let mut notes = Vec::new();
    let body: Cow<[u8]> = percent_encoding::percent_decode_str(raw_body).into();
    if matches!(body, Cow::Owned(_)) {
        notes.push(DecodeNote::PercentEncoded);
    }

    let data = if base64 {
        decode_base64(body, &mut notes).map_err(|error| DataUriError::InvalidBase64 {
            position: body_offset + raw_body_offset(raw_body, error.index),
            reason: error.reason,
        })?
    } else {
        body.into_owned()
    };
    if data.is_empty() {
        return Err(DataUriError::EmptyPayload);
    }

    Ok(DataUri {
        mime,
        params,
        base64,
        data,
        notes,
    })
}

/// Removes a trailing `;base64` flag (ASCII case-insensitive, with optional spaces after the
/// `;`) from the MIME part and returns the rest and whether the flag was there.
fn strip_base64_flag(mime_part: &str) -> (&str, bool) {
    const FLAG: &[u8] = b"base64";
    let bytes = mime_part.as_bytes();
    let Some(flag_start) = bytes.len().checked_sub(FLAG.len()) else {
        return (mime_part, false);
    };
    if !bytes[flag_start..].eq_ignore_ascii_case(FLAG) {
        return (mime_part, false);
    }

    // The flag is ASCII, so `flag_start` is a character boundary.
    match mime_part[..flag_start]
        .trim_end_matches(' ')
        .strip_suffix(';')
    {
        Some(rest) => (rest, true),
        None => (mime_part, false),
    }
}

/// Parses the MIME part of a data URI into its lowercase essence and parameters, with the
/// standard's fallback `text/plain;charset=US-ASCII` when it does not parse.
fn parse_mime(mime_part: &str) -> (String, Vec<(String, String)>) {
    let parsed = if mime_part.starts_with(';') {
        parse_mime_type(&format!("text/plain{mime_part}"))
    } else {
        parse_mime_type(mime_part)
    };
    parsed.unwrap_or_else(|| {
        let params = vec![("charset".to_owned(), "US-ASCII".to_owned())];
        ("text/plain".to_owned(), params)
    })
}

/// Returns true for the HTTP whitespace bytes of the MIME Sniffing standard.
fn is_http_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n')
}

/// Returns true for the HTTP token bytes that type, subtype and parameter names consist of.
fn is_http_token(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// Returns true when `text` is non-empty and consists of HTTP token bytes only.
fn is_token(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(is_http_token)
}

/// Parses a MIME type following "parse a MIME type" of the WHATWG MIME Sniffing standard
/// (<https://mimesniff.spec.whatwg.org/#parse-a-mime-type>), returning `None` on failure.
///
/// Parameter values are accepted with any characters except ASCII control characters other than
/// tab, and then percent-decoded, where the standard accepts only Latin-1 text as written.
fn parse_mime_type(input: &str) -> Option<(String, Vec<(String, String)>)> {
    let input = input.trim_matches(|c: char| c.is_ascii() && is_http_whitespace(c as u8));
    let (type_name, rest) = input.split_once('/')?;
    if !is_token(type_name) {
        return None;
    }

    let subtype_end = rest.find(';').unwrap_or(rest.len());
    let subtype =
        rest[..subtype_end].trim_end_matches(|c: char| c.is_ascii() && is_http_whitespace(c as u8));
    if !is_token(subtype) {
        return None;
    }

    let essence = format!(
        "{}/{}",
        type_name.to_ascii_lowercase(),
        subtype.to_ascii_lowercase()
    );
    Some((essence, parse_parameters(&rest[subtype_end..])))
}

/// Parses `;name=value` parameters as the MIME Sniffing standard does: a parameter without `=`
/// or with an empty unquoted value is skipped, and the first value of a repeated name wins.
fn parse_parameters(input: &str) -> Vec<(String, String)> {
    let bytes = input.as_bytes();
    let mut params: Vec<(String, String)> = Vec::new();
    // A set keeps the repeated-name check linear on a MIME part with very many parameters.
    let mut seen_names = HashSet::new();
    // `position` is at a `;` or at the end at the start of each iteration.
    let mut position = 0;
    while position < bytes.len() {
        position += 1;
        while position < bytes.len() && is_http_whitespace(bytes[position]) {
            position += 1;
        }

        let name_start = position;
        while position < bytes.len() && bytes[position] != b';' && bytes[position] != b'=' {
            position += 1;
        }
        let name = input[name_start..position].to_ascii_lowercase();
        if position < bytes.len() {
            if bytes[position] == b';' {
                continue;
            }
            position += 1;
        }
        if position >= bytes.len() {
            break;
        }

        let value = if bytes[position] == b'"' {
            let (value, end) = collect_quoted_string(input, position);
            position = end;
            while position < bytes.len() && bytes[position] != b';' {
                position += 1;
            }
            value
        } else {
            let value_start = position;
            while position < bytes.len() && bytes[position] != b';' {
                position += 1;
            }
            let value = input[value_start..position]
                .trim_end_matches(|c: char| c.is_ascii() && is_http_whitespace(c as u8));
            if value.is_empty() {
                continue;
            }
            value.to_owned()
        };

        let value_is_valid = !value.chars().any(|c| c.is_ascii_control() && c != '\t');
        if is_token(&name) && value_is_valid && seen_names.insert(name.clone()) {
            let value = percent_encoding::percent_decode_str(&value)
                .decode_utf8_lossy()
                .into_owned();
            params.push((name, value));
        }
    }
    params
}

/// Collects an HTTP quoted string that starts with the `"` at `start`, removing the quotes and
/// backslash escapes. Returns the value and the byte offset just after the closing quote, or the
/// end of `input` when the quote is not closed.
fn collect_quoted_string(input: &str, start: usize) -> (String, usize) {
    let mut value = String::new();
    let mut chars = input[start + 1..].char_indices();
    while let Some((offset, c)) = chars.next() {
        match c {
            '"' => return (value, start + 1 + offset + 1),
            '\\' => match chars.next() {
                Some((_, escaped)) => value.push(escaped),
                None => value.push('\\'),
            },
            _ => value.push(c),
        }
    }
    (value, input.len())
}

/// A base64 error at a byte offset in the percent-decoded payload with whitespace removed.
struct PayloadError {
    index: usize,
    reason: Base64ErrorKind,
}

/// The properties of a percent-decoded base64 payload that one scan collects.
#[derive(Default)]
struct PayloadScan {
    has_whitespace: bool,
    has_standard_symbols: bool,
    has_url_safe_symbols: bool,
    padding_count: usize,
}

impl PayloadScan {
    fn of(body: &[u8]) -> Self {
        let mut scan = Self::default();
        for &byte in body {
            match byte {
                b'+' | b'/' => scan.has_standard_symbols = true,
                b'-' | b'_' => scan.has_url_safe_symbols = true,
                b'=' => scan.padding_count += 1,
                b'\t' | b'\n' | b'\x0C' | b'\r' | b' ' => scan.has_whitespace = true,
                _ => {}
            }
        }
        scan
    }
}

/// Applies forgiving-base64 decoding to a percent-decoded payload, adding a note for each
/// accepted deviation.
fn decode_base64(body: Cow<[u8]>, notes: &mut Vec<DecodeNote>) -> Result<Vec<u8>, PayloadError> {
    let scan = PayloadScan::of(&body);

    // Every base64 engine rejects whitespace, so remove it, but copy the payload only when it
    // contains some.
    let symbols: Cow<[u8]> = if scan.has_whitespace {
        notes.push(DecodeNote::Whitespace);
        let mut owned = body.into_owned();
        owned.retain(|byte| !byte.is_ascii_whitespace());
        Cow::Owned(owned)
    } else {
        body
    };
    if symbols.is_empty() {
        // The caller reports an empty result as `EmptyPayload`.
        return Ok(Vec::new());
    }

    // The standard removes one or two trailing `=` only from a length that is a multiple of
    // four, so any other `=` is invalid.
    let mut unpadded: &[u8] = &symbols;
    if unpadded.len().is_multiple_of(4) {
        for _ in 0..2 {
            if let Some(rest) = unpadded.strip_suffix(b"=") {
                unpadded = rest;
            }
        }
    }
    let padding_removed = symbols.len() - unpadded.len();
    if scan.padding_count > padding_removed {
        let index = unpadded.iter().position(|&byte| byte == b'=').unwrap_or(0);
        // A byte outside both alphabets before the misplaced `=` is the first fault.
        let invalid = unpadded[..index]
            .iter()
            .position(|&byte| !(byte.is_ascii_alphanumeric() || b"+/-_".contains(&byte)));
        return Err(match invalid {
            Some(at) => PayloadError {
                index: at,
                reason: Base64ErrorKind::InvalidByte(unpadded[at]),
            },
            None => PayloadError {
                index,
                reason: Base64ErrorKind::MisplacedPadding,
            },
        });
    }
    if padding_removed == 0 && matches!(unpadded.len() % 4, 2 | 3) {
        notes.push(DecodeNote::MissingPadding);
    }

    let url_safe = scan.has_url_safe_symbols && !scan.has_standard_symbols;
    let engine = if url_safe {
        notes.push(DecodeNote::UrlSafeAlphabet);
        &URL_SAFE_FORGIVING
    } else {
        &STANDARD_FORGIVING
    };
    engine
        .decode(unpadded)
        .map_err(|error| payload_error(error, unpadded, &scan))
}

/// Converts a base64 engine error into a [`PayloadError`].
fn payload_error(error: DecodeError, unpadded: &[u8], scan: &PayloadScan) -> PayloadError {
    match error {
        DecodeError::InvalidByte(index, byte) => {
            let mixed = scan.has_url_safe_symbols && scan.has_standard_symbols;
            let reason = match byte {
                b'-' | b'_' if mixed => Base64ErrorKind::MixedAlphabets,
                b'=' => Base64ErrorKind::MisplacedPadding,
                _ => Base64ErrorKind::InvalidByte(byte),
            };
            PayloadError { index, reason }
        }
        DecodeError::InvalidLength(_) => PayloadError {
            index: unpadded.len().saturating_sub(1),
            reason: Base64ErrorKind::DanglingSymbol,
        },
        // The engine allows trailing bits and never receives `=`, which `decode_base64` removes or
        // rejects first, so these two arms are defensive.
        DecodeError::InvalidLastSymbol { offset, symbol, .. } => PayloadError {
            index: offset,
            reason: Base64ErrorKind::InvalidByte(symbol),
        },
        DecodeError::InvalidPadding => PayloadError {
            index: unpadded.len().saturating_sub(1),
            reason: Base64ErrorKind::MisplacedPadding,
        },
    }
}

/// Maps `index`, a byte offset in the percent-decoded payload with ASCII whitespace removed,
/// back to the byte offset in the raw payload where that byte was written.
///
/// This repeats the decoding walk, so call it only to report an error.
fn raw_body_offset(raw_body: &str, index: usize) -> usize {
    let bytes = raw_body.as_bytes();
    let mut produced = 0;
    let mut offset = 0;
    while offset < bytes.len() {
        let (byte, width) = match bytes[offset] {
            b'%' => match decode_percent_escape(&bytes[offset + 1..]) {
                Some(byte) => (byte, 3),
                None => (b'%', 1),
            },
            byte => (byte, 1),
        };
        if !byte.is_ascii_whitespace() {
            if produced == index {
                return offset;
            }
            produced += 1;
        }
        offset += width;
    }
    bytes.len()
}

/// Decodes the two hex digits that follow a `%`, as `percent_encoding` does.
fn decode_percent_escape(after_percent: &[u8]) -> Option<u8> {
    let high = char::from(*after_percent.first()?).to_digit(16)?;
    let low = char::from(*after_percent.get(1)?).to_digit(16)?;
    u8::try_from(high * 16 + low).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first bytes of a PNG file, base64-encoded as `iVBORw0KGgo=`.
    const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

    fn decode_ok(uri: &str) -> DataUri {
        match decode(uri) {
            Ok(decoded) => decoded,
            Err(error) => panic!("decode({uri:?}) failed: {error}"),
        }
    }

    #[test]
    fn encode_plus_slash_and_padding() {
        assert_eq!(
            encode("image/png", b"\xfb\xff"),
            "data:image/png;base64,+/8="
        );
        assert_eq!(encode("image/png", b"\xfb"), "data:image/png;base64,+w==");
        assert_eq!(
            encode("image/png", b"\xfb\xff\xbf"),
            "data:image/png;base64,+/+/"
        );
    }

    #[test]
    fn encode_empty_payload() {
        assert_eq!(encode("image/gif", b""), "data:image/gif;base64,");
    }

    #[test]
    fn encode_writes_mime_as_given() {
        assert_eq!(
            encode("image/svg+xml", b"<"),
            "data:image/svg+xml;base64,PA=="
        );
    }

    #[test]
    fn encode_into_appends() {
        let mut out = String::from("![a](");
        encode_into("image/png", b"abc", &mut out);
        out.push(')');
        assert_eq!(out, "![a](data:image/png;base64,YWJj)");
    }

    #[test]
    fn encode_into_reserves_exact_length() {
        let mut out = String::new();
        encode_into("image/png", &[7; 1000], &mut out);
        assert_eq!(out.len(), encoded_len("image/png", 1000));
        assert_eq!(out.capacity(), out.len());
    }

    #[test]
    fn encoded_len_matches_encode() {
        let bytes: Vec<u8> = (0..20).collect();
        for len in 0..20 {
            let expected = encode("image/jpeg", &bytes[..len]).len();
            assert_eq!(encoded_len("image/jpeg", len), expected, "length {len}");
        }
    }

    #[test]
    fn encoded_len_saturates() {
        assert_eq!(encoded_len("image/png", usize::MAX), usize::MAX);
    }

    #[test]
    fn is_data_uri_cases() {
        assert!(is_data_uri("data:image/png;base64,AA"));
        assert!(is_data_uri("DATA:image/png;base64,AA"));
        assert!(is_data_uri(" \t\ndata:,x"));
        assert!(is_data_uri("data:"));
        assert!(!is_data_uri("data"));
        assert!(!is_data_uri("image.png"));
        assert!(!is_data_uri("xdata:,x"));
        assert!(!is_data_uri(""));
    }

    #[test]
    fn decode_round_trip() {
        let bytes: Vec<u8> = (0..=255).collect();
        let decoded = decode_ok(&encode("image/png", &bytes));
        assert_eq!(decoded.mime, "image/png");
        assert_eq!(decoded.params, Vec::new());
        assert!(decoded.base64);
        assert_eq!(decoded.data, bytes);
        assert_eq!(decoded.notes, Vec::new());
    }

    #[test]
    fn decode_png_signature() {
        let decoded = decode_ok("data:image/png;base64,iVBORw0KGgo=");
        assert_eq!(decoded.data, PNG_SIGNATURE);
    }

    #[test]
    fn decode_surrounding_whitespace() {
        let decoded = decode_ok("\n  data:image/png;base64,iVBORw0KGgo=  \r\n");
        assert_eq!(decoded.data, PNG_SIGNATURE);
        assert_eq!(decoded.notes, Vec::new());
    }

    #[test]
    fn decode_line_breaks_inside() {
        let decoded = decode_ok("data:image/png;base64,iVBO\r\n Rw0K\tGg\x0Co=");
        assert_eq!(decoded.data, PNG_SIGNATURE);
        assert_eq!(decoded.notes, vec![DecodeNote::Whitespace]);
    }

    #[test]
    fn decode_whitespace_only_payload() {
        assert_eq!(
            decode("data:image/png;base64,%20%0A"),
            Err(DataUriError::EmptyPayload)
        );
        assert_eq!(
            decode("data:image/png;base64,\n\t"),
            Err(DataUriError::EmptyPayload)
        );
        assert_eq!(
            decode("data:image/png;base64,%0A%09"),
            Err(DataUriError::EmptyPayload)
        );
    }

    #[test]
    fn decode_lone_symbol_among_whitespace() {
        assert_eq!(
            decode("data:image/png;base64,\n \n x"),
            Err(DataUriError::InvalidBase64 {
                position: 26,
                reason: Base64ErrorKind::DanglingSymbol,
            })
        );
    }

    #[test]
    fn decode_percent_encoded_payload() {
        // `/9j/4A==` is the start of a JPEG file: FF D8 FF E0.
        let decoded = decode_ok("data:image/jpeg;base64,%2F9j%2F4A%3D%3D");
        assert_eq!(decoded.data, b"\xff\xd8\xff\xe0");
        assert_eq!(decoded.notes, vec![DecodeNote::PercentEncoded]);
    }

    #[test]
    fn decode_percent_encoded_line_break() {
        let decoded = decode_ok("data:image/jpeg;base64,%2F9j%0A%2F4A");
        assert_eq!(decoded.data, b"\xff\xd8\xff\xe0");
        assert_eq!(
            decoded.notes,
            vec![
                DecodeNote::PercentEncoded,
                DecodeNote::Whitespace,
                DecodeNote::MissingPadding
            ]
        );
    }

    #[test]
    fn decode_missing_padding() {
        let one = decode_ok("data:image/png;base64,iVBORw0KGgo");
        assert_eq!(one.data, PNG_SIGNATURE);
        assert_eq!(one.notes, vec![DecodeNote::MissingPadding]);

        let two = decode_ok("data:image/png;base64,+w");
        assert_eq!(two.data, b"\xfb");
        assert_eq!(two.notes, vec![DecodeNote::MissingPadding]);
    }

    #[test]
    fn decode_trailing_bits_discarded() {
        // `QR==` has non-zero bits after the byte 0x41, which the standard discards.
        assert_eq!(decode_ok("data:image/png;base64,QR==").data, b"A");
        assert_eq!(decode_ok("data:image/png;base64,QUI=").data, b"AB");
        assert_eq!(decode_ok("data:image/png;base64,QUJ=").data, b"AB");
    }

    #[test]
    fn decode_uppercase_base64_flag() {
        let decoded = decode_ok("data:image/png;BASE64,iVBORw0KGgo=");
        assert!(decoded.base64);
        assert_eq!(decoded.mime, "image/png");
        assert_eq!(decoded.data, PNG_SIGNATURE);
    }

    #[test]
    fn decode_space_before_flag() {
        let decoded = decode_ok("data:image/png;  Base64 ,iVBORw0KGgo=");
        assert!(decoded.base64);
        assert_eq!(decoded.data, PNG_SIGNATURE);
    }

    #[test]
    fn decode_doubled_semicolon() {
        let decoded = decode_ok("data:image/png;;base64,iVBORw0KGgo=");
        assert!(decoded.base64);
        assert_eq!(decoded.mime, "image/png");
        assert_eq!(decoded.params, Vec::new());
        assert_eq!(decoded.data, PNG_SIGNATURE);
    }

    #[test]
    fn decode_charset_param() {
        let decoded = decode_ok("data:text/plain;charset=utf-8;base64,aMOp");
        assert_eq!(decoded.mime, "text/plain");
        assert_eq!(decoded.param("charset"), Some("utf-8"));
        assert_eq!(decoded.param("CHARSET"), Some("utf-8"));
        assert_eq!(decoded.data, "hé".as_bytes());
    }

    #[test]
    fn decode_name_param() {
        let decoded = decode_ok("data:image/png;name=a.png;base64,iVBORw0KGgo=");
        assert_eq!(decoded.mime, "image/png");
        assert_eq!(decoded.file_name(), Some("a.png"));
        assert_eq!(
            decoded.params,
            vec![("name".to_owned(), "a.png".to_owned())]
        );
    }

    #[test]
    fn decode_filename_param() {
        let decoded = decode_ok("data:image/png;FileName=\"my a.png\";base64,iVBORw0KGgo=");
        assert_eq!(decoded.param("filename"), Some("my a.png"));
        assert_eq!(decoded.file_name(), Some("my a.png"));
    }

    #[test]
    fn decode_percent_encoded_param() {
        let decoded = decode_ok("data:image/png;name=my%20photo%C3%A9.png;base64,iVBORw0KGgo=");
        assert_eq!(decoded.file_name(), Some("my photoé.png"));
    }

    #[test]
    fn decode_first_repeated_param_wins() {
        let decoded = decode_ok("data:image/png;name=a.png;name=b.png;base64,iVBORw0KGgo=");
        assert_eq!(decoded.file_name(), Some("a.png"));
        assert_eq!(decoded.params.len(), 1);
    }

    #[test]
    fn decode_without_file_name() {
        let decoded = decode_ok("data:image/png;name=;base64,iVBORw0KGgo=");
        assert_eq!(decoded.file_name(), None);
        assert_eq!(decoded.params, Vec::new());
    }

    #[test]
    fn decode_image_wildcard() {
        let decoded = decode_ok("data:image/*;base64,iVBORw0KGgo=");
        assert_eq!(decoded.mime, "image/*");
        assert_eq!(decoded.data, PNG_SIGNATURE);
    }

    #[test]
    fn decode_url_safe_alphabet() {
        let decoded = decode_ok("data:image/jpeg;base64,_9j_4A==");
        assert_eq!(decoded.data, b"\xff\xd8\xff\xe0");
        assert_eq!(decoded.notes, vec![DecodeNote::UrlSafeAlphabet]);

        let unpadded = decode_ok("data:image/png;base64,-w");
        assert_eq!(unpadded.data, b"\xfb");
        assert_eq!(
            unpadded.notes,
            vec![DecodeNote::MissingPadding, DecodeNote::UrlSafeAlphabet]
        );
    }

    #[test]
    fn decode_mixed_alphabets() {
        assert_eq!(
            decode("data:image/png;base64,+/-_"),
            Err(DataUriError::InvalidBase64 {
                position: 24,
                reason: Base64ErrorKind::MixedAlphabets,
            })
        );
    }

    #[test]
    fn decode_placeholder_missing_comma() {
        assert_eq!(
            decode("data:image/jpeg;base64..."),
            Err(DataUriError::MissingComma)
        );
        assert_eq!(decode("data:"), Err(DataUriError::MissingComma));
    }

    #[test]
    fn decode_empty_payload() {
        assert_eq!(
            decode("data:image/png;base64,"),
            Err(DataUriError::EmptyPayload)
        );
        assert_eq!(
            decode("data:image/png;base64,  "),
            Err(DataUriError::EmptyPayload)
        );
        assert_eq!(decode("data:,"), Err(DataUriError::EmptyPayload));
    }

    #[test]
    fn decode_not_data_uri() {
        assert_eq!(decode("image.png"), Err(DataUriError::NotDataUri));
        assert_eq!(decode("dat"), Err(DataUriError::NotDataUri));
        assert_eq!(decode(""), Err(DataUriError::NotDataUri));
    }

    #[test]
    fn decode_invalid_character() {
        assert_eq!(
            decode("data:image/png;base64,iVBO*w0KGgo="),
            Err(DataUriError::InvalidBase64 {
                position: 26,
                reason: Base64ErrorKind::InvalidByte(b'*'),
            })
        );
    }

    #[test]
    fn decode_invalid_non_ascii() {
        assert_eq!(
            decode("data:image/png;base64,iVéBOR"),
            Err(DataUriError::InvalidBase64 {
                position: 24,
                reason: Base64ErrorKind::InvalidByte(0xC3),
            })
        );
    }

    #[test]
    fn decode_invalid_position_after_escapes() {
        // The position points into the text as written, past the whitespace and the escape.
        assert_eq!(
            decode("  data:image/png;base64,%2F9\nj!"),
            Err(DataUriError::InvalidBase64 {
                position: 30,
                reason: Base64ErrorKind::InvalidByte(b'!'),
            })
        );
        assert_eq!(
            decode("data:image/png;base64,AA%21A"),
            Err(DataUriError::InvalidBase64 {
                position: 24,
                reason: Base64ErrorKind::InvalidByte(b'!'),
            })
        );
    }

    #[test]
    fn decode_fragment_is_invalid_base64() {
        assert_eq!(
            decode("data:image/png;base64,AAAA#top"),
            Err(DataUriError::InvalidBase64 {
                position: 26,
                reason: Base64ErrorKind::InvalidByte(b'#'),
            })
        );
    }

    #[test]
    fn decode_misplaced_padding() {
        assert_eq!(
            decode("data:image/png;base64,AA=A"),
            Err(DataUriError::InvalidBase64 {
                position: 24,
                reason: Base64ErrorKind::MisplacedPadding,
            })
        );
        assert_eq!(
            decode("data:image/png;base64,AA="),
            Err(DataUriError::InvalidBase64 {
                position: 24,
                reason: Base64ErrorKind::MisplacedPadding,
            })
        );
        assert_eq!(
            decode("data:image/png;base64,A==="),
            Err(DataUriError::InvalidBase64 {
                position: 23,
                reason: Base64ErrorKind::MisplacedPadding,
            })
        );
        assert_eq!(
            decode("data:image/png;base64,===="),
            Err(DataUriError::InvalidBase64 {
                position: 22,
                reason: Base64ErrorKind::MisplacedPadding,
            })
        );
    }

    #[test]
    fn decode_dangling_symbol() {
        assert_eq!(
            decode("data:image/png;base64,AAAAA"),
            Err(DataUriError::InvalidBase64 {
                position: 26,
                reason: Base64ErrorKind::DanglingSymbol,
            })
        );
    }

    #[test]
    fn decode_dangling_symbol_after_invalid_byte() {
        assert_eq!(
            decode("data:image/png;base64,A*AAA"),
            Err(DataUriError::InvalidBase64 {
                position: 23,
                reason: Base64ErrorKind::InvalidByte(b'*'),
            })
        );
    }

    #[test]
    fn decode_literal_base64_without_flag() {
        let decoded = decode_ok("data:image/png,base64,iVBOR");
        assert!(!decoded.base64);
        assert_eq!(decoded.mime, "image/png");
        assert_eq!(decoded.data, b"base64,iVBOR");
    }

    #[test]
    fn decode_utf8_svg() {
        let decoded = decode_ok("data:image/svg+xml;utf8,<svg fill='#f00'/>");
        assert!(!decoded.base64);
        assert_eq!(decoded.mime, "image/svg+xml");
        assert_eq!(decoded.params, Vec::new());
        assert_eq!(decoded.data, b"<svg fill='#f00'/>");
        assert_eq!(decoded.notes, Vec::new());
    }

    #[test]
    fn decode_percent_encoded_svg() {
        let decoded = decode_ok("data:image/svg+xml,%3Csvg%20xmlns%3D%22a%22%2F%3E");
        assert!(!decoded.base64);
        assert_eq!(decoded.mime, "image/svg+xml");
        assert_eq!(decoded.data, b"<svg xmlns=\"a\"/>");
        assert_eq!(decoded.notes, vec![DecodeNote::PercentEncoded]);
    }

    #[test]
    fn decode_lone_percent_kept() {
        let decoded = decode_ok("data:text/plain,100%");
        assert_eq!(decoded.data, b"100%");
        assert_eq!(decoded.notes, Vec::new());
    }

    #[test]
    fn decode_mime_lowercased() {
        let decoded = decode_ok("DATA:IMAGE/PNG;base64,iVBORw0KGgo=");
        assert_eq!(decoded.mime, "image/png");
    }

    #[test]
    fn decode_empty_mime_is_text_plain() {
        let flagged = decode_ok("data:;base64,aGk=");
        assert_eq!(flagged.mime, "text/plain");
        assert_eq!(flagged.param("charset"), Some("US-ASCII"));
        assert_eq!(flagged.data, b"hi");

        let bare = decode_ok("data:,hi");
        assert_eq!(bare.mime, "text/plain");
        assert_eq!(bare.param("charset"), Some("US-ASCII"));
    }

    #[test]
    fn decode_params_without_type() {
        let decoded = decode_ok("data:;charset=utf-8,hi");
        assert_eq!(decoded.mime, "text/plain");
        assert_eq!(decoded.param("charset"), Some("utf-8"));
    }

    #[test]
    fn decode_unparsable_mime() {
        let decoded = decode_ok("data:png;base64,iVBORw0KGgo=");
        assert_eq!(decoded.mime, "text/plain");
        assert_eq!(decoded.param("charset"), Some("US-ASCII"));
        assert_eq!(decoded.data, PNG_SIGNATURE);
    }

    #[test]
    fn decode_large_payload() {
        let bytes: Vec<u8> = (0..5_000_000u32).map(|i| (i % 251) as u8).collect();
        let uri = encode("image/png", &bytes);
        let decoded = decode_ok(&uri);
        assert_eq!(decoded.data.len(), 5_000_000);
    }

    #[test]
    fn decode_large_payload_with_line_breaks() {
        let bytes = vec![0xAB; 5_000_000];
        let uri = encode("image/png", &bytes);
        let (head, payload) = uri.split_at(22);
        let mut wrapped = String::from(head);
        for line in payload.as_bytes().chunks(76) {
            wrapped.push_str(std::str::from_utf8(line).unwrap());
            wrapped.push('\n');
        }
        let decoded = decode_ok(&wrapped);
        assert_eq!(decoded.data.len(), 5_000_000);
        assert_eq!(decoded.notes, vec![DecodeNote::Whitespace]);
    }

    #[test]
    fn error_messages() {
        assert_eq!(
            DataUriError::MissingComma.to_string(),
            "data URI has no ',' between the MIME type and the payload"
        );
        let invalid = DataUriError::InvalidBase64 {
            position: 26,
            reason: Base64ErrorKind::InvalidByte(b'*'),
        };
        assert_eq!(
            invalid.to_string(),
            "invalid base64 payload in data URI at byte 26: '*' is not in the base64 alphabet"
        );
        assert_eq!(
            Base64ErrorKind::InvalidByte(0x0A).to_string(),
            "byte 0x0A is not in the base64 alphabet"
        );
    }
}
