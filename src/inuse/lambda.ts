import {
  GetFunctionCommand,
  LambdaClient,
  type LambdaClientConfig,
  paginateListAliases,
  paginateListFunctions,
} from '@aws-sdk/client-lambda';
import { mapWithConcurrency } from '../registry/driver.js';
import { awsClientSettings } from './aws.js';
import { type AwsSourcePlace, sourceName } from './names.js';
import type { ImageUseText, InUseSource } from './snapshot.js';

/** ListFunctions answers at most 50 a page whatever is asked; ListAliases is asked for as many. */
const pageSize = 50;
/** Functions read at once. */
const concurrency = 8;

/**
 * The container images Lambda runs in one account and region:
 *
 *   functions ← ListFunctions, those with PackageType Image
 *   versions  ← $LATEST, and every version an alias points to (ListAliases), weighted ones included
 *   images    ← GetFunction of each: Code.ImageUri (as deployed) and Code.ResolvedImageUri (its digest)
 */
export function lambdaSource(place: AwsSourcePlace, overrides: LambdaClientConfig = {}): InUseSource {
  const client = new LambdaClient({ ...awsClientSettings(place), ...overrides });
  return {
    name: sourceName.lambda(place),
    async read(signal) {
      const functions: string[] = [];
      for await (const page of paginateListFunctions({ client, pageSize }, {}, { abortSignal: signal })) {
        for (const configuration of page.Functions ?? [])
          if (configuration.PackageType === 'Image' && configuration.FunctionName)
            functions.push(configuration.FunctionName);
      }
      const uses = await mapWithConcurrency(functions, concurrency, (name) =>
        imagesOfFunction(name, signal).catch((error: unknown) => {
          // Deleted since it was listed: it runs nothing any more.
          if ((error as Error).name === 'ResourceNotFoundException') return [];
          throw error;
        }),
      );
      return uses.flat();
    },
  };

  async function imagesOfFunction(name: string, signal: AbortSignal): Promise<ImageUseText[]> {
    // Version → the aliases that point to it, as the reasons name them.
    const versions = new Map<string, string[]>([['$LATEST', [`lambda ${name} ($LATEST)`]]]);
    const pointTo = (version: string, alias: string) => {
      const users = versions.get(version) ?? [];
      users.push(`lambda ${name}:${alias}`);
      versions.set(version, users);
    };
    for await (const page of paginateListAliases(
      { client, pageSize },
      { FunctionName: name },
      { abortSignal: signal },
    )) {
      for (const alias of page.Aliases ?? []) {
        if (alias.FunctionVersion && alias.Name) pointTo(alias.FunctionVersion, alias.Name);
        // A weighted alias sends part of the traffic to a second version.
        for (const version of Object.keys(alias.RoutingConfig?.AdditionalVersionWeights ?? {}))
          if (alias.Name) pointTo(version, alias.Name);
      }
    }
    const found: ImageUseText[] = [];
    for (const [version, users] of versions) {
      const answer = await client.send(
        new GetFunctionCommand({
          FunctionName: name,
          ...(version !== '$LATEST' && { Qualifier: version }),
        }),
        { abortSignal: signal },
      );
      const images = [answer.Code?.ImageUri, answer.Code?.ResolvedImageUri].filter(
        (image): image is string => image !== undefined,
      );
      for (const image of images) for (const usedBy of users) found.push({ image, usedBy });
    }
    return found;
  }
}
