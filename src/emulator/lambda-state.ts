/** The code of one version of a function: a container image, or a zip archive. */
export interface FunctionCode {
  /** As deployed (`…/repo:tag`), for container-image functions. */
  readonly imageUri?: string;
  /** The digest Lambda resolved the image to when the version was made (`…/repo@sha256:…`). */
  readonly resolvedImageUri?: string;
  readonly codeSha256: string;
}

export interface AliasRecord {
  readonly name: string;
  readonly version: string;
  /** A weighted alias: another version and the share of invocations it gets. */
  readonly weights?: Readonly<Record<string, number>>;
}

export interface FunctionRecord {
  readonly name: string;
  readonly arn: string;
  readonly packageType: 'Image' | 'Zip';
  latest: FunctionCode;
  readonly versions: Map<string, FunctionCode>;
  readonly aliases: Map<string, AliasRecord>;
  lastModified: Date;
}

/**
 * What Lambda holds in one account and region: functions, their published versions and aliases.
 * Seeded directly; the Lambda API in lambda.ts reads it.
 */
export class LambdaRegion {
  readonly functions = new Map<string, FunctionRecord>();

  constructor(
    readonly account: string,
    readonly region: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A container-image function on `repository:tag`, resolved to `digest`; or a zip function. */
  createFunction(name: string, code: { image: string; digest: string } | { zip: true }): string {
    const arn = `arn:aws:lambda:${this.region}:${this.account}:function:${name}`;
    this.functions.set(name, {
      name,
      arn,
      packageType: 'zip' in code ? 'Zip' : 'Image',
      latest: codeOf(code),
      versions: new Map(),
      aliases: new Map(),
      lastModified: this.now(),
    });
    return arn;
  }

  /** UpdateFunctionCode: $LATEST now runs another image. */
  updateImage(name: string, image: string, digest: string): void {
    const record = this.function(name);
    record.latest = codeOf({ image, digest });
    record.lastModified = this.now();
  }

  /** PublishVersion: freezes $LATEST as the next numbered version; returns its number. */
  publishVersion(name: string): string {
    const record = this.function(name);
    const version = String(record.versions.size + 1);
    record.versions.set(version, record.latest);
    return version;
  }

  createAlias(name: string, alias: string, version: string, weights?: Record<string, number>): void {
    const record = this.function(name);
    record.aliases.set(alias, { name: alias, version, ...(weights && { weights }) });
  }

  private function(name: string): FunctionRecord {
    const record = this.functions.get(name);
    if (record === undefined) throw new Error(`no function ${name}`);
    return record;
  }
}

function codeOf(code: { image: string; digest: string } | { zip: true }): FunctionCode {
  if ('zip' in code) return { codeSha256: Buffer.from('zip').toString('base64') };
  const repository = code.image.replace(/[:@][^/]*$/, '');
  return {
    imageUri: code.image,
    resolvedImageUri: `${repository}@${code.digest}`,
    codeSha256: code.digest.slice('sha256:'.length),
  };
}
