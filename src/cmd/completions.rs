//! `rehearse completions SHELL` and `rehearse man`: generated from the clap definition, so
//! they always match the commands and flags.

use anyhow::Result;
use std::io::Write;

pub fn script(shell: clap_complete::Shell, out: &mut impl Write) -> Result<()> {
    let mut cmd = crate::cli::command();
    clap_complete::generate(shell, &mut cmd, "rehearse", out);
    Ok(())
}

pub fn man(out: &mut impl Write) -> Result<()> {
    clap_mangen::Man::new(crate::cli::command()).render(out)?;
    Ok(())
}
