#![no_main]

use libfuzzer_sys::fuzz_target;

// Only UTF-8 reaches dflint: the CLI rejects other bytes before parsing.
fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        dflint_fuzz::fix(text);
    }
});
