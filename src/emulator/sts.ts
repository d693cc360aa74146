// AWS STS AssumeRole over the AWS Query protocol (a form POST answered in XML), enough for the
// SDK's `fromTemporaryCredentials` to switch a source into another account (see accounts.ts).
import { randomUUID } from 'node:crypto';
import type { Accounts } from './accounts.js';
import { ApiError } from './api-error.js';

/** Whether a request is an STS Query call: a form body naming an Action. */
export function isStsRequest(contentType: string | undefined, body: string): boolean {
  return (contentType ?? '').startsWith('application/x-www-form-urlencoded') && /(^|&)Action=/.test(body);
}

export function stsOperation(body: string): string {
  return new URLSearchParams(body).get('Action') ?? '(no action)';
}

/** The XML answer to AssumeRole, or an ApiError (AccessDenied for a role the emulator does not allow). */
export function assumeRole(body: string, accounts: Accounts, now: Date): string {
  const form = new URLSearchParams(body);
  if (form.get('Action') !== 'AssumeRole')
    throw new ApiError(
      'InvalidAction',
      `Could not find operation ${form.get('Action')} for version 2011-06-15`,
    );
  const roleArn = form.get('RoleArn') ?? '';
  const session = form.get('RoleSessionName') ?? '';
  if (!/^[\w+=,.@-]{2,64}$/.test(session))
    throw new ApiError('ValidationError', 'RoleSessionName must be 2 to 64 characters of [\\w+=,.@-]');
  const granted = accounts.assumeRole(roleArn, session, now);
  if (granted === undefined)
    throw new ApiError(
      'AccessDenied',
      `User is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      403,
    );
  return [
    '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">',
    '<AssumeRoleResult>',
    `<AssumedRoleUser><Arn>${escapeXml(granted.assumedRoleArn)}</Arn><AssumedRoleId>AROA${granted.accessKeyId.slice(4)}:${escapeXml(session)}</AssumedRoleId></AssumedRoleUser>`,
    '<Credentials>',
    `<AccessKeyId>${granted.accessKeyId}</AccessKeyId>`,
    `<SecretAccessKey>${escapeXml(granted.secretAccessKey)}</SecretAccessKey>`,
    `<SessionToken>${escapeXml(granted.sessionToken)}</SessionToken>`,
    `<Expiration>${granted.expiration.toISOString()}</Expiration>`,
    '</Credentials>',
    '</AssumeRoleResult>',
    `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>`,
    '</AssumeRoleResponse>',
  ].join('');
}

/** STS errors: `<ErrorResponse><Error><Type>Sender</Type><Code>…</Code><Message>…</Message></Error>…`. */
export function stsErrorBody(error: ApiError): string {
  return `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${escapeXml(error.type)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
