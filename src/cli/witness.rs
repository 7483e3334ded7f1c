//! `xinyi witness serve` and `xinyi witness key`: a ledger witness,
//! meant to run on another machine, under another operator.

use super::CliFailure;
use crate::witness::{DEFAULT_NAME, Witness, load_or_create_key};
use clap::Subcommand;
use std::path::PathBuf;
use std::sync::Arc;
use xinyi_merchant_sdk::signed_note::NoteVerifier;

#[derive(Subcommand)]
pub enum WitnessCommand {
    /// Serve C2SP tlog-witness `POST /add-checkpoint` for one log.
    Serve {
        /// Where to listen.
        #[arg(long, env = "XINYI_WITNESS_ADDR", default_value = "127.0.0.1:8090")]
        addr: String,
        /// The log's verifier key (`GET /v1/ledger/key`), `<name>+<id>+<key>`.
        #[arg(long, env = "XINYI_WITNESS_LOG_KEY")]
        log_key: String,
        /// The witness's directory: its key (made on first start) and the last checkpoint it cosigned.
        #[arg(long, env = "XINYI_WITNESS_STATE")]
        state: PathBuf,
        /// The key's name, on first start only (a schema-less URL).
        #[arg(long, default_value = DEFAULT_NAME)]
        name: String,
    },
    /// Print the witness's verifier key (`<name>+<id>+<base64(0x04 ‖ key)>`), making it on first use.
    Key {
        #[arg(long, env = "XINYI_WITNESS_STATE")]
        state: PathBuf,
        #[arg(long, default_value = DEFAULT_NAME)]
        name: String,
    },
}

pub async fn run(command: WitnessCommand) -> Result<(), CliFailure> {
    match command {
        WitnessCommand::Key { state, name } => {
            println!("{}", load_or_create_key(&state, &name)?.key().encode());
            Ok(())
        }
        WitnessCommand::Serve { addr, log_key, state, name } => {
            let log_key = NoteVerifier::parse(log_key.trim())
                .map_err(|e| CliFailure { message: format!("--log-key: {e}"), exit_code: 2 })?;
            let witness = Arc::new(Witness::open(state, &name, log_key)?);
            let listener =
                tokio::net::TcpListener::bind(&addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            let address = listener.local_addr()?;
            tracing::info!(%address, key = %witness.cosigner().key().encode(), "the witness is listening");
            axum::serve(listener, crate::witness::router(witness))
                .with_graceful_shutdown(crate::startup::shutdown_signal())
                .await?;
            Ok(())
        }
    }
}
