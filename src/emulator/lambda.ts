// AWS Lambda's REST-JSON API (`/2015-03-31/functions…`) for what the janitor reads: ListFunctions,
// GetFunction and ListAliases, with the real page limits. Answers are per account and region of
// the caller (see accounts.ts).
import { ApiError } from './api-error.js';
import type { FunctionCode, FunctionRecord, LambdaRegion } from './lambda-state.js';
import type { PageTokens } from './tokens.js';

/** ListFunctions answers at most 50 functions a page, whatever MaxItems asks; so does ListAliases here. */
const largestPage = 50;

export interface LambdaRoute {
  readonly operation: string;
  answer(region: LambdaRegion): unknown;
}

/** The operation a request names, or undefined when the path is no Lambda path we serve. */
export function lambdaRoute(method: string, url: URL, tokens: PageTokens): LambdaRoute | undefined {
  const path = /^\/2015-03-31\/functions\/?(?<name>[^/]+)?(?<aliases>\/aliases\/?)?$/.exec(url.pathname);
  if (method !== 'GET' || path?.groups === undefined) return undefined;
  const name = path.groups.name === undefined ? undefined : decodeURIComponent(path.groups.name);
  const query = url.searchParams;
  const page = <T>(context: string, items: readonly T[], keyOf: (item: T) => string) => {
    const asked = query.get('MaxItems');
    const maxItems = asked === null ? largestPage : Number(asked);
    if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 10_000)
      throw new ApiError('InvalidParameterValueException', 'MaxItems must be between 1 and 10000');
    return tokens.page(
      context,
      items,
      keyOf,
      Math.min(maxItems, largestPage),
      query.get('Marker') ?? undefined,
      () => new ApiError('InvalidParameterValueException', 'Invalid Marker'),
    );
  };
  if (name === undefined) {
    return {
      operation: 'ListFunctions',
      answer: (region) => {
        const functions = [...region.functions.values()].sort((left, right) =>
          left.name < right.name ? -1 : 1,
        );
        const { items, next } = page('ListFunctions', functions, (record) => record.name);
        return {
          Functions: items.map((record) => configuration(region, record, '$LATEST', record.latest)),
          ...(next && { NextMarker: next }),
        };
      },
    };
  }
  if (path.groups.aliases !== undefined) {
    return {
      operation: 'ListAliases',
      answer: (region) => {
        const record = findFunction(region, name);
        const version = query.get('FunctionVersion');
        const aliases = [...record.aliases.values()]
          .filter((alias) => version === null || alias.version === version)
          .sort((left, right) => (left.name < right.name ? -1 : 1));
        const { items, next } = page(`ListAliases\n${record.arn}`, aliases, (alias) => alias.name);
        return {
          Aliases: items.map((alias) => ({
            AliasArn: `${record.arn}:${alias.name}`,
            Name: alias.name,
            FunctionVersion: alias.version,
            Description: '',
            ...(alias.weights && { RoutingConfig: { AdditionalVersionWeights: alias.weights } }),
            RevisionId: `${record.name}-${alias.name}`,
          })),
          ...(next && { NextMarker: next }),
        };
      },
    };
  }
  return {
    operation: 'GetFunction',
    answer: (region) => {
      const record = findFunction(region, name);
      const qualifier = query.get('Qualifier') ?? qualifierOf(name) ?? '$LATEST';
      const version = record.aliases.get(qualifier)?.version ?? qualifier;
      const code = version === '$LATEST' ? record.latest : record.versions.get(version);
      if (code === undefined)
        throw new ApiError(
          'ResourceNotFoundException',
          `Function not found: ${record.arn}:${qualifier}`,
          404,
        );
      return {
        Configuration: configuration(region, record, version, code),
        Code:
          record.packageType === 'Image'
            ? { RepositoryType: 'ECR', ImageUri: code.imageUri, ResolvedImageUri: code.resolvedImageUri }
            : {
                RepositoryType: 'S3',
                Location: `https://awslambda-${region.region}-tasks.s3.amazonaws.com/snapshots/${record.name}`,
              },
      };
    },
  };
}

function configuration(region: LambdaRegion, record: FunctionRecord, version: string, code: FunctionCode) {
  return {
    FunctionName: record.name,
    FunctionArn: version === '$LATEST' ? record.arn : `${record.arn}:${version}`,
    Role: `arn:aws:iam::${region.account}:role/${record.name}-role`,
    CodeSize: 0,
    CodeSha256: code.codeSha256,
    Description: '',
    Timeout: 3,
    MemorySize: 128,
    LastModified: record.lastModified.toISOString().replace('Z', '+0000'),
    Version: version,
    PackageType: record.packageType,
    Architectures: ['x86_64'],
    State: 'Active',
    ...(record.packageType === 'Zip' && { Runtime: 'nodejs20.x', Handler: 'index.handler' }),
  };
}

/** A name, a partial ARN (`123456789012:function:name`) or an ARN, with or without a qualifier. */
function findFunction(region: LambdaRegion, reference: string): FunctionRecord {
  const parts = reference.split(':');
  const index = parts.indexOf('function');
  const name = index >= 0 ? (parts[index + 1] ?? '') : (parts[0] ?? '');
  const record = region.functions.get(name);
  if (record === undefined)
    throw new ApiError(
      'ResourceNotFoundException',
      `Function not found: arn:aws:lambda:${region.region}:${region.account}:function:${name}`,
      404,
    );
  return record;
}

function qualifierOf(reference: string): string | undefined {
  const parts = reference.split(':');
  const index = parts.indexOf('function');
  return index >= 0 ? parts[index + 2] : parts[1];
}
