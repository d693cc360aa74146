// Reading ECR request fields the way ECR validates them: each wrong field is an
// InvalidParameterException naming it, before the operation touches any state.
import type { EcrError, ImageIdentifier, ImageRecord } from './state.js';
import { invalidParameter } from './state.js';

export type Input = Record<string, unknown>;

export function invalid(message: string): EcrError {
  return invalidParameter(`Invalid parameter: ${message}`);
}

export function requiredString(input: Input, name: string): string {
  const value = optionalString(input, name);
  if (value === undefined) throw invalid(`${name} is required`);
  return value;
}

export function optionalString(input: Input, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`${name} must be a string`);
  return value;
}

export function optionalStrings(
  input: Input,
  name: string,
  minimum: number,
  maximum: number,
): string[] | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw invalid(`${name} must be a list of strings`);
  }
  if (value.length < minimum || value.length > maximum) {
    throw invalid(`${name} must have between ${minimum} and ${maximum} members`);
  }
  return value;
}

export function optionalMaxResults(input: Input): number | undefined {
  const value = input.maxResults;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1000) {
    throw invalid(`maxResults must be an integer from 1 to 1000, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function rejectPagingWithIds(
  maxResults: number | undefined,
  nextToken: string | undefined,
  idsName: string,
): void {
  if (maxResults !== undefined || nextToken !== undefined) {
    throw invalid(`maxResults and nextToken cannot be used together with ${idsName}`);
  }
}

export type TagStatus = 'TAGGED' | 'UNTAGGED' | 'ANY';

export function readTagStatus(input: Input): TagStatus {
  const filter = input.filter;
  if (filter === undefined || filter === null) return 'ANY';
  const tagStatus = typeof filter === 'object' ? (filter as { tagStatus?: unknown }).tagStatus : undefined;
  if (tagStatus === undefined || tagStatus === null) return 'ANY';
  if (tagStatus === 'TAGGED' || tagStatus === 'UNTAGGED' || tagStatus === 'ANY') return tagStatus;
  throw invalid(`filter.tagStatus must be TAGGED, UNTAGGED or ANY, got ${JSON.stringify(tagStatus)}`);
}

export type ImageStatusFilter = 'ACTIVE' | 'ARCHIVED' | 'ACTIVATING' | 'ANY';

/** DescribeImages' `filter.imageStatus`: without it, ECR lists only ACTIVE images. */
export function readImageStatus(input: Input): ImageStatusFilter {
  const filter = input.filter;
  const status =
    typeof filter === 'object' && filter !== null
      ? (filter as { imageStatus?: unknown }).imageStatus
      : undefined;
  if (status === undefined || status === null) return 'ACTIVE';
  if (status === 'ACTIVE' || status === 'ARCHIVED' || status === 'ACTIVATING' || status === 'ANY')
    return status;
  throw invalid(
    `filter.imageStatus must be ACTIVE, ARCHIVED, ACTIVATING or ANY, got ${JSON.stringify(status)}`,
  );
}

export function matchesTagStatus(image: ImageRecord, tagStatus: TagStatus): boolean {
  if (tagStatus === 'TAGGED') return image.tags.length > 0;
  if (tagStatus === 'UNTAGGED') return image.tags.length === 0;
  return true;
}

export function requiredImageIds(input: Input): ImageIdentifier[] {
  const ids = optionalImageIds(input, 1, 100);
  if (ids === undefined) throw invalid('imageIds is required');
  return ids;
}

export function optionalImageIds(
  input: Input,
  minimum: number,
  maximum: number,
): ImageIdentifier[] | undefined {
  const value = input.imageIds;
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalid('imageIds must be a list');
  if (value.length < minimum || value.length > maximum) {
    throw invalid(`imageIds must have between ${minimum} and ${maximum} members, got ${value.length}`);
  }
  return value.map((item: unknown) => {
    if (typeof item !== 'object' || item === null) throw invalid('each imageId must be an object');
    const id: ImageIdentifier = {};
    const imageDigest = optionalString(item as Input, 'imageDigest');
    const imageTag = optionalString(item as Input, 'imageTag');
    if (imageDigest !== undefined) id.imageDigest = imageDigest;
    if (imageTag !== undefined) id.imageTag = imageTag;
    return id;
  });
}
