import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Accounts } from './accounts.js';
import { ApiError, type OperationFault } from './api-error.js';
import { ecsOperations, ecsTargetPrefix } from './ecs.js';
import { EcsRegion } from './ecs-state.js';
import { lambdaRoute } from './lambda.js';
import { LambdaRegion } from './lambda-state.js';
import { assumeRole, isStsRequest, stsErrorBody, stsOperation } from './sts.js';
import { PageTokens } from './tokens.js';

export interface Answer {
  readonly operation: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * The services beside ECR the janitor reads to know what is in use — ECS, Lambda, and STS to
 * assume roles — each per account (from the signing key) and region (from the signature's scope).
 */
export class Workloads {
  readonly accounts: Accounts;
  private readonly ecsRegions = new Map<string, EcsRegion>();
  private readonly lambdaRegions = new Map<string, LambdaRegion>();
  private readonly tokens = new PageTokens();
  private readonly ecs = ecsOperations(this.tokens);
  private readonly faults = new Map<string, OperationFault>();

  constructor(
    defaultAccount: string,
    defaultRegion: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.accounts = new Accounts(defaultAccount, defaultRegion);
  }

  /** ECS of an account and region (the emulator's own by default), for seeding and inspection. */
  ecsOf(account = this.accounts.defaultAccount, region = this.accounts.defaultRegion): EcsRegion {
    const key = `${account}/${region}`;
    let found = this.ecsRegions.get(key);
    if (found === undefined) {
      found = new EcsRegion(account, region, this.now);
      this.ecsRegions.set(key, found);
    }
    return found;
  }

  lambdaOf(account = this.accounts.defaultAccount, region = this.accounts.defaultRegion): LambdaRegion {
    const key = `${account}/${region}`;
    let found = this.lambdaRegions.get(key);
    if (found === undefined) {
      found = new LambdaRegion(account, region, this.now);
      this.lambdaRegions.set(key, found);
    }
    return found;
  }

  /** Makes every call of `operation` fail with this error (or stop failing, without one). */
  failOperation(operation: string, fault?: OperationFault): void {
    if (fault === undefined) this.faults.delete(operation);
    else this.faults.set(operation, fault);
  }

  /** The answer when the request is for one of these services; undefined for ECR's own. */
  answer(request: IncomingMessage, body: string): Answer | undefined {
    const target = String(request.headers['x-amz-target'] ?? '');
    const url = new URL(request.url ?? '/', 'http://emulator');
    const caller = this.accounts.callerOf(request.headers);
    if (target.startsWith(ecsTargetPrefix)) {
      const operation = target.slice(ecsTargetPrefix.length);
      return this.json(operation, 'application/x-amz-json-1.1', () => {
        const run = this.ecs.get(operation);
        if (run === undefined)
          throw new ApiError('UnknownOperationException', `Unknown operation ${operation}`);
        return run(parseObject(body), this.ecsOf(caller.account, caller.region));
      });
    }
    const route = lambdaRoute(request.method ?? 'GET', url, this.tokens);
    if (route !== undefined)
      return this.json(route.operation, 'application/json', () =>
        route.answer(this.lambdaOf(caller.account, caller.region)),
      );
    if (isStsRequest(request.headers['content-type'], body)) {
      const operation = stsOperation(body);
      try {
        this.injectedFault(operation);
        return {
          operation,
          status: 200,
          headers: { 'content-type': 'text/xml' },
          body: assumeRole(body, this.accounts, this.now()),
        };
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        return {
          operation,
          status: error.status,
          headers: { 'content-type': 'text/xml' },
          body: stsErrorBody(error),
        };
      }
    }
    return undefined;
  }

  private json(operation: string, contentType: string, run: () => unknown): Answer {
    try {
      this.injectedFault(operation);
      return {
        operation,
        status: 200,
        headers: { 'content-type': contentType },
        body: JSON.stringify(run()),
      };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return {
        operation,
        status: error.status,
        headers: {
          'content-type': contentType,
          'x-amzn-errortype': error.type,
          'x-amzn-requestid': randomUUID(),
        },
        body: JSON.stringify({ __type: error.type, message: error.message }),
      };
    }
  }

  private injectedFault(operation: string): void {
    const fault = this.faults.get(operation);
    if (fault) throw new ApiError(fault.type, fault.message ?? `Injected ${fault.type}`, fault.status ?? 400);
  }
}

function parseObject(body: string): Record<string, unknown> {
  let input: unknown;
  try {
    input = body.trim() === '' ? {} : JSON.parse(body);
  } catch {
    throw new ApiError('SerializationException', 'Request body is not valid JSON');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new ApiError('SerializationException', 'Request body must be a JSON object');
  return input as Record<string, unknown>;
}
