/**
 * What to tell a person whose registry refused a manifest DELETE: the way that does work there.
 * The registry's own answer (`405 UNSUPPORTED`, a bare 400) rarely says, and the README's registry
 * matrix is where these facts are kept with their sources.
 */
export function deleteRefusalHint(registry: URL, status: number, code: string): string | undefined {
  const host = registry.hostname.toLowerCase();
  const unsupported = status === 405 || code === 'UNSUPPORTED';
  if (host === 'ghcr.io' && unsupported) {
    return 'ghcr.io does not delete through the registry API; use `registry.type: ghcr`, which deletes through GitHub’s package API';
  }
  if (dockerHubHosts.has(host) && unsupported) {
    return 'Docker Hub does not delete through the registry API; it deletes tags through its own Hub API, which janitor does not use (see "Registries" in the README)';
  }
  if (isGoogle(host) && status !== 401 && status !== 403 && status !== 404) {
    return 'Artifact Registry refuses to delete a digest that still has tags, and janitor does not delete tags by name (a tag a push moved meanwhile would go with it); use Artifact Registry cleanup policies, or `gcloud artifacts docker images delete --delete-tags`';
  }
  if (unsupported) {
    return 'the registry does not allow deleting manifests: on distribution set storage.delete.enabled: true; for other registries see "Registries" in the README';
  }
  return undefined;
}

const dockerHubHosts = new Set([
  'docker.io',
  'registry-1.docker.io',
  'index.docker.io',
  'registry.hub.docker.com',
]);

function isGoogle(host: string): boolean {
  return host.endsWith('-docker.pkg.dev') || host === 'gcr.io' || host.endsWith('.gcr.io');
}
