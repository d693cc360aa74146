import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/core/manifest.js';
import { MediaType } from '../../src/core/types.js';
import { digestOf } from '../support/inventory.js';

const digest = digestOf('m');
const childDigest = digestOf('c');

describe('parseManifest', () => {
  const table: Array<{ name: string; text: string; reported?: string; kind: string }> = [
    {
      name: 'OCI index',
      text: JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.ociIndex,
        manifests: [{ digest: childDigest }],
      }),
      kind: 'index',
    },
    {
      name: 'Docker manifest list',
      text: JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.dockerManifestList,
        manifests: [{ digest: childDigest }],
      }),
      kind: 'index',
    },
    {
      name: 'index without mediaType field, known from the registry',
      text: JSON.stringify({ schemaVersion: 2, manifests: [{ digest: childDigest }] }),
      reported: MediaType.ociIndex,
      kind: 'index',
    },
    {
      name: 'index without any mediaType, known by its shape',
      text: JSON.stringify({ schemaVersion: 2, manifests: [] }),
      kind: 'index',
    },
    {
      name: 'OCI image manifest',
      text: JSON.stringify({ mediaType: MediaType.ociManifest, layers: [] }),
      kind: 'image',
    },
    {
      name: 'Docker v2 manifest',
      text: JSON.stringify({ mediaType: MediaType.dockerManifest }),
      kind: 'image',
    },
    {
      name: 'schema 1 is a leaf image',
      text: JSON.stringify({
        schemaVersion: 1,
        mediaType: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
      }),
      kind: 'image',
    },
    {
      name: 'schema 1 without a media type is recognised by its shape',
      text: JSON.stringify({ schemaVersion: 1, name: 'a', tag: 'v1', fsLayers: [], history: [] }),
      kind: 'image',
    },
    {
      name: 'a type nobody knows stays unsupported, and keeps its subject',
      text: JSON.stringify({
        mediaType: 'application/vnd.example.bundle.v1+json',
        subject: { digest: childDigest },
      }),
      kind: 'unsupported',
    },
    {
      name: 'a declared index type with parameters is an index',
      text: JSON.stringify({
        mediaType: `${MediaType.ociIndex}; charset=utf-8`,
        manifests: [{ digest: childDigest }],
      }),
      kind: 'index',
    },
    {
      name: 'children under a type that is not an index fail closed',
      text: JSON.stringify({
        mediaType: 'application/vnd.example.bundle+json',
        manifests: [{ digest: childDigest }],
      }),
      kind: 'unreadable',
    },
    { name: 'not JSON', text: '{nope', kind: 'unreadable' },
    { name: 'a JSON array', text: '[]', kind: 'unreadable' },
    { name: 'no media type at all', text: '{}', kind: 'unreadable' },
    {
      name: 'index without manifests list',
      text: JSON.stringify({ mediaType: MediaType.ociIndex }),
      kind: 'unreadable',
    },
    {
      name: 'index child with a bad digest',
      text: JSON.stringify({ mediaType: MediaType.ociIndex, manifests: [{ digest: '../../etc' }] }),
      kind: 'unreadable',
    },
  ];
  for (const row of table) {
    it(row.name, () => {
      expect(parseManifest(digest, row.text, row.reported).kind).toBe(row.kind);
    });
  }

  it('lists the children of an index in order', () => {
    const text = JSON.stringify({
      mediaType: MediaType.ociIndex,
      manifests: [{ digest: childDigest }, { digest }],
    });
    expect(parseManifest(digest, text)).toMatchObject({ kind: 'index', children: [childDigest, digest] });
  });
});
