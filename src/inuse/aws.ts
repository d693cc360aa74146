import { fromIni, fromTemporaryCredentials } from '@aws-sdk/credential-providers';

/** An AWS source's place: one region of one account, through a profile and/or an assumed role. */
export interface AwsSourcePlace {
  readonly region: string;
  readonly profile?: string;
  readonly roleArn?: string;
}

/** `us-east-1 (role arn:aws:iam::111122223333:role/janitor-read)`, for names and reasons. */
export function describePlace(place: AwsSourcePlace): string {
  const through = [
    place.profile !== undefined && `profile ${place.profile}`,
    place.roleArn !== undefined && `role ${place.roleArn}`,
  ].filter(Boolean);
  return through.length > 0 ? `${place.region} (${through.join(', ')})` : place.region;
}

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
