//! `paraph-server`: serve the API, or create an API key.

use std::process::ExitCode;

use clap::Parser;
use paraph_server::config::{Cli, Command, KeysCommand};
use paraph_server::server;
use tracing_subscriber::EnvFilter;

fn init_logs(json: bool) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => {
            init_logs(cli.serve.log_json);
            server::serve(cli.serve).await
        }
        Some(Command::Serve(args)) => {
            init_logs(args.log_json);
            server::serve(*args).await
        }
        Some(Command::Keys {
            command: KeysCommand::Create(args),
        }) => match server::create_key(&args).await {
            Ok(key) => {
                println!("{key}");
                Ok(())
            }
            Err(err) => Err(err),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("paraph-server: {err}");
            ExitCode::FAILURE
        }
    }
}
