import { fromIni, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsSourcePlace } from './names.js';

/**
 * The client settings of one source: its region, and credentials from its profile, or a role
 * assumed (STS AssumeRole) from the profile's or the default credentials. Everything else — the
 * credential chain, `AWS_ENDPOINT_URL_ECS`, `AWS_ENDPOINT_URL_STS` — is the SDK's, as for ECR.
 * Reading is paced like the ECR client: adaptive retries back off and slow down on throttling.
 */
export function awsClientSettings(place: AwsSourcePlace) {
  const profile = place.profile === undefined ? undefined : fromIni({ profile: place.profile });
  const credentials =
    place.roleArn === undefined
      ? profile
      : fromTemporaryCredentials({
          params: { RoleArn: place.roleArn, RoleSessionName: 'registry-janitor' },
          ...(profile && { masterCredentials: profile }),
          clientConfig: { region: place.region },
        });
  return {
    region: place.region,
    retryMode: 'adaptive' as const,
    maxAttempts: 8,
    ...(credentials && { credentials }),
  };
}
