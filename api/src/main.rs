//! `portail-famille`: runs the API and serves the SPA.

use api::config::Settings;
use api::startup::Application;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    api::telemetry::init(settings.environment);
    let application = Application::build(settings).await?;
    application.run_until_stopped().await?;
    Ok(())
}
