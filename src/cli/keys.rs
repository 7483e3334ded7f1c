use super::{CliFailure, DatabaseArgs, MasterKeyArgs};
use crate::signing::add_key;
use crate::startup::master_key;
use crate::storage;
use clap::Subcommand;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Add a signing key: published at once, signing after the delay.
    Rotate {
        /// Seconds between publishing the key and signing with it, so every
        /// terminal has fetched it first. 0 signs at once.
        #[arg(long, env = "XINYI_KEY_PREPUBLICATION_SECS", default_value_t = 86_400)]
        delay_secs: u32,
        /// Store the new key unsealed when no XINYI_MASTER_KEY is set; for
        /// a local trial only, and refused once any key is sealed.
        #[arg(long)]
        unsealed: bool,
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        master_key: MasterKeyArgs,
    },
    /// List the signing keys and their windows.
    List {
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

pub async fn run(command: KeysCommand) -> Result<(), CliFailure> {
    match command {
        KeysCommand::Rotate { delay_secs, unsealed, database, master_key: master } => {
            let store = storage::connect(&database.database_url).await?;
            let master = master_key(master.master_key.as_deref())?;
            let delay = Duration::seconds(delay_secs.into());
            let key = add_key(&store, master.as_ref(), OffsetDateTime::now_utc(), delay, unsealed).await?;
            println!("{}", key.kid);
            eprintln!("key {} is published now and signs from {}", key.kid, rfc3339(key.sign_from));
            Ok(())
        }
        KeysCommand::List { database } => {
            let store = storage::connect(&database.database_url).await?;
            let now = OffsetDateTime::now_utc();
            println!("{:<44}  {:<20}  {:<20}  {:<8}  state", "kid", "signs from", "signs until", "sealed");
            for key in store.signing_keys().await? {
                let state = match (key.sign_from <= now, key.sign_until) {
                    (false, _) => "published, not signing yet",
                    (true, Some(until)) if until <= now => "retired",
                    _ => "signing",
                };
                println!(
                    "{:<44}  {:<20}  {:<20}  {:<8}  {state}",
                    key.kid,
                    rfc3339(key.sign_from),
                    key.sign_until.map(rfc3339).unwrap_or_else(|| "-".into()),
                    if key.sealed { "yes" } else { "NO" },
                );
            }
            Ok(())
        }
    }
}
