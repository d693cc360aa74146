import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A key and certificate for 127.0.0.1, made with openssl for this server alone. */
export async function selfSignedCertificate(): Promise<{ key: string; certificate: string }> {
  const directory = await mkdtemp(join(tmpdir(), 'janitor-kube-tls-'));
  try {
    const keyPath = join(directory, 'key.pem');
    const certificatePath = join(directory, 'cert.pem');
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
        ...['-keyout', keyPath, '-out', certificatePath, '-days', '1', '-subj', '/CN=kubernetes-stand-in'],
        ...['-addext', 'subjectAltName=IP:127.0.0.1'],
      ],
      { stdio: 'ignore' },
    );
    return { key: await readFile(keyPath, 'utf8'), certificate: await readFile(certificatePath, 'utf8') };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
