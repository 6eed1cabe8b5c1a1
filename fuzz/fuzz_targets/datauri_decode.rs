//! Fuzzes the data-URI decoder: any text must decode or fail without panicking, and a base64
//! payload that decodes must survive re-encoding with the strict standard engine and decoding
//! again, byte for byte.

#![no_main]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use libfuzzer_sys::fuzz_target;
use mdembed::datauri;

fuzz_target!(|text: &str| {
    let Ok(uri) = datauri::decode(text) else {
        return;
    };
    assert!(
        datauri::is_data_uri(text),
        "decoded a non-data URI: {text:?}"
    );
    assert!(!uri.data.is_empty(), "decoded an empty payload: {text:?}");
    if !uri.base64 {
        return;
    }

    let payload = STANDARD.encode(&uri.data);
    assert_eq!(
        STANDARD.decode(&payload).expect("standard payload decodes"),
        uri.data
    );

    let canonical = datauri::encode("image/png", &uri.data);
    assert_eq!(
        canonical.len(),
        datauri::encoded_len("image/png", uri.data.len())
    );
    let again = datauri::decode(&canonical).expect("a canonical URI decodes");
    assert_eq!(again.data, uri.data, "round trip of {text:?}");
    assert_eq!(again.mime, "image/png");
    assert!(again.base64);
    assert!(
        again.notes.is_empty(),
        "notes on a canonical URI: {:?}",
        again.notes
    );
});
