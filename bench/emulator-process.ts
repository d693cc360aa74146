/**
 * The ECR emulator as a process of its own for benchmarks, so that its memory and CPU are not the
 * tool's. Seeds a fleet, answers with an injected round-trip time, and reports over IPC how many
 * requests of each operation it received and the most it had in flight at once.
 */
import { seedDemoFleet } from '../src/emulator/fleet.js';
import { EcrEmulator, type Faults } from '../src/emulator/server.js';
import { seedFleet } from './fleet.js';

// `demo LATENCY` seeds the demo fleet; `REPOSITORIES IMAGES INDEX_SHARE LATENCY` a generated one.
const demo = process.argv[2] === 'demo';
const [repositories, images, indexShare, latencyMs] = (
  demo ? ['0', '0', '0', process.argv[3]] : process.argv.slice(2)
).map(Number);
const emulator = await EcrEmulator.start();
const started = performance.now();
const manifests = demo
  ? seedDemoFleet(emulator.state).images.reduce((total, image) => total + image.digests.length, 0)
  : seedFleet(emulator.state, {
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
process.on('message', (message: { command: string; faults?: Faults }) => {
  if (message.command === 'counts') {
    process.send?.({
      counts: emulator.requestCounts(),
      peakConcurrency: emulator.peakConcurrency(),
      throttled: emulator.throttledCount(),
    });
  } else if (message.command === 'faults') {
    emulator.setFaults({ latencyMs: latencyMs ?? 20, ...message.faults });
    process.send?.({ faults: true });
  } else if (message.command === 'reset') {
    emulator.resetRequestCounts();
    process.send?.({ reset: true });
  } else if (message.command === 'stop') {
    void emulator.stop().then(() => process.exit(0));
  }
});
