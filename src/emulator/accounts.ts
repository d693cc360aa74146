import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Who sent a request: the account its access key belongs to, and the region it signed for. */
export interface Caller {
  readonly account: string;
  readonly region: string;
  readonly accessKeyId?: string;
}

export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
  readonly assumedRoleArn: string;
}

/**
 * The accounts behind access keys, for the services that answer per account (ECS, Lambda): keys
 * given to the emulator (profiles in a test's AWS config), keys handed out by AssumeRole for the
 * roles it allows, and every other key — `test`, `demo` — in the default account. Signatures are
 * not checked; the key and the region are read from the SigV4 `Authorization` header.
 */
export class Accounts {
  private readonly keys = new Map<string, string>();
  private readonly roles = new Set<string>();

  constructor(
    readonly defaultAccount: string,
    readonly defaultRegion: string,
  ) {}

  /** Requests signed with this key act in `account`. */
  addKey(accessKeyId: string, account: string): void {
    this.keys.set(accessKeyId, account);
  }

  /** AssumeRole grants this role (`arn:aws:iam::ACCOUNT:role/NAME`); any other is AccessDenied. */
  allowRole(roleArn: string): void {
    this.roles.add(roleArn);
  }

  /** STS AssumeRole: temporary keys acting in the role's account, or undefined when not allowed. */
  assumeRole(roleArn: string, sessionName: string, now: Date): TemporaryCredentials | undefined {
    const account = /^arn:aws[a-z-]*:iam::(\d{12}):role\//.exec(roleArn)?.[1];
    if (!this.roles.has(roleArn) || account === undefined) return undefined;
    const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
    this.keys.set(accessKeyId, account);
    return {
      accessKeyId,
      secretAccessKey: randomBytes(20).toString('base64'),
      sessionToken: randomBytes(32).toString('base64'),
      expiration: new Date(now.getTime() + 3_600_000),
      assumedRoleArn: `arn:aws:sts::${account}:assumed-role/${roleArn.split('/').at(-1)}/${sessionName}`,
    };
  }

  /** `Credential=AKID/20261128/us-west-2/ecs/aws4_request` → that key's account and that region. */
  callerOf(headers: IncomingHttpHeaders): Caller {
    const authorization = String(headers.authorization ?? '');
    const scope = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\//.exec(authorization);
    if (scope === null) return { account: this.defaultAccount, region: this.defaultRegion };
    const [, accessKeyId = '', region = this.defaultRegion] = scope;
    return { account: this.keys.get(accessKeyId) ?? this.defaultAccount, region, accessKeyId };
  }
}
