import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's `chromium`; `.ci/run` installs it with apt-get. */
export const chromiumBinary = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

/**
 * Whether the browser tests run here. Locally, without Chromium installed, they are skipped with
 * a notice; in CI (CI=true) a missing browser fails them, so a broken install can never pass.
 */
export const skipWithoutChromium = !existsSync(chromiumBinary) && process.env.CI !== 'true';
if (skipWithoutChromium) {
  process.stderr.write(
    `\n${chromiumBinary} is not installed: skipping the browser tests (apt-get install -y chromium)\n\n`,
  );
}

/**
 * Headless Chromium with everything that would phone home switched off: this machine's network is
 * closed, and a report must open without any network anyway.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumBinary)) {
    throw new Error(
      `${chromiumBinary} is missing: install Debian's chromium (apt-get install -y chromium), as .ci/run does`,
    );
  }
  return chromium.launch({
    executablePath: chromiumBinary,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
