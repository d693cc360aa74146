// Preloaded into a measured process (node --import): writes its peak resident set size, in MiB,
// to the file BENCH_RSS_FILE names when it exits.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  if (process.env.BENCH_RSS_FILE) {
    writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS / 1024));
  }
});
