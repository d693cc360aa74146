/**
 * The ECR emulator as a process of its own for benchmarks, so that its memory and CPU are not the
 * tool's. Seeds a fleet, answers with an injected round-trip time, and reports over IPC how many
 * requests of each operation it received and the most it had in flight at once.
 */
import { EcrEmulator } from '../src/emulator/server.js';
import { seedFleet } from './fleet.js';

const [repositories, images, indexShare, latencyMs] = process.argv.slice(2).map(Number);
const emulator = await EcrEmulator.start();
const started = performance.now();
const manifests = seedFleet(emulator.state, {
  repositories: repositories ?? 10,
  images: images ?? 100,
  indexShare: indexShare ?? 0.8,
});
emulator.setFaults({ latencyMs: latencyMs ?? 20 });
process.send?.({
  ready: true,
  endpoint: emulator.endpoint,
  manifests,
  seedSeconds: (performance.now() - started) / 1000,
});
process.on('message', (message: { command: string }) => {
  if (message.command === 'counts') {
    process.send?.({ counts: emulator.requestCounts(), peakConcurrency: emulator.peakConcurrency() });
  } else if (message.command === 'reset') {
    emulator.resetRequestCounts();
    process.send?.({ reset: true });
  } else if (message.command === 'stop') {
    void emulator.stop().then(() => process.exit(0));
  }
});
