import { normalizeHost } from './reference.js';

/**
 * The host names image references use for an ECR registry: the standard one
 * (`ACCOUNT.dkr.ecr.REGION.amazonaws.com`, `.amazonaws.com.cn` in China), the FIPS one and the
 * dual-stack one. A reference through any of them pulls from the same repositories.
 */
export function ecrHosts(registryId: string, region: string): string[] {
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return [
    `${registryId}.dkr.ecr.${region}.${suffix}`,
    `${registryId}.dkr.ecr-fips.${region}.${suffix}`,
    `${registryId}.dkr-ecr.${region}.on.aws`,
  ];
}

/**
 * The host names references use for a registry at this URL: its host as written, and with or
 * without the scheme's default port (`registry.example.com` and `registry.example.com:443` are one
 * registry to a client, so both keep its images).
 */
export function ociHosts(url: string): string[] {
  const parsed = new URL(url);
  const name = normalizeHost(parsed.hostname);
  const defaultPort = parsed.protocol === 'https:' ? '443' : '80';
  const port = parsed.port === '' ? defaultPort : parsed.port;
  return port === defaultPort ? [name, `${name}:${port}`] : [`${name}:${port}`];
}
