import type { CurrentState } from '../../core/retag.js';
import type { Digest, Image } from '../../core/types.js';
import { type CallOptions, chunk, mapWithConcurrency } from '../driver.js';

/** What the check before deleting needs of the ECR driver. */
export interface EcrDescriber {
  readonly concurrency: number;
  /** DescribeImages by image ids (at most 100): throws ImageNotFoundException when one is gone. */
  describeByDigests(repository: string, digests: readonly Digest[], options: CallOptions): Promise<Image[]>;
  listImages(repository: string, options: CallOptions): Promise<Image[]>;
}

/** DescribeImages takes at most 100 image ids. */
const batchSize = 100;

/**
 * The tags and storage class of each digest ECR still holds, asked by id, 100 a request. One id
 * ECR does not know fails the whole request (ImageNotFoundException, unlike the Batch* calls): a
 * digest deleted meanwhile by someone else is answered by one listing of the repository instead.
 * A digest absent from the answer is gone.
 */
export async function describeCurrentState(
  ecr: EcrDescriber,
  repository: string,
  digests: readonly Digest[],
  options: CallOptions,
): Promise<Map<Digest, CurrentState>> {
  const states = new Map<Digest, CurrentState>();
  const record = (images: readonly Image[]) => {
    for (const image of images)
      states.set(image.digest, { tags: image.tags, ...(image.archived && { archived: true }) });
  };
  try {
    const answers = await mapWithConcurrency(
      chunk([...new Set(digests)], batchSize),
      ecr.concurrency,
      (batch) => ecr.describeByDigests(repository, batch, options),
    );
    for (const images of answers) record(images);
  } catch (error) {
    if (
      (error as { cause?: Error }).cause?.name !== 'ImageNotFoundException' &&
      (error as Error).name !== 'ImageNotFoundException'
    )
      throw error;
    const wanted = new Set(digests);
    states.clear();
    record((await ecr.listImages(repository, options)).filter((image) => wanted.has(image.digest)));
  }
  return states;
}
