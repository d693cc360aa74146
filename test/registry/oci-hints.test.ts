import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImageManifest } from '../../src/emulator/manifests.js';
import { OciDriver } from '../../src/registry/oci/driver.js';
import { deleteRefusalHint } from '../../src/registry/oci/hints.js';
import { deletingToken, type GhcrStandIn, startGhcrStandIn, testOwner } from '../support/ghcr.js';

describe('what a refused manifest DELETE is told to do instead', () => {
  const rows: Array<{ registry: string; status: number; code: string; expected: RegExp | undefined }> = [
    { registry: 'https://ghcr.io', status: 405, code: 'UNSUPPORTED', expected: /use `registry.type: ghcr`/ },
    {
      registry: 'https://registry-1.docker.io',
      status: 405,
      code: 'UNSUPPORTED',
      expected: /its own Hub API/,
    },
    { registry: 'https://docker.io', status: 405, code: 'UNSUPPORTED', expected: /Docker Hub/ },
    {
      registry: 'https://europe-west1-docker.pkg.dev',
      status: 400,
      code: 'HTTP400',
      expected: /refuses to delete a digest that still has tags/,
    },
    { registry: 'https://eu.gcr.io', status: 409, code: 'HTTP409', expected: /--delete-tags/ },
    // A permission problem on Google is not the tag rule.
    { registry: 'https://europe-west1-docker.pkg.dev', status: 403, code: 'DENIED', expected: undefined },
    {
      registry: 'https://registry.example.com',
      status: 405,
      code: 'UNSUPPORTED',
      expected: /storage.delete.enabled: true/,
    },
    { registry: 'https://registry.example.com', status: 500, code: 'UNKNOWN', expected: undefined },
  ];
  for (const row of rows) {
    it(`${row.registry} answering ${row.status} ${row.code}`, () => {
      const hint = deleteRefusalHint(new URL(row.registry), row.status, row.code);
      if (row.expected === undefined) expect(hint).toBeUndefined();
      else expect(hint).toMatch(row.expected);
    });
  }

  describe('the OCI driver against a registry that refuses DELETE as ghcr.io does', () => {
    let standIn: GhcrStandIn;
    beforeAll(async () => {
      standIn = await startGhcrStandIn();
    });
    afterAll(async () => {
      await standIn?.stop();
    });

    it('reports the refusal per digest with the registry’s code and the way that works, and deletes nothing', async () => {
      const image = buildImageManifest({ seed: 'refused' });
      const digest = standIn.front.hold(testOwner, 'refused', image.text, image.mediaType, 'v1');
      const driver = new OciDriver({
        url: standIn.front.url,
        credentials: { username: 'someone', password: deletingToken },
      });
      const [outcome] = await driver.deleteDigests('acme/refused', [digest]);
      expect(outcome).toMatchObject({ digest, outcome: 'failed', code: 'UNSUPPORTED' });
      expect(outcome?.outcome === 'failed' && outcome.reason).toMatch(
        /^The operation is unsupported\. — the registry does not allow deleting manifests/,
      );
      expect(await driver.presentDigests('acme/refused', [digest])).toEqual(new Set([digest]));
    });
  });
});
