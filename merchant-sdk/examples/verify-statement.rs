//! Checks a citizen's signed credit statement (信用报告) against a published
//! key set, offline, as a landlord or an employer would.
//!
//! ```text
//! cargo run -p xinyi-merchant-sdk --example verify-statement -- --keys KEYSET.json FILE
//! ```
//!
//! FILE holds the statement's JWS (the `jws` of `GET /v1/me/statement`, or
//! the text under the QR of the printed page); `-` reads standard input.
//! Prints the claims as JSON and exits 0 when the signature holds, prints
//! the reason and exits 1 when it does not, and exits 2 on a usage error.

use clap::Parser;
use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;
use xinyi_merchant_sdk::{TrustedKeys, verify_statement};

#[derive(Parser)]
#[command(about = "Verify a 信易+ signed credit statement offline against the service's published keys")]
struct Args {
    /// The key set, as served at GET /v1/keys.
    #[arg(long, value_name = "KEYSET.json")]
    keys: PathBuf,
    /// A file holding the statement's JWS, or - for standard input.
    file: String,
}

fn usage_error(message: String) -> ExitCode {
    eprintln!("{message}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args = Args::parse();
    let keys = match std::fs::read_to_string(&args.keys)
        .map_err(|e| e.to_string())
        .and_then(|json| TrustedKeys::from_json(&json).map_err(|e| e.to_string()))
    {
        Ok(keys) => keys,
        Err(e) => return usage_error(format!("{}: {e}", args.keys.display())),
    };
    let mut jws = String::new();
    let read = if args.file == "-" {
        std::io::stdin().read_to_string(&mut jws).map(|_| ())
    } else {
        std::fs::read_to_string(&args.file).map(|text| jws = text)
    };
    if let Err(e) = read {
        return usage_error(format!("cannot read {}: {e}", args.file));
    }
    match verify_statement(&jws, &keys) {
        Ok(claims) => {
            println!("{}", serde_json::to_string_pretty(&claims).expect("claims serialise"));
            ExitCode::SUCCESS
        }
        Err(refusal) => {
            println!("{}", serde_json::json!({"ok": false, "error": refusal.to_string()}));
            ExitCode::from(1)
        }
    }
}
